package dev.duet.webrtc.internal;

import dev.duet.webrtc.LocalMedia;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.MediaDevices;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrackSource;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoCaptureCapability;
import dev.onvoid.webrtc.media.video.VideoDevice;
import dev.onvoid.webrtc.media.video.VideoDeviceSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The native sources, feeds and tracks of one call's {@link LocalMedia}, created once and attached
 * to each epoch's peer connection. {@link #close()} releases them in reverse order of creation
 * (feeds stop, tracks, then sources), after every peer connection has removed the tracks.
 */
public final class LocalTracks implements AutoCloseable {
    private final List<MediaStreamTrack> tracks = new ArrayList<>(2);
    private final Deque<Runnable> release = new ArrayDeque<>();

    private LocalTracks() {}

    /**
     * Creates the sources and tracks. On failure releases what was created and throws
     * {@link IllegalStateException} saying what was missing.
     */
    public static LocalTracks create(LocalMedia media, PeerConnectionFactory factory, ScheduledExecutorService mediaThread) {
        LocalTracks created = new LocalTracks();
        try {
            media.video().ifPresent(v -> created.addVideo(v, factory, mediaThread));
            media.audio().ifPresent(a -> created.addAudio(a, factory, mediaThread));
            return created;
        } catch (RuntimeException e) {
            created.close();
            throw e;
        }
    }

    private void addVideo(LocalMedia.VideoInput input, PeerConnectionFactory factory, ScheduledExecutorService mediaThread) {
        if (input instanceof LocalMedia.VideoInput.Synthetic s) {
            CustomVideoSource source = new CustomVideoSource();
            release.push(source::dispose);
            add(factory.createVideoTrack("duet-video", source));
            SyntheticVideoFeed feed = new SyntheticVideoFeed(source, s.width(), s.height(), s.framesPerSecond(), mediaThread);
            release.push(feed::close);
        } else if (input instanceof LocalMedia.VideoInput.Camera c) {
            List<VideoDevice> devices = MediaDevices.getVideoCaptureDevices();
            VideoDevice device = devices.stream()
                    .filter(d -> c.deviceName().isEmpty() || c.deviceName().get().equals(d.getName()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(c.deviceName().map(n -> "no camera named '" + n + "'")
                            .orElse("no camera found") + "; cameras present: " + devices.stream().map(VideoDevice::getName).toList()));
            VideoDeviceSource source = new VideoDeviceSource();
            release.push(source::dispose);
            source.setVideoCaptureDevice(device);
            source.setVideoCaptureCapability(new VideoCaptureCapability(c.width(), c.height(), c.framesPerSecond()));
            source.start();
            release.push(source::stop);
            add(factory.createVideoTrack("duet-video", source));
        }
    }

    private void addAudio(LocalMedia.AudioInput input, PeerConnectionFactory factory, ScheduledExecutorService mediaThread) {
        if (input instanceof LocalMedia.AudioInput.Device) {
            AudioTrackSource source = factory.createAudioSource(new AudioOptions());
            add(factory.createAudioTrack("duet-audio", source));
        } else {
            double hz = input instanceof LocalMedia.AudioInput.Tone t ? t.hz() : 0;
            CustomAudioSource source = new CustomAudioSource();
            release.push(source::dispose);
            add(factory.createAudioTrack("duet-audio", source));
            SyntheticAudioFeed feed = new SyntheticAudioFeed(source, hz, mediaThread);
            release.push(feed::close);
        }
    }

    private void add(MediaStreamTrack track) {
        tracks.add(track);
        release.push(track::dispose);
    }

    public List<MediaStreamTrack> tracks() {
        return List.copyOf(tracks);
    }

    @Override
    public void close() {
        tracks.clear();
        while (!release.isEmpty()) {
            release.pop().run();
        }
    }
}
