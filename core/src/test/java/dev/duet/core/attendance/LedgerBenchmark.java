package dev.duet.core.attendance;

import dev.duet.core.DepartureReason;
import dev.duet.core.MediaKind;
import dev.duet.core.MediaDirection;
import dev.duet.core.ConnectionId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Reports per second for a 1-hour session of 10,000 events (2 joins, a reconnect, 9,995 media
 * reports from both sides, in shuffled order as a replay might deliver them): a fresh ledger, all
 * events added, the report built. Next to it, a floor every ledger pays: the same events copied
 * and sorted by time. Only compiled and run with {@code -Pbench} (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class LedgerBenchmark {
    private List<AttendanceEvent> events;

    /** For JMH, which instantiates the state (explicit: the class sits in an exported package). */
    public LedgerBenchmark() {}

    @Setup
    public void events() {
        List<AttendanceEvent> all = new ArrayList<>();
        int id = 0;
        Instant start = SessionScript.at("10:00");
        all.add(new AttendanceEvent.ParticipantJoined("e" + (++id), SessionScript.SESSION, start.minusSeconds(60), SessionScript.EXPERT,
                ConnectionId.of("c1")));
        all.add(new AttendanceEvent.ParticipantJoined("e" + (++id), SessionScript.SESSION, start.minusSeconds(30), SessionScript.LEARNER,
                ConnectionId.of("c2")));
        all.add(new AttendanceEvent.ParticipantLeft("e" + (++id), SessionScript.SESSION, start.plusSeconds(1800), SessionScript.LEARNER,
                ConnectionId.of("c2"), DepartureReason.CONNECTION_LOST));
        all.add(new AttendanceEvent.ParticipantJoined("e" + (++id), SessionScript.SESSION, start.plusSeconds(1805), SessionScript.LEARNER,
                ConnectionId.of("c3")));
        Random random = new Random(1);
        int reports = 10_000 - all.size() - 1;
        for (int i = 0; i < reports; i++) {
            Instant at = start.plusMillis((long) i * 3_600_000L / reports * 2 % 3_600_000L);
            boolean flowing = random.nextInt(50) > 0;
            all.add(new AttendanceEvent.MediaReported("e" + (++id), SessionScript.SESSION, at,
                    i % 2 == 0 ? SessionScript.EXPERT : SessionScript.LEARNER, false, List.of(
                            MediaFlow.of(MediaDirection.INBOUND, MediaKind.AUDIO, flowing),
                            MediaFlow.of(MediaDirection.INBOUND, MediaKind.VIDEO, flowing),
                            MediaFlow.of(MediaDirection.OUTBOUND, MediaKind.AUDIO, true),
                            MediaFlow.of(MediaDirection.OUTBOUND, MediaKind.VIDEO, true))));
        }
        all.add(new AttendanceEvent.SessionClosed("e" + (++id), SessionScript.SESSION, start.plusSeconds(3600), "window-ended"));
        Collections.shuffle(all, random);
        events = List.copyOf(all);
    }

    @Benchmark
    public SessionReport reportOfAnHourWithTenThousandEvents() {
        AttendanceLedger ledger = new AttendanceLedger(SessionScript.BOOKING, AttendanceRules.defaults());
        ledger.addAll(events);
        return ledger.report();
    }

    @Benchmark
    public List<AttendanceEvent> sortByTimeOnlyBaseline() {
        List<AttendanceEvent> sorted = new ArrayList<>(events);
        sorted.sort(java.util.Comparator.comparing(AttendanceEvent::at));
        return sorted;
    }
}
