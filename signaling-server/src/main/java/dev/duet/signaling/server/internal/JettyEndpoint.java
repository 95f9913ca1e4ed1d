package dev.duet.signaling.server.internal;

import dev.duet.core.SessionId;
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

    public JettyEndpoint(RelayNode node, SessionId sessionId) {
        this.node = node;
        this.sessionId = sessionId;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        handler = node.open(sessionId, new Outbound() {
            @Override
            public void send(String text) {
                session.sendText(text, Callback.NOOP);
            }

            @Override
            public void ping() {
                session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
            }

            @Override
            public void close(int code, String reason) {
                session.close(code, reason, Callback.NOOP);
            }

            @Override
            public String describe() {
                return String.valueOf(session.getRemoteSocketAddress());
            }
        });
    }

    @Override
    public void onWebSocketText(String text) {
        handler.onText(text);
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
            if (handler != null) {
                handler.onClosed(statusCode, reason);
            }
        } finally {
            callback.succeed();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("session {}: connection error", sessionId, cause);
    }
}
