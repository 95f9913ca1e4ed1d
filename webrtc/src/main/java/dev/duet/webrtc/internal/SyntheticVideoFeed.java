package dev.duet.webrtc.internal;

import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Pushes a generated moving pattern (diagonal bands drifting right, a colour that cycles) into a
 * {@link CustomVideoSource} at a fixed rate, on the given media thread. The pattern changes every
 * frame, so the encoder never idles and a receiver sees real motion.
 */
public final class SyntheticVideoFeed extends MediaFeed {
    private final CustomVideoSource source;
    private final int width;
    private final int height;
    private final byte[] row;
    private long frame;

    public SyntheticVideoFeed(CustomVideoSource source, int width, int height, int framesPerSecond,
            ScheduledExecutorService mediaThread) {
        super(mediaThread);
        this.source = source;
        this.width = width;
        this.height = height;
        this.row = new byte[width];
        start(1_000_000L / framesPerSecond);
    }

    @Override
    void push() {
        NativeI420Buffer buffer = NativeI420Buffer.allocate(width, height);
        try {
            int shift = (int) (frame * 4);
            ByteBuffer y = buffer.getDataY();
            for (int line = 0; line < height; line++) {
                for (int x = 0; x < width; x++) {
                    row[x] = (byte) (((x + line + shift) & 0x3f) < 32 ? 40 : 200);
                }
                y.position(line * buffer.getStrideY());
                y.put(row, 0, width);
            }
            fillPlane(buffer.getDataU(), buffer.getStrideU(), (int) (128 + 100 * Math.sin(frame / 20.0)));
            fillPlane(buffer.getDataV(), buffer.getStrideV(), (int) (128 + 100 * Math.cos(frame / 20.0)));
            VideoFrame videoFrame = new VideoFrame(buffer, System.nanoTime());
            try {
                source.pushFrame(videoFrame);
            } finally {
                videoFrame.release();
            }
            frame++;
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    private void fillPlane(ByteBuffer plane, int stride, int value) {
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        for (int x = 0; x < chromaWidth; x++) {
            row[x] = (byte) value;
        }
        for (int line = 0; line < chromaHeight; line++) {
            plane.position(line * stride);
            plane.put(row, 0, chromaWidth);
        }
    }


}
