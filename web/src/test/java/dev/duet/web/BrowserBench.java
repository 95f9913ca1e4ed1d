package dev.duet.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duet.testing.HeadlessBrowser;
import dev.duet.testing.ProcessOutput;
import dev.duet.testing.TestNetwork;
import dev.duet.webrtc.DuetCall;
import dev.duet.webrtc.HostNetwork;
import dev.duet.webrtc.MediaEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Set-up time with browsers, for docs/benchmarks.md: from the second arrival at the relay to each
 * side's first decoded remote video frame, for the Java expert with a Chromium or a Firefox learner
 * (the browser arrives second), and Chromium to Firefox (Firefox second). Inside the namespace:
 * {@code .ci/netns-run.sh mvn -o -B -q -pl web -Pbench -DskipTests verify}; {@code -Dbench.calls=N}
 * (default 8) per pair. Browser start-up is not counted: the clock starts when the relay admits
 * the second participant.
 */
public final class BrowserBench {
    public static void main(String[] args) throws Exception {
        if (TestNetwork.decide(System.getenv(), System.getProperty(TestNetwork.OPT_IN_PROPERTY),
                HostNetwork.usableAddress()) instanceof TestNetwork.Verdict.Skip skip) {
            System.err.println(skip.message());
            System.exit(2);
        }
        int calls = Integer.getInteger("bench.calls", 8);
        StringBuilder out = new StringBuilder("| pair (second arrival last) | calls | first side p50 / max (ms) | second side p50 / max (ms) |\n"
                + "|---|---|---|---|\n");
        try (MediaEngine engine = MediaEngine.synthetic()) {
            for (HeadlessBrowser browser : HeadlessBrowser.values()) {
                List<Long> java = new ArrayList<>();
                List<Long> page = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    long[] t = javaThenBrowser(engine, browser);
                    java.add(t[0]);
                    page.add(t[1]);
                }
                out.append(row("Java expert, " + browser.name().toLowerCase(Locale.ROOT) + " learner", java, page));
            }
            List<Long> chromium = new ArrayList<>();
            List<Long> firefox = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                long[] t = chromiumThenFirefox();
                chromium.add(t[0]);
                firefox.add(t[1]);
            }
            out.append(row("chromium expert, firefox learner", chromium, firefox));
        }
        System.out.println(out);
    }

    /** Milliseconds from the second arrival to the first remote frame: {Java side, browser side}. */
    private static long[] javaThenBrowser(MediaEngine engine, HeadlessBrowser browser) throws Exception {
        Path dir = Files.createTempDirectory("duet-browser-bench");
        try (BrowserCallTest.Fixture f = new BrowserCallTest.Fixture(dir)) {
            BrowserCallTest.Expert expert = new BrowserCallTest.Expert();
            try (DuetCall call = f.javaExpert(engine, expert)) {
                call.start().get(10, TimeUnit.SECONDS);
                f.open(browser, "learner", "learner-bo", false);
                JsonNode frame = f.await("learner", e -> BrowserCallTest.is(e, "first-frame"), "first frame");
                Instant javaFrame = expert.firstFrame.get(30, TimeUnit.SECONDS);
                Instant second = f.arrivals.get(1);
                long[] result = {Duration.between(second, javaFrame).toMillis(), frame.path("at").asLong() - second.toEpochMilli()};
                call.hangUp("bench over").get(10, TimeUnit.SECONDS);
                return result;
            }
        } finally {
            ProcessOutput.deleteTree(dir);
        }
    }

    private static long[] chromiumThenFirefox() throws Exception {
        Path dir = Files.createTempDirectory("duet-browser-bench");
        try (BrowserCallTest.Fixture f = new BrowserCallTest.Fixture(dir)) {
            f.open(HeadlessBrowser.CHROMIUM, "expert", "expert-ada", false);
            f.await("expert", e -> BrowserCallTest.is(e, "joined"), "join");
            f.open(HeadlessBrowser.FIREFOX, "learner", "learner-bo", false);
            JsonNode a = f.await("expert", e -> BrowserCallTest.is(e, "first-frame"), "first frame");
            JsonNode b = f.await("learner", e -> BrowserCallTest.is(e, "first-frame"), "first frame");
            long second = f.arrivals.get(1).toEpochMilli();
            return new long[] {a.path("at").asLong() - second, b.path("at").asLong() - second};
        } finally {
            ProcessOutput.deleteTree(dir);
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
