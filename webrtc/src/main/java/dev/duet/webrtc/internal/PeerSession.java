package dev.duet.webrtc.internal;

import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.IceConnectionState;
import dev.duet.core.negotiation.SdpType;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionIceErrorEvent;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One epoch's native peer connection. Every method runs on the session's thread; every native
 * callback only hands its event to that thread through the executor, where {@link PeerEvents}
 * receives it. Carries out the negotiation commands one at a time: each reports its result as an
 * event, and the machine issues the next command only after it.
 *
 * <p>{@link #close()} tears down in the order that does not crash webrtc-java 0.14.0: sinks off the
 * remote tracks, local tracks off the connection ({@code removeTrack}), then {@code close()}. It is
 * idempotent; after it, nothing touches the native connection (webrtc-java throws on a closed one).
 * Local tracks belong to the call and outlive the session; remote tracks are never disposed.
 */
public final class PeerSession implements AutoCloseable {
    private static final Pattern UFRAG = Pattern.compile("\\bufrag (\\S+)");
    private static final Pattern SDP_UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");

    private final Epoch epoch;
    private final Executor sessionThread;
    private final PeerEvents events;
    private final RTCPeerConnection pc;
    private final List<RTCRtpSender> senders = new ArrayList<>();
    private final List<SinkOnTrack> sinks = new ArrayList<>();
    private boolean closed;

    private record SinkOnTrack(VideoTrack track, VideoTrackSink sink) {}

    public PeerSession(PeerConnectionFactory factory, RTCConfiguration configuration, Epoch epoch, Executor sessionThread,
            PeerEvents events) {
        this.epoch = epoch;
        this.sessionThread = sessionThread;
        this.events = events;
        this.pc = factory.createPeerConnection(configuration, new Observer());
        if (pc == null) {
            throw new IllegalStateException("the factory refused to create a peer connection for epoch " + epoch
                    + " (invalid configuration?)");
        }
    }

    public Epoch epoch() {
        return epoch;
    }

    /** Attaches the call's local tracks (stream id "duet"). */
    public void addTracks(List<MediaStreamTrack> tracks) {
        for (MediaStreamTrack track : tracks) {
            senders.add(pc.addTrack(track, List.of("duet")));
        }
    }

    public void createOffer(boolean iceRestart) {
        RTCOfferOptions options = new RTCOfferOptions();
        options.iceRestart = iceRestart;
        pc.createOffer(options, describe("createOffer", SdpType.OFFER));
    }

    public void createAnswer() {
        pc.createAnswer(new RTCAnswerOptions(), describe("createAnswer", SdpType.ANSWER));
    }

    /** Sets the remote description, rolling back a local offer first when asked (the polite side in glare). */
    public void applyRemoteDescription(SdpType type, String sdp, boolean rollbackFirst) {
        RTCSessionDescription remote = new RTCSessionDescription(type == SdpType.OFFER ? RTCSdpType.OFFER : RTCSdpType.ANSWER, sdp);
        Runnable setRemote = () -> pc.setRemoteDescription(remote, onSet("setRemoteDescription",
                () -> events.remoteDescriptionApplied(epoch, type)));
        if (rollbackFirst) {
            pc.setLocalDescription(new RTCSessionDescription(RTCSdpType.ROLLBACK, ""), onSet("rollback", setRemote));
        } else {
            setRemote.run();
        }
    }

    public void addRemoteCandidates(List<IceCandidate> candidates) {
        for (IceCandidate c : candidates) {
            // libwebrtc finds the media section by mid first; the index counts only when the mid is absent.
            pc.addIceCandidate(new RTCIceCandidate(c.sdpMid() == null ? "" : c.sdpMid(),
                    c.sdpMLineIndex() == null ? 0 : c.sdpMLineIndex(), c.candidate()));
        }
    }

    /** New ICE servers (refreshed credentials); used from the next ICE restart on. */
    public void setConfiguration(RTCConfiguration configuration) {
        pc.setConfiguration(configuration);
    }

    /** Asks for stats; the result arrives as {@link PeerEvents#statsSampled}. */
    public void sampleStats() {
        pc.getStats(report -> sessionThread.execute(() -> events.statsSampled(epoch, counters(report))));
    }

    /**
     * Adds a sink to a remote video track of this session; removed before the session closes. The
     * sink must release each frame it is given (webrtc-java hands every sink its own reference to
     * the decoded frame); {@link #releasingAfter} makes an app's sink do so.
     */
    public void addVideoSink(VideoTrack track, VideoTrackSink sink) {
        track.addSink(sink);
        sinks.add(new SinkOnTrack(track, sink));
    }

    /**
     * {@code sink}, then the frame's release: the frame is valid while {@code sink} runs; a sink
     * that keeps it longer calls {@code frame.retain()} and later releases that reference itself.
     */
    public static VideoTrackSink releasingAfter(VideoTrackSink sink) {
        return frame -> {
            try {
                sink.onVideoFrame(frame);
            } finally {
                frame.release();
            }
        };
    }

    public void removeVideoSink(VideoTrackSink sink) {
        sinks.removeIf(s -> {
            if (s.sink() == sink) {
                s.track().removeSink(sink);
                return true;
            }
            return false;
        });
    }

    /**
     * Whether a local track has no negotiated place yet: the peer's offer had no m-line of its kind
     * (the peer sends no audio, say), so the answer could not include it. A new offer from this side
     * fixes that. libwebrtc's own negotiation-needed event does not help here: it fired once, while
     * the first offer was still under way, and per the spec is not fired again.
     */
    public boolean hasUnnegotiatedTracks() {
        for (RTCRtpTransceiver transceiver : pc.getTransceivers()) {
            if (transceiver.getMid() == null && transceiver.getSender().getTrack() != null) {
                return true;
            }
        }
        return false;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SinkOnTrack s : sinks) {
            s.track().removeSink(s.sink());
        }
        sinks.clear();
        for (RTCRtpSender sender : senders) {
            pc.removeTrack(sender);
        }
        senders.clear();
        pc.close();
    }

    private static MediaCounters counters(RTCStatsReport report) {
        Map<String, MediaCounters.Entry> entries = new HashMap<>();
        for (Map.Entry<String, RTCStats> e : report.getStats().entrySet()) {
            entries.put(e.getKey(), new MediaCounters.Entry(e.getValue().getType().name(), e.getValue().getAttributes()));
        }
        return MediaCounters.from(report.getTimestamp(), entries);
    }

    private CreateSessionDescriptionObserver describe(String operation, SdpType type) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                sessionThread.execute(() -> {
                    if (closed) {
                        return;
                    }
                    pc.setLocalDescription(description, onSet("setLocalDescription",
                            () -> events.localDescriptionReady(epoch, type, description.sdp)));
                });
            }

            @Override
            public void onFailure(String error) {
                sessionThread.execute(() -> events.operationFailed(epoch, operation, error));
            }
        };
    }

    /** An observer whose success runs {@code then} on the session thread (unless closed meanwhile). */
    private SetSessionDescriptionObserver onSet(String operation, Runnable then) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                sessionThread.execute(() -> {
                    if (!closed) {
                        then.run();
                    }
                });
            }

            @Override
            public void onFailure(String error) {
                sessionThread.execute(() -> events.operationFailed(epoch, operation, error));
            }
        };
    }

    private String ufragOf(RTCIceCandidate candidate) {
        Matcher m = UFRAG.matcher(candidate.sdp);
        if (m.find()) {
            return m.group(1);
        }
        RTCSessionDescription local = pc.getLocalDescription();
        Matcher sdp = local == null ? null : SDP_UFRAG.matcher(local.sdp);
        return sdp != null && sdp.find() ? sdp.group(1) : "";
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            sessionThread.execute(() -> {
                if (closed) {
                    return;
                }
                String ufrag = ufragOf(candidate);
                if (!ufrag.isEmpty()) {
                    events.localCandidate(epoch, ufrag, new IceCandidate(candidate.sdpMid, candidate.sdpMLineIndex, candidate.sdp));
                }
            });
        }

        @Override
        public void onIceCandidateError(RTCPeerConnectionIceErrorEvent event) {
            String url = String.valueOf(event.getUrl());
            int code = event.getErrorCode();
            String text = String.valueOf(event.getErrorText());
            sessionThread.execute(() -> events.iceCandidateError(epoch, url, code, text));
        }

        @Override
        public void onIceConnectionChange(RTCIceConnectionState state) {
            IceConnectionState mapped = switch (state) {
                case NEW -> IceConnectionState.NEW;
                case CHECKING -> IceConnectionState.CHECKING;
                case CONNECTED -> IceConnectionState.CONNECTED;
                case COMPLETED -> IceConnectionState.COMPLETED;
                case FAILED -> IceConnectionState.FAILED;
                case DISCONNECTED -> IceConnectionState.DISCONNECTED;
                case CLOSED -> IceConnectionState.CLOSED;
            };
            sessionThread.execute(() -> events.iceStateChanged(epoch, mapped));
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            MediaStreamTrack track = transceiver.getReceiver().getTrack();
            if (track instanceof VideoTrack video) {
                // The first decoded frame is a timing fact worth a callback; the sink does nothing else
                // (it runs on libwebrtc's video thread, so it only hands the fact over, once).
                AtomicBoolean seen = new AtomicBoolean();
                VideoTrackSink firstFrame = new VideoTrackSink() {
                    @Override
                    public void onVideoFrame(dev.onvoid.webrtc.media.video.VideoFrame frame) {
                        try {
                            if (seen.compareAndSet(false, true)) {
                                int width = frame.buffer.getWidth();
                                int height = frame.buffer.getHeight();
                                sessionThread.execute(() -> events.firstRemoteVideoFrame(epoch, width, height));
                            }
                        } finally {
                            frame.release(); // each sink gets its own reference to the decoded frame: kept, it leaks
                        }
                    }
                };
                sessionThread.execute(() -> {
                    if (!closed) {
                        addVideoSink(video, firstFrame);
                    }
                });
            }
            sessionThread.execute(() -> events.remoteTrack(epoch, track));
        }
    }
}
