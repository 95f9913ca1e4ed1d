package dev.duet.attendance;

import dev.duet.core.DepartureReason;
import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.attendance.AttendanceStore.AttendanceStoreException;
import dev.duet.core.attendance.MediaFlow;
import dev.duet.core.ConnectionId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The two stores keep the same contract: durable appends, one copy per event id, the session's events in order. */
class AttendanceStoreTest {
    @TempDir
    Path dir;

    private static final dev.duet.core.ParticipantId EXPERT = dev.duet.core.ParticipantId.of("expert-ada");
    private static final dev.duet.core.ParticipantId LEARNER = dev.duet.core.ParticipantId.of("learner-bo");
    private static final SessionId S = dev.duet.core.SessionId.of("s-42");
    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    static List<AttendanceEvent> someEvents() {
        return List.of(
                new AttendanceEvent.ParticipantJoined("e1", S, T, EXPERT, ConnectionId.of("c1")),
                new AttendanceEvent.ParticipantJoined("e2", S, T.plusSeconds(60), LEARNER, ConnectionId.of("c2")),
                new AttendanceEvent.MediaReported("e3", S, T.plusSeconds(65), LEARNER, true, List.of(
                        new MediaFlow(MediaDirection.INBOUND, MediaKind.VIDEO, true, 0.015, OptionalDouble.of(42.5),
                                OptionalDouble.of(7), OptionalDouble.of(14.8), OptionalInt.of(640), OptionalInt.of(480)),
                        MediaFlow.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, false)),
                        java.util.Optional.of(java.time.Duration.ofMillis(3012))),
                new AttendanceEvent.ParticipantLeft("e4", S, T.plusSeconds(3600), LEARNER, ConnectionId.of("c2"),
                        DepartureReason.LEFT),
                new AttendanceEvent.SessionClosed("e5", S, T.plusSeconds(3700), "window-ended"),
                new AttendanceEvent.SessionClosed("other-1", SessionId.of("s-other"), T, "window-ended"));
    }

    private AttendanceStore open(String kind) {
        return kind.equals("jsonl") ? JsonLinesAttendanceStore.open(dir.resolve("attendance.jsonl"))
                : JdbcAttendanceStore.open("jdbc:sqlite:" + dir.resolve("attendance.db"), new Properties());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jsonl", "sqlite"})
    void eventsComeBackWholeInOrderOncePerIdAndSurviveReopening(String kind) {
        try (AttendanceStore store = open(kind)) {
            someEvents().forEach(store::append);
            someEvents().forEach(store::append); // every one again: ignored
            assertThat(store.events(S)).containsExactlyElementsOf(someEvents().subList(0, 5));
        }
        try (AttendanceStore again = open(kind)) {
            assertThat(again.events(S)).containsExactlyElementsOf(someEvents().subList(0, 5));
            again.append(someEvents().get(2));
            assertThat(again.events(SessionId.of("s-other"))).hasSize(1);
            assertThat(again.events(S)).hasSize(5);
        }
    }

    @Test
    void postgresqlKeepsTheSameContract() throws Exception {
        try (dev.duet.testing.PostgresProcess pg = dev.duet.testing.PostgresProcess.start()) {
            try (AttendanceStore store = JdbcAttendanceStore.open(pg.jdbcUrl(), new Properties())) {
                someEvents().forEach(store::append);
                someEvents().forEach(store::append);
                assertThat(store.events(S)).containsExactlyElementsOf(someEvents().subList(0, 5));
            }
            try (AttendanceStore again = JdbcAttendanceStore.open(pg.jdbcUrl(), new Properties())) {
                assertThat(again.events(S)).containsExactlyElementsOf(someEvents().subList(0, 5));
            }
        }
    }

    @Test
    void aJdbcStoreWhoseConnectionIsKilledReconnectsAndLosesNothing() throws Exception {
        try (dev.duet.testing.PostgresProcess pg = dev.duet.testing.PostgresProcess.start();
                AttendanceStore store = JdbcAttendanceStore.open(pg.jdbcUrl(), new Properties())) {
            someEvents().subList(0, 2).forEach(store::append);
            // An administrator (or a database restart) ends every other session's backend.
            try (java.sql.Connection admin = java.sql.DriverManager.getConnection(pg.jdbcUrl());
                    java.sql.Statement s = admin.createStatement()) {
                s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                        + " AND datname = current_database()").close();
            }
            someEvents().subList(2, 5).forEach(store::append);
            assertThat(store.events(S)).containsExactlyElementsOf(someEvents().subList(0, 5));
        }
    }

    @Test
    void whenADriverThrowsAnUncheckedErrorNoAppendSharingThatTransactionIsToldItsEventIsStored() throws Exception {
        org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("broken-driver.db"));
        java.util.concurrent.CountDownLatch firstInsertMayFail = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger inserts = new java.util.concurrent.atomic.AtomicInteger();
        javax.sql.DataSource breaking = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    Object result = method.invoke(sqlite, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    java.sql.Connection real = (java.sql.Connection) result;
                    return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {java.sql.Connection.class},
                            (c, m, a) -> {
                                if (m.getName().equals("prepareStatement") && String.valueOf(a[0]).startsWith("INSERT")) {
                                    if (inserts.getAndIncrement() == 0) {
                                        firstInsertMayFail.await(30, java.util.concurrent.TimeUnit.SECONDS);
                                    }
                                    throw new IllegalStateException("the driver broke");
                                }
                                try {
                                    return m.invoke(real, a);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                });
        try (AttendanceStore store = JdbcAttendanceStore.of(breaking, "a breaking driver")) {
            int writers = 6;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            try {
                List<java.util.concurrent.Future<?>> appends = new java.util.ArrayList<>();
                List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int i = 0; i < writers; i++) {
                    AttendanceEvent e = new AttendanceEvent.SessionClosed("broken-" + i, S, T, "window-ended");
                    appends.add(pool.submit(() -> {
                        threads.add(Thread.currentThread());
                        store.append(e);
                        return null;
                    }));
                }
                // The first append leads and blocks in the driver; the others queue behind it and wait.
                dev.duet.testing.Await.until(() -> threads.size() == writers && threads.stream()
                        .filter(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING).count() == writers,
                        java.time.Duration.ofSeconds(10), "every append waiting (one in the driver, the rest for the commit)");
                firstInsertMayFail.countDown();
                for (java.util.concurrent.Future<?> append : appends) {
                    assertThatThrownBy(() -> append.get(30, java.util.concurrent.TimeUnit.SECONDS))
                            .as("an append whose transaction failed").hasCauseInstanceOf(AttendanceStoreException.class)
                            .hasRootCauseMessage("the driver broke");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aJdbcStoreOverTheAppsDataSourceBorrowsAConnectionPerOperation() throws Exception {
        org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("pooled.db"));
        java.util.concurrent.atomic.AtomicInteger borrowed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<java.sql.Connection> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        javax.sql.DataSource counting = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    Object result = method.invoke(sqlite, args);
                    if (method.getName().equals("getConnection")) {
                        borrowed.incrementAndGet();
                        open.add((java.sql.Connection) result);
                    }
                    return result;
                });
        try (AttendanceStore store = JdbcAttendanceStore.of(counting, "the app's pool")) {
            someEvents().forEach(store::append);
            assertThat(store.events(S)).containsExactlyElementsOf(someEvents().subList(0, 5));
            assertThat(store.toString()).contains("the app's pool");
        }
        assertThat(borrowed.get()).as("one per operation: the table, 6 appends, 1 read").isEqualTo(8);
        assertThat(open).allMatch(c -> {
            try {
                return c.isClosed();
            } catch (java.sql.SQLException e) {
                return false;
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"jsonl", "sqlite"})
    void manySessionsAppendingAtOnceShareCommitsAndLoseNothing(String kind) throws Exception {
        int sessions = 40;
        int perSession = 25;
        try (AttendanceStore store = open(kind)) {
            appendConcurrently(store, sessions, perSession, "none");
            assertThat(commits(store)).as("commits for %d appends", sessions * perSession).isLessThan(sessions * perSession);
        }
        try (AttendanceStore again = open(kind)) {
            for (int s = 0; s < sessions; s++) {
                assertThat(again.events(SessionId.of("g-" + s))).hasSize(perSession);
            }
        }
        if (kind.equals("jsonl")) {
            assertThat(Files.readAllLines(dir.resolve("attendance.jsonl"))).hasSize(sessions * perSession);
        }
    }

    @Test
    void anEventThePostgresqlDatabaseRefusesFailsOnlyItsOwnAppendNotTheOthersSharingItsTransaction() throws Exception {
        try (dev.duet.testing.PostgresProcess pg = dev.duet.testing.PostgresProcess.start();
                JdbcAttendanceStore store = JdbcAttendanceStore.open(pg.jdbcUrl(), new Properties())) {
            try (java.sql.Connection admin = java.sql.DriverManager.getConnection(pg.jdbcUrl());
                    java.sql.Statement s = admin.createStatement()) {
                s.execute("CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN IF NEW.event_id = 'g-3-7' THEN"
                        + " RAISE EXCEPTION 'refused by a trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
                s.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON duet_attendance_events FOR EACH ROW"
                        + " EXECUTE FUNCTION refuse_poison()");
            }
            int sessions = 20;
            int perSession = 10;
            List<String> failed = appendConcurrently(store, sessions, perSession, "g-3-7");
            assertThat(failed).singleElement().asString().contains("g-3-7", "refused by a trigger");
            for (int s = 0; s < sessions; s++) {
                assertThat(store.events(SessionId.of("g-" + s))).as("session g-%d", s).hasSize(s == 3 ? perSession - 1 : perSession);
            }
            assertThat(store.commits()).as("commits for %d appends", sessions * perSession).isLessThan(sessions * perSession);
        }
    }

    /**
     * Appends {@code perSession} joins (each twice: a resend) for each of {@code sessions} sessions,
     * one thread per session, all let go at once; returns the messages of the appends that failed,
     * which must be only those of {@code refusedId}. Each append must be readable when it returns.
     */
    private static List<String> appendConcurrently(AttendanceStore store, int sessions, int perSession, String refusedId)
            throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(sessions);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            SessionId session = SessionId.of("g-" + s);
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perSession; i++) {
                    AttendanceEvent e = new AttendanceEvent.ParticipantJoined(session.value() + "-" + i, session,
                            java.time.Instant.parse("2026-11-24T10:00:00Z").plusSeconds(i), EXPERT,
                            dev.duet.core.ConnectionId.of("c-" + i));
                    try {
                        store.append(e);
                    } catch (AttendanceStoreException refused) {
                        assertThat(e.eventId()).as("the only event the database refuses").isEqualTo(refusedId);
                        failed.add(refused.getMessage() + ": " + refused.getCause().getMessage());
                        continue;
                    }
                    store.append(e); // a resend: stored once
                    assertThat(store.events(session)).as("durable and readable when append returns").contains(e);
                }
                assertThat(store.events(session)).as("in the order they were appended").isSortedAccordingTo(
                        java.util.Comparator.comparing(AttendanceEvent::at));
                return null;
            }));
        }
        go.countDown();
        try {
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return failed;
    }

    private static long commits(AttendanceStore store) {
        return store instanceof JsonLinesAttendanceStore lines ? lines.commits() : ((JdbcAttendanceStore) store).commits();
    }

    @Test
    void mediaFiguresAreStoredUnderTheWiresNamesAndOldFilesStillRead() throws Exception {
        MediaFlow flow = new MediaFlow(dev.duet.core.MediaDirection.INBOUND, dev.duet.core.MediaKind.VIDEO, true, 0.25,
                java.util.OptionalDouble.of(42), java.util.OptionalDouble.of(3), java.util.OptionalDouble.of(15),
                java.util.OptionalInt.of(320), java.util.OptionalInt.of(240));
        AttendanceEvent event = new AttendanceEvent.MediaReported("m1", S, T, LEARNER, false, List.of(flow));
        String line = dev.duet.attendance.internal.AttendanceJson.encode(event);
        assertThat(line).contains("\"lossRatio\":0.25", "\"roundTripMs\":42.0", "\"framesPerSecond\":15.0")
                .doesNotContain("\"loss\":", "rttMs", "fps");
        String written = "{\"v\":1,\"id\":\"m1\",\"session\":\"s-42\",\"at\":\"" + T + "\",\"type\":\"media\","
                + "\"participant\":\"learner-bo\",\"relayed\":false,\"flows\":[{\"direction\":\"inbound\",\"kind\":\"video\","
                + "\"flowing\":true,\"loss\":0.25,\"rttMs\":42.0,\"jitterMs\":3.0,\"fps\":15.0,\"width\":320,\"height\":240}]}";
        Path file = dir.resolve("older.jsonl");
        Files.writeString(file, written + "\n");
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            assertThat(store.events(S)).containsExactly(event);
        }
    }

    @Test
    void departuresAndClosesKeepTheirReasonAndOlderLinesWithoutOneStillRead() throws Exception {
        AttendanceEvent left = new AttendanceEvent.ParticipantLeft("l1", S, T, LEARNER, ConnectionId.of("c2"),
                DepartureReason.CONNECTION_LOST);
        AttendanceEvent closed = new AttendanceEvent.SessionClosed("x1", S, T.plusSeconds(1), "window-ended");
        AttendanceEvent refused = new AttendanceEvent.JoinRefused("r1", S, T, LEARNER, AttendanceEvent.Refusal.TOO_EARLY,
                "ticket is valid from 2026-11-24T09:50:00Z");
        assertThat(dev.duet.attendance.internal.AttendanceJson.encode(refused)).contains("\"type\":\"refused\"",
                "\"reason\":\"too-early\"");
        assertThat(dev.duet.attendance.internal.AttendanceJson.encode(left)).contains("\"reason\":\"connection-lost\"");
        assertThat(dev.duet.attendance.internal.AttendanceJson.encode(closed)).contains("\"reason\":\"window-ended\"");
        String prefix = "{\"v\":1,\"session\":\"s-42\",\"at\":\"" + T + "\",";
        Path file = dir.resolve("older.jsonl");
        Files.writeString(file, String.join("\n",
                dev.duet.attendance.internal.AttendanceJson.encode(left),
                dev.duet.attendance.internal.AttendanceJson.encode(refused),
                prefix + "\"id\":\"o1\",\"type\":\"left\",\"participant\":\"learner-bo\",\"connection\":\"c2\",\"hungUp\":true}",
                prefix + "\"id\":\"o2\",\"type\":\"left\",\"participant\":\"learner-bo\",\"connection\":\"c3\"}",
                prefix + "\"id\":\"o3\",\"type\":\"closed\"}") + "\n");
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            assertThat(store.events(S)).containsExactly(left, refused,
                    new AttendanceEvent.ParticipantLeft("o1", S, T, LEARNER, ConnectionId.of("c2"), DepartureReason.HUNG_UP),
                    new AttendanceEvent.ParticipantLeft("o2", S, T, LEARNER, ConnectionId.of("c3"), DepartureReason.LEFT),
                    new AttendanceEvent.SessionClosed("o3", S, T, "unrecorded"));
        }
    }

    @Test
    void aTornLastLineIsCutOffOnOpeningAndACorruptLineIsSkippedNeverFatal() throws Exception {
        Path file = dir.resolve("attendance.jsonl");
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            someEvents().subList(0, 3).forEach(store::append);
        }
        String whole = Files.readString(file);
        // A crash in the middle of writing the fourth event:
        String fourth = dev.duet.attendance.internal.AttendanceJson.encode(someEvents().get(3));
        Files.writeString(file, fourth.substring(0, fourth.length() / 2), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            assertThat(store.tornLinesCut()).isEqualTo(1);
            assertThat(store.events(S)).containsExactlyElementsOf(someEvents().subList(0, 3));
            store.append(someEvents().get(3));
            assertThat(store.events(S)).containsExactlyElementsOf(someEvents().subList(0, 4));
        }
        assertThat(Files.readString(file)).startsWith(whole).endsWith(fourth + "\n");

        // A line damaged in the middle (by hand): skipped with a warning, the rest is read.
        List<String> lines = Files.readAllLines(file);
        lines.set(1, "{\"v\":1,\"id\":\"e2\",\"type\":\"joined\"");
        Files.write(file, lines);
        try (JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(file)) {
            assertThat(store.events(S)).extracting(AttendanceEvent::eventId).containsExactly("e1", "e3", "e4");
        }
    }

    @Test
    void aStoreThatCannotWriteSaysSoAndTheRelayWouldNotAcknowledge() {
        JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(dir.resolve("a.jsonl"));
        store.close();
        assertThatThrownBy(() -> store.append(someEvents().get(0))).isInstanceOf(AttendanceStore.AttendanceStoreException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> JdbcAttendanceStore.open("jdbc:nosuchdb:x?password=hunter2", new Properties()))
                .hasMessageContaining("password=(redacted)").hasMessageNotContaining("hunter2");
    }
}
