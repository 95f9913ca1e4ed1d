package dev.duet.signaling.client.internal;

import dev.duet.signaling.client.wire.Wire;
import java.net.URI;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/** A {@link Wire} over an OkHttp WebSocket. */
public final class OkHttpWire implements Wire {
    private static final OkHttpClient SHARED = new OkHttpClient();

    private final WebSocket socket;

    private OkHttpWire(WebSocket socket) {
        this.socket = socket;
    }

    /** Opens WebSockets to {@code uri}, pinging every {@code pingInterval}. */
    public static Wire.Connector connector(URI uri, Duration pingInterval) {
        OkHttpClient client = SHARED.newBuilder().pingInterval(pingInterval).build();
        Request request = new Request.Builder().url(uri.toString().replaceFirst("^ws", "http")).build();
        return listener -> client.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                listener.onOpen(new OkHttpWire(webSocket));
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                listener.onText(text);
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(code, null);
                listener.onClosed(code, reason);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                listener.onFailure(t);
            }
        });
    }

    @Override
    public void send(String text) {
        socket.send(text);
    }

    @Override
    public void close(int code, String reason) {
        socket.close(code, reason);
    }

    @Override
    public void cancel() {
        socket.cancel();
    }
}
