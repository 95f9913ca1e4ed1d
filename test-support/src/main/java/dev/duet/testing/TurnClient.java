package dev.duet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code turnutils_uclient} (coturn's test client, whose exit code is trustworthy): allocate, relay a few packets, exit 0 on success. */
public final class TurnClient {
    private TurnClient() {}

    /** Whether an allocation with these credentials succeeds (and relays 2 packets client-to-client). */
    public static boolean allocates(int port, String username, String password, boolean tcp) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/turnutils_uclient", "-y", "-n", "2", "-m", "1",
                "-u", username, "-w", password, "-p", Integer.toString(port)));
        if (tcp) {
            command.add("-t");
        }
        command.add("127.0.0.1");
        Path log = Files.createTempFile("uclient", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("turnutils_uclient did not finish within 30 s");
        }
        return p.exitValue() == 0;
    }
}
