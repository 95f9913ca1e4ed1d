package dev.duet.signaling.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian package) for one test class: a free loopback port, a temp
 * directory, no persistence; ready when it logs that it accepts connections; stopped by PID.
 * Missing binary: the test is skipped with a message, except under {@code CI=true}, where it fails.
 */
final class RedisProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static RedisProcess start() throws Exception {
        Optional<Path> binary = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").stream()
                .map(Path::of).filter(Files::isExecutable).findFirst();
        if (binary.isEmpty()) {
            String message = "redis-server is not installed (Debian package redis-server); .ci/run installs it";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + ", and under CI=true these tests must run");
            }
            Assumptions.abort(message + "; skipping the Redis tests");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path dir = Files.createTempDirectory("duet-redis");
        Process process = new ProcessBuilder(binary.get().toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true).start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.contains("Ready to accept connections")) {
                        ready.complete(null);
                    }
                }
                ready.completeExceptionally(new IOException("redis-server exited before it was ready"));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "redis-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        return new RedisProcess(process, port);
    }

    URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
