package dev.duet.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Named sessions through the whole simulation: who offers, and that both sides end connected. */
class SessionScenarioTest {
    private static final long MINUTE = 60_000;

    @Test
    void whenTheExpertArrivesFirstTheLearnerOffers() {
        Simulation.Result r = Simulation.run(Scenario.calm(MINUTE, 3 * MINUTE, MINUTE, 3 * MINUTE));
        assertConnected(r);
        assertThat(offerers(r)).containsOnly("learner");
    }

    @Test
    void whenTheLearnerArrivesFirstTheExpertOffers() {
        Simulation.Result r = Simulation.run(Scenario.calm(3 * MINUTE, MINUTE, 3 * MINUTE, MINUTE));
        assertConnected(r);
        assertThat(offerers(r)).containsOnly("expert");
    }

    @Test
    void whenBothArriveAtTheSameInstantTheGreaterParticipantIdOffers() {
        Simulation.Result r = Simulation.run(Scenario.calm(MINUTE, MINUTE, MINUTE, MINUTE));
        assertConnected(r);
        assertThat(offerers(r)).containsOnly("learner"); // learner-bo > expert-ada
    }

    @Test
    void aSlowAnswererDelaysTheOfferUntilItsTracksAreAttached() {
        // The learner arrives later and offers; the expert's camera takes 40 s.
        Simulation.Result r = Simulation.run(Scenario.calm(MINUTE, 2 * MINUTE, 2 * MINUTE + 40_000, 2 * MINUTE));
        assertConnected(r);
        String readyLine = line(r, "expert has its tracks attached");
        String offerLine = line(r, "learner creates an offer");
        assertThat(readyLine.substring(0, 12)).isLessThanOrEqualTo(offerLine.substring(0, 12));
        assertThat(offerLine).startsWith("09:57:40");
    }

    @Test
    void aSlowInitiatorOffersOnlyOnceItsOwnTracksAreAttached() {
        Simulation.Result r = Simulation.run(Scenario.calm(MINUTE, 2 * MINUTE, MINUTE, 2 * MINUTE + 30_000));
        assertConnected(r);
        assertThat(line(r, "learner creates an offer")).startsWith("09:57:30");
    }

    @Test
    void theRejoiningSideOffersInTheNewEpochAndBothConnectAgain() {
        Scenario base = Scenario.calm(MINUTE, 2 * MINUTE, MINUTE, 2 * MINUTE);
        // The expert (first arrival, polite) drops and rejoins: now it is the later arrival.
        Simulation.Result r = Simulation.run(base.with(
                List.of(new Scenario.Rejoin(Scenario.Side.EXPERT, 5 * MINUTE, 3_000, false, false)), List.of(), List.of()));
        assertConnected(r);
        assertThat(offerers(r)).containsExactly("learner", "expert");
        assertThat(line(r, "expert: connected -> preparing")).contains("this side arrived later and offers");
    }

    @Test
    void aReloadedBrowserJoinsAfreshAndConnectsAgain() {
        Scenario base = Scenario.calm(MINUTE, 2 * MINUTE, MINUTE, 2 * MINUTE);
        Simulation.Result r = Simulation.run(base.with(
                List.of(new Scenario.Rejoin(Scenario.Side.LEARNER, 5 * MINUTE, 2_000, true, true)), List.of(), List.of()));
        assertConnected(r);
        List<String> fresh = r.timeline().stream().filter(l -> l.contains("learner: idle -> preparing")).toList();
        assertThat(fresh).hasSize(2);
        assertThat(fresh.get(1)).startsWith("10:00:0"); // the reloaded page's machine, at the rejoin
    }

    @Test
    void aSeedAlwaysReplaysTheSameTrace() {
        Scenario scenario = Scenario.random(4242);
        assertThat(Simulation.run(scenario).trace()).isEqualTo(Simulation.run(scenario).trace()).isNotEmpty();
    }

    private static void assertConnected(Simulation.Result r) {
        assertThat(r.violations()).as(r.report()).isEmpty();
    }

    private static List<String> offerers(Simulation.Result r) {
        return r.timeline().stream().filter(l -> l.contains(" creates an offer"))
                .map(l -> l.substring(14, l.indexOf(' ', 14))).toList();
    }

    private static String line(Simulation.Result r, String containing) {
        return r.timeline().stream().filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no timeline line contains \"" + containing + "\":\n"
                        + String.join("\n", r.timeline())));
    }
}
