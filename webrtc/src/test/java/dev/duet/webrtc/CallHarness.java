package dev.duet.webrtc;

import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.Booking;
import dev.duet.core.JoinTicketIssuer;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.Participant;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.TicketKey;
import dev.duet.signaling.client.relay.RelayTransport;
import dev.duet.signaling.client.SignalingTransport;
import dev.duet.signaling.client.TicketSource;
import dev.duet.signaling.server.InMemoryRelay;
import dev.duet.signaling.server.RelayLimits;
import dev.duet.signaling.server.RelayServer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One booked session for two real peers: a relay (in memory or a real WebSocket relay on
 * loopback), tickets, transports, and calls on a shared engine. Closing it closes everything it made,
 * newest first.
 */
final class CallHarness implements AutoCloseable {
    static final ParticipantId EXPERT = ParticipantId.of("expert-ada");
    static final ParticipantId LEARNER = ParticipantId.of("learner-bo");

    /** Duet's relay in this JVM, Duet's relay over WebSocket, or no relay: Pusher's protocol through the fake Pusher server. */
    enum RelayKind { IN_MEMORY, WEBSOCKET, PUSHER }

    private static final String PUSHER_KEY = "duet-test-key";

    final Booking booking;
    final List<AttendanceEvent> relayEvents = new CopyOnWriteArrayList<>();
    /** Departures as the relay records them, to wait on. */
    final java.util.concurrent.BlockingQueue<AttendanceEvent.ParticipantLeft> departures = new java.util.concurrent.LinkedBlockingQueue<>();
    private final MediaEngine engine;
    private final JoinTicketIssuer issuer;
    private final InMemoryRelay memoryRelay;
    private final RelayServer relayServer;
    private final dev.duet.signaling.client.testkit.FakePusherServer pusherServer;
    private final dev.duet.signaling.client.pusher.PusherChannelAuth pusherBackend;
    /** The relay's clock, or for Pusher the backend's (it stamps arrivals when it signs a subscription). */
    private final Clock relayClock;
    private final List<AutoCloseable> resources = new ArrayList<>();

    private CallHarness(CallHarness same, MediaEngine engine) {
        this.engine = engine;
        this.booking = same.booking;
        this.issuer = same.issuer;
        this.memoryRelay = same.memoryRelay;
        this.relayServer = same.relayServer;
        this.pusherServer = same.pusherServer;
        this.pusherBackend = same.pusherBackend;
        this.relayClock = same.relayClock;
    }

    /** The same session and relay, with calls on another engine; closed with this harness. */
    CallHarness sameSessionOn(MediaEngine other) {
        CallHarness view = new CallHarness(this, other);
        resources.add(view);
        return view;
    }

