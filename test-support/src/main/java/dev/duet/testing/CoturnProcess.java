package dev.duet.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real coturn {@code turnserver} (Debian package coturn) for a test: a generated config (never
 * {@code /etc/turnserver.conf}), loopback only, a free port, a small relay port range, no TLS, no
 * CLI, loopback peers allowed (tests only), its user database in a temp directory. Ready when it
 * answers a STUN Binding request; stopped by PID. Missing binary: skipped, but failed under {@code CI=true}.
 */
public final class CoturnProcess implements AutoCloseable {
    public static final String REALM = "duet.test";

    private final Process process;
    private final int port;
    private final Path dir;

    private CoturnProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** REST-API credentials ({@code use-auth-secret}) with these {@code static-auth-secret}s. */
    public static CoturnProcess rest(String... secrets) throws Exception {
        List<String> lines = new ArrayList<>(List.of("use-auth-secret"));
        Arrays.stream(secrets).forEach(s -> lines.add("static-auth-secret=" + s));
        return start(lines, true);
    }

    /** Long-term users ({@code lt-cred-mech}) from the SQLite database at {@code <dir>/turndb}; see {@link #userDb()}. */
    public static CoturnProcess longTermSqlite() throws Exception {
        return start(List.of("lt-cred-mech"), true);
    }

    /** Long-term users from the Redis database {@code db} of the Redis on {@code redisPort}. */
    public static CoturnProcess longTermRedis(int redisPort, int db) throws Exception {
        return start(List.of("lt-cred-mech", "redis-userdb=\"ip=127.0.0.1 port=" + redisPort + " dbname=" + db + "\""), true);
    }

    /** Extra configuration lines, e.g. {@code stale-nonce=10}. */
    public static CoturnProcess withLines(List<String> lines) throws Exception {
        return start(lines, true);
    }

    /**
     * Extra configuration lines, without the tests' {@code allow-loopback-peers}: as in production,
     * relaying to loopback peers then depends on the lines given.
     */
    public static CoturnProcess productionLike(List<String> lines) throws Exception {
        return start(lines, false);
    }

    private static CoturnProcess start(List<String> mode, boolean allowLoopbackPeers) throws Exception {
        Path binary = Path.of("/usr/bin/turnserver");
        if (!Files.isExecutable(binary)) {
            String message = "turnserver is not installed (Debian package coturn); .ci/run installs it";
            ProcessOutput.missing(message, "the coturn tests");
        }
        Path dir = Files.createTempDirectory("duet-coturn");
        int port = freeUdpAndTcpPort();
        int relayBase = 40_000 + ThreadLocalRandom.current().nextInt(20_000);
        List<String> config = new ArrayList<>(List.of(
                "listening-ip=127.0.0.1", "relay-ip=127.0.0.1", "listening-port=" + port,
                "min-port=" + relayBase, "max-port=" + (relayBase + 40), "fingerprint", "realm=" + REALM,
                "no-tls", "no-dtls", "no-cli", "userdb=" + dir.resolve("turndb"),
                "pidfile=" + dir.resolve("turnserver.pid"), "log-file=stdout", "simple-log"));
        if (allowLoopbackPeers) {
            config.add("allow-loopback-peers");
        }
        config.addAll(mode);
        Path conf = dir.resolve("turnserver.conf");
        Files.write(conf, config, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(binary.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("turnserver.log").toFile()).start();
        CoturnProcess coturn = new CoturnProcess(process, port, dir);
        try {
            coturn.awaitStun(Duration.ofSeconds(15));
        } catch (Exception e) {
            coturn.close();
            throw e;
        }
        return coturn;
    }

    public int port() {
        return port;
    }

    /** The SQLite user database file coturn reads ({@code userdb=}). */
    public Path userDb() {
        return dir.resolve("turndb");
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("turnserver.log"), StandardCharsets.UTF_8);
    }

    /** Sends STUN Binding requests until one is answered. */
    private void awaitStun(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] transaction = new byte[12];
        new SecureRandom().nextBytes(transaction);
        ByteBuffer request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442).put(transaction);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("turnserver exited with " + process.exitValue() + ":\n" + log());
                }
                socket.send(new DatagramPacket(request.array(), 20, InetAddress.getLoopbackAddress(), port));
                byte[] buffer = new byte[1500];
                DatagramPacket response = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(response);
                    if (response.getLength() >= 20 && buffer[0] == 0x01 && buffer[1] == 0x01
                            && Arrays.equals(Arrays.copyOfRange(buffer, 8, 20), transaction)) {
                        return;
                    }
                } catch (SocketTimeoutException notYet) {
                    // ask again
                }
            }
        }
        throw new IOException("turnserver did not answer STUN on 127.0.0.1:" + port + " within " + within + ":\n" + log());
    }

    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both UDP and TCP on loopback");
    }

    @Override
    public void close() {
        ProcessOutput.stopAndDelete(process, dir);
    }
}
