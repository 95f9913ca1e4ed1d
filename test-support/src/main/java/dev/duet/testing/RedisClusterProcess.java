package dev.duet.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real three-node Redis Cluster (Debian's {@code redis-server} and {@code redis-cli}) for one test
 * class: three masters on free loopback ports (each with its cluster bus port, +10000, free too),
 * each in its own temp directory, joined with {@code redis-cli --cluster create}; ready when every
 * node reports {@code cluster_state:ok}. Stopped by PID, directories deleted. Missing binaries:
 * skipped with a message locally, a failure under {@code CI=true}.
 */
public final class RedisClusterProcess implements AutoCloseable {
    private final List<Process> processes;
    private final List<Integer> ports;
    private final List<Path> dirs;

    private RedisClusterProcess(List<Process> processes, List<Integer> ports, List<Path> dirs) {
        this.processes = processes;
        this.ports = ports;
        this.dirs = dirs;
    }

    public static RedisClusterProcess start() throws Exception {
        Path server = Path.of("/usr/bin/redis-server");
        Path cli = Path.of("/usr/bin/redis-cli");
        if (!Files.isExecutable(server) || !Files.isExecutable(cli)) {
            ProcessOutput.missing("redis-server and redis-cli are not installed (Debian package redis-server); .ci/run installs"
                    + " them", "the Redis Cluster tests");
        }
        List<Process> processes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<ProcessOutput.Watch> outputs = new ArrayList<>();
        RedisClusterProcess cluster = new RedisClusterProcess(processes, ports, dirs);
        try {
            for (int i = 0; i < 3; i++) {
                int port = freePortWithBus(ports);
                Path dir = Files.createTempDirectory("duet-redis-cluster");
                dirs.add(dir);
                Process p = new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                        "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                        "--daemonize", "no").redirectErrorStream(true).start();
                processes.add(p);
                ports.add(port);
                ProcessOutput.Watch output = ProcessOutput.watch(p);
                outputs.add(output);
                output.await(Pattern.compile("Ready to accept connections"), Duration.ofSeconds(15));
            }
            List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            String out = run(create, Duration.ofSeconds(30));
            if (!out.contains("[OK] All 16384 slots covered")) {
                throw new IOException("redis-cli --cluster create did not cover every slot:\n" + out);
            }
            // Each node logs the moment it sees the whole cluster: wait for that line, not by polling.
            for (ProcessOutput.Watch output : outputs) {
                output.await(Pattern.compile("Cluster state changed: ok"), Duration.ofSeconds(20));
            }
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** The seed addresses, {@code redis://127.0.0.1:port}, one per node. */
    public List<URI> seeds() {
        return ports.stream().map(p -> URI.create("redis://127.0.0.1:" + p)).toList();
    }

    private static int freePortWithBus(List<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 50_000);
            if (taken.contains(port) || !free(port) || !free(port + 10_000)) {
                continue;
            }
            return port;
        }
        throw new IOException("no free loopback port with a free cluster bus port (+10000)");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(List<String> command, Duration within) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + within);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (int i = 0; i < processes.size(); i++) {
            ProcessOutput.stop(processes.get(i));
        }
        dirs.forEach(ProcessOutput::deleteTree);
    }
}
