package dev.duet.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duet.testing.Await;
import dev.duet.testing.HeadlessBrowser;
import dev.duet.testing.ProcessOutput;
import dev.duet.testing.TestNetwork;
import dev.duet.webrtc.DuetCall;
import dev.duet.webrtc.HostNetwork;
import dev.duet.webrtc.MediaEngine;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Time to media, for docs/benchmarks.md: from the second arrival to each side's first decoded
 * remote video frame, for every pair of Java, Chromium and Firefox peers through Duet in both
 * arrival orders, and, side by side in the same run and namespace, Chromium to Chromium over the
 * PeerJS server with the peerjs client (npm {@code peer} and {@code peerjs} from bench/peerjs).
 * Inside the namespace, after {@code npm ci} in bench/peerjs:
 * {@code .ci/netns-run.sh mvn -o -B -q -pl web -Pbench -DskipTests verify}; {@code -Dbench.calls=N}
 * (default 6) per ordered pair. Browser start-up and camera opening are not counted: the clock
 * starts when the relay admits the second participant (over PeerJS: when the server confirms the
 * second peer's id, its {@code open} event).
 */
public final class BrowserBench {
    /** Who takes part: the Java SDK in this JVM, or a headless browser with duet-web. */
    enum Side {
        JAVA, CHROMIUM, FIREFOX;

        String label() {
            return this == JAVA ? "Java" : name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
        }
    }

    public static void main(String[] args) throws Exception {
        if (TestNetwork.decide(System.getenv(), System.getProperty(TestNetwork.OPT_IN_PROPERTY),
                HostNetwork.usableAddress()) instanceof TestNetwork.Verdict.Skip skip) {
            System.err.println(skip.message());
            System.exit(2);
        }
        int calls = Integer.getInteger("bench.calls", 6);
        // -Dbench.only=CHROMIUM-CHROMIUM,PEERJS runs only those (first-second, or PEERJS)
        List<String> only = List.of(System.getProperty("bench.only", "").split(","));
        java.util.function.Predicate<String> wanted = key -> only.equals(List.of("")) || only.contains(key);
        StringBuilder out = new StringBuilder("| pair, first arrival → second arrival | calls | first arrival's side p50 / max (ms)"
                + " | second arrival's side p50 / max (ms) |\n|---|---|---|---|\n");
        Side[][] orders = {
            {Side.JAVA, Side.JAVA},
            {Side.JAVA, Side.CHROMIUM}, {Side.CHROMIUM, Side.JAVA},
            {Side.JAVA, Side.FIREFOX}, {Side.FIREFOX, Side.JAVA},
            {Side.CHROMIUM, Side.CHROMIUM},
            {Side.CHROMIUM, Side.FIREFOX}, {Side.FIREFOX, Side.CHROMIUM},
        };
        try (MediaEngine engine = MediaEngine.synthetic()) {
            duet(engine, Side.JAVA, Side.JAVA); // warm-up: the engine's first call pays its one-time set-up
            for (Side[] order : orders) {
                if (!wanted.test(order[0] + "-" + order[1])) {
                    continue;
                }
                List<Long> first = new ArrayList<>();
                List<Long> second = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    long[] t = duet(engine, order[0], order[1]);
                    first.add(t[0]);
                    second.add(t[1]);
                }
                String row = row(order[0].label() + " → " + order[1].label() + ", through Duet", first, second);
                System.err.print(row); // progress: the whole table comes at the end
                out.append(row);
            }
        }
        if (!wanted.test("PEERJS")) {
            System.err.println("PeerJS pair not asked for");
        } else if (!Files.isRegularFile(BrowserCallTest.PEERJS_BENCH.resolve("node_modules/peerjs/dist/peerjs.min.js"))) {
            out.append("| Chromium → Chromium, over the PeerJS server | not measured: run npm ci in bench/peerjs first | | |\n");
        } else {
            List<Long> first = new ArrayList<>();
            List<Long> second = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                long[] t = peerjs();
                first.add(t[0]);
                second.add(t[1]);
            }
            out.append(row("Chromium → Chromium, over the PeerJS server", first, second));
        }
        System.out.println(out);
    }

    /** One call through Duet's relay; milliseconds from the second arrival to the first remote frame, {first, second}. */
    private static long[] duet(MediaEngine engine, Side firstSide, Side secondSide) throws Exception {
        Path dir = Files.createTempDirectory("duet-browser-bench");
        List<DuetCall> javaCalls = new ArrayList<>();
        try (BrowserCallTest.Fixture f = new BrowserCallTest.Fixture(dir)) {
            FirstFrame first = arrive(f, engine, firstSide, "expert", "expert-ada", javaCalls);
            FirstFrame second = arrive(f, engine, secondSide, "learner", "learner-bo", javaCalls);
            long a = first.millis();
            long b = second.millis();
            Await.until(() -> f.arrivals.size() >= 2, Duration.ofSeconds(10), "both arrivals stamped by the relay");
            long secondArrival = f.arrivals.get(1).toEpochMilli();
            trace(firstSide + " -> " + secondSide, f, secondArrival);
            if (!javaCalls.isEmpty()) { // one hang-up ends the session for both
                javaCalls.get(0).hangUp("bench over").get(10, TimeUnit.SECONDS);
            }
            return new long[] {a - secondArrival, b - secondArrival};
        } finally {
            javaCalls.forEach(DuetCall::close);
            ProcessOutput.deleteTree(dir);
        }
    }

    /** When a side saw its first remote frame, in epoch milliseconds; waits for it. */
    @FunctionalInterface
    private interface FirstFrame {
        long millis() throws Exception;
    }

    /** Brings one side into the session and returns once the relay has admitted it. */
    private static FirstFrame arrive(BrowserCallTest.Fixture f, MediaEngine engine, Side side, String name, String participant,
            List<DuetCall> javaCalls) throws Exception {
        if (side == Side.JAVA) {
            BrowserCallTest.Expert listener = new BrowserCallTest.Expert();
            DuetCall call = f.javaPeer(engine, participant, listener);
            javaCalls.add(call);
            call.start().get(10, TimeUnit.SECONDS);
            return () -> listener.firstFrame.get(30, TimeUnit.SECONDS).toEpochMilli();
        }
        f.open(side == Side.CHROMIUM ? HeadlessBrowser.CHROMIUM : HeadlessBrowser.FIREFOX, name, participant, false);
        f.await(name, e -> BrowserCallTest.is(e, "joined"), "join");
        return () -> f.await(name, e -> BrowserCallTest.is(e, "first-frame"), "first frame").path("at").asLong();
    }

    /** One Chromium-to-Chromium call over a fresh PeerJS server; {first, second} as for Duet. */
    private static long[] peerjs() throws Exception {
        Path dir = Files.createTempDirectory("duet-browser-bench");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process server = new ProcessBuilder("node", "peerjs-server.mjs", String.valueOf(port))
                .directory(BrowserCallTest.PEERJS_BENCH.toFile()).redirectErrorStream(true).start();
        try (BrowserCallTest.Fixture f = new BrowserCallTest.Fixture(dir)) {
            ProcessOutput.awaitLine(server, Pattern.compile("peerjs listening"), Duration.ofSeconds(30));
            f.openPage(HeadlessBrowser.CHROMIUM, "a", "/peerjs.html?name=a&id=bench-a&port=" + port);
            f.await("a", e -> BrowserCallTest.is(e, "joined"), "open");
            f.openPage(HeadlessBrowser.CHROMIUM, "b", "/peerjs.html?name=b&id=bench-b&call=bench-a&port=" + port);
            long secondArrival = f.await("b", e -> BrowserCallTest.is(e, "joined"), "open").path("at").asLong();
            JsonNode a = f.await("a", e -> BrowserCallTest.is(e, "first-frame"), "first frame");
            JsonNode b = f.await("b", e -> BrowserCallTest.is(e, "first-frame"), "first frame");
            trace("peerjs", f, secondArrival);
            return new long[] {a.path("at").asLong() - secondArrival, b.path("at").asLong() - secondArrival};
        } finally {
            ProcessOutput.stop(server);
            ProcessOutput.deleteTree(dir);
        }
    }

    /** With -Dbench.trace=true, each page's events in milliseconds from the second arrival (to see where the time goes). */
    private static void trace(String call, BrowserCallTest.Fixture f, long secondArrival) {
        if (Boolean.getBoolean("bench.trace")) {
            StringBuilder line = new StringBuilder(call + ":");
            for (JsonNode e : f.story) {
                line.append(String.format(Locale.ROOT, " %s/%s%s@%d", e.path("name").asText(), e.path("event").asText(),
                        e.has("to") ? ":" + e.path("to").asText() : e.has("state") ? ":" + e.path("state").asText() : "",
                        e.path("at").asLong() - secondArrival));
            }
            System.err.println(line);
        }
    }

    private static String row(String pair, List<Long> first, List<Long> second) {
        return String.format(Locale.ROOT, "| %s | %d | %d / %d | %d / %d |%n", pair, first.size(), p50(first), Collections.max(first),
                p50(second), Collections.max(second));
    }

    private static long p50(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((sorted.size() - 1) / 2);
    }
}