    /** @param relayClock the relay's clock (a fixed clock gives both arrivals the same stamp) */
    CallHarness(MediaEngine engine, RelayKind kind, Clock relayClock) throws Exception {
        this.engine = engine;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        TicketKey key = TicketKey.of("k1", secret);
        Instant now = Instant.now();
        this.booking = new Booking(SessionId.of("s-" + now.toEpochMilli()), Participant.expert(EXPERT.value(), "Ada"),
                Participant.learner(LEARNER.value(), "Bo"), now, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        this.issuer = new JoinTicketIssuer(key, Duration.ofHours(2));
        JoinTicketVerifier verifier = new JoinTicketVerifier(List.of(key), Duration.ofSeconds(30));
        this.relayClock = relayClock;
        if (kind == RelayKind.PUSHER) {
            byte[] pusherSecret = new byte[24];
            new SecureRandom().nextBytes(pusherSecret);
            String secretText = java.util.HexFormat.of().formatHex(pusherSecret);
            pusherServer = new dev.duet.signaling.client.testkit.FakePusherServer(PUSHER_KEY, secretText);
            pusherBackend = new dev.duet.signaling.client.pusher.PusherChannelAuth(
                    dev.duet.signaling.client.pusher.PusherApp.of("4242", PUSHER_KEY, secretText), verifier);
            memoryRelay = null;
            relayServer = null;
            resources.add(pusherServer);
            return;
        }
        pusherServer = null;
        pusherBackend = null;
        if (kind == RelayKind.IN_MEMORY) {
            memoryRelay = new InMemoryRelay(verifier, relayClock, RelayLimits.defaults(), this::record);
            relayServer = null;
            resources.add(memoryRelay);
        } else {
            relayServer = RelayServer.builder(verifier).host("127.0.0.1").port(0).clock(relayClock)
                    .eventSink(this::record).start();
            memoryRelay = null;
            resources.add(relayServer);
        }
    }

    private void record(AttendanceEvent event) {
        relayEvents.add(event);
        if (event instanceof AttendanceEvent.ParticipantLeft left) {
            departures.add(left);
        }
    }

    /** Waits up to 10 s for the relay to record a departure of {@code who}. */
    AttendanceEvent.ParticipantLeft awaitDeparture(ParticipantId who) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (AttendanceEvent e : relayEvents) {
                if (e instanceof AttendanceEvent.ParticipantLeft left && left.participant().equals(who)) {
                    return left;
                }
            }
            // Wait for the next departure of anyone, then look again.
            if (departures.poll(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS) == null) {
                throw new AssertionError("the relay recorded no departure of " + who + " within 10 s");
            }
        }
    }

    CallHarness(MediaEngine engine, RelayKind kind) throws Exception {
        this(engine, kind, Clock.systemUTC());
    }

    String ticket(ParticipantId who) {
        return issuer.issue(booking, who, Instant.now());
    }

    SignalingTransport transport(ParticipantId who) {
        ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "transport-" + who.value()));
        resources.add(callbacks::shutdownNow);
        return transport(who, callbacks);
    }

    /** A transport whose callbacks run on {@code callbacks} (any executor, even a many-threaded pool). */
    SignalingTransport transport(ParticipantId who, java.util.concurrent.Executor callbacks) {
        TicketSource tickets = TicketSource.of(ticket(who));
        if (pusherServer != null) {
            return dev.duet.signaling.client.pusher.PusherTransport.webSocket(pusherServer.address(), PUSHER_KEY, booking.sessionId(),
                    dev.duet.signaling.client.pusher.ChannelAuthorizer.inProcess(pusherBackend, tickets, relayClock), callbacks);
        }
        return memoryRelay != null
                ? memoryRelay.transport(booking.sessionId(), tickets, callbacks)
                : RelayTransport.webSocket(relayServer.sessionUri(booking.sessionId()), tickets, callbacks);
    }

    /** A builder for {@code who}'s call: no media yet, a 1 s stats interval, {@code recorder} listening. */
    DuetCall.Builder builder(ParticipantId who, CallRecorder recorder) {
        return DuetCall.builder(engine, transport(who)).listener(recorder).statsInterval(Duration.ofSeconds(1));
    }

    /** The fake Pusher server (a PUSHER harness only). */
    dev.duet.signaling.client.testkit.FakePusherServer pusherServer() {
        return pusherServer;
    }

    /** The WebSocket address of the session (a WEBSOCKET harness only). */
    java.net.URI sessionUri() {
        return relayServer.sessionUri(booking.sessionId());
    }

    /** Builds the call and closes it with the harness. */
    DuetCall keep(DuetCall.Builder builder) {
        DuetCall call = builder.build();
        resources.add(call);
        return call;
    }

    /** A call for {@code who} with synthetic media. */
    DuetCall call(ParticipantId who, CallRecorder recorder) {
        return keep(builder(who, recorder).media(LocalMedia.synthetic()));
    }

    /** Both calls with synthetic media and their recorders. */
    record Pair(CallRecorder expert, CallRecorder learner, DuetCall expertCall, DuetCall learnerCall) {}

    /** Expert joins, then learner, both with synthetic media; returns once both see media flowing both ways. */
    Pair flowingPair() throws Exception {
        CallRecorder expert = new CallRecorder("expert");
        CallRecorder learner = new CallRecorder("learner");
        DuetCall expertCall = call(EXPERT, expert);
        DuetCall learnerCall = call(LEARNER, learner);
        expertCall.start().get(10, java.util.concurrent.TimeUnit.SECONDS);
        learnerCall.start().get(10, java.util.concurrent.TimeUnit.SECONDS);
        TwoPeerCallTest.assertTwoWayMedia(expert, learner);
        return new Pair(expert, learner, expertCall, learnerCall);
    }

    List<AttendanceEvent> events(Class<? extends AttendanceEvent> type, ParticipantId who) {
        return relayEvents.stream().filter(type::isInstance).filter(e -> who.equals(
                e instanceof AttendanceEvent.ParticipantJoined j ? j.participant()
                        : e instanceof AttendanceEvent.ParticipantLeft l ? l.participant()
                        : e instanceof AttendanceEvent.MediaReported m ? m.participant() : null)).toList();
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                failure = failure != null ? failure : new IllegalStateException("closing " + resources.get(i) + " failed", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
