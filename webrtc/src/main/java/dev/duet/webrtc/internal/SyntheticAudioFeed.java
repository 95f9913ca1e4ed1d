package dev.duet.webrtc.internal;

import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.nio.ByteOrder;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Pushes 10 ms chunks of 16-bit, 48 kHz mono audio into a {@link CustomAudioSource} every 10 ms, on
 * the given media thread (webrtc-java wants one pushing thread): a sine tone, or silence when the
 * frequency is zero.
 */
public final class SyntheticAudioFeed extends MediaFeed {
    private static final int SAMPLE_RATE = 48_000;
    private static final int FRAMES_PER_CHUNK = SAMPLE_RATE / 100;

    private final CustomAudioSource source;
    private final double hz;
    private final byte[] chunk = new byte[FRAMES_PER_CHUNK * 2];
    private final boolean bigEndian = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    private long samples;

    /** @param hz the tone's frequency, or 0 for silence */
    public SyntheticAudioFeed(CustomAudioSource source, double hz, ScheduledExecutorService mediaThread) {
        super(mediaThread);
        this.source = source;
        this.hz = hz;
        start(10_000);
    }

    @Override
    void push() {
        for (int i = 0; i < FRAMES_PER_CHUNK; i++) {
            short value = hz == 0 ? 0 : (short) (8000 * Math.sin(2 * Math.PI * hz * (samples + i) / SAMPLE_RATE));
            byte low = (byte) value;
            byte high = (byte) (value >> 8);
            chunk[2 * i] = bigEndian ? high : low;
            chunk[2 * i + 1] = bigEndian ? low : high;
        }
        samples += FRAMES_PER_CHUNK;
        source.pushAudio(chunk, 16, SAMPLE_RATE, 1, FRAMES_PER_CHUNK);
    }

}
