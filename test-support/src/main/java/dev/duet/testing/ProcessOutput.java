package dev.duet.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers for child processes in tests: wait for a line of their output, stop them by PID. */
public final class ProcessOutput {
    private ProcessOutput() {}

    /** The first match of {@code pattern} in the output of {@code process} (stdout, with stderr merged into it). */
    public static Matcher awaitLine(Process process, Pattern pattern, Duration within) throws Exception {
        return watch(process).await(pattern, within);
    }

    /**
     * Reads {@code process}'s output (stdout, with stderr merged into it) on one daemon thread from
     * now on, so that several lines can be awaited in turn: a process's output can be read only once.
     */
    public static Watch watch(Process process) {
        return new Watch(process);
    }

    /** The output of one process, line by line, as it comes. */
    public static final class Watch {
        private final List<String> lines = new ArrayList<>();
        private boolean ended;

        private Watch(Process process) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        synchronized (this) {
                            lines.add(line);
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the stream broke: the same as the process ending, for whoever waits
                }
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }, "process-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** The first line since the watch began that matches {@code pattern}, waiting for it at most {@code within}. */
        public synchronized Matcher await(Pattern pattern, Duration within) throws Exception {
            long deadline = System.nanoTime() + within.toNanos();
            for (int next = 0; ; ) {
                for (; next < lines.size(); next++) {
                    Matcher m = pattern.matcher(lines.get(next));
                    if (m.find()) {
                        return m;
                    }
                }
                if (ended) {
                    throw new IOException("the process exited before printing /" + pattern + "/");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no line matching /" + pattern + "/ within " + within);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
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
