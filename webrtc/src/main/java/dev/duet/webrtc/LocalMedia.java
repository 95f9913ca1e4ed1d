package dev.duet.webrtc;

import dev.duet.core.internal.Checks;
import java.util.Optional;

/**
 * What a call sends: at most one video input and at most one audio input. A description only; the
 * call creates the native sources and tracks from it and releases them when it ends.
 *
 * <p>Which inputs work depends on the {@link MediaEngine}: generated audio ({@link AudioInput.Tone},
 * {@link AudioInput.Silence}) needs {@link MediaEngine#synthetic()}, device audio
 * ({@link AudioInput.Device}) needs {@link MediaEngine#devices()} (one factory cannot do both:
 * libwebrtc aborts the process), and {@link MediaEngine#headless()} sends no audio at all. The call
 * refuses a mismatch with an {@link IllegalArgumentException} before touching native code.
 */
public record LocalMedia(Optional<VideoInput> video, Optional<AudioInput> audio) {
    public LocalMedia {
        Checks.notNull(video, "video");
        Checks.notNull(audio, "audio");
    }

    /** Generated video ({@code width}×{@code height} at {@code framesPerSecond}) and a generated tone. */
    private static LocalMedia synthetic(int width, int height, int framesPerSecond, double toneHz) {
        return new LocalMedia(Optional.of(new VideoInput.Synthetic(width, height, framesPerSecond)),
                Optional.of(new AudioInput.Tone(toneHz)));
    }

    /**
     * This media with generated video of {@code width}×{@code height} (even numbers) at
     * {@code framesPerSecond} instead of its video: {@code LocalMedia.synthetic().withSyntheticVideo(640, 480, 30)}.
     */
    public LocalMedia withSyntheticVideo(int width, int height, int framesPerSecond) {
        return new LocalMedia(Optional.of(new VideoInput.Synthetic(width, height, framesPerSecond)), audio);
    }

    /** This media with a generated tone of {@code hz} (0 for silence) instead of its audio. */
    public LocalMedia withTone(double hz) {
        return new LocalMedia(video, Optional.of(new AudioInput.Tone(hz)));
    }

    /** 320×240 at 15 frames per second and a 440 Hz tone: enough for tests and demos. */
    public static LocalMedia synthetic() {
        return synthetic(320, 240, 15, 440);
    }

    /** The default camera at 640×480, 30 fps, and the audio device module's microphone. */
    public static LocalMedia devices() {
        return new LocalMedia(Optional.of(new VideoInput.Camera(Optional.empty(), 640, 480, 30)),
                Optional.of(new AudioInput.Device()));
    }

    /** Receive only: no track is sent. */
    public static LocalMedia none() {
        return new LocalMedia(Optional.empty(), Optional.empty());
    }

    public LocalMedia withVideo(VideoInput input) {
        return new LocalMedia(Optional.of(Checks.notNull(input, "video")), audio);
    }

    public LocalMedia withoutVideo() {
        return new LocalMedia(Optional.empty(), audio);
    }

    public LocalMedia withAudio(AudioInput input) {
        return new LocalMedia(video, Optional.of(Checks.notNull(input, "audio")));
    }

    public LocalMedia withoutAudio() {
        return new LocalMedia(video, Optional.empty());
    }

    /** Where video comes from. */
    public sealed interface VideoInput {
        int width();

        int height();

        int framesPerSecond();

        /** A generated moving pattern, pushed on the engine's media thread. */
        record Synthetic(int width, int height, int framesPerSecond) implements VideoInput {
            public Synthetic {
                checkVideo(width, height, framesPerSecond);
            }
        }

        /** A camera through webrtc-java's device API: the named device, or the first one found. */
        record Camera(Optional<String> deviceName, int width, int height, int framesPerSecond) implements VideoInput {
            public Camera {
                Checks.notNull(deviceName, "deviceName");
                checkVideo(width, height, framesPerSecond);
            }
        }
    }

    /** Where audio comes from. */
    public sealed interface AudioInput {
        /** A generated sine tone, 48 kHz mono, pushed every 10 ms. Needs {@link MediaEngine#synthetic()}. */
        record Tone(double hz) implements AudioInput {
            public Tone {
                if (!(hz >= 20 && hz <= 20_000)) {
                    throw new IllegalArgumentException("tone.hz must be 20 to 20000, but was " + hz);
                }
            }
        }

        /** Generated silence, pushed every 10 ms (packets still flow). Needs {@link MediaEngine#synthetic()}. */
        record Silence() implements AudioInput {}

        /** The microphone of the engine's audio device module. Needs {@link MediaEngine#devices()}. */
        record Device() implements AudioInput {}
    }

    private static void checkVideo(int width, int height, int fps) {
        if (width < 16 || width > 3840 || width % 2 != 0) {
            throw new IllegalArgumentException("video.width must be an even number from 16 to 3840, but was " + width);
        }
        if (height < 16 || height > 2160 || height % 2 != 0) {
            throw new IllegalArgumentException("video.height must be an even number from 16 to 2160, but was " + height);
        }
        if (fps < 1 || fps > 60) {
            throw new IllegalArgumentException("video.framesPerSecond must be 1 to 60, but was " + fps);
        }
    }
}
