package dev.duet.webrtc;

import dev.duet.core.internal.Checks;
import dev.duet.core.MediaKind;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;

/**
 * A track the peer sends, for rendering. Valid until the peer connection it came from closes (a new
 * epoch or the call's end); the call removes the sinks it knows of before closing it. Add sinks
 * through the call ({@link DuetCall#addVideoSink}) so it can remove them: a sink left on a closed
 * track is a native crash waiting to happen. Never dispose a remote track.
 */
public record RemoteTrack(MediaKind kind, String id, MediaStreamTrack nativeTrack) {
    public RemoteTrack {
        Checks.notNull(kind, "kind");
        Checks.notNull(id, "id");
        Checks.notNull(nativeTrack, "nativeTrack");
        if ((kind == MediaKind.VIDEO) != (nativeTrack instanceof VideoTrack)
                || (kind == MediaKind.AUDIO) != (nativeTrack instanceof AudioTrack)) {
            throw new IllegalArgumentException("track kind " + kind + " does not match " + nativeTrack.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "RemoteTrack[" + kind + ", " + id + "]";
    }
}
