package dev.duet.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers for child processes in tests: wait for a line of their output, stop them by PID. */
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

    /** Stops {@code process} by PID: SIGTERM, then SIGKILL if it has not exited within 5 s. */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops {@code process} by PID (see {@link #stop(Process)}), then deletes {@code dir}, the
     * temp directory it worked in, with everything in it. A file that cannot be deleted is left
     * and named on standard error; the test does not fail for it.
     */
    public static void stopAndDelete(Process process, java.nio.file.Path dir) {
        stop(process);
        deleteTree(dir);
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    public static void deleteTree(java.nio.file.Path dir) {
        if (dir == null || !java.nio.file.Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("could not delete " + p + ": " + e);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /**
     * A test's external program is missing: locally the test is skipped with {@code message}; under
     * {@code CI=true} (where .ci/run installs it) that is a failure.
     */
    public static void missing(String message, String tests) {
        if ("true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail(message + ", and under CI=true " + tests + " must run");
        }
        org.junit.jupiter.api.Assumptions.abort(message + "; skipping " + tests);
    }
}
