package dev.duet.signaling.server.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops a TCP connection that has not become a WebSocket within a deadline of opening. Jetty's idle
 * timeout alone does not bound this: a client that sends one byte of its upgrade request every few
 * seconds is never idle (slowloris), and each such connection holds a socket and, while it is read,
 * a thread. Added to the connector, it sees every connection open; when the deadline passes and the
 * endpoint still carries that same (HTTP) connection, the upgrade never happened, and the endpoint
 * is closed. An upgraded endpoint carries the WebSocket connection instead and is left alone.
 */
public final class UpgradeDeadline implements Connection.Listener {
    private static final Logger log = LoggerFactory.getLogger(UpgradeDeadline.class);
    private final ScheduledExecutorService scheduler;
    private final Duration deadline;
    private final AtomicLong dropped = new AtomicLong();

    public UpgradeDeadline(ScheduledExecutorService scheduler, Duration deadline) {
        this.scheduler = scheduler;
        this.deadline = deadline;
    }

    /**
     * Each open connection's deadline holds it only through this reference, cleared when the
     * connection closes (an upgrade closes the HTTP connection too): the scheduler's queue then keeps
     * an empty holder, not the connection and its buffers, until the deadline passes.
     */
    private final java.util.concurrent.ConcurrentHashMap<Connection, java.util.concurrent.atomic.AtomicReference<Connection>> open =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onOpened(Connection connection) {
        if (connection.getClass().getName().startsWith("org.eclipse.jetty.websocket.")) {
            // The connection an upgrade made (the WebSocket's): it is opened through the same
            // connector, and it is what a complete upgrade leads to; no deadline for it.
            return;
        }
        java.util.concurrent.atomic.AtomicReference<Connection> held = new java.util.concurrent.atomic.AtomicReference<>(connection);
        open.put(connection, held);
        scheduler.schedule(() -> {
            Connection c = held.getAndSet(null);
            if (c == null) {
                return;
            }
            open.remove(c);
            EndPoint endPoint = c.getEndPoint();
            if (endPoint.isOpen() && endPoint.getConnection() == c) {
                long n = dropped.incrementAndGet();
                log.debug("dropped a connection from {} that did not complete a WebSocket upgrade within {} ms ({} so far)",
                        endPoint.getRemoteSocketAddress(), deadline.toMillis(), n);
                endPoint.close();
            }
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
        java.util.concurrent.atomic.AtomicReference<Connection> held = open.remove(connection);
        if (held != null) {
            held.set(null);
        }
    }

    /** Connections dropped so far for not upgrading in time. */
    public long dropped() {
        return dropped.get();
    }
}
