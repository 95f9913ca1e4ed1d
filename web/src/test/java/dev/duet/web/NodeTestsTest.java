package dev.duet.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.testing.ProcessOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the browser client's own unit tests with node's built-in test runner ({@code node --test}),
 * as part of {@code mvn verify}. Without node they are skipped with a message, except under
 * {@code CI=true}, where {@code .ci/run} installs it.
 */
class NodeTestsTest {
    static Path node() {
        Optional<Path> node = List.of("/usr/bin/node", "/usr/local/bin/node").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst();
        if (node.isEmpty()) {
            ProcessOutput.missing("node is not installed (Debian package nodejs); .ci/run installs it", "the web client's tests");
        }
        return node.get();
    }

    @Test
    void theWebClientsUnitTestsPassUnderNode() throws Exception {
        Process p = new ProcessBuilder(node().toString(), "--test", "src/test/js/").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("node --test finished within 2 minutes").isTrue();
        assertThat(p.exitValue()).as("node --test exit code; its output:%n%s", out).isZero();
        assertThat(out).contains("# fail 0").doesNotContain("# pass 0");
    }
}
