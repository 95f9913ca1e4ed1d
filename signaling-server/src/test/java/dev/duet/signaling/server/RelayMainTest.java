package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayMainTest {
    private static final String SECRET = Base64.getEncoder().encodeToString(new byte[] {
            9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8});

    @Test
    void keysComeFromAFileOrTheEnvironmentNeverFromAFlagValue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# newest first\nk2:" + SECRET + "\nk1:" + SECRET + "\n");
        RelayMain.Options fromFile = RelayMain.Options.parse(new String[] {"--port", "0", "--ticket-keys", file.toString()}, Map.of());
        assertThat(fromFile.keys()).extracting(k -> k.keyId()).containsExactly("k2", "k1");
        assertThat(fromFile.port()).isZero();

        RelayMain.Options fromEnv = RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, "a:" + SECRET + ";b:" + SECRET));
        assertThat(fromEnv.keys()).hasSize(2);
        assertThat(fromEnv.host()).isEqualTo("127.0.0.1");
        assertThat(fromEnv.toString()).doesNotContain(SECRET);
    }

    @Test
    void badOptionsSayWhatWasExpectedWithoutShowingSecrets() {
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of()))
                .hasMessageContaining("no ticket keys: give --ticket-keys FILE or set DUET_TICKET_KEYS");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--secret", "x"}, Map.of()))
                .hasMessageContaining("unknown option --secret; expected --host, --port, --ticket-keys, --redis or --attendance");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[] {"--port", "eighty"}, Map.of()))
                .hasMessageContaining("--port must be a number");
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, "just-a-secret-" + SECRET)))
                .hasMessageContaining("expected \"keyId:base64secret\"").message().doesNotContain(SECRET);
        assertThatThrownBy(() -> RelayMain.Options.parse(new String[0], Map.of(RelayMain.KEYS_ENV, "k:c2hvcnQ=")))
                .hasMessageContaining("secret must be at least 32 bytes");
    }
}
