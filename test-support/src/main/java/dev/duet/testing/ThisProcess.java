package dev.duet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's resident memory, threads and CPU as Linux reports them, for benchmarks and memory tests. */
public final class ThisProcess {
    private ThisProcess() {}

    /** Resident set size in KiB ({@code VmRSS} of {@code /proc/self/status}). */
    public static long rssKib() throws IOException {
        return statusField("VmRSS:");
    }

    /** Threads of the whole process, native ones included. */
    public static int threads() throws IOException {
        return (int) statusField("Threads:");
    }

    /** User and system CPU of this process, in clock ticks (100 a second on Linux). */
    public static long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + name + " in /proc/self/status");
    }
}
