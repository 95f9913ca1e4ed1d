package dev.duet.attendance.bench;

import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.attendance.MediaFlow;
import dev.duet.attendance.JdbcAttendanceStore;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.testing.PostgresProcess;
import dev.duet.attendance.internal.AttendanceJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Acknowledged media reports per second through the JSON-lines attendance store: the relay
 * acknowledges a media report only after {@code append} returns (written and fsynced), so this is
 * the ceiling on acknowledged reports. With 1 and with 500 sessions writing at once (one thread
 * each, as the relay's connection threads do), before (one fsync per event, every session behind
 * one monitor: the store as it was) and after (group commit), side by side in one run.
 * {@code mvn -B -q -pl attendance -am -Pbench-store -DskipTests verify}; {@code -Dbench.seconds=4}.
 */
public final class StoreBench {
    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 4);
        Path dir = Files.createTempDirectory("duet-store-bench");
        try {
            StringBuilder out = new StringBuilder("| sessions writing | one fsync per event (before) | group commit (after) |"
                    + " fsyncs per 100 events, after |\n|---|---|---|---|\n");
            for (int sessions : new int[] {1, 500}) {
                double before;
                try (PerEventFsyncStore store = new PerEventFsyncStore(dir.resolve("before-" + sessions + ".jsonl"))) {
                    before = run(store, sessions, seconds).perSecond;
                }
                Result after;
                long commits;
                try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(dir.resolve("after-" + sessions + ".jsonl"))) {
                    after = run(store, sessions, seconds);
                    commits = store.commits();
                }
                out.append(String.format(Locale.ROOT, "| %d | %,.0f /s | %,.0f /s | %.1f |%n", sessions, before, after.perSecond,
                        100.0 * commits / after.appends));
            }
            System.out.println(out);
            System.out.println(jdbcSideBySide(dir, seconds));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The JSON-lines store next to the JDBC store on SQLite (a file in the temp dir) and on
     * PostgreSQL (a throwaway server with fsync on, when installed), each with 1 and 500 sessions.
     */
    private static String jdbcSideBySide(Path dir, int seconds) throws Exception {
        StringBuilder out = new StringBuilder("| store | 1 session writing | 500 sessions writing |\n|---|---|---|\n");
        out.append(row("JSON-lines, group commit", sessions -> JsonLinesAttendanceStore.open(dir.resolve("side-" + sessions + ".jsonl")),
                seconds));
        out.append(row("JDBC, SQLite", sessions -> JdbcAttendanceStore.open("jdbc:sqlite:" + dir.resolve("side-" + sessions + ".db"),
                new Properties()), seconds));
        PostgresProcess pg;
        try {
            pg = PostgresProcess.start();
        } catch (Exception | Error e) {
            return out.append("| JDBC, PostgreSQL | not measured: ").append(e.getMessage()).append(" | |\n").toString();
        }
        try (pg) {
            out.append(row("JDBC, PostgreSQL (fsync on)", sessions -> JdbcAttendanceStore.open(pg.jdbcUrl(), new Properties()), seconds));
        }
        return out.toString();
    }

    private interface StoreFactory {
        AttendanceStore open(int sessions) throws Exception;
    }

    private static String row(String name, StoreFactory stores, int seconds) throws Exception {
        StringBuilder row = new StringBuilder("| ").append(name);
        for (int sessions : new int[] {1, 500}) {
            try (AttendanceStore store = stores.open(sessions)) {
                row.append(String.format(Locale.ROOT, " | %,.0f /s", run(store, sessions, seconds).perSecond));
            }
        }
        return row.append(" |\n").toString();
    }

    private record Result(double perSecond, long appends) {}

    private static Result run(AttendanceStore store, int sessions, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong appends = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(sessions);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            SessionId session = SessionId.of("bench-" + s);
            Thread t = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long n = 0;
                while (!stop.get()) {
                    store.append(report(session, ++n));
                    appends.incrementAndGet();
                }
            }, "writer-" + s);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep(seconds * 1000L); // the measuring window of a benchmark, not an ordering wait
        stop.set(true);
        long counted = appends.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Thread t : threads) {
            t.join();
        }
        return new Result(counted / elapsed, counted);
    }

    private static AttendanceEvent report(SessionId session, long n) {
        MediaFlow audio = new MediaFlow(MediaDirection.INBOUND, MediaKind.AUDIO, true, 0.0, OptionalDouble.of(40),
                OptionalDouble.of(3), OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
        MediaFlow video = new MediaFlow(MediaDirection.INBOUND, MediaKind.VIDEO, true, 0.01, OptionalDouble.of(40),
                OptionalDouble.of(5), OptionalDouble.of(29.9), OptionalInt.of(640), OptionalInt.of(360));
        return new AttendanceEvent.MediaReported(session.value() + "-" + n, session, T.plusMillis(3000 * n),
                ParticipantId.of("learner-bo"), false, List.of(audio, video));
    }

    /** The store as it was before group commit: one monitor, one write and one fsync per event. */
    private static final class PerEventFsyncStore implements AttendanceStore {
        private final FileChannel channel;

        PerEventFsyncStore(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }

        @Override
        public synchronized void append(AttendanceEvent event) {
            byte[] json = AttendanceJson.encode(event).getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public List<AttendanceEvent> events(SessionId session) {
            throw new UnsupportedOperationException("a write benchmark");
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
