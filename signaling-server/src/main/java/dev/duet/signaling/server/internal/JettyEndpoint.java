package dev.duet.signaling.server.internal;

import dev.duet.core.SessionId;
import dev.duet.signaling.client.CloseCode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Jetty's side of one connection: hands every callback to the node's {@link ConnectionHandler}, nothing more. */
public final class JettyEndpoint implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(JettyEndpoint.class);

    private final RelayNode node;
    private final SessionId sessionId;
    private ConnectionHandler handler;
    private QueuedOutbound queue;

    public JettyEndpoint(RelayNode node, SessionId sessionId) {
        this.node = node;
        this.sessionId = sessionId;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        QueuedOutbound[] queue = new QueuedOutbound[1];
        handler = node.open(sessionId, new Outbound() {
            @Override
            public void send(String text) {
                queue[0].send(text);
            }

            @Override
            public void ping() {
                session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
            }

            @Override
            public void close(int code, String reason) {
                // Callers may hold a session's lock: the close is written on the writer, after the frames before it.
                queue[0].close(code, reason);
            }

            @Override
            public String describe() {
                return String.valueOf(session.getRemoteSocketAddress());
            }
        });
        queue[0] = new QueuedOutbound(new QueuedOutbound.FrameWriter() {
                    @Override
                    public void write(String text, java.util.function.Consumer<Throwable> done) {
                        session.sendText(text, Callback.from(() -> done.accept(null), done::accept));
                    }

                    @Override
                    public void close(int code, String reason) {
                        session.close(code, reason, Callback.NOOP);
                    }
                }, node.writer(), node.limits().maxQueuedBytes(), node.queuedBytesCounter(), () -> {
                    // Not reading fast enough: close (4003), and drop the TCP connection shortly after in case
                    // the close frame cannot get through either.
                    node.slowConsumerClosed(sessionId, handler);
                    node.writer().execute(() -> session.close(CloseCode.TOO_SLOW.code(), CloseCode.TOO_SLOW.label()
                            + ": more than " + node.limits().maxQueuedBytes() / 1024 + " KiB waiting to be read", Callback.NOOP));
                    node.later(session::disconnect, 1000);
                });
        this.queue = queue[0];
    }

    @Override
    public void onWebSocketText(String text) {
        // A failure inside is logged and closes with 1011 there. The answers and deliveries it queues
        // are written on this thread once it is done.
        QueuedOutbound.deferringWrites(() -> handler.onText(text));
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        handler.onBinary();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        handler.onPong();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        try {
            if (queue != null) {
                queue.discard();
            }
            if (handler != null) {
                handler.onClosed(statusCode, reason);
            }
        } finally {
            callback.succeed();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        if (cause instanceof RuntimeException && !(cause instanceof org.eclipse.jetty.websocket.api.exceptions.WebSocketException)) {
            log.error("session {}: unexpected error on a connection", sessionId, cause);
        } else {
            log.debug("session {}: connection error", sessionId, cause);
        }
    }
}
