package dev.duet.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A throw-away PostgreSQL (Debian's {@code postgresql} package) in a temp dir on a free loopback
 * port, trust authentication, stopped by PID. PostgreSQL refuses to run as root, so under root the
 * server runs as the package's {@code postgres} user (through {@code runuser}). Skips locally when
 * PostgreSQL is missing; under {@code CI=true} that is a failure.
 */
public final class PostgresProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private PostgresProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static PostgresProcess start() throws Exception {
        Path bin = findBin();
        if (bin == null) {
            String message = "PostgreSQL is not installed (Debian package postgresql); .ci/run installs it";
            ProcessOutput.missing(message, "the PostgreSQL test");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("duet-pg");
        Path data = dir.resolve("data");
        if (root) {
            run(List.of("chown", "postgres", dir.toString()));
        }
        List<String> init = asUser(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "duet",
                "--auth=trust", "-E", "UTF8", "--no-sync"));
        run(init);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> server = asUser(root, List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
                String.valueOf(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir, "-c", "fsync=on"));
        Process process = new ProcessBuilder(server).redirectErrorStream(true).start();
        PostgresProcess pg = new PostgresProcess(process, port, dir);
        try {
            ProcessOutput.awaitLine(process, Pattern.compile("ready to accept connections"), Duration.ofSeconds(30));
        } catch (Exception e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    private static Path findBin() {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres"))).sorted()
                    .reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> asUser(boolean root, List<String> command) {
        if (!root) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(command);
        return out;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres?user=duet}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=duet";
    }

    @Override
    public void close() {
        ProcessOutput.stopAndDelete(process, dir);
    }

    @Override
    public String toString() {
        return "PostgresProcess[" + dir + ", port " + port + "]";
    }
}
