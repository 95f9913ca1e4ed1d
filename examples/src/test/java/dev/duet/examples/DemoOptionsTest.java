package dev.duet.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo's options: plain messages for bad ones, usage on --help, the documented exit codes. */
class DemoOptionsTest {
    @Test
    void defaultsAndValidOptions() throws Exception {
        assertThat(DemoOptions.parse()).contains(DemoOptions.defaults());
        assertThat(DemoOptions.parse("--order", "learner-first", "--talk", "5"))
                .contains(new DemoOptions(DemoOptions.Order.LEARNER_FIRST, 5));
        assertThat(DemoOptions.parse("--talk", "30", "--order", "together"))
                .contains(new DemoOptions(DemoOptions.Order.TOGETHER, 30));
    }

    @Test
    void helpIsNotAnError() throws Exception {
        assertThat(DemoOptions.parse("--help")).isEqualTo(Optional.empty());
        assertThat(DemoOptions.parse("--order", "together", "-h")).isEqualTo(Optional.empty());
    }

    @Test
    void badOptionsSayWhatWasWrongInPlainWords() {
        assertThatThrownBy(() -> DemoOptions.parse("--talk", "abc")).isInstanceOf(DemoOptions.UsageException.class)
                .hasMessage("--talk must be a whole number of seconds from 3 to 30, but was 'abc'");
        assertThatThrownBy(() -> DemoOptions.parse("--talk", "2"))
                .hasMessage("--talk must be 3 to 30 seconds, but was 2");
        assertThatThrownBy(() -> DemoOptions.parse("--order", "sideways"))
                .hasMessage("--order must be expert-first, learner-first or together, but was 'sideways'");
        assertThatThrownBy(() -> DemoOptions.parse("--order")).hasMessage("--order needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--order", "--talk", "4")).hasMessage("--order needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--fast"))
                .hasMessage("unknown option '--fast'; expected --order, --talk, --browser or --help");
        assertThatThrownBy(() -> DemoOptions.parse("--talk", "90"))
                .hasMessage("--talk must be 3 to 30 seconds, but was 90 (up to 600 with --browser)");
        assertThatThrownBy(() -> DemoOptions.parse("--browser", "--talk", "601"))
                .hasMessage("--talk must be 3 to 600 seconds, but was 601");
    }

    @Test
    void theBrowserModeTalksLongerByDefault() throws Exception {
        assertThat(DemoOptions.parse("--browser")).contains(new DemoOptions(DemoOptions.Order.EXPERT_FIRST, 120, true));
        assertThat(DemoOptions.parse("--talk", "300", "--browser")).contains(new DemoOptions(DemoOptions.Order.EXPERT_FIRST, 300, true));
    }

    @Test
    void exitCodesAndOutput() throws Exception {
        Captured help = run("--help");
        assertThat(help.code).isEqualTo(CallDemo.OK);
        assertThat(help.out).startsWith("usage: CallDemo").contains("exit codes: 0 the call completed");
        assertThat(help.err).isEmpty();

        Captured bad = run("--talk", "abc");
        assertThat(bad.code).isEqualTo(CallDemo.USAGE_ERROR).isEqualTo(64);
        assertThat(bad.err).startsWith("duet demo: --talk must be").contains("usage: CallDemo")
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void theLauncherDropsOnlyTheNativeLibrarysExitNoise() {
        assertThat(DemoLauncher.nativeExitNoise("VM attach current thread failed")).isTrue();
        assertThat(DemoLauncher.nativeExitNoise("Failed to attach thread 140213584836288")).isTrue();
        assertThat(DemoLauncher.nativeExitNoise("Call completed.")).isFalse();
        assertThat(DemoLauncher.nativeExitNoise("Failed to attach thread to the call")).isFalse();
    }

    private record Captured(int code, String out, String err) {}

    private static synchronized Captured run(String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = CallDemo.exitCode(args);
            return new Captured(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
