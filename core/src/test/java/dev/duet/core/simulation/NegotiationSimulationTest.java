package dev.duet.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.NegotiationStats;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The negotiation machine, two of them, over thousands of random schedules (see {@link Simulation}
 * for the properties). Plain JUnit with our own seeded generator: {@code -Dduet.sim.seeds=N} sets
 * how many seeds (default 10,000), {@code -Dduet.sim.firstSeed=S} where they start, and
 * {@code -Dduet.sim.seed=S} re-runs one seed and prints its trace.
 */
class NegotiationSimulationTest {
    private static final int DEFAULT_SEEDS = 10_000;

    @Test
    void everyRandomScheduleConnectsBothSidesAndKeepsEveryRule() {
        String only = System.getProperty("duet.sim.seed");
        if (only != null) {
            Simulation.Result result = Simulation.run(Scenario.random(Long.parseLong(only)));
            System.out.println(result.ok() ? "seed " + only + " passed\n" + String.join("\n", result.trace()) : result.report());
            assertThat(result.violations()).as("violations of seed %s", only).isEmpty();
            return;
        }
        int seeds = Integer.getInteger("duet.sim.seeds", DEFAULT_SEEDS);
        long first = Long.getLong("duet.sim.firstSeed", 1L);
        List<Long> failed = new ArrayList<>();
        String firstReport = null;
        Coverage coverage = new Coverage();
        for (long seed = first; seed < first + seeds; seed++) {
            Scenario scenario = Scenario.random(seed);
            Simulation.Result result = new Simulation(scenario, false).execute();
            coverage.add(scenario, result);
            if (!result.ok()) {
                failed.add(seed);
                if (firstReport == null) {
                    firstReport = Simulation.run(scenario).report();
                }
            }
        }
        System.out.println("negotiation simulation: " + seeds + " seeds from " + first + ", " + failed.size()
                + " failed; " + coverage);
        assertThat(failed).as("failing seeds (first one's report below)\n%s", firstReport).isEmpty();
        if (seeds >= DEFAULT_SEEDS) {
            coverage.assertEveryPathWasTaken();
        }
    }

    @Test
    void theChecksCatchAnAdapterThatReportsTracksBeforeAttachingThem() {
        int caught = 0;
        for (long seed = 1; seed <= 200; seed++) {
            Simulation.Result result = Simulation.run(Scenario.random(seed).withMutation(Scenario.Mutation.REPORT_TRACKS_EARLY));
            if (result.violations().stream().anyMatch(v -> v.contains("before its local tracks were attached"))) {
                caught++;
            }
        }
        assertThat(caught).as("seeds of 200 where the early-tracks fault was caught").isGreaterThan(100);
    }

    /** Counts how often the hard paths happened, so a generator that stops producing them fails the test. */
    private static final class Coverage {
        int ties;
        int rejoins;
        int outages;
        int renegotiations;
        int slowMedia;
        long ignoredOffers;
        long rollbacks;
        long staleMessages;
        long duplicates;
        long staleCandidates;
        long resends;
        long iceRestarts;

        void add(Scenario s, Simulation.Result r) {
            ties += s.expertArrivesAt() == s.learnerArrivesAt() ? 1 : 0;
            rejoins += s.rejoins().isEmpty() ? 0 : 1;
            outages += s.outages().isEmpty() ? 0 : 1;
            renegotiations += s.renegotiations().isEmpty() ? 0 : 1;
            slowMedia += Math.max(s.expertMediaAt(), s.learnerMediaAt()) > 3_000 ? 1 : 0;
            ignoredOffers += sum(r, NegotiationStats::ignoredOffers);
            rollbacks += sum(r, NegotiationStats::rollbacks);
            staleMessages += sum(r, NegotiationStats::staleMessages);
            duplicates += sum(r, NegotiationStats::duplicateMessages);
            staleCandidates += sum(r, NegotiationStats::staleCandidates);
            resends += sum(r, NegotiationStats::resentSignals);
            iceRestarts += sum(r, NegotiationStats::iceRestarts);
        }

        private static long sum(Simulation.Result r, ToLongFunction<NegotiationStats> f) {
            return r.stats().stream().mapToLong(f).sum();
        }

        void assertEveryPathWasTaken() {
            assertThat(ties).as("runs with a simultaneous arrival").isGreaterThan(100);
            assertThat(rejoins).as("runs with a rejoin").isGreaterThan(100);
            assertThat(outages).as("runs with a network outage").isGreaterThan(100);
            assertThat(renegotiations).as("runs with a renegotiation").isGreaterThan(100);
            assertThat(slowMedia).as("runs with slow local media").isGreaterThan(100);
            assertThat(ignoredOffers).as("colliding offers ignored by the impolite side").isGreaterThan(500);
            assertThat(rollbacks).as("polite rollbacks").isGreaterThan(500);
            assertThat(staleMessages).as("stale messages dropped").isGreaterThan(300);
            assertThat(duplicates).as("duplicates dropped").isGreaterThan(100);
            assertThat(staleCandidates).as("candidates of an old ICE generation dropped").isGreaterThan(100);
            assertThat(resends).as("resent signals").isGreaterThan(500);
            assertThat(iceRestarts).as("ICE restarts").isGreaterThan(100);
        }

        @Override
        public String toString() {
            return "ties=" + ties + " rejoins=" + rejoins + " outages=" + outages + " renegotiations=" + renegotiations
                    + " slowMedia=" + slowMedia + " ignoredOffers=" + ignoredOffers + " rollbacks=" + rollbacks
                    + " staleMessages=" + staleMessages + " duplicates=" + duplicates + " staleCandidates="
                    + staleCandidates + " resends=" + resends + " iceRestarts=" + iceRestarts;
        }
    }
}
