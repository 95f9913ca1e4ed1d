package dev.duet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duet.testing.HeadlessBrowser;
import dev.duet.testing.TestNetwork;
import dev.duet.webrtc.HostNetwork;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The demo's browser mode as a person uses it: the demo prints a link, a browser (headless, with a
 * fake camera and microphone standing in for the person) opens it, the example page joins through
 * the backend example, talks to the Java expert, and the expert hangs up; the report that came back
 * by webhook says both showed and media flowed both ways. In the test namespace.
 */
class BrowserDemoTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(HeadlessBrowser.class)
    void aPersonOpensThePrintedLinkAndTalksToTheJavaExpert(HeadlessBrowser browser) throws Exception {
        InetAddress address = TestNetwork.requireUsableInterface(HostNetwork.usableAddress());
        browser.binary();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuilder all = new StringBuilder();
        PrintStream out = new PrintStream(new LineSink(lines, all), true, StandardCharsets.UTF_8);
        CompletableFuture<BrowserDemo.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return new BrowserDemo(out).run(3, address);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String link = null;
        while (link == null) {
            String line = lines.poll(30, TimeUnit.SECONDS);
            assertThat(line).as("the demo prints the link within 30 s; so far:%n%s", all).isNotNull();
            if (line.startsWith("  http://")) {
                link = line.strip();
            }
        }
        assertThat(link).contains("participant=learner-you").endsWith("&autojoin=1");
        Process page = browser.launch(dir.resolve("profile"), link, dir.resolve("browser.log"));
        try {
            BrowserDemo.Result result = run.get(120, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as("the demo's output:%n%s%nthe browser's:%n%s", all,
                    Files.readString(dir.resolve("browser.log"))).isEqualTo(CallDemo.OK);
            JsonNode report = result.report().orElseThrow();
            assertThat(report.path("expert").path("showed").asBoolean()).isTrue();
            assertThat(report.path("learner").path("showed").asBoolean()).isTrue();
            assertThat(report.path("mediaBothWaysMs").asLong()).as(report.toString()).isGreaterThan(1000);
            assertThat(all.toString()).contains("the expert hangs up").contains("Call completed.");
            assertThat(report.path("outcomeReason").asText()).as("the expert hung up: the report says so").contains("expert");
            assertThat(report.path("endedEarlyBy").asText()).isEqualTo("expert");
        } finally {
            HeadlessBrowser.stop(page);
        }
    }

    /** Collects what the demo prints, line by line. */
    private static final class LineSink extends OutputStream {
        private final BlockingQueue<String> lines;
        private final StringBuilder all;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineSink(BlockingQueue<String> lines, StringBuilder all) {
            this.lines = lines;
            this.all = all;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                synchronized (all) {
                    all.append(text).append('\n');
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
    }
}
