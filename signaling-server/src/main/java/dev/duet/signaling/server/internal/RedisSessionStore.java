package dev.duet.signaling.server.internal;

import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import dev.duet.core.DepartureReason;
import dev.duet.signaling.client.Member;
import dev.duet.signaling.client.PeerMessage;
import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Session state shared by several relay nodes through one Redis. Every operation is one Lua
 * script (atomic) that also publishes its event on {@code duet:events:<session>}; every node
 * pattern-subscribes and dispatches to its local connections, in publish order. Presence entries
 * name the node holding the connection; each node refreshes {@code duet:node:<id>} every second
 * with a {@value #NODE_TTL_MILLIS} ms expiry, and a node that finds a member of a dead node in one
 * of its sessions removes it (the peer is told it left), so a killed node's members disappear
 * within the TTL plus a second. Session keys expire 24 h after their last change.
 *
 * <p>Keys, all with the session as hash tag: {@code duet:{S}:presence} (participant to
 * {@code node\njson}), {@code :known} (at most two participants), {@code :clients} and
 * {@code :accepted} (per participant), {@code :dseq} (per recipient), {@code :box:<recipient>}
 * (sorted set of pending deliveries by dseq; {@code box:*} before the recipient is known),
 * {@code :closed}, {@code :hungup} (who hung up first). Scripts take them in KEYS, so the store
 * also runs on a Redis Cluster ({@link #cluster}).
 */
public final class RedisSessionStore implements SessionStore {
    private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);
    static final long NODE_TTL_MILLIS = 3000;
    private static final int SESSION_TTL_SECONDS = 24 * 3600;
    private static final String CHANNEL_PREFIX = "duet:events:";

    /*
     * Every script gets the session's keys in KEYS, all with the session id as hash tag, so that a
     * Redis Cluster routes the script to the one node that holds them; mailbox keys whose
     * recipient is known only inside the script are built from KEYS[1]'s prefix (the same hash
     * tag, so the same slot). KEYS: 1 presence, 2 known, 3 clients, 4 accepted, 5 dseq, 6 closed,
     * 7 hungup.
     */
    private static final String KEYS_PREFIX = "local p = string.sub(KEYS[1], 1, -9)\n"; // strip "presence"

    private static final String JOIN = KEYS_PREFIX + """
            local who, me, client, lastDelivered, channel, ttl, role = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
            local known, resumed, resumedId, maxIssued = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
            if redis.call('EXISTS', KEYS[6]) == 1 then return {'closed'} end
            local holder = redis.call('HGET', p..'roles', role)
            if holder and holder ~= who then return {'role-taken'} end
            local previousClient = redis.call('HGET', KEYS[3], who)
            if redis.call('HEXISTS', KEYS[1], who) == 1 and previousClient ~= client then return {'in-use'} end
            local joinedKind = 'J'
            if previousClient and previousClient ~= client then joinedKind = 'JN' end
            if redis.call('SISMEMBER', KEYS[2], who) == 0 then
              if redis.call('SCARD', KEYS[2]) >= 2 then return {'full'} end
              redis.call('SADD', KEYS[2], who)
              if redis.call('SCARD', KEYS[2]) == 2 then
                if redis.call('EXISTS', p..'box:*') == 1 then redis.call('RENAME', p..'box:*', p..'box:'..who) end
                local c = redis.call('HGET', KEYS[5], '*')
                if c then redis.call('HSET', KEYS[5], who, c); redis.call('HDEL', KEYS[5], '*') end
              end
            end
            local inc = redis.call('GET', p..'incarnation')
            if not inc then inc = ARGV[8] end
            redis.call('SET', p..'incarnation', inc, 'EX', ttl)
            local meId = ARGV[13]
            if known ~= '' and known ~= inc then
              lastDelivered = '0'
              local issued = redis.call('SCARD', p..'issued')
              if resumed ~= '' and issued < maxIssued and redis.call('SISMEMBER', p..'issued', resumedId) == 0 then
                me, meId = resumed, resumedId
              end
            end
            if redis.call('SCARD', p..'issued') < maxIssued then redis.call('SADD', p..'issued', meId) end
            redis.call('EXPIRE', p..'issued', ttl)
            redis.call('HSET', p..'roles', role, who)
            redis.call('EXPIRE', p..'roles', ttl)
            local replaced = redis.call('HGET', KEYS[1], who) or ''
            redis.call('HSET', KEYS[1], who, me)
            local last = '0'
            if redis.call('HGET', KEYS[3], who) ~= client then
              redis.call('HSET', KEYS[3], who, client)
              redis.call('HSET', KEYS[4], who, 0)
            else
              last = redis.call('HGET', KEYS[4], who) or '0'
            end
            local peer = ''
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do if all[i] ~= who then peer = all[i + 1] end end
            redis.call('ZREMRANGEBYSCORE', p..'box:'..who, '-inf', lastDelivered)
            local replay = redis.call('ZRANGE', p..'box:'..who, 0, -1, 'WITHSCORES')
            redis.call('PUBLISH', channel, joinedKind..'\\n'..me)
            for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
            redis.call('EXPIRE', p..'box:'..who, ttl)
            return {'ok', last, peer, replaced, replay, me, inc}
            """;

    private static final String SEND = KEYS_PREFIX + """
            local who, me, seq, entry, channel, max = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], tonumber(ARGV[6])
            if redis.call('HGET', KEYS[1], who) ~= me then return {'stale'} end
            local last = tonumber(redis.call('HGET', KEYS[4], who) or '0')
            if seq <= last then return {'dup', tostring(last)} end
            if seq ~= last + 1 then return {'gap', tostring(last + 1)} end
            redis.call('HSET', KEYS[4], who, seq)
            local to = '*'
            for _, m in ipairs(redis.call('SMEMBERS', KEYS[2])) do if m ~= who then to = m end end
            local dseq = redis.call('HINCRBY', KEYS[5], to, 1)
            local box = p..'box:'..to
            redis.call('ZADD', box, dseq, entry)
            local n = redis.call('ZCARD', box)
            if n > max then redis.call('ZREMRANGEBYRANK', box, 0, n - max - 1) end
            redis.call('EXPIRE', box, ARGV[7])
            if to ~= '*' then redis.call('PUBLISH', channel, 'D\\n'..to..'\\n'..dseq..'\\n'..entry) end
            return {'ok'}
            """;

    private static final String SNAPSHOT = KEYS_PREFIX + """
            local who, me = ARGV[1], ARGV[2]
            if redis.call('HGET', KEYS[1], who) ~= me then return {'gone'} end
            local peer = ''
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do if all[i] ~= who then peer = all[i + 1] end end
            return {'ok', peer, redis.call('ZRANGE', p..'box:'..who, 0, -1, 'WITHSCORES')}
            """;

    private static final String NEXT_SEQ = KEYS_PREFIX + """
            local who, me = ARGV[1], ARGV[2]
            if redis.call('HGET', KEYS[1], who) ~= me then return -1 end
            return tonumber(redis.call('HGET', KEYS[4], who) or '0') + 1
            """;

    private static final String ACK = KEYS_PREFIX + """
            local who, me, dseq = ARGV[1], ARGV[2], ARGV[3]
            if redis.call('HGET', KEYS[1], who) == me then
              redis.call('ZREMRANGEBYSCORE', p..'box:'..who, '-inf', dseq)
              return 1
            end
            return 0
            """;

    private static final String LEFT = """
            local who, me, channel, at, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
            if redis.call('HGET', KEYS[1], who) ~= me then return 0 end
            redis.call('HDEL', KEYS[1], who)
            redis.call('PUBLISH', channel, 'L\\n'..at..'\\n'..reason..'\\n'..me)
            return 1
            """;

    private static final String CLOSE = """
            local channel, reason, ttl = ARGV[1], ARGV[2], ARGV[3]
            if redis.call('SET', KEYS[6], reason, 'NX', 'EX', ttl) then
              redis.call('PUBLISH', channel, 'C\\n'..reason)
              return 1
            end
            return 0
            """;

    private static final String HUNG_UP = """
            redis.call('SET', KEYS[7], ARGV[1], 'NX', 'EX', ARGV[2])
            return 0
            """;

    private static final String STATUS = """
            return {redis.call('HLEN', KEYS[1]), redis.call('GET', KEYS[7]) or '', redis.call('EXISTS', KEYS[6])}
            """;

    private final UnifiedJedis redis;
    private final URI subscribeTo;
    private volatile Jedis subscriberConnection;
    private volatile JedisPubSub pubSub;
    /** Run after the event subscription came back from a loss: the shared state may be gone (Redis restarted). */
    private volatile Runnable onResubscribed = () -> {};
    /** When Redis was first found unreachable in the current outage, in millis; 0 while it is reachable. */
    private final java.util.concurrent.atomic.AtomicLong unreachableSince = new java.util.concurrent.atomic.AtomicLong();
    private final String nodeId;
    private final int maxPendingDeliveries;
    private final FrameCodec codec = new FrameCodec();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService heartbeat;
    /** Holds the event subscription (a blocking call) and schedules its retries. */
    private final ScheduledExecutorService events;
    private volatile boolean closing;

    /** Connects to one Redis at {@code redisUri} ({@code redis://host:port}) and starts this node's heartbeat and subscription. */
    public RedisSessionStore(URI redisUri, int maxPendingDeliveries) {
        this(RedisClient.create(redisUri), redisUri, maxPendingDeliveries);
    }

    /**
     * Connects to a Redis Cluster through its seed nodes ({@code redis://host:port} each). Session
     * scripts go to the node owning the session's hash slot; events are published cluster-wide and
     * received through the first seed node.
     */
    public static RedisSessionStore cluster(List<URI> seeds, int maxPendingDeliveries) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a Redis Cluster needs at least one seed node");
        }
        java.util.Set<HostAndPort> nodes = new java.util.LinkedHashSet<>();
        for (URI seed : seeds) {
            nodes.add(new HostAndPort(seed.getHost(), seed.getPort()));
        }
        return new RedisSessionStore(RedisClusterClient.create(nodes), seeds.get(0), maxPendingDeliveries);
    }

    private RedisSessionStore(UnifiedJedis redis, URI subscribeTo, int maxPendingDeliveries) {
        this.redis = redis;
        this.nodeId = "n-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        this.maxPendingDeliveries = maxPendingDeliveries;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-redis-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat();
        heartbeat.scheduleAtFixedRate(this::beat, 1, 1, TimeUnit.SECONDS);
        this.subscribeTo = subscribeTo;
        CountDownLatch subscribed = new CountDownLatch(1);
        this.events = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-redis-events");
            t.setDaemon(true);
            return t;
        });
        events.execute(() -> subscribe(subscribed, false, 200));
        try {
            if (!subscribed.await(10, TimeUnit.SECONDS)) {
                closing = true;
                events.shutdownNow();
                throw new IllegalStateException("could not subscribe to Redis events at " + subscribeTo.getHost() + ":"
                        + subscribeTo.getPort() + " within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while subscribing to Redis events", e);
        }
        log.info("relay node {} shares session state through Redis at {}:{}", nodeId, subscribeTo.getHost(), subscribeTo.getPort());
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * One subscription to the session events, on the events thread; it returns when the subscription
     * ends. Then, unless the store is closing, the next attempt is scheduled: 0.2 s after a
     * subscription that had worked, and after a failed attempt twice the previous wait, up to 5 s.
     * An attempt after a loss runs {@link #onResubscribed} once subscribed: events published while it
     * was gone were missed, and a Redis that restarted without persistence has forgotten every session.
     */
    private void subscribe(CountDownLatch firstSubscription, boolean afterLoss, long waitIfItFails) {
        if (closing) {
            return;
        }
        JedisPubSub subscription = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                firstSubscription.countDown();
                if (afterLoss) {
                    reachable();
                    log.warn("node {}: the Redis event subscription is back; checking this node's connections against the "
                            + "shared state", nodeId);
                    onResubscribed.run();
                }
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                dispatch(channel, message);
            }
        };
        long wait = waitIfItFails;
        try (Jedis connection = new Jedis(subscribeTo)) {
            subscriberConnection = connection;
            pubSub = subscription;
            connection.psubscribe(subscription, CHANNEL_PREFIX + "*"); // until the subscription ends
            wait = 200;
        } catch (RuntimeException e) {
            if (closing) {
                return;
            }
            unreachable(e);
        }
        long next = Math.min(5000, wait * 2);
        try {
            events.schedule(() -> subscribe(firstSubscription, true, next), wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the store closed meanwhile
        }
    }

    /**
     * Runs {@code check} each time the event subscription comes back after a loss (on the
     * subscription's thread; it must not block long).
     */
    @Override
    public void onStateMayBeLost(Runnable check) {
        this.onResubscribed = Checks.notNull(check, "check");
    }

    /** Logs the start of an outage once, with what it means; later failures of the same outage are quiet. */
    private void unreachable(RuntimeException cause) {
        if (unreachableSince.compareAndSet(0, System.currentTimeMillis())) {
            log.error("node {}: Redis at {}:{} is unreachable ({}); until it is back, joins and sends on this node fail and "
                    + "their clients reconnect with backoff", nodeId, subscribeTo.getHost(), subscribeTo.getPort(),
                    cause.getClass().getSimpleName());
        } else {
            log.debug("node {}: Redis still unreachable", nodeId, cause);
        }
    }

    private void reachable() {
        long since = unreachableSince.getAndSet(0);
        if (since != 0) {
            log.warn("node {}: Redis at {}:{} is reachable again after {} ms", nodeId, subscribeTo.getHost(), subscribeTo.getPort(),
                    System.currentTimeMillis() - since);
        }
    }

    @Override
    public void subscribe(Subscriber subscriber) {
        subscribers.add(subscriber);
    }

    @Override
    public JoinOutcome join(SessionId session, Member member, String clientId, long lastDelivered,
            Optional<Frame.Resume> resume) {
        String resumed = resume.filter(r -> !r.arrivedAt().isAfter(member.arrivedAt()))
                .map(r -> encode(new Member(member.participant(), member.role(), r.connection(), r.arrivedAt()))).orElse("");
        List<?> r = (List<?>) eval(JOIN, session, member.participant().value(), encode(member), clientId,
                Long.toString(lastDelivered), channel(session), Integer.toString(SESSION_TTL_SECONDS), member.role().code(),
                SessionStore.newIncarnation(), resume.map(Frame.Resume::incarnation).orElse(""), resumed,
                resume.map(x -> x.connection().value()).orElse(""), Integer.toString(MAX_ISSUED_CONNECTIONS),
                member.connection().value());
        String status = (String) r.get(0);
        if ("closed".equals(status)) {
            return new JoinOutcome.Closed();
        } else if ("role-taken".equals(status)) {
            return new JoinOutcome.RoleTaken();
        } else if ("in-use".equals(status)) {
            return new JoinOutcome.InUse();
        } else if (!"ok".equals(status)) {
            return new JoinOutcome.Full();
        }
        long last = Long.parseLong((String) r.get(1));
        Optional<Member> peer = ((String) r.get(2)).isEmpty() ? Optional.empty() : Optional.of(decode((String) r.get(2)));
        Optional<Member> replaced = ((String) r.get(3)).isEmpty() ? Optional.empty() : Optional.of(decode((String) r.get(3)));
        List<Frame.Deliver> replay = deliveries(member.participant(), (List<?>) r.get(4));
        return new JoinOutcome.Admitted(decode((String) r.get(5)), last, peer, replay, replaced, (String) r.get(6));
    }

    @Override
    public SendOutcome send(SessionId session, Member sender, long seq, PeerMessage message, Instant now) {
        String entry = now.toEpochMilli() + "\t" + sender.participant().value() + "\t" + sender.connection().value() + "\t"
                + codec.encode(new Frame.Send(seq, message));
        List<?> r = (List<?>) eval(SEND, session, sender.participant().value(), encode(sender), Long.toString(seq), entry,
                channel(session), Integer.toString(maxPendingDeliveries), Integer.toString(SESSION_TTL_SECONDS));
        return switch ((String) r.get(0)) {
            case "stale" -> new SendOutcome.Stale();
            case "dup" -> new SendOutcome.Duplicate(Long.parseLong((String) r.get(1)));
            case "gap" -> new SendOutcome.Gap(Long.parseLong((String) r.get(1)));
            default -> new SendOutcome.Accepted();
        };
    }

    /** A mailbox read with {@code WITHSCORES}: entry, dseq, entry, dseq, ... */
    private List<Frame.Deliver> deliveries(ParticipantId to, List<?> flat) {
        List<Frame.Deliver> out = new ArrayList<>();
        for (int i = 0; i < flat.size(); i += 2) {
            out.add(deliver(to, (long) Double.parseDouble(String.valueOf(flat.get(i + 1))), (String) flat.get(i)));
        }
        return out;
    }

    @Override
    public Optional<Snapshot> snapshot(SessionId session, Member who) {
        List<?> r = (List<?>) eval(SNAPSHOT, session, who.participant().value(), encode(who));
        if (!"ok".equals(r.get(0))) {
            return Optional.empty();
        }
        Optional<Member> peer = ((String) r.get(1)).isEmpty() ? Optional.empty() : Optional.of(decode((String) r.get(1)));
        return Optional.of(new Snapshot(peer, deliveries(who.participant(), (List<?>) r.get(2))));
    }

    @Override
    public java.util.OptionalLong nextSeq(SessionId session, Member sender) {
        long next = (Long) eval(NEXT_SEQ, session, sender.participant().value(), encode(sender));
        return next < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(next);
    }

    @Override
    public void ack(SessionId session, Member who, long dseq) {
        eval(ACK, session, who.participant().value(), encode(who), Long.toString(dseq));
    }

    @Override
    public boolean left(SessionId session, Member who, Instant now, DepartureReason reason) {
        return left(session, who.participant(), encode(who), now, reason);
    }

    /** Removes the presence entry of {@code participant} if it is still exactly {@code stored}. */
    private boolean left(SessionId session, ParticipantId participant, String stored, Instant now, DepartureReason reason) {
        Object r = eval(LEFT, session, participant.value(), stored, channel(session), Long.toString(now.toEpochMilli()),
                reason.code());
        return Long.valueOf(1).equals(r);
    }

    @Override
    public boolean close(SessionId session, String reason) {
        Object r = eval(CLOSE, session, channel(session), reason, Integer.toString(SESSION_TTL_SECONDS));
        return Long.valueOf(1).equals(r);
    }

    @Override
    public boolean isClosed(SessionId session) {
        return redis.exists(prefix(session) + "closed");
    }

    @Override
    public void markHungUp(SessionId session, ParticipantId who) {
        eval(HUNG_UP, session, who.value(), Integer.toString(SESSION_TTL_SECONDS));
    }

    @Override
    public Status status(SessionId session) {
        List<?> r = (List<?>) eval(STATUS, session);
        String hungUp = (String) r.get(1);
        return new Status(((Long) r.get(0)).intValue(), hungUp.isEmpty() ? Optional.empty() : Optional.of(ParticipantId.of(hungUp)),
                Long.valueOf(1).equals(r.get(2)));
    }

    /**
     * Removes members of this node's sessions whose node has stopped beating; their peers are told
     * they left, at the moment the dead node last beat ({@code duet:node-seen:<id>}), and the
     * departures are returned for the attendance record.
     */
    @Override
    public java.util.List<Departure> sweep(Set<SessionId> localSessions, Instant now) {
        Map<String, Boolean> alive = new HashMap<>(); // one liveness lookup per node per sweep
        alive.put(nodeId, true);
        java.util.List<Departure> departures = new java.util.ArrayList<>();
        for (SessionId session : localSessions) {
            for (Map.Entry<String, String> e : redis.hgetAll(prefix(session) + "presence").entrySet()) {
                String node = e.getValue().substring(0, e.getValue().indexOf('\n'));
                if (!alive.computeIfAbsent(node, n -> redis.exists("duet:node:" + n))) {
                    Member gone = decode(e.getValue());
                    Instant lastAlive = lastSeen(node, now);
                    if (left(session, gone.participant(), e.getValue(), lastAlive, DepartureReason.CONNECTION_LOST)) {
                        log.info("session {}: {} left with its dead relay node {}, last alive at {}", session,
                                gone.participant(), node, lastAlive);
                        departures.add(new Departure(session, gone, lastAlive));
                    }
                }
            }
        }
        return departures;
    }

    /** When {@code node} last beat; without a record (it expired after a day), the node TTL before {@code now}. */
    private Instant lastSeen(String node, Instant now) {
        String seen = redis.get("duet:node-seen:" + node);
        Instant fallback = now.minusMillis(NODE_TTL_MILLIS);
        if (seen == null) {
            return fallback;
        }
        try {
            Instant at = Instant.ofEpochMilli(Long.parseLong(seen));
            return at.isAfter(now) ? now : at;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public void close() {
        closing = true;
        heartbeat.shutdownNow();
        events.shutdown(); // the subscription's thread ends once its connection is closed below
        try {
            JedisPubSub current = pubSub;
            if (current != null) {
                current.punsubscribe();
            }
        } catch (RuntimeException ignored) {
            // the subscription is already gone
        }
        try {
            redis.del("duet:node:" + nodeId);
        } catch (RuntimeException e) {
            log.warn("node {}: could not remove its heartbeat from Redis while closing ({})", nodeId, e.getClass().getSimpleName());
        }
        Jedis connection = subscriberConnection;
        if (connection != null) {
            connection.close();
        }
        redis.close();
    }

    // ------------------------------------------------------------------ helpers

    private void beat() {
        try {
            redis.set("duet:node:" + nodeId, "1", SetParams.setParams().px(NODE_TTL_MILLIS));
            // The last moment this node was known alive, kept a day for whoever sweeps up after it.
            redis.set("duet:node-seen:" + nodeId, Long.toString(System.currentTimeMillis()),
                    SetParams.setParams().ex(SESSION_TTL_SECONDS));
            reachable();
        } catch (RuntimeException e) {
            unreachable(e);
        }
    }

    private void dispatch(String channel, String message) {
        SessionId session = SessionId.of(channel.substring(CHANNEL_PREFIX.length()));
        String[] parts = message.split("\n", -1);
        Event event;
        try {
            event = switch (parts[0]) {
                case "J", "JN" -> new Event.MemberJoined(decode(parts[1] + "\n" + parts[2]), parts[0].equals("JN"));
                case "D" -> new Event.Delivered(ParticipantId.of(parts[1]),
                        deliver(ParticipantId.of(parts[1]), Long.parseLong(parts[2]), parts[3]));
                case "L" -> new Event.MemberLeft(decode(parts[3] + "\n" + parts[4]), Instant.ofEpochMilli(Long.parseLong(parts[1])),
                        DepartureReason.of(parts[2]).orElse(DepartureReason.CONNECTION_LOST));
                case "C" -> new Event.Closed(parts[1]);
                default -> null;
            };
        } catch (RuntimeException e) {
            log.warn("ignoring an unreadable relay event on {}", channel, e);
            return;
        }
        if (event != null) {
            for (Subscriber s : subscribers) {
                s.onEvent(session, event);
            }
        }
    }

    /** A presence value: {@code node \n peer-joined frame JSON}. */
    private String encode(Member member) {
        return nodeId + "\n" + codec.encode(new Frame.PeerJoined(member));
    }

    private Member decode(String value) {
        try {
            return ((Frame.PeerJoined) codec.decode(value.substring(value.indexOf('\n') + 1))).peer();
        } catch (ProtocolException e) {
            throw new IllegalStateException("unreadable presence entry in Redis: " + e.getMessage(), e);
        }
    }

    /** A mailbox entry: {@code relayedAtMillis \t from \t connection \t send frame JSON}. */
    private Frame.Deliver deliver(ParticipantId to, long dseq, String entry) {
        String[] f = entry.split("\t", 4);
        try {
            PeerMessage message = ((Frame.Send) codec.decode(f[3])).message();
            return new Frame.Deliver(dseq, ParticipantId.of(f[1]), Instant.ofEpochMilli(Long.parseLong(f[0])), message);
        } catch (ProtocolException e) {
            throw new IllegalStateException("unreadable delivery for " + to + " in Redis: " + e.getMessage(), e);
        }
    }

    /** Runs {@code script} with the session's keys (see the scripts) and {@code args}. */
    private Object eval(String script, SessionId session, String... args) {
        String p = prefix(session);
        return redis.eval(script, List.of(p + "presence", p + "known", p + "clients", p + "accepted", p + "dseq", p + "closed",
                p + "hungup"), List.of(args));
    }

    private static String prefix(SessionId session) {
        return "duet:{" + session.value() + "}:";
    }

    private static String channel(SessionId session) {
        return CHANNEL_PREFIX + session.value();
    }
}
