package dev.duet.signaling.client.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.ConnectionId;
import dev.duet.core.DepartureReason;
import dev.duet.core.ParticipantId;
import dev.duet.core.Role;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.Backoff;
import dev.duet.signaling.client.CloseReason;
import dev.duet.signaling.client.JoinResult;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.RelayUnreachableException;
import dev.duet.signaling.client.SignalingListener;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.UpgradeRefusedException;
import dev.duet.signaling.client.internal.OkHttpWire;
import dev.duet.signaling.client.internal.TransportLoop;
import dev.duet.signaling.client.internal.TokenBucket;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolException;
import dev.duet.signaling.client.wire.Wire;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SignalingTransport} over Pusher Channels (hosted Pusher, or any server speaking the
 * Pusher protocol, version 7), with no Duet relay: a drop-in for
 * {@link dev.duet.signaling.client.relay.RelayTransport} under a {@code DuetCall}.
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li>Connects to {@code ws[s]://host:port/app/<key>?protocol=7&client=duet-java&version=...},
 *       asks the app's backend to sign a subscription to the session's presence channel
 *       {@code presence-duet-<sessionId>} for the socket Pusher assigned
 *       ({@link ChannelAuthorizer}, again on every reconnect), and subscribes.</li>
 *   <li>Arrival facts come from presence and from the backend's signature: the member list on
 *       subscribing, {@code member_added}, {@code member_removed}; each member's {@code user_info}
 *       carries its role, its socket id (the connection id of the negotiation epoch) and the
 *       backend's clock at signing (the arrival stamp). Both peers derive the same initiator from
 *       them, as from the relay's facts.</li>
 *   <li>Peer messages are client events ({@code client-duet-signals}), numbered, acknowledged by
 *       the other side and resent until acknowledged, so each is delivered once and in order across
 *       reconnects on either side. Messages queued together go in one event (ICE candidates batch
 *       themselves), large ones are split into parts under Pusher's 10 KB per event, and a token
 *       bucket keeps this client under Pusher's 10 client events a second; on error 4301 it pauses
 *       and resends what was not acknowledged.</li>
 *   <li>Reconnects by the close code: 4000 to 4099 never (the join fails, or the transport closes,
 *       with {@link PusherRefusedException}); 4100 to 4199 after at least 1 s; 4200 to 4299 at once;
 *       anything else with exponential backoff and jitter. Pings the server with {@code pusher:ping}
 *       after its {@code activity_timeout} of silence and reconnects when no answer comes within 30 s.</li>
 * </ul>
 *
 * <h2>Weaker than the relay, and what this transport does about it</h2>
 * <ul>
 *   <li><b>No server timestamps reach clients.</b> Arrival stamps are the backend's clock when it
 *       signed the subscription (one clock for both sides, as with the relay); the {@code relayedAt}
 *       of a message and the {@code leftAt} of a departure are this process's clock on receipt.</li>
 *   <li><b>Presence flaps and lags on reconnect.</b> A member counts once per user: a peer whose new
 *       socket subscribes before its old one is dropped produces no {@code member_added}, and a
 *       dropped socket produces {@code member_removed} before its replacement is back. So each side
 *       announces its current connection ({@code client-duet-hello}) after every subscription, and
 *       a {@code member_removed} is acted on only after {@value #PEER_LEFT_GRACE_MILLIS} ms without
 *       the peer coming back. A clean leave or hang-up is announced at once
 *       ({@code client-duet-leave}).</li>
 *   <li><b>No history, no acknowledgement from the server.</b> A client event reaches only the
 *       sockets subscribed at that moment. So a {@link #send} future completes when the peer's
 *       transport acknowledged the message (not when a server accepted it), and messages are kept
 *       and resent after the peer (re)appears; sent while the peer is absent, they wait for it.</li>
 *   <li><b>No attendance record and no session end by the server.</b> Pusher does not record media
 *       reports or close the session at the window's end: the app's backend does that from
 *       Pusher's webhooks ({@link PusherWebhooks}) and its own clock.</li>
 * </ul>
 *
 * <p>Threads: all state lives on the transport's own single thread (its loop); listener callbacks
 * and future completions run on the callback executor, one at a time, in order. The first join is
 * retried for at most the join timeout (30 s by default), then fails with
 * {@link RelayUnreachableException}.
 */
public final class PusherTransport implements SignalingTransport {
    private static final Logger log = LoggerFactory.getLogger(PusherTransport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FrameCodec CODEC = new FrameCodec();

    /** The client event carrying numbered messages and acknowledgements. */
    static final String SIGNALS_EVENT = "client-duet-signals";
    /** The client event announcing this side's current connection after each subscription. */
    static final String HELLO_EVENT = "client-duet-hello";
    /** The client event announcing a clean leave or hang-up. */
    static final String LEAVE_EVENT = "client-duet-leave";
    /** The client's version in the connection address. */
    static final String VERSION = "0.1.0";
    /** Client events a second, with a burst: at most 10 in any one second, Pusher's limit. */
    static final int EVENTS_PER_SECOND = 6;
    static final int EVENT_BURST = 4;
    /** Bytes of message parts in one client event: Pusher takes 10 KB of data, with room for the envelope. */
    static final int MAX_PARTS_BYTES = 8 * 1024;
    static final long PEER_LEFT_GRACE_MILLIS = 3000;
    static final long RESEND_AFTER_MILLIS = 2000;
    static final long ACK_DELAY_MILLIS = 100;
    static final long RATE_LIMIT_PAUSE_MILLIS = 1000;
    static final long PONG_TIMEOUT_MILLIS = 30_000;
    /** The longest activity timeout honoured; Pusher's default is 120 s. */
    static final long MAX_ACTIVITY_TIMEOUT_MILLIS = 120_000;
    /** How long the first join may take, retries included, unless the transport is built with another. */
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final Wire.Connector connector;
    private final SessionId session;
    private final String channel;
    private final ChannelAuthorizer authorizer;
    private final TransportLoop threads;
    private final ScheduledExecutorService loop;
    private final LongSupplier nanoTicker;
    private final Clock clock;
    private final Backoff backoff;
    private final Duration joinTimeout;
    private final String target;
    private final String clientId;
    private final TokenBucket pace;

    // confined to loop
    private volatile State state = State.NEW;
    private CompletableFuture<JoinResult> joined;
    private Wire wire;
    private long wireGeneration;
    private String socketId;
    private boolean subscribed;
    private int attempt;
    private String lastError = "no attempt yet";
    private long activityTimeoutMillis = MAX_ACTIVITY_TIMEOUT_MILLIS;
    private long lastHeardNanos;
    private long pingSentNanos;
    private Member self;
    /** The peer as the listener last heard of it; null when absent. */
    private Member peer;
    /**
     * The peer's client instance that this side's numbering of messages is for (from its hello);
     * null before the first. A new instance starts from message 1, so unacknowledged messages are
     * numbered anew for it.
     */
    private String streamClient;
    private long peerLeftGeneration;
    private final Deque<Pending> outbox = new ArrayDeque<>();
    private long nextSeq = 1;
    private long ackedUpTo;
    /** The next part to send: of message {@code cursorSeq}, part {@code cursorPart}. */
    private long cursorSeq = 1;
    private int cursorPart;
    private long lastProgressNanos;
    private boolean resendScheduled;
    private boolean flushScheduled;
    private boolean ackScheduled;
    /** Per sending client instance of the peer: the last message delivered to the listener. */
    private final Map<String, Long> delivered = new HashMap<>();
    private String lastSenderClient;
    private long ackedToPeer;
    private Partial partial;
    private PendingHangUp hangingUp;
    /** The peer hung up: it will acknowledge nothing more, so a hang-up of this side does not wait for it. */
    private boolean peerHungUp;
    private boolean helloOwed;
    private boolean helloCheckScheduled;

    private record PendingHangUp(String reason, CompletableFuture<Void> done) {}

    /** A message not yet acknowledged by the peer, encoded once and cut into parts. */
    private record Pending(long seq, PeerMessage message, List<Part> parts, CompletableFuture<Void> acknowledged) {
        Pending(long seq, PeerMessage message, CompletableFuture<Void> acknowledged) {
            this(seq, message, PusherTransport.parts(CODEC.encode(new Frame.Send(seq, message))), acknowledged);
        }
    }

    /** One part of a message's text, with its size in an event (JSON-escaped UTF-8), measured once. */
    record Part(String text, int bytes) {}

    /** The message being put together from its parts: of the sender's {@code client}, number {@code seq}. */
    private record Partial(String client, long seq, List<String> parts) {}

    /**
     * @param connector   opens wires to the Pusher server's app address
     * @param session     the session whose presence channel this side joins
     * @param authorizer  gets each subscription signed by the app's backend
     * @param callbacks   where listener callbacks and future completions run, one at a time
     * @param backoff     reconnect delays
     * @param joinTimeout how long the first join may take, retries included; 1 s to 1 h
     * @param target      names the server in messages (its address; never a secret)
     * @param loop        runs the transport's work one task at a time; {@code null} makes its own
     * @param nanoTicker  the pacing and silence clock
     * @param clock       stamps messages' receipt and departures
     */
    @SuppressWarnings("exports") // Wire is Duet's own: apps use webSocket(...)
    public PusherTransport(Wire.Connector connector, SessionId session, ChannelAuthorizer authorizer, Executor callbacks,
            Backoff backoff, Duration joinTimeout, String target, ScheduledExecutorService loop, LongSupplier nanoTicker, Clock clock) {
        this.connector = Checks.notNull(connector, "connector");
        this.session = Checks.notNull(session, "session");
        this.channel = PusherChannelAuth.presenceChannel(session);
        this.authorizer = Checks.notNull(authorizer, "authorizer");
        this.backoff = Checks.notNull(backoff, "backoff");
        this.joinTimeout = TransportLoop.checkJoinTimeout(joinTimeout);
        this.target = Checks.notNull(target, "target");
        this.nanoTicker = Checks.notNull(nanoTicker, "nanoTicker");
        this.clock = Checks.notNull(clock, "clock");
        this.clientId = TransportLoop.randomClientId(backoff.random());
        this.threads = new TransportLoop(loop, callbacks, "duet-pusher-" + clientId, session.value(), log);
        this.loop = threads.loop();
        this.pace = new TokenBucket(EVENTS_PER_SECOND, EVENT_BURST, nanoTicker.getAsLong());
    }

    /**
     * A transport to the Pusher-protocol server at {@code server} ({@code ws://host:port} or
     * {@code wss://host:port}, no path; {@link #hostedCluster} gives hosted Pusher's), for the app
     * whose key is {@code appKey}, joining {@code session}'s presence channel.
     */
    public static PusherTransport webSocket(URI server, String appKey, SessionId session, ChannelAuthorizer authorizer,
            Executor callbacks) {
        return webSocket(server, appKey, session, authorizer, callbacks, DEFAULT_JOIN_TIMEOUT);
    }

    /** As {@link #webSocket(URI, String, SessionId, ChannelAuthorizer, Executor)}, with the time the first join may take. */
    public static PusherTransport webSocket(URI server, String appKey, SessionId session, ChannelAuthorizer authorizer,
            Executor callbacks, Duration joinTimeout) {
        URI address = appAddress(server, appKey);
        return new PusherTransport(OkHttpWire.connector(address, Duration.ZERO), session, authorizer, callbacks,
                Backoff.defaults(), joinTimeout, server.toString(), null, System::nanoTime, Clock.systemUTC());
    }

    /** Hosted Pusher's address for a cluster such as {@code eu} or {@code mt1}: {@code wss://ws-<cluster>.pusher.com:443}. */
    public static URI hostedCluster(String cluster) {
        Checks.notNull(cluster, "cluster");
        if (!cluster.matches("[a-z0-9-]{1,32}")) {
            throw new IllegalArgumentException("cluster must be a Pusher cluster name such as eu or mt1 (a-z, 0-9, -), but was \""
                    + cluster + "\"");
        }
        return URI.create("wss://ws-" + cluster + ".pusher.com:443");
    }

    /** {@code <server>/app/<key>?protocol=7&client=duet-java&version=<version>}. */
    static URI appAddress(URI server, String appKey) {
        Checks.notNull(server, "server");
        Checks.notNull(appKey, "appKey");
        if (!"ws".equals(server.getScheme()) && !"wss".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("server must be a ws:// or wss:// address with a host, but was " + server);
        }
        if (server.getPath() != null && !server.getPath().isEmpty() && !"/".equals(server.getPath()) || server.getQuery() != null) {
            throw new IllegalArgumentException("server must be the server's address alone (ws[s]://host:port), without a path or "
                    + "query: the transport adds /app/<key>; but was " + server);
        }
        if (!appKey.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("appKey must be a Pusher app key (1 to 64 letters, digits, _ or -), but was \""
                    + appKey + "\"");
        }
        String base = server.toString().replaceFirst("/$", "");
        return URI.create(base + "/app/" + appKey + "?protocol=7&client=duet-java&version=" + VERSION);
    }

    /** The random id of this client instance, kept across its reconnects. */
    public String clientId() {
        return clientId;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Optional<SessionId> session() {
        return Optional.of(session);
    }

    // ------------------------------------------------------------------ public operations

    @Override
    public CompletableFuture<JoinResult> join(SignalingListener listener) {
        Checks.notNull(listener, "listener");
        CompletableFuture<JoinResult> result = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state != State.NEW) {
                threads.fail(result, new IllegalStateException("join may be called once, on a NEW transport; it is " + state));
                return;
            }
            threads.listener(listener);
            this.joined = result;
            state = State.CONNECTING;
            loop.schedule(this::joinDeadline, joinTimeout.toNanos(), TimeUnit.NANOSECONDS);
            connect();
        }, result);
        return result;
    }

    @Override
    public CompletableFuture<Void> send(PeerMessage message) {
        Checks.notNull(message, "message");
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state == State.NEW || state == State.CLOSED) {
                threads.fail(acknowledged, new IllegalStateException("send needs a joined or joining transport; it is " + state));
                return;
            }
            String text = CODEC.encode(new Frame.Send(nextSeq, message));
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > FrameCodec.MAX_FRAME_BYTES) {
                threads.fail(acknowledged, new IllegalArgumentException("message is " + bytes + " bytes encoded; at most "
                        + FrameCodec.MAX_FRAME_BYTES + " fit"));
                return;
            }
            if (outbox.isEmpty()) {
                lastProgressNanos = nanoTicker.getAsLong();
            }
            outbox.addLast(new Pending(nextSeq, message, parts(text), acknowledged));
            nextSeq++;
            flush();
        }, acknowledged);
        return acknowledged;
    }

    @Override
    public CompletableFuture<Void> leave(String reason) {
        Checks.notNull(reason, "reason");
        CompletableFuture<Void> done = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state != State.CLOSED) {
                announceLeave(reason, false);
                terminate(new CloseReason(Optional.empty(), true, "left: " + reason), null);
            }
            threads.complete(done, null);
        }, done);
        return done;
    }

    @Override
    public CompletableFuture<Void> hangUp(String reason, Duration flushWithin) {
        Checks.notNull(reason, "reason");
        Checks.notNull(flushWithin, "flushWithin");
        if (flushWithin.isNegative()) {
            throw new IllegalArgumentException("flushWithin must not be negative, but was " + flushWithin);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        threads.onLoop(() -> {
            if (state == State.CLOSED) {
                threads.complete(done, null);
                return;
            }
            if (hangingUp != null) {
                hangingUp.done().whenComplete((v, e) -> done.complete(null));
                return;
            }
            hangingUp = new PendingHangUp(reason, done);
            if (!hangUpIfDrained()) {
                loop.schedule(() -> finishHangUp("the peer had not acknowledged every message within " + flushWithin.toMillis()
                        + " ms"), flushWithin.toNanos(), TimeUnit.NANOSECONDS);
            }
        }, done);
        return done;
    }

    /**
     * Leaves the session without ending it for the peer (it is told {@code left}) and releases the
     * connection; a pending {@link #hangUp} is sent at once instead. Idempotent; never blocks.
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        threads.post(() -> {
            if (state == State.CLOSED) {
                return;
            }
            if (hangingUp != null) {
                finishHangUp("the transport was closed first");
                return;
            }
            announceLeave(CLOSED_BY_APP, false);
            terminate(new CloseReason(Optional.empty(), true, CLOSED_BY_APP), null);
        }); // dropped when the transport closed concurrently
    }

    private static final String CLOSED_BY_APP = "closed by the app";

    private boolean hangUpIfDrained() {
        if (hangingUp != null && (outbox.isEmpty() || peerHungUp) && subscribed) {
            finishHangUp(null);
            return true;
        }
        return false;
    }

    private void finishHangUp(String late) {
        PendingHangUp h = hangingUp;
        if (h == null || state == State.CLOSED) {
            return;
        }
        hangingUp = null;
        if (late != null) {
            log.warn("hanging up although {}", late);
        }
        announceLeave(h.reason(), true);
        terminate(new CloseReason(Optional.empty(), true, "hung up: " + h.reason()), null);
        threads.complete(h.done(), null);
    }

    /** Tells the peer this connection leaves (or hangs up), if there is a subscription to tell it on. */
    private void announceLeave(String reason, boolean hangUp) {
        if (wire == null || !subscribed) {
            return;
        }
        pace.take(nanoTicker.getAsLong()); // a last event goes out even without a token: at worst Pusher drops it and member_removed tells the peer
        ObjectNode data = JSON.createObjectNode().put("client", clientId).put("connection", self.connection().value())
                .put("reason", reason).put("hang_up", hangUp);
        sendEvent(LEAVE_EVENT, data);
        ObjectNode unsubscribe = JSON.createObjectNode().put("event", "pusher:unsubscribe");
        unsubscribe.putObject("data").put("channel", channel);
        wire.send(unsubscribe.toString());
    }

    // ------------------------------------------------------------------ connection (on loop)

    private void connect() {
        long generation = ++wireGeneration;
        subscribed = false;
        socketId = null;
        connector.connect(new Wire.Listener() {
            @Override
            public void onOpen(Wire opened) {
                threads.post(() -> {
                    if (generation != wireGeneration || state == State.CLOSED) {
                        opened.cancel();
                        return;
                    }
                    wire = opened;
                    lastHeardNanos = nanoTicker.getAsLong();
                });
            }

            @Override
            public void onText(String text) {
                threads.post(() -> {
                    if (generation == wireGeneration && state != State.CLOSED) {
                        lastHeardNanos = nanoTicker.getAsLong();
                        receive(generation, text);
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                threads.post(() -> lost(generation, code, reason));
            }

            @Override
            public void onFailure(Throwable cause) {
                threads.post(() -> {
                    if (cause instanceof UpgradeRefusedException refused && refused.permanent()
                            && generation == wireGeneration && state != State.CLOSED) {
                        refuse("the Pusher server " + target + " refused the connection: " + refused.getMessage(), refused);
                        return;
                    }
                    lost(generation, 1006, cause instanceof UpgradeRefusedException ? cause.getMessage()
                            : cause.getClass().getSimpleName() + ": " + cause.getMessage());
                });
            }
        });
    }

    private void receive(long generation, String text) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (Exception e) {
            log.warn("ignoring a frame from {} that is not JSON", target);
            return;
        }
        if (frame == null || !frame.path("event").isTextual()) {
            log.warn("ignoring a frame from {} without an event name", target);
            return;
        }
        String event = frame.path("event").asText();
        JsonNode data = frame.path("data");
        if (data.isTextual()) {
            try {
                data = JSON.readTree(data.asText());
            } catch (Exception e) {
                log.warn("ignoring {} from {}: its data is a string that is not JSON", event, target);
                return;
            }
        }
        if (data == null) {
            data = JSON.nullNode();
        }
        String frameChannel = frame.path("channel").asText("");
        if (!frameChannel.isEmpty() && !frameChannel.equals(channel)) {
            return; // not this session's channel
        }
        switch (event) {
            case "pusher:connection_established" -> established(generation, data);
            case "pusher:ping" -> wire.send("{\"event\":\"pusher:pong\",\"data\":{}}");
            case "pusher:pong" -> pingSentNanos = 0;
            case "pusher:error" -> serverError(data);
            case "pusher_internal:subscription_succeeded" -> subscriptionSucceeded(data);
            case "pusher_internal:member_added" -> memberAdded(data);
            case "pusher_internal:member_removed" -> memberRemoved(data);
            case HELLO_EVENT, SIGNALS_EVENT, LEAVE_EVENT -> fromPeer(event, frame.path("user_id").asText(""), data);
            default -> log.debug("ignoring {} from {}", event, target);
        }
    }

    private void established(long generation, JsonNode data) {
        String id = data.path("socket_id").asText("");
        if (!id.matches("\\d{1,20}\\.\\d{1,20}")) {
            log.warn("{} sent connection_established without a socket id; reconnecting", target);
            wire.cancel();
            lost(generation, 1006, "connection_established without a socket id");
            return;
        }
        socketId = id;
        long timeout = data.path("activity_timeout").asLong(120) * 1000;
        activityTimeoutMillis = Math.max(1000, Math.min(MAX_ACTIVITY_TIMEOUT_MILLIS, timeout));
        pingSentNanos = 0;
        scheduleActivityCheck(generation, activityTimeoutMillis);
        CompletableFuture<String> signed;
        try {
            signed = authorizer.authorize(id, channel);
        } catch (RuntimeException e) {
            signed = CompletableFuture.failedFuture(e);
        }
        if (signed == null) {
            signed = CompletableFuture.failedFuture(new IllegalStateException("the ChannelAuthorizer returned null"));
        }
        signed.whenComplete((body, failure) -> threads.post(() -> {
            if (generation != wireGeneration || state == State.CLOSED) {
                return;
            }
            if (failure != null) {
                authorizationFailed(generation, failure);
            } else {
                subscribe(generation, body);
            }
        }));
    }

    private void authorizationFailed(long generation, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof PusherAuthException refused) {
            refuse("the app's backend refused to sign the subscription to " + channel + ": " + refused.getMessage(), refused);
            return;
        }
        log.warn("could not get the subscription to {} signed ({}); trying again on a new connection", channel, cause.toString());
        Wire w = wire;
        if (w != null) {
            w.close(1000, "authorization failed");
        }
        lost(generation, 1006, "authorization failed: " + cause);
    }

    private void subscribe(long generation, String body) {
        Member me;
        String auth;
        String channelData;
        try {
            JsonNode answer = JSON.readTree(body == null ? "" : body);
            auth = answer.path("auth").asText("");
            channelData = answer.path("channel_data").asText("");
            if (auth.isEmpty() || channelData.isEmpty()) {
                throw new IllegalArgumentException("it lacks auth or channel_data");
            }
            JsonNode member = JSON.readTree(channelData);
            me = member(member.path("user_id").asText(""), member.path("user_info"));
            if (!me.connection().value().equals(socketId)) {
                throw new IllegalArgumentException("its connection " + me.connection() + " is not this socket " + socketId);
            }
        } catch (Exception e) {
            refuse("the app's backend answered the subscription request for " + channel + " with something other than "
                    + "PusherChannelAuth's answer ({\"auth\",\"channel_data\"} with user_id and user_info role, connection, "
                    + "arrived_at for this socket): " + e.getMessage(), e);
            return;
        }
        self = me;
        ObjectNode subscribe = JSON.createObjectNode().put("event", "pusher:subscribe");
        subscribe.putObject("data").put("channel", channel).put("auth", auth).put("channel_data", channelData);
        wire.send(subscribe.toString());
    }

    private void subscriptionSucceeded(JsonNode data) {
        if (self == null || subscribed) {
            return;
        }
        JsonNode hash = data.path("presence").path("hash");
        Member other = null;
        for (var entry : hash.properties()) {
            if (!entry.getKey().equals(self.participant().value())) {
                try {
                    other = member(entry.getKey(), entry.getValue());
                } catch (IllegalArgumentException e) {
                    log.warn("ignoring a member of {} that is not a Duet participant: {}", channel, e.getMessage());
                }
            }
        }
        subscribed = true;
        attempt = 0;
        peerLeftGeneration++;
        JoinResult result = new JoinResult(session, self, Optional.ofNullable(other));
        boolean first = state == State.CONNECTING;
        state = State.JOINED;
        peer = other;
        if (first) {
            threads.complete(joined, result);
        } else {
            threads.notify(l -> l.onRejoined(result));
        }
        rewind();
        if (!hangUpIfDrained()) {
            hello();
        }
    }

    private void memberAdded(JsonNode data) {
        String user = data.path("user_id").asText("");
        if (self == null || user.equals(self.participant().value())) {
            return;
        }
        Member m;
        try {
            m = member(user, data.path("user_info"));
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a member of {} that is not a Duet participant: {}", channel, e.getMessage());
            return;
        }
        peerArrived(m, false);
    }

    private void memberRemoved(JsonNode data) {
        String user = data.path("user_id").asText("");
        if (peer == null || !user.equals(peer.participant().value())) {
            return;
        }
        Member gone = peer;
        Instant leftAt = clock.instant();
        long generation = ++peerLeftGeneration;
        loop.schedule(() -> {
            if (generation == peerLeftGeneration && gone.equals(peer) && state != State.CLOSED) {
                peer = null;
                threads.notify(l -> l.onPeerLeft(gone.participant(), gone.connection(), leftAt, DepartureReason.CONNECTION_LOST));
            }
        }, PEER_LEFT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The peer is present on {@code m}'s connection: tell the listener if that is news, and resend to it. */
    private void peerArrived(Member m, boolean newClient) {
        peerLeftGeneration++; // a member_removed waiting out its grace is answered
        peerHungUp = false;
        if (m.equals(peer)) {
            return;
        }
        peer = m;
        threads.notify(l -> l.onPeerJoined(m, newClient));
        rewind();
        flush();
        if (streamClient == null) {
            scheduleHelloCheck();
        }
    }

    private void fromPeer(String event, String user, JsonNode data) {
        if (self == null || !subscribed || user.isEmpty() || user.equals(self.participant().value())) {
            return; // another connection of this participant, or not from a member
        }
        String client = data.path("client").asText("");
        if (!client.matches("[A-Za-z0-9]{1,32}")) {
            log.warn("ignoring {} from {} without a client id", event, user);
            return;
        }
        try {
            switch (event) {
                case HELLO_EVENT -> hello(user, client, data);
                case LEAVE_EVENT -> peerLeaving(user, data);
                default -> signals(user, client, data);
            }
        } catch (IllegalArgumentException e) {
            log.warn("ignoring {} from {} that breaks Duet's rules: {}", event, user, e.getMessage());
        }
    }

    private void hello(String user, String client, JsonNode data) {
        Member m = member(user, data.path("member"));
        boolean newClient = streamClient != null && !streamClient.equals(client);
        if (newClient) {
            renumberFromOne();
        }
        streamClient = client;
        peerArrived(m, newClient);
        if (!self.connection().value().equals(data.path("sees").asText("")) || !clientId.equals(data.path("knows").asText(""))) {
            hello(); // the peer does not know this connection or client yet (it came first, or saw a stale member list)
        }
        flush(); // messages wait for the peer's client id
    }

    private void peerLeaving(String user, JsonNode data) {
        if (peer == null || !peer.participant().value().equals(user) || !peer.connection().value().equals(data.path("connection").asText())) {
            return; // an older connection of the peer, already replaced
        }
        Member gone = peer;
        peer = null;
        peerLeftGeneration++;
        DepartureReason reason = data.path("hang_up").asBoolean(false) ? DepartureReason.HUNG_UP : DepartureReason.LEFT;
        peerHungUp = reason == DepartureReason.HUNG_UP;
        Instant leftAt = clock.instant();
        threads.notify(l -> l.onPeerLeft(gone.participant(), gone.connection(), leftAt, reason));
        hangUpIfDrained();
    }

    private void signals(String user, String client, JsonNode data) {
        JsonNode ack = data.path("ack");
        if (client.equals(streamClient) && ack.isObject() && clientId.equals(ack.path("client").asText())
                && ack.path("seq").canConvertToLong()) {
            acknowledged(ack.path("seq").asLong());
        }
        JsonNode msgs = data.path("msgs");
        if (!msgs.isArray() || msgs.isEmpty() || !clientId.equals(data.path("to").asText())) {
            return; // nothing for this client instance (messages numbered for an earlier one are resent to this one)
        }
        ParticipantId from = ParticipantId.of(user);
        long last = delivered.getOrDefault(client, 0L);
        for (JsonNode part : msgs) {
            long s = part.path("s").asLong(-1);
            int p = part.path("p").asInt(-1);
            int n = part.path("n").asInt(-1);
            String t = part.path("t").isTextual() ? part.path("t").asText() : null;
            if (s < 1 || n < 1 || n > 64 || p < 0 || p >= n || t == null) {
                throw new IllegalArgumentException("a message part needs s >= 1, 0 <= p < n <= 64 and a text t");
            }
            if (s != last + 1) {
                continue; // a duplicate (acknowledged again below) or after a gap (resent by the peer)
            }
            if (partial == null || !partial.client().equals(client) || partial.seq() != s) {
                partial = new Partial(client, s, new ArrayList<>());
            }
            if (p != partial.parts().size()) {
                continue;
            }
            partial.parts().add(t);
            if (partial.parts().size() < n) {
                continue;
            }
            String whole = String.join("", partial.parts());
            partial = null;
            last = s;
            delivered.put(client, last);
            try {
                Frame.ClientFrame decoded = CODEC.decodeClientFrame(whole);
                if (decoded instanceof Frame.Send send) {
                    Instant relayedAt = clock.instant();
                    threads.notify(l -> l.onMessage(from, relayedAt, send.message()));
                } else {
                    log.warn("dropping message {} from {}: it is not a peer message", s, user);
                }
            } catch (ProtocolException e) {
                log.warn("dropping message {} from {} that breaks the protocol: {}", s, user, e.getMessage());
            }
        }
        lastSenderClient = client;
        scheduleAck();
    }

    private void serverError(JsonNode data) {
        JsonNode code = data.path("code");
        String message = data.path("message").asText("");
        if (code.canConvertToInt() && code.asInt() == 4301) {
            log.debug("Pusher's client event rate limit was reached; resending from message {}", ackedUpTo + 1);
            rewind();
            flushScheduled = false;
            scheduleFlush(RATE_LIMIT_PAUSE_MILLIS);
            return;
        }
        if (!subscribed && self != null) {
            refuse("the Pusher server refused the subscription to " + channel + ": " + message, null);
            return;
        }
        log.warn("the Pusher server reported an error: {} {}", code.isNull() || code.isMissingNode() ? "" : code.asText(), message);
    }

    private void lost(long generation, int code, String reason) {
        if (generation != wireGeneration || state == State.CLOSED) {
            return;
        }
        wire = null;
        subscribed = false;
        wireGeneration++;
        String what = code + (reason == null || reason.isEmpty() ? "" : " " + reason);
        if (code >= 4000 && code <= 4099) {
            refuse("the Pusher server " + target + " closed the connection with " + what + " (4000 to 4099: do not reconnect unchanged)",
                    null);
            return;
        }
        lastError = what;
        Duration delay;
        if (code >= 4200 && code <= 4299 && attempt == 0) {
            delay = Duration.ZERO;
        } else if (code >= 4100 && code <= 4199) {
            delay = Duration.ofSeconds(1).plus(backoff.delay(attempt));
        } else {
            delay = backoff.delay(attempt);
        }
        if (state == State.JOINED) {
            state = State.RECONNECTING;
            threads.notify(l -> l.onDisconnected("connection lost (" + what + ")"));
        } else if (state == State.CONNECTING) {
            int tried = attempt + 1;
            log.warn("{} is not reachable yet (attempt {}: {}); trying again in {} ms", target, tried, what, delay.toMillis());
            threads.notify(l -> l.onDisconnected("Pusher server not reachable yet (attempt " + tried + ": " + what + ")"));
        }
        attempt++;
        loop.schedule(() -> {
            if (state != State.CLOSED) {
                connect();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Pings after the server's activity timeout of silence; a ping with nothing heard for 30 s after
     * it drops the connection. Any frame from the server counts as an answer (a pong resets it too).
     */
    private void scheduleActivityCheck(long generation, long delayMillis) {
        loop.schedule(() -> {
            if (generation != wireGeneration || state == State.CLOSED || wire == null) {
                return;
            }
            long now = nanoTicker.getAsLong();
            if (pingSentNanos != 0 && lastHeardNanos - pingSentNanos >= 0) {
                pingSentNanos = 0; // answered
            }
            if (pingSentNanos != 0) {
                long waitedMillis = (now - pingSentNanos) / 1_000_000;
                if (waitedMillis >= PONG_TIMEOUT_MILLIS) {
                    log.info("{} did not answer a ping within {} s; reconnecting", target, PONG_TIMEOUT_MILLIS / 1000);
                    wire.cancel();
                    lost(generation, 1006, "no pong");
                } else {
                    scheduleActivityCheck(generation, PONG_TIMEOUT_MILLIS - waitedMillis);
                }
                return;
            }
            long silentMillis = (now - lastHeardNanos) / 1_000_000;
            if (silentMillis >= activityTimeoutMillis) {
                wire.send("{\"event\":\"pusher:ping\",\"data\":{}}");
                pingSentNanos = now;
                scheduleActivityCheck(generation, PONG_TIMEOUT_MILLIS);
            } else {
                scheduleActivityCheck(generation, activityTimeoutMillis - silentMillis);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void joinDeadline() {
        if (state == State.CONNECTING) {
            RelayUnreachableException e = new RelayUnreachableException(target, joinTimeout, Math.max(attempt, 1), lastError);
            log.warn("{}", e.getMessage());
            terminate(new CloseReason(Optional.empty(), false, e.getMessage()), e);
        }
    }

    private void refuse(String message, Throwable cause) {
        log.warn("{}", message);
        PusherRefusedException e = new PusherRefusedException(message, cause);
        terminate(new CloseReason(Optional.empty(), false, message), e);
    }

    private void terminate(CloseReason reason, Throwable joinFailure) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasJoining = state == State.CONNECTING || state == State.NEW;
        state = State.CLOSED;
        wireGeneration++;
        if (wire != null) {
            wire.close(1000, reason.local() ? "closed" : "refused");
            wire = null;
        }
        if (joined != null && wasJoining) {
            threads.fail(joined, joinFailure != null ? joinFailure : new IllegalStateException("closed before joining: " + reason.message()));
        }
        for (Pending p : outbox) {
            threads.fail(p.acknowledged(), new IllegalStateException("the transport closed before the peer acknowledged the message"));
        }
        outbox.clear();
        if (threads.hasListener()) {
            threads.notify(l -> l.onClosed(reason));
        }
        threads.shutdownIfOwn();
    }

    // ------------------------------------------------------------------ messages out (on loop)

    /** Owes the peer a hello: it goes out first in the next flush, paced like every client event. */
    private void hello() {
        helloOwed = true;
        flush();
    }

    /**
     * While the peer is present and its client id unknown (its hello, or this side's, was lost), says
     * hello again every {@value #RESEND_AFTER_MILLIS} ms: the peer answers a hello that does not know it.
     */
    private void scheduleHelloCheck() {
        if (helloCheckScheduled) {
            return;
        }
        helloCheckScheduled = true;
        loop.schedule(() -> {
            helloCheckScheduled = false;
            if (state != State.CLOSED && subscribed && peer != null && streamClient == null) {
                hello();
            }
        }, RESEND_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Announces this side's current connection and client to the peer. */
    private void sendHello() {
        helloOwed = false;
        scheduleHelloCheck();
        ObjectNode data = JSON.createObjectNode().put("client", clientId);
        data.putObject("member").put("role", self.role().code()).put("connection", self.connection().value())
                .put("arrived_at", self.arrivedAt().toEpochMilli());
        data.put("sees", peer == null ? "" : peer.connection().value()).put("knows", streamClient == null ? "" : streamClient);
        sendEvent(HELLO_EVENT, data);
    }

    /** The peer is a new client instance: unacknowledged messages are numbered from 1 for it. */
    private void renumberFromOne() {
        List<Pending> all = new ArrayList<>(outbox);
        outbox.clear();
        long seq = 0;
        for (Pending p : all) {
            seq++;
            outbox.addLast(new Pending(seq, p.message(), p.acknowledged()));
        }
        nextSeq = seq + 1;
        ackedUpTo = 0;
        rewind();
    }

    /** Goes back to the first message the peer has not acknowledged. */
    private void rewind() {
        cursorSeq = ackedUpTo + 1;
        cursorPart = 0;
    }

    private void acknowledged(long seq) {
        if (seq <= ackedUpTo) {
            return;
        }
        ackedUpTo = Math.min(seq, nextSeq - 1);
        lastProgressNanos = nanoTicker.getAsLong();
        while (!outbox.isEmpty() && outbox.peekFirst().seq() <= ackedUpTo) {
            threads.complete(outbox.removeFirst().acknowledged(), null);
        }
        if (cursorSeq <= ackedUpTo) {
            rewind();
        }
        hangUpIfDrained();
    }

    /** Sends what is due (message parts after the cursor, an owed acknowledgement) as fast as the pace allows. */
    private void flush() {
        while (state != State.CLOSED && wire != null && subscribed) {
            if (helloOwed) {
                if (!pace.take(nanoTicker.getAsLong())) {
                    scheduleFlush(1000 / EVENTS_PER_SECOND);
                    return;
                }
                sendHello();
                continue;
            }
            boolean ackOwed = lastSenderClient != null && delivered.getOrDefault(lastSenderClient, 0L) > ackedToPeer;
            ArrayNode msgs = JSON.createArrayNode();
            if (peer != null && streamClient != null) {
                collectParts(msgs);
            }
            if (msgs.isEmpty() && !ackOwed) {
                return;
            }
            if (!pace.take(nanoTicker.getAsLong())) {
                scheduleFlush(1000 / EVENTS_PER_SECOND);
                return;
            }
            ObjectNode data = JSON.createObjectNode().put("client", clientId);
            if (!msgs.isEmpty()) {
                data.put("to", streamClient).set("msgs", msgs);
            }
            if (lastSenderClient != null) {
                long upTo = delivered.getOrDefault(lastSenderClient, 0L);
                data.putObject("ack").put("client", lastSenderClient).put("seq", upTo);
                ackedToPeer = upTo;
            }
            sendEvent(SIGNALS_EVENT, data);
            advanceCursor(msgs);
            if (!msgs.isEmpty()) {
                scheduleResendCheck();
            }
        }
    }

    /** Adds parts from the cursor on, in order, while they fit in one event. */
    private void collectParts(ArrayNode msgs) {
        int bytes = 0;
        for (Pending p : outbox) {
            if (p.seq() < cursorSeq) {
                continue;
            }
            for (int i = p.seq() == cursorSeq ? cursorPart : 0; i < p.parts().size(); i++) {
                int size = p.parts().get(i).bytes() + 40;
                if (bytes + size > MAX_PARTS_BYTES && !msgs.isEmpty()) {
                    return;
                }
                bytes += size;
                msgs.addObject().put("s", p.seq()).put("p", i).put("n", p.parts().size()).put("t", p.parts().get(i).text());
            }
        }
    }

    private void advanceCursor(ArrayNode sent) {
        if (sent.isEmpty()) {
            return;
        }
        JsonNode last = sent.get(sent.size() - 1);
        long seq = last.path("s").asLong();
        int part = last.path("p").asInt();
        if (part + 1 >= last.path("n").asInt()) {
            cursorSeq = seq + 1;
            cursorPart = 0;
        } else {
            cursorSeq = seq;
            cursorPart = part + 1;
        }
    }

    private void scheduleFlush(long millis) {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.schedule(() -> {
                flushScheduled = false;
                if (state != State.CLOSED) {
                    flush();
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void scheduleAck() {
        if (ackScheduled) {
            return;
        }
        ackScheduled = true;
        loop.schedule(() -> {
            ackScheduled = false;
            if (state != State.CLOSED) {
                flush();
            }
        }, ACK_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Messages sent but not acknowledged within {@value #RESEND_AFTER_MILLIS} ms are sent again. */
    private void scheduleResendCheck() {
        if (resendScheduled) {
            return;
        }
        resendScheduled = true;
        loop.schedule(() -> {
            resendScheduled = false;
            if (state == State.CLOSED || outbox.isEmpty()) {
                return;
            }
            long waited = (nanoTicker.getAsLong() - lastProgressNanos) / 1_000_000;
            boolean sentUnacknowledged = cursorSeq > ackedUpTo + 1 || cursorPart > 0;
            if (waited >= RESEND_AFTER_MILLIS && sentUnacknowledged) {
                log.debug("the peer acknowledged nothing for {} ms; resending from message {}", waited, ackedUpTo + 1);
                lastProgressNanos = nanoTicker.getAsLong();
                rewind();
                flush();
            }
            if (!outbox.isEmpty()) {
                scheduleResendCheck();
            }
        }, RESEND_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sendEvent(String event, ObjectNode data) {
        ObjectNode frame = JSON.createObjectNode().put("event", event).put("channel", channel);
        frame.set("data", data);
        wire.send(frame.toString());
    }

    // ------------------------------------------------------------------ helpers

    /** A member from a presence {@code user_id} and a {@code user_info} signed by {@link PusherChannelAuth}. */
    private Member member(String userId, JsonNode info) {
        if (info == null || !info.isObject()) {
            throw new IllegalArgumentException("user_info of " + userId + " is not an object");
        }
        Role role = Role.fromCode(info.path("role").asText(""));
        if (!info.path("arrived_at").canConvertToLong() || !info.path("connection").isTextual()) {
            throw new IllegalArgumentException("user_info of " + userId + " needs connection and arrived_at (sign with PusherChannelAuth)");
        }
        return new Member(ParticipantId.of(userId), role, ConnectionId.of(info.path("connection").asText()),
                Instant.ofEpochMilli(info.path("arrived_at").asLong()));
    }

    /** Cuts an encoded message into parts whose JSON-escaped UTF-8 size stays under one event's room. */
    static List<Part> parts(String text) {
        List<Part> parts = new ArrayList<>();
        int limit = MAX_PARTS_BYTES - 64;
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            int cost = escapedBytes(text.charAt(i));
            boolean pairStart = Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length();
            if (pairStart) {
                cost += escapedBytes(text.charAt(i + 1));
            }
            if (bytes + cost > limit && i > start) {
                parts.add(new Part(text.substring(start, i), bytes));
                start = i;
                bytes = 0;
            }
            bytes += cost;
            if (pairStart) {
                i++;
            }
        }
        parts.add(new Part(text.substring(start), bytes));
        return parts;
    }

    private static int escapedBytes(char c) {
        if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
            return 2;
        }
        if (c < 0x20) {
            return 6;
        }
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800 || Character.isSurrogate(c)) {
            return 2;
        }
        return 3;
    }

    @Override
    public String toString() {
        return "PusherTransport[session=" + session.value() + ", clientId=" + clientId + ", state=" + state + "]";
    }
}
