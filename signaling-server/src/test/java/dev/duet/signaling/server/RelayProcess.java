package dev.duet.signaling.server;

import dev.duet.testing.ProcessOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A relay node in a process of its own ({@link RelayMain} on this test class path), for tests that
 * kill it: its ticket key is {@link TestSession#KEY}, given in {@link RelayMain#KEYS_ENV}.
 */
final class RelayProcess {
    /** {@link TestSession#KEY}'s secret. */
    static final byte[] SECRET = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
        27, 28, 29, 30, 31, 32};

    private RelayProcess() {}

    /** Starts {@code RelayMain} with {@code args}, output and errors merged; it may still be starting. */
    static Process launch(String... args) throws Exception {
        return builder(args).start();
    }

    /** The process builder of {@link #launch}, its environment open to changes (a wrong key, say). */
    static ProcessBuilder builder(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), RelayMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put(RelayMain.KEYS_ENV, TestSession.KEY.keyId() + ":" + Base64.getEncoder().encodeToString(SECRET));
        return pb;
    }

    /** Waits (at most 30 s) until {@code relay} says it listens, and returns its port. */
    static int awaitPort(Process relay) throws Exception {
        return Integer.parseInt(ProcessOutput.awaitLine(relay, Pattern.compile("listening on [^:]+:(\\d+)"), Duration.ofSeconds(30))
                .group(1));
    }

    /** The report of {@code booking} from the attendance file a relay process wrote. */
    static dev.duet.core.attendance.SessionReport report(dev.duet.core.Booking booking, Path file) {
        dev.duet.core.attendance.AttendanceLedger ledger = new dev.duet.core.attendance.AttendanceLedger(booking,
                dev.duet.core.attendance.AttendanceRules.defaults());
        try (dev.duet.attendance.JsonLinesAttendanceStore store = dev.duet.attendance.JsonLinesAttendanceStore.open(file)) {
            ledger.addAll(store.events(booking.sessionId()));
        }
        return ledger.report();
    }
}
