package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.signaling.client.wire.Frame;
import dev.duet.signaling.client.wire.FrameCodec;
import dev.duet.signaling.client.wire.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain WebSocket client (the JDK's) that records what the relay sends: frames are queued and
 * taken with a timeout, the close code completes a future. Nothing sleeps.
 */
final class RawClient implements AutoCloseable {
    static final FrameCodec CODEC = new FrameCodec();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    private final WebSocket socket;

    RawClient(URI uri) {
        this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            received.add(partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
                        pings.incrementAndGet(); // the JDK's WebSocket answers with a pong by itself
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closeReason.complete(reason);
                        closeCode.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closeReason.complete(String.valueOf(error));
                        closeCode.complete(-1);
                    }
                }).join();
    }

    /** WebSocket pings received from the relay so far. */
    int pings() {
        return pings.get();
    }

    void send(Frame frame) {
        sendText(CODEC.encode(frame));
    }

    void sendText(String text) {
        socket.sendText(text, true).join();
    }

    void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame from the relay, within 5 s. */
    Frame next() {
        return next(Duration.ofSeconds(5));
    }

    /** The next frame of {@code type}, within {@code within}. */
    <T extends Frame> T next(Class<T> type, Duration within) {
        Frame frame = next(within);
        assertThat(frame).isInstanceOf(type);
        return type.cast(frame);
    }

    private Frame next(Duration within) {
        try {
            String text = received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(text).as("a frame from the relay within %s", within).isNotNull();
            return CODEC.decodeRelayFrame(text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ProtocolException e) {
            throw new AssertionError("the relay sent a frame the codec refuses: " + e.getMessage(), e);
        }
    }

    /** The next frame if one comes within {@code millis} (0: only one already here), else null. */
    Frame poll(long millis) throws InterruptedException {
        String text = received.poll(millis, TimeUnit.MILLISECONDS);
        if (text == null) {
            return null;
        }
        try {
            return CODEC.decodeRelayFrame(text);
        } catch (ProtocolException e) {
            throw new AssertionError("the relay sent a frame the codec refuses: " + e.getMessage(), e);
        }
    }

    <T extends Frame> T next(Class<T> type) {
        Frame frame = next();
        assertThat(frame).isInstanceOf(type);
        return type.cast(frame);
    }

    /** Nothing more arrives within {@code millis}. */
    void assertNothingWithin(long millis) throws InterruptedException {
        assertThat(received.poll(millis, TimeUnit.MILLISECONDS)).as("no further frame").isNull();
    }

    int closeCode(Duration within) throws Exception {
        return closeCode.get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    String closeReason() throws Exception {
        return closeReason.get(5, TimeUnit.SECONDS);
    }

    /** Drops the TCP connection without a close handshake, as a killed process does. */
    void kill() {
        socket.abort();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
