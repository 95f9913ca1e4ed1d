package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.core.attendance.AttendanceLedger;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.SessionReport;
import dev.duet.testing.ProcessOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The network between two connected peers drops every packet for 5 s (a blackhole routing rule in
 * the test's own namespace takes all traffic to 10.77.0.0/24, which carries the media; the relay,
 * on 127.0.0.1, is untouched). Media stops, flows both ways again once the network is back (after
 * a cut longer than ICE waits out, by the initiator's ICE restart), and the session's report shows
 * one interruption of about the outage's length.
 */
class NetworkDropTest {
    @RegisterExtension
    static final SyntheticEngine engine = new SyntheticEngine();

    @BeforeAll
    static void requireCuttableNetwork() throws Exception {
        if (!PeerCut.available()) {
            ProcessOutput.missing("no network namespace of this run's own whose routing rules the test may change "
                    + "(run it inside .ci/netns-run.sh, as root)", "the network drop test");
        }
    }

    @Test
    void afterAFiveSecondCutMediaFlowsBothWaysAgainAndTheReportShowsOneInterruptionOfAboutThatLength() throws Exception {
        cutAndRecover(Duration.ofSeconds(5), false);
    }

    @Test
    void aCutLongerThanIceWaitsOutIsRepairedByTheInitiatorsIceRestart() throws Exception {
        // Disconnected for more than 4 s: the initiator restarts ICE (§10), and the restart connects
        // once the network is back.
        cutAndRecover(Duration.ofSeconds(12), true);
    }

    private void cutAndRecover(Duration cut, boolean restartExpected) throws Exception {
        ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
        try (CallHarness harness = new CallHarness(engine.get(), CallHarness.RelayKind.WEBSOCKET)) {
            CallHarness.Pair pair = harness.flowingPair(); // the learner came second: it is the initiator
            Instant cutAt = Instant.now();
            PeerCut.drop();
            faults.schedule(() -> {
                PeerCut.restore();
                return null;
            }, cut.toMillis(), TimeUnit.MILLISECONDS);
            pair.expert().awaitReport(Duration.ofSeconds(10), "inbound video stopped",
                    r -> !CallRecorder.flows(r, MediaDirection.INBOUND, MediaKind.VIDEO));
            pair.learner().awaitReport(Duration.ofSeconds(10), "inbound video stopped",
                    r -> !CallRecorder.flows(r, MediaDirection.INBOUND, MediaKind.VIDEO));
            // Media is back both ways, seen by each side's own stats.
            pair.expert().awaitTwoWayMedia(cut.plusSeconds(40));
            pair.learner().awaitTwoWayMedia(cut.plusSeconds(40));
            Duration back = Duration.between(cutAt, Instant.now());
            assertThat(back).as("media came back after the cut ended, not before").isGreaterThanOrEqualTo(cut);
            if (restartExpected) {
                assertThat(pair.learner().restartOffers).as("the initiator restarted ICE\n%s", pair.learner().story()).isNotEmpty();
            }
            // Three more seconds of media both ways, reported by both sides, so that the record holds
            // media after the outage (a single report each may not overlap on the relay's clock); then hang up.
            for (int k = 0; k < 3; k++) {
                pair.expert().awaitTwoWayMedia(Duration.ofSeconds(10));
                pair.learner().awaitTwoWayMedia(Duration.ofSeconds(10));
            }
            pair.expertCall().hangUp("lesson over").get(10, TimeUnit.SECONDS);
            harness.awaitDeparture(CallHarness.LEARNER);

            AttendanceLedger ledger = new AttendanceLedger(harness.booking, AttendanceRules.defaults());
            ledger.addAll(harness.relayEvents);
            SessionReport report = ledger.report();
            Duration gap = report.bothPresent().minus(report.mediaBothWays());
            System.out.println("network drop of " + cut.toSeconds() + " s: media back after " + back.toMillis() + " ms; "
                    + "ICE restarts by the initiator: " + pair.learner().restartOffers.size() + "; report: "
                    + report.interruptions() + " interruption(s), both present " + report.bothPresent().toMillis()
                    + " ms, media both ways " + report.mediaBothWays().toMillis() + " ms (short by " + gap.toMillis() + " ms)");
            assertThat(report.interruptions()).as("one interruption on the record\n%s", report.describe()).isEqualTo(1);
            assertThat(gap).as("media both ways is short of both-present by about the outage").isBetween(cut.minusSeconds(2),
                    back.plusSeconds(8));
        } finally {
            PeerCut.restore();
            faults.shutdownNow();
        }
    }

    /**
     * Cuts (and restores) every packet to the namespace's veth addresses with a policy rule that sends
     * them to a blackhole, ahead of the local table (the kernel here has no netem or prio qdisc). Both
     * peers live in one namespace, so their media goes over the local route; the relay's connections,
     * on 127.0.0.1, are untouched.
     */
    static final class PeerCut {
        private PeerCut() {}

        static boolean available() {
            try {
                if (!"1".equals(System.getenv(dev.duet.testing.TestNetwork.NETNS_MARK))) {
                    return false; // never on the build host's own routing
                }
                drop();
                restore();
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        static void drop() throws Exception {
            String rules = run(true, "ip", "rule", "show");
            if (rules.lines().noneMatch(l -> l.startsWith("100:") && l.endsWith("lookup local"))) {
                run(true, "ip", "rule", "add", "pref", "100", "lookup", "local");
            }
            if (rules.lines().anyMatch(l -> l.startsWith("0:") && l.endsWith("lookup local"))) {
                run(true, "ip", "rule", "del", "pref", "0");
            }
            run(true, "ip", "rule", "add", "pref", "10", "to", "10.77.0.0/24", "blackhole");
        }

        static void restore() {
            try {
                run(false, "ip", "rule", "del", "pref", "10");
            } catch (Exception e) {
                throw new IllegalStateException("could not remove the blackhole rule", e);
            }
        }

        private static String run(boolean mustSucceed, String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || (mustSucceed && p.exitValue() != 0)) {
                throw new IllegalStateException(String.join(" ", List.of(command)) + " failed: " + out);
            }
            return out;
        }
    }
}
