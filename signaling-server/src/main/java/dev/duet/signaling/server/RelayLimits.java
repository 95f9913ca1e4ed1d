package dev.duet.signaling.server;

import dev.duet.core.internal.Checks;
import java.time.Duration;

/**
 * The relay's limits. Every one of them, when hit, gets a clear error frame or close code
 * (see the protocol notes).
 *
 * @param messagesPerSecond     sustained frames per second per connection; above it frames are dropped with {@code rate-limited}
 * @param burst                 frames a connection may send at once before the rate applies
 * @param maxSessionsPerNode    sessions one node holds; a join that would open one more is closed with 4503
 * @param pingInterval          how long a connection may be silent (no frame, no pong) before the relay pings it
 * @param idleTimeout           a connection silent this long (no frame, no pong) is closed with 4002 and its participant has left
 * @param joinTimeout           a connection that has not sent {@code join} this long after opening is closed with 4408
 * @param maxPendingDeliveries  deliveries kept per participant until acknowledged (also while away); the oldest go first
 * @param maxQueuedBytes        bytes of frames waiting to be written to one connection; a client that does not read
 *                              fast enough to stay under it is closed with 4003 ({@code too-slow}) and reconnects
 * @param upgradeTimeout        a TCP connection that has not become a WebSocket this long after it opened (a slow or
 *                              half-sent upgrade request) is dropped
 * @param joinsPerMinute        joins one participant may make in a session per minute (a burst of as many, refilled
 *                              evenly); one more is refused with 4429 ({@code rate-limited}) and is not recorded
 */
public record RelayLimits(
        int messagesPerSecond,
        int burst,
        int maxSessionsPerNode,
        Duration pingInterval,
        Duration idleTimeout,
        Duration joinTimeout,
        int maxPendingDeliveries,
        int maxQueuedBytes,
        Duration upgradeTimeout,
        int joinsPerMinute) {

    /** Limits with the default outgoing queue per connection (4 MiB). */
    public RelayLimits(int messagesPerSecond, int burst, int maxSessionsPerNode, Duration pingInterval, Duration idleTimeout,
            Duration joinTimeout, int maxPendingDeliveries) {
        this(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries,
                DEFAULT_MAX_QUEUED_BYTES);
    }

    public static final int DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
    /** The default {@link #upgradeTimeout()}: 10 s. */
    public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(10);
    /** The default {@link #joinsPerMinute()}: 20, far above a reconnecting client's backoff (at most about 8 in its first minute). */
    public static final int DEFAULT_JOINS_PER_MINUTE = 20;

    /** Limits with the default upgrade timeout and joins per minute. */
    public RelayLimits(int messagesPerSecond, int burst, int maxSessionsPerNode, Duration pingInterval, Duration idleTimeout,
            Duration joinTimeout, int maxPendingDeliveries, int maxQueuedBytes) {
        this(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries,
                maxQueuedBytes, DEFAULT_UPGRADE_TIMEOUT, DEFAULT_JOINS_PER_MINUTE);
    }

    public RelayLimits {
        range(messagesPerSecond, 1, 10_000, "messagesPerSecond");
        range(burst, 1, 100_000, "burst");
        range(maxSessionsPerNode, 1, 10_000_000, "maxSessionsPerNode");
        Checks.positive(pingInterval, "pingInterval");
        Checks.positive(idleTimeout, "idleTimeout");
        Checks.positive(joinTimeout, "joinTimeout");
        if (idleTimeout.compareTo(pingInterval) <= 0) {
            throw new IllegalArgumentException("idleTimeout (" + idleTimeout + ") must be longer than pingInterval ("
                    + pingInterval + ")");
        }
        range(maxPendingDeliveries, 1, 1_000_000, "maxPendingDeliveries");
        range(maxQueuedBytes, 128 * 1024, 1024 * 1024 * 1024, "maxQueuedBytes");
        Checks.notNull(upgradeTimeout, "upgradeTimeout");
        if (upgradeTimeout.compareTo(Duration.ofMillis(100)) < 0 || upgradeTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("upgradeTimeout must be 100 ms to 5 min, but was " + upgradeTimeout);
        }
        range(joinsPerMinute, 1, 10_000, "joinsPerMinute");
    }

    /**
     * 50 frames/s (burst 100), 10,000 sessions, ping every 3 s, idle after 8 s (so a vanished
     * client is seen as gone within 9 s, the sweep running every second), join within 10 s,
     * 1,024 pending deliveries, 4 MiB queued for writing per connection, the upgrade done within 10 s,
     * 20 joins per participant per minute.
     */
    public static RelayLimits defaults() {
        return new RelayLimits(50, 100, 10_000, Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ofSeconds(10), 1024);
    }

    /** These limits with another messagesPerSecond (frames a connection may send per second, sustained). */
    public RelayLimits withMessagesPerSecond(int messagesPerSecond) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another burst (frames a connection may send at once above the sustained rate). */
    public RelayLimits withBurst(int burst) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another maxSessionsPerNode (sessions one node holds before refusing with 4503). */
    public RelayLimits withMaxSessionsPerNode(int maxSessionsPerNode) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another pingInterval (how long a connection may be silent before the relay pings it). */
    public RelayLimits withPingInterval(Duration pingInterval) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another idleTimeout (how long a silent connection lives before 4002). */
    public RelayLimits withIdleTimeout(Duration idleTimeout) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another joinTimeout (how long a new connection has to send its join before 4408). */
    public RelayLimits withJoinTimeout(Duration joinTimeout) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another maxPendingDeliveries (deliveries kept for a participant until acknowledged). */
    public RelayLimits withMaxPendingDeliveries(int maxPendingDeliveries) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another maxQueuedBytes (bytes waiting to be written to one connection before 4003). */
    public RelayLimits withMaxQueuedBytes(int maxQueuedBytes) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another upgradeTimeout (how long a TCP connection may take to become a WebSocket). */
    public RelayLimits withUpgradeTimeout(Duration upgradeTimeout) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    /** These limits with another joinsPerMinute (joins one participant may make in a session per minute). */
    public RelayLimits withJoinsPerMinute(int joinsPerMinute) {
        return new RelayLimits(messagesPerSecond, burst, maxSessionsPerNode, pingInterval, idleTimeout, joinTimeout, maxPendingDeliveries, maxQueuedBytes,
                upgradeTimeout, joinsPerMinute);
    }

    private static void range(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", but was " + value);
        }
    }
}
