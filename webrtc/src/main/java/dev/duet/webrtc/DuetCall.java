package dev.duet.webrtc;

import dev.duet.core.MediaKind;
import dev.duet.core.ParticipantId;
import dev.duet.core.internal.Checks;
import dev.duet.core.internal.LogContext;
import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.negotiation.IceCandidate;
import dev.duet.core.negotiation.IceConnectionState;
import dev.duet.core.negotiation.IllegalNegotiationEventException;
import dev.duet.core.negotiation.NegotiationCommand;
import dev.duet.core.negotiation.NegotiationDriver;
import dev.duet.core.negotiation.NegotiationEvent;
import dev.duet.core.negotiation.NegotiationMachine;
import dev.duet.core.NegotiationSettings;
import dev.duet.core.NegotiationState;
import dev.duet.core.NegotiationStats;
import dev.duet.core.negotiation.SdpType;
import dev.duet.core.negotiation.TaskScheduler;
import dev.duet.signaling.client.ChatMessage;
import dev.duet.signaling.client.CloseReason;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.RelayUnreachableException;
import dev.duet.signaling.client.MediaReport;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.turn.IceServers;
import dev.duet.webrtc.internal.LocalTracks;
import dev.duet.webrtc.internal.MediaCounters;
import dev.duet.webrtc.internal.NamedThreads;
import dev.duet.webrtc.internal.OneWayMediaDetector;
import dev.duet.webrtc.internal.PeerEvents;
import dev.duet.webrtc.internal.PeerSession;
import dev.duet.webrtc.internal.RtcConfigurations;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's side of a booked session: joins through a {@link SignalingTransport}, builds a
 * native peer connection per negotiation epoch, and does exactly what the core
 * negotiation machine commands — who offers, when, ICE restarts, glare — while sending local
 * media, sampling stats into {@link MediaReport}s, carrying chat and refreshing TURN credentials.
 *
 * <pre>{@code
 * try (MediaEngine engine = MediaEngine.synthetic();
 *      DuetCall call = DuetCall.builder(engine, transport)
 *              .iceServers(IceServers.of(turnServer, credential))
 *              .media(LocalMedia.synthetic())
 *              .listener(listener)
 *              .build()) {
 *     call.start().join();            // joined; the call proceeds on its own thread
 *     call.sendChat("hello");
 *     call.ended().join();            // until someone hangs up or the session closes
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li><b>Built</b>: nothing native exists yet. {@link #start()} (once) fetches ICE servers, then
 *       joins; its future completes with the relay's {@link JoinResult}.</li>
 *   <li><b>Running</b>: the state follows {@link NegotiationState} (waiting for the peer, preparing,
 *       negotiating, connecting, connected, reconnecting), reported through
 *       {@link CallListener#onStateChanged}. A call built without media waits in PREPARING until
 *       {@link #attachMedia} (the peer is told {@code ready} only then).</li>
 *   <li><b>Ended</b>: after {@link #hangUp} (the peer is told: its call ends too), the peer's
 *       hang-up, the relay closing the session, a failure (connect timeout, a failed native
 *       operation, a refused join), or {@link #close()} (this side leaves without ending the session:
 *       the peer waits for it to come back). {@link CallListener#onEnded} is the last callback and
 *       {@link #ended()} completes with the same {@link CallEnd}.</li>
 * </ul>
 * {@link #close()} is idempotent: it ends the call if it is running and releases every native
 * object in reverse order of creation (remote sinks, senders, the peer connection, local tracks,
 * sources); it returns once they are released (at most ten seconds), or at once when called from a
 * listener callback.
 *
 * <h2>Threads</h2>
 * A call owns one thread. Every native callback (peer-connection observer, description observers,
 * stats callbacks, the first-frame sink) and every transport callback does nothing but hand an
 * event to that thread; only that thread touches the call's state, the machine and the native peer
 * connection. Listener callbacks run on it too. Public methods may be called from any thread; they
 * hand their work to the call's thread and return futures, never blocking (except {@link #close()}).
 *
 * <h2>Failure</h2>
 * A TURN server that refuses the credentials (401) is reported at once as
 * {@link CallError.Kind#TURN_AUTH_FAILED}; libwebrtc itself never fails the connection in that case,
 * so the call does: when the first offer/answer exchange has not reached ICE connected within the
 * connect timeout, the call ends with that error or {@link CallError.Kind#CONNECT_TIMEOUT}.
 */
public final class DuetCall implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DuetCall.class);
    private static final AtomicInteger CALL_NUMBERS = new AtomicInteger();
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /** How long a hang-up waits for the bye (and every earlier message) to be accepted before it leaves anyway. */
    static final Duration HANG_UP_FLUSH = Duration.ofSeconds(5);
    /** The longest hang-up reason (the relay protocol's limit for {@code bye} and {@code leave}). */
    public static final int MAX_REASON_LENGTH = 200;

    // ---- configuration (immutable)
    private final MediaEngine engine;
    private PeerConnectionFactory factory;         // set once, by build(), before the call is handed out
    private final SignalingTransport transport;
    private final IceServerSource iceSource;
    private final CallListener listener;
    private final Clock clock;
    private final NegotiationSettings settings;

    // ---- the call's thread
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread callThread;
    private final Executor onCallThread;
    private final CompletableFuture<JoinResult> joined = new CompletableFuture<>();
    private final CompletableFuture<CallEnd> ended = new CompletableFuture<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    // ---- state, confined to the call's thread
    private LocalMedia media;
    private LocalTracks localTracks;
    private NegotiationDriver driver;
    private PeerSession peer;
    private boolean tracksAwaited;
    private IceServers iceServers;
    private final StatsSampler stats;
    private final ConnectWatchdog watchdog;
    private final CredentialRefresher refresher;
    private final Set<String> reportedIceErrors = new HashSet<>();
    private int turnAuthFailures;
    private CallError failure;
    private boolean finished;
    private boolean endedTold;                     // onEnded was called: no listener callback after it
    private String hangUpReason;                   // set by hangUp(): the end is a hang-up, for both sides
    private final List<NegotiationEvent> beforeJoined = new ArrayList<>();

    // ---- snapshots for other threads
    private volatile NegotiationState state = NegotiationState.IDLE;
    private volatile MediaReport lastReport;
    private volatile long credentialRefreshes;

    private DuetCall(Builder b) {
        this.engine = b.engine;
        this.transport = b.transport;
        this.iceSource = b.iceSource;
        this.listener = b.listener;
        this.clock = b.clock;
        this.settings = b.settings;
        this.media = b.media;
        ThreadFactory named = NamedThreads.daemon("duet-call-" + CALL_NUMBERS.incrementAndGet());
        String sessionLabel = transport.session().map(dev.duet.core.SessionId::value).orElse(null);
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = named.newThread(() -> {
                LogContext.with(sessionLabel, null, null); // every line of the call's thread names its session
                runnable.run();
            });
            callThread = thread;
            return thread;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.onCallThread = task -> {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException over) {
                // the call has ended; late native or transport callbacks are dropped here
            }
        };
        this.stats = new StatsSampler(executor, b.statsInterval, b.oneWayThreshold);
        this.watchdog = new ConnectWatchdog(executor, b.connectTimeout, this::connectDeadlinePassed);
        this.refresher = new CredentialRefresher(executor, onCallThread, clock, iceSource, b.refreshBefore,
                this::freshIceServers, this::iceServerRefreshFailed);
    }

    /** A builder for a call on {@code engine} that signals through {@code transport} (built with the participant's join ticket). */
    public static Builder builder(MediaEngine engine, SignalingTransport transport) {
        return new Builder(engine, transport);
    }

    // ================================================================== public API

    /**
     * Fetches ICE servers, then joins the session. Callable once. Never waits forever: an
     * unreachable relay is retried with backoff for the transport's join timeout (30 s by
     * default; each failed attempt is logged at WARN and told to
     * {@link CallListener#onSignalingInterrupted}), then the call ends with
     * {@link CallError.Kind#RELAY_UNREACHABLE}.
     *
     * @return completes with the relay's answer, or fails with the reason the call ended (a refused
     *         join: {@link dev.duet.signaling.client.JoinRefusedException}; a 4xx to the WebSocket
     *         upgrade: {@link dev.duet.signaling.client.UpgradeRefusedException}, at once; an
     *         unreachable relay: {@link RelayUnreachableException})
     * @throws IllegalStateException if called twice
     */
    public CompletableFuture<JoinResult> start() {
        if (!started.complete(null)) {
            throw new IllegalStateException("start() was already called on this call");
        }
        onCallThread.execute(this::fetchIceServersThenJoin);
        return joined.copy();
    }

    /**
     * Gives the call its local media when it was built without. The peer connection gets the tracks
     * as soon as it exists, and the peer is told {@code ready} only then.
     *
     * @throws IllegalArgumentException if the media does not suit the engine (see {@link LocalMedia})
     */
    public CompletableFuture<Void> attachMedia(LocalMedia localMedia) {
        checkSuits(Checks.notNull(localMedia, "localMedia"), engine.kind());
        CompletableFuture<Void> done = new CompletableFuture<>();
        onCallThread.execute(() -> {
            if (finished) {
                done.completeExceptionally(new IllegalStateException("the call has ended"));
            } else if (media != null) {
                done.completeExceptionally(new IllegalStateException("media is already attached to this call"));
            } else {
                media = localMedia;
                if (tracksAwaited && peer != null && !peer.isClosed()) {
                    attachTracks(peer);
                }
                done.complete(null);
            }
        });
        return done;
    }

    /**
     * Sends a chat line to the peer, in order, at most once; completes when the relay accepted it.
     *
     * @throws IllegalArgumentException if the text is blank, longer than {@value ChatMessage#MAX_LENGTH}
     *                                  characters or holds control characters
     */
    public CompletableFuture<Void> sendChat(String text) {
        ChatMessage message = new ChatMessage(text);
        return transport.send(message);
    }

    /**
     * Ends the session for both sides: the peer is told ({@code bye}) and its call ends too. The
     * call waits (at most 5 s, also across a signaling reconnect or an empty pacing bucket) until
     * the relay has accepted the {@code bye}, then leaves with {@code hangUp}: the relay tells the
     * peer this side hung up even if the {@code bye} was lost, so the peer's call ends either way.
     *
     * @param reason said to the peer: 1 to {@value #MAX_REASON_LENGTH} characters
     */
    public CompletableFuture<CallEnd> hangUp(String reason) {
        Checks.notNull(reason, "reason");
        if (reason.isBlank() || reason.length() > MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("reason must be 1 to " + MAX_REASON_LENGTH + " characters, not blank, but had "
                    + reason.length());
        }
        onCallThread.execute(() -> {
            if (finished) {
                return;
            }
            hangUpReason = reason;
            if (driver != null) {
                post(new NegotiationEvent.HangUp(reason));
            } else {
                finish("hung up before joining: " + reason);
            }
        });
        return ended.copy();
    }

    /** Completes when the call has ended, with how. */
    public CompletableFuture<CallEnd> ended() {
        return ended.copy();
    }

    /**
     * Adds a sink to a remote video track of the current peer connection; the call removes it before
     * that connection closes. The sink runs on libwebrtc's video thread: hand frames off quickly.
     *
     * <p>Each frame is valid only while the sink runs: the call releases it when the sink returns.
     * Do not release a frame yourself (a second release corrupts native memory). To keep one longer,
     * call {@code frame.retain()} in the sink and {@code frame.release()} once done with it; a frame
     * retained and never released keeps its native buffer (about 115 KB at 320×240, 460 KB at
     * 640×480) for the life of the process.
     */
    public CompletableFuture<Void> addVideoSink(RemoteTrack track, VideoTrackSink sink) {
        Checks.notNull(track, "track");
        Checks.notNull(sink, "sink");
        if (!(track.nativeTrack() instanceof VideoTrack video)) {
            throw new IllegalArgumentException("track must be a video track, but was " + track.kind());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        onCallThread.execute(() -> {
            if (peer == null || peer.isClosed()) {
                done.completeExceptionally(new IllegalStateException("the track's peer connection is closed"));
            } else {
                peer.addVideoSink(video, PeerSession.releasingAfter(sink));
                done.complete(null);
            }
        });
        return done;
    }

    /** The negotiation state as last seen (read from any thread). */
    public NegotiationState state() {
        return state;
    }

    /** This side's last media report, if any. */
    public Optional<MediaReport> lastMediaReport() {
        return Optional.ofNullable(lastReport);
    }

    /** How many times new ICE servers were applied mid-call. */
    public long credentialRefreshes() {
        return credentialRefreshes;
    }

    /**
     * Ends the call without ending the session (the relay tells the peer this side left; it may come
     * back with a new call) and releases every native object. Idempotent.
     */
    @Override
    public void close() {
        onCallThread.execute(() -> finish("closed by the app"));
        if (Thread.currentThread() == callThread) {
            return; // from a listener callback: the call finishes right after this callback
        }
        try {
            ended.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("call did not finish closing within {}", CLOSE_WAIT);
        } catch (java.util.concurrent.ExecutionException e) {
            // ended never fails; nothing to do
        }
    }

    @Override
    public String toString() {
        return "DuetCall[state=" + state + ", engine=" + engine.kind() + "]";
    }

    // ================================================================== joining

    private void fetchIceServersThenJoin() {
        CredentialRefresher.fetch(iceSource, onCallThread, servers -> {
            iceServers = servers;
            refresher.scheduleFor(servers);
            transport.join(new TransportEvents()).whenComplete((result, error) -> onCallThread.execute(() -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
                    fail(cause instanceof RelayUnreachableException
                            ? new CallError(CallError.Kind.RELAY_UNREACHABLE, cause.getMessage())
                            : new CallError(CallError.Kind.JOIN_REFUSED, "the relay refused the join: " + cause.getMessage()), cause);
                } else {
                    onJoined(result);
                }
            }));
        }, error -> fail(new CallError(CallError.Kind.ICE_SERVER_REFRESH_FAILED,
                "could not fetch ICE servers: " + error.getMessage()), error));
    }

    private void onJoined(JoinResult result) {
        if (finished) {
            return;
        }
        LogContext.with(result.session().value(), result.self().participant().value(), result.self().connection().value());
        log.info("session {}: joined as {} ({}) on {}; peer {}", result.session(), result.self().participant(),
                result.self().role().code(), result.self().connection(),
                result.peer().map(p -> p.participant() + " present").orElse("not here yet"));
        NegotiationMachine machine = new NegotiationMachine(result.self().participant(), settings);
        driver = new NegotiationDriver(machine, TaskScheduler.on(executor), this::execute);
        tell(l -> l.onJoined(result.self()));
        result.peer().ifPresent(p -> tell(l -> l.onPeerPresent(p)));
        post(new NegotiationEvent.JoinedRelay(result.self().presence(), result.peer().map(Member::presence)));
        joined.complete(result);
        List<NegotiationEvent> early = List.copyOf(beforeJoined);
        beforeJoined.clear();
        for (NegotiationEvent event : early) {
            post(event);
        }
    }

    // ================================================================== the machine

    private void post(NegotiationEvent event) {
        if (finished) {
            return;
        }
        if (driver == null) {
            beforeJoined.add(event); // the join's answer is on its way; keep the event for the machine
            return;
        }
        try {
            driver.post(event);
        } catch (IllegalNegotiationEventException e) {
            log.warn("event not allowed now, ignored: {}", e.getMessage());
        }
    }

    /** Posts after the current task, never from inside the driver's own command loop. */
    private void postLater(NegotiationEvent event) {
        onCallThread.execute(() -> post(event));
    }

    private void execute(NegotiationCommand command) {
        if (command instanceof NegotiationCommand.StateChanged change) {
            onStateChanged(change);
            return;
        }
        if (command instanceof NegotiationCommand.SendSignal send) {
            transport.send(new PeerMessage.Negotiation(send.signal()));
            return;
        }
        Epoch epoch = epochOf(command);
        try {
            if (command instanceof NegotiationCommand.CreatePeerConnection create) {
                openPeer(create.epoch());
            } else if (command instanceof NegotiationCommand.ClosePeerConnection) {
                closePeer();
            } else if (command instanceof NegotiationCommand.CreateOffer offer) {
                tell(l -> l.onOffer(true, offer.iceRestart()));
                peerOf(epoch).createOffer(offer.iceRestart());
            } else if (command instanceof NegotiationCommand.CreateAnswer) {
                peerOf(epoch).createAnswer();
            } else if (command instanceof NegotiationCommand.ApplyRemoteDescription apply) {
                if (apply.type() == SdpType.OFFER) {
                    tell(l -> l.onOffer(false, false));
                }
                peerOf(epoch).applyRemoteDescription(apply.type(), apply.sdp(), apply.rollbackFirst());
            } else if (command instanceof NegotiationCommand.AddRemoteCandidates add) {
                peerOf(epoch).addRemoteCandidates(add.candidates());
            } else {
                throw new IllegalStateException("unexpected command " + command);
            }
        } catch (RuntimeException e) {
            log.warn("{} failed", command.getClass().getSimpleName(), e);
            if (epoch != null) {
                failure = failure != null ? failure : new CallError(CallError.Kind.PEER_CONNECTION,
                        command.getClass().getSimpleName() + " failed: " + e.getMessage());
                postLater(new NegotiationEvent.OperationFailed(epoch, command.getClass().getSimpleName(), String.valueOf(e.getMessage())));
            }
        }
    }

    private static Epoch epochOf(NegotiationCommand command) {
        if (command instanceof NegotiationCommand.CreatePeerConnection c) {
            return c.epoch();
        } else if (command instanceof NegotiationCommand.ClosePeerConnection c) {
            return c.epoch();
        } else if (command instanceof NegotiationCommand.CreateOffer c) {
            return c.epoch();
        } else if (command instanceof NegotiationCommand.CreateAnswer c) {
            return c.epoch();
        } else if (command instanceof NegotiationCommand.ApplyRemoteDescription c) {
            return c.epoch();
        } else if (command instanceof NegotiationCommand.AddRemoteCandidates c) {
            return c.epoch();
        }
        return null;
    }

    private PeerSession peerOf(Epoch epoch) {
        if (peer == null || peer.isClosed() || !peer.epoch().equals(epoch)) {
            throw new IllegalStateException("no open peer connection for epoch " + epoch);
        }
        return peer;
    }

    private void onStateChanged(NegotiationCommand.StateChanged change) {
        state = change.to();
        if (change.to() == NegotiationState.NEGOTIATING && change.from() == NegotiationState.PREPARING) {
            armConnectDeadline();
        } else if (change.to() == NegotiationState.CONNECTED) {
            watchdog.disarm();
        }
        if (change.from() == NegotiationState.NEGOTIATING && change.to() == NegotiationState.CONNECTING
                && peer != null && !peer.isClosed() && peer.hasUnnegotiatedTracks()) {
            // The peer's offer had no place for one of our tracks: offer again so it is sent too.
            postLater(new NegotiationEvent.NegotiationNeeded(peer.epoch()));
        }
        tell(l -> l.onStateChanged(change.from(), change.to(), change.why()));
        if (change.to() == NegotiationState.CLOSED) {
            finish(change.why());
        }
    }

    // ================================================================== the peer connection

    private void openPeer(Epoch epoch) {
        closePeer();
        peer = new PeerSession(factory, RtcConfigurations.of(iceServers), epoch, onCallThread, new NativeEvents());
        reportedIceErrors.clear();
        turnAuthFailures = 0;
        tracksAwaited = true;
        if (media != null) {
            attachTracks(peer);
        }
        stats.start(() -> {
            if (peer != null && !peer.isClosed()) {
                peer.sampleStats();
            }
        });
    }

    private void attachTracks(PeerSession session) {
        if (localTracks == null) {
            try {
                localTracks = LocalTracks.create(media, factory, engine.mediaThread());
            } catch (RuntimeException e) {
                fail(new CallError(CallError.Kind.MEDIA, "local media could not start: " + e.getMessage()), e);
                return;
            }
        }
        session.addTracks(localTracks.tracks());
        tracksAwaited = false;
        postLater(new NegotiationEvent.TracksAttached(session.epoch()));
    }

    private void closePeer() {
        stats.stop();
        watchdog.disarm();
        if (peer != null) {
            peer.close();
        }
    }

    private void armConnectDeadline() {
        if (peer != null) {
            watchdog.arm(peer.epoch());
        } else {
            watchdog.disarm();
        }
    }

    /** The connect watchdog ran out for {@code epoch}: fail it, unless media connected or another epoch took over. */
    private void connectDeadlinePassed(Epoch epoch) {
        if (finished || peer == null || !peer.epoch().equals(epoch) || state == NegotiationState.CONNECTED) {
            return;
        }
        long seconds = watchdog.timeout().toSeconds();
        CallError error = turnAuthFailures > 0
                ? new CallError(CallError.Kind.TURN_AUTH_FAILED, "no media path within " + seconds
                        + " s: the TURN server refused this side's credentials (401); they are wrong or expired")
                : new CallError(CallError.Kind.CONNECT_TIMEOUT, "no media path within " + seconds
                        + " s (ICE did not connect; check the TURN server is reachable and the network allows UDP or TCP to it)");
        failure = error;
        tell(l -> l.onError(error));
        post(new NegotiationEvent.OperationFailed(epoch, "connect", error.message()));
    }

    private final class NativeEvents implements PeerEvents {
        private boolean current(Epoch epoch) {
            return !finished && peer != null && peer.epoch().equals(epoch) && !peer.isClosed();
        }

        @Override
        public void localDescriptionReady(Epoch epoch, SdpType type, String sdp) {
            post(new NegotiationEvent.LocalDescriptionReady(epoch, type, sdp));
        }

        @Override
        public void remoteDescriptionApplied(Epoch epoch, SdpType type) {
            post(new NegotiationEvent.RemoteDescriptionApplied(epoch, type));
        }

        @Override
        public void operationFailed(Epoch epoch, String operation, String reason) {
            if (current(epoch)) {
                failure = failure != null ? failure : new CallError(CallError.Kind.PEER_CONNECTION, operation + " failed: " + reason);
            }
            post(new NegotiationEvent.OperationFailed(epoch, operation, reason));
        }

        @Override
        public void localCandidate(Epoch epoch, String ufrag, IceCandidate candidate) {
            post(new NegotiationEvent.LocalCandidate(epoch, ufrag, candidate));
        }

        @Override
        public void iceStateChanged(Epoch epoch, IceConnectionState iceState) {
            post(new NegotiationEvent.IceStateChanged(epoch, iceState));
        }

        @Override
        public void remoteTrack(Epoch epoch, MediaStreamTrack track) {
            if (current(epoch)) {
                RemoteTrack remote = new RemoteTrack(track instanceof VideoTrack
                        ? MediaKind.VIDEO
                        : MediaKind.AUDIO, track.getId(), track);
                tell(l -> l.onRemoteTrack(remote));
            }
        }

        @Override
        public void firstRemoteVideoFrame(Epoch epoch, int width, int height) {
            if (current(epoch)) {
                tell(l -> l.onFirstRemoteVideoFrame(width, height));
            }
        }

        @Override
        public void iceCandidateError(Epoch epoch, String url, int code, String text) {
            if (!current(epoch) || !url.startsWith("turn") || !reportedIceErrors.add(url + "#" + code)) {
                return;
            }
            CallError error;
            if (code == 401) {
                turnAuthFailures++;
                error = new CallError(CallError.Kind.TURN_AUTH_FAILED, "TURN server " + url
                        + " refused this side's credentials (401 " + text + "): they are wrong or expired");
            } else {
                error = new CallError(CallError.Kind.TURN_UNREACHABLE, "TURN server " + url + " failed: " + code + " " + text);
            }
            tell(l -> l.onError(error));
        }

        @Override
        public void statsSampled(Epoch epoch, MediaCounters counters) {
            if (!current(epoch)) {
                return;
            }
            stats.sampled(counters, epoch, clock.instant()).ifPresent(sampled -> {
                MediaReport report = sampled.report();
                lastReport = report;
                transport.send(report);
                tell(l -> l.onMediaReport(report));
                for (OneWayMediaDetector.Change change : sampled.oneWayChanges()) {
                    OneWayMedia event = new OneWayMedia(change.kind(), change.flowing(), change.since(), change.ended());
                    tell(l -> l.onOneWayMedia(event));
                }
            });
        }
    }

    // ================================================================== TURN credential refresh

    private void freshIceServers(IceServers fresh) {
        if (finished) {
            return;
        }
        iceServers = fresh;
        credentialRefreshes++;
        if (peer != null && !peer.isClosed()) {
            peer.setConfiguration(RtcConfigurations.of(fresh));
            post(new NegotiationEvent.IceRestartNeeded(peer.epoch(), "TURN credentials refreshed"));
        }
    }

    private void iceServerRefreshFailed(Throwable error) {
        CallError problem = new CallError(CallError.Kind.ICE_SERVER_REFRESH_FAILED, "could not fetch fresh ICE servers (retrying in "
                + CredentialRefresher.RETRY_SECONDS + " s): " + error.getMessage());
        tell(l -> l.onError(problem));
    }

    // ================================================================== transport

    private final class TransportEvents implements SignalingListener {
        @Override
        public void onPeerJoined(Member member) {
            onCallThread.execute(() -> {
                tell(l -> l.onPeerPresent(member));
                post(new NegotiationEvent.PeerJoined(member.presence()));
            });
        }

        @Override
        public void onPeerLeft(ParticipantId participant, ConnectionId connection, Instant leftAt, DepartureReason reason) {
            onCallThread.execute(() -> {
                if (finished) {
                    return; // the call is over (often this is the departure of a peer that hung up)
                }
                log.info("peer {} left on {}: {}", participant, connection, reason.code());
                tell(l -> l.onPeerLeft(participant, leftAt));
                post(new NegotiationEvent.PeerLeft(connection));
                if (reason == DepartureReason.HUNG_UP) {
                    // The relay says the peer ended the session, whether or not its bye arrived.
                    post(new NegotiationEvent.PeerHungUp("the relay saw it hang up"));
                }
            });
        }

        @Override
        public void onMessage(ParticipantId from, Instant relayedAt, PeerMessage message) {
            onCallThread.execute(() -> {
                if (message instanceof PeerMessage.Negotiation negotiation) {
                    post(new NegotiationEvent.SignalReceived(negotiation.signal()));
                } else if (message instanceof ChatMessage chat) {
                    tell(l -> l.onChat(from, relayedAt, chat.text()));
                } else if (message instanceof MediaReport report) {
                    tell(l -> l.onPeerMediaReport(report));
                }
            });
        }

        @Override
        public void onDisconnected(String reason) {
            onCallThread.execute(() -> tell(l -> l.onSignalingInterrupted(reason)));
        }

        @Override
        public void onRejoined(JoinResult result) {
            onCallThread.execute(() -> {
                LogContext.with(result.session().value(), result.self().participant().value(), result.self().connection().value());
                log.info("session {}: joined again on {}", result.session(), result.self().connection());
                tell(l -> l.onJoined(result.self()));
                post(new NegotiationEvent.Rejoined(result.self().presence(), result.peer().map(Member::presence)));
            });
        }

        @Override
        public void onSendRefused(PeerMessage message, String reason) {
            log.warn("the relay refused a {}: {}", message.getClass().getSimpleName(), reason);
        }

        @Override
        public void onClosed(CloseReason reason) {
            if (!reason.local()) {
                onCallThread.execute(() -> post(new NegotiationEvent.SessionClosedByRelay(reason.message())));
            }
        }
    }

    // ================================================================== the end

    private void fail(CallError error, Throwable cause) {
        if (finished) {
            return;
        }
        failure = error;
        tell(l -> l.onError(error));
        joined.completeExceptionally(cause);
        finish(error.message());
    }

    private void finish(String reason) {
        if (finished) {
            return;
        }
        finished = true;
        refresher.stop();
        try {
            closePeer();
            if (localTracks != null) {
                localTracks.close();
            }
        } catch (RuntimeException | Error e) {
            log.error("releasing native objects failed; some native memory may be lost", e);
        }
        localTracks = null;
        try {
            String said = reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH);
            if (hangUpReason != null) {
                // Flush the bye (bounded), then leave with hangUp: the relay tells the peer even if the bye is lost.
                transport.hangUp(said, HANG_UP_FLUSH);
            } else {
                transport.leave(said);
                transport.close();
            }
        } catch (RuntimeException e) {
            log.warn("leaving the relay failed; the relay will notice the closed connection", e);
        }
        engine.unregister(this);
        NegotiationStats stats = driver != null ? driver.machine().stats() : new NegotiationStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
        CallEnd end = new CallEnd(clock.instant(), reason, Optional.ofNullable(failure), stats);
        if (failure != null) {
            log.warn("call ended: {} [{}]", reason, failure.kind());
        } else {
            log.info("call ended: {}", reason);
        }
        state = NegotiationState.CLOSED;
        joined.completeExceptionally(new IllegalStateException("the call ended before joining: " + reason));
        tell(l -> l.onEnded(end));
        endedTold = true;
        ended.complete(end);
        executor.shutdown();
    }

    private void tell(Consumer<CallListener> callback) {
        if (endedTold) {
            return; // onEnded is the last callback; late transport or native events are dropped
        }
        try {
            callback.accept(listener);
        } catch (RuntimeException e) {
            log.warn("a call listener threw; the call goes on", e);
        }
    }

    static void checkSuits(LocalMedia media, MediaEngine.Kind kind) {
        media.audio().ifPresent(audio -> {
            if (kind == MediaEngine.Kind.HEADLESS) {
                throw new IllegalArgumentException("a headless engine sends no audio (webrtc-java 0.14.0's headless module sends"
                        + " no packet, and generated audio on it aborts the JVM); send video only, or use MediaEngine.synthetic()"
                        + " for generated audio or MediaEngine.devices() for a microphone");
            }
            boolean generated = !(audio instanceof LocalMedia.AudioInput.Device);
            if (generated && kind != MediaEngine.Kind.SYNTHETIC) {
                throw new IllegalArgumentException("generated audio (" + audio + ") needs MediaEngine.synthetic(), but this engine is "
                        + kind + ": libwebrtc aborts the process when one factory sends both device and generated audio");
            }
            if (!generated && kind == MediaEngine.Kind.SYNTHETIC) {
                throw new IllegalArgumentException("device audio needs MediaEngine.devices(), but this"
                        + " engine is SYNTHETIC (its dummy audio layer records nothing); use AudioInput.Tone or Silence");
            }
        });
    }

    // ================================================================== builder

    /** Settings of a call; every one but the engine and transport has a default. */
    public static final class Builder {
        private final MediaEngine engine;
        private final SignalingTransport transport;
        private IceServerSource iceSource = IceServerSource.fixed(IceServers.none());
        private LocalMedia media;
        private CallListener listener = new CallListener() { };
        private Clock clock = Clock.systemUTC();
        private NegotiationSettings settings = NegotiationSettings.defaults();
        private Duration statsInterval = Duration.ofSeconds(3);
        private Duration oneWayThreshold = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration refreshBefore = Duration.ofMinutes(5);

        private Builder(MediaEngine engine, SignalingTransport transport) {
            this.engine = Checks.notNull(engine, "engine");
            this.transport = Checks.notNull(transport, "transport");
        }

        /** Fixed ICE servers (default: none, host candidates only). Relay-only: pass {@link IceServers#relayOnly()}. */
        public Builder iceServers(IceServers servers) {
            return iceServers(IceServerSource.fixed(servers));
        }

        /** Where ICE servers come from, at the start and before each credential expires. */
        public Builder iceServers(IceServerSource source) {
            this.iceSource = Checks.notNull(source, "source");
            return this;
        }

        /** Local media; without it the call waits for {@link DuetCall#attachMedia}. */
        public Builder media(LocalMedia media) {
            this.media = Checks.notNull(media, "media");
            return this;
        }

        public Builder listener(CallListener listener) {
            this.listener = Checks.notNull(listener, "listener");
            return this;
        }

        /** The clock for report stamps and credential expiry (default: system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        public Builder negotiation(NegotiationSettings settings) {
            this.settings = Checks.notNull(settings, "settings");
            return this;
        }

        /** How often stats are sampled into a media report (default 3 s; 200 ms to 60 s). */
        public Builder statsInterval(Duration interval) {
            this.statsInterval = within(interval, Duration.ofMillis(200), Duration.ofSeconds(60), "statsInterval");
            return this;
        }

        /** How long media must flow one way only before it is reported (default 10 s; 1 s to 10 min). */
        public Builder oneWayThreshold(Duration threshold) {
            this.oneWayThreshold = within(threshold, Duration.ofSeconds(1), Duration.ofMinutes(10), "oneWayThreshold");
            return this;
        }

        /** How long the first exchange may take to reach ICE connected (default 30 s; 1 s to 10 min). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = within(timeout, Duration.ofSeconds(1), Duration.ofMinutes(10), "connectTimeout");
            return this;
        }

        /**
         * How long before the TURN credential expires new ICE servers are fetched and applied (default
         * 5 min; at most half the credential's remaining life is used; 1 s to 1 h).
         */
        public Builder refreshBefore(Duration margin) {
            this.refreshBefore = within(margin, Duration.ofSeconds(1), Duration.ofHours(1), "refreshBefore");
            return this;
        }

        /**
         * Builds the call and registers it with the engine.
         *
         * @throws IllegalArgumentException if the media does not suit the engine
         * @throws IllegalStateException    if the engine is closed
         */
        public DuetCall build() {
            if (media != null) {
                checkSuits(media, engine.kind());
            }
            DuetCall call = new DuetCall(this);
            // Registered only once fully built: the engine may close it from another thread at once.
            call.factory = engine.register(call);
            return call;
        }

        private static Duration within(Duration value, Duration min, Duration max, String name) {
            Checks.notNull(value, name);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", but was " + value);
            }
            return value;
        }
    }
}
