package dev.duet.signaling.client.internal;

import dev.duet.signaling.client.UpgradeRefusedException;
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
    /**
     * One client for every transport of the process (it shares connection pools and threads). Its
     * dispatcher's threads are daemons, so an app's JVM can exit as soon as its calls are closed
     * (OkHttp's own dispatcher threads are not daemons and linger 60 s).
     */
    private static final OkHttpClient SHARED = new OkHttpClient.Builder()
            .dispatcher(new okhttp3.Dispatcher(daemonPool())).build();

    private static java.util.concurrent.ExecutorService daemonPool() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "duet-okhttp-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

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
                if (response != null && response.code() != 101) {
                    listener.onFailure(new UpgradeRefusedException(response.code(), response.message()));
                } else {
                    listener.onFailure(t);
                }
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
