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
    private final Process process;
    private final int port;
    private final Path dir;

    private RedisProcess(Process process, int port, Path dir) {
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
        Process process = new ProcessBuilder(binary.get().toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true).start();
        try {
            ProcessOutput.awaitLine(process, Pattern.compile("Ready to accept connections"), Duration.ofSeconds(15));
        } catch (Exception e) {
            ProcessOutput.stopAndDelete(process, dir);
            throw e;
        }
        return new RedisProcess(process, port, dir);
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
