package dev.duet.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Waits, with a timeout, for a line of a child process's output; keeps draining the output after. */
public final class ProcessOutput {
    private ProcessOutput() {}

    /** The first match of {@code pattern} in the output of {@code process} (stdout, with stderr merged into it). */
    public static Matcher awaitLine(Process process, Pattern pattern, Duration within) throws Exception {
        CompletableFuture<Matcher> found = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = pattern.matcher(line);
                    if (!found.isDone() && m.find()) {
                        found.complete(m);
                    }
                }
                found.completeExceptionally(new IOException("the process exited before printing /" + pattern + "/"));
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
        }, "process-output");
        reader.setDaemon(true);
        reader.start();
        return found.get(within.toMillis(), TimeUnit.MILLISECONDS);
    }
}
