package dev.duet.testing;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A real {@code redis-server} (Debian package) for one test class: a free loopback port, a temp
 * directory, no persistence; ready when it logs that it accepts connections; stopped by PID.
 * Missing binary: the test is skipped with a message, except under {@code CI=true}, where it fails.
 */
public final class RedisProcess implements AutoCloseable {
    private final Path binary;
    private Process process;
    private final int port;
    private final Path dir;

    private RedisProcess(Path binary, Process process, int port, Path dir) {
        this.binary = binary;
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static RedisProcess start() throws Exception {
        Optional<Path> binary = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server").stream()
                .map(Path::of).filter(Files::isExecutable).findFirst();
        if (binary.isEmpty()) {
            String message = "redis-server is not installed (Debian package redis-server); .ci/run installs it";
            ProcessOutput.missing(message, "the Redis tests");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path dir = Files.createTempDirectory("duet-redis");
        Process process;
        try {
            process = launch(binary.get(), port, dir);
        } catch (Exception e) {
            ProcessOutput.deleteTree(dir);
            throw e;
        }
        return new RedisProcess(binary.get(), process, port, dir);
    }

    private static Process launch(Path binary, int port, Path dir) throws Exception {
        Process process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true).start();
        try {
            ProcessOutput.awaitLine(process, Pattern.compile("Ready to accept connections"), Duration.ofSeconds(15));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }

    /** Kills the server with SIGKILL and waits until it is gone: its data (never persisted) is lost. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server did not die within 10 s of SIGKILL");
        }
    }

    /** Starts the server again, empty, on the same port (after {@link #kill()}). */
    public void restart() throws Exception {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server is still running; kill() it first");
        }
        process = launch(binary, port, dir);
    }

    /** The temp directory this instance works in; deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        ProcessOutput.stopAndDelete(process, dir);
    }
}
