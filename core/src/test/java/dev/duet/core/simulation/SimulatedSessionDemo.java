package dev.duet.core.simulation;

import java.util.List;

/**
 * The README's main command (for now): one scripted session through the simulated relay and
 * network, driven by the real negotiation machines, printed as a timeline. The expert arrives
 * first; the learner arrives later (so the learner offers) with a camera that takes a few seconds;
 * the network breaks for a moment (the learner, as initiator, restarts ICE); the learner's
 * signaling connection drops and comes back (a new epoch, in which the rejoining learner offers).
 * Everything runs in virtual time: the hour-long story prints in well under a second.
 */
public final class SimulatedSessionDemo {
    private SimulatedSessionDemo() {}

    public static void main(String[] args) {
        long minute = 60_000;
        Scenario scenario = Scenario.calm(2 * minute, 6 * minute, 2 * minute + 400, 6 * minute + 8_000).with(
                List.of(new Scenario.Rejoin(Scenario.Side.LEARNER, 10 * minute, 2_000, true, false)),
                List.of(new Scenario.Outage(8 * minute, 6_000, false)),
                List.of());
        Simulation.Result result = Simulation.run(scenario);

        System.out.println();
        System.out.println("Duet: a simulated session (booking s-42, 10:00-11:00 UTC, room opens 09:55)");
        System.out.println("expert = expert-ada, learner = learner-bo; relay, network and peer connections simulated");
        System.out.println("------------------------------------------------------------------------------------");
        result.timeline().forEach(System.out::println);
        System.out.println("------------------------------------------------------------------------------------");
        System.out.println("expert stats:  " + result.stats().get(0));
        System.out.println("learner stats: " + result.stats().get(1));
        if (result.ok()) {
            System.out.println("Every rule held: both sides connected, no offer or answer before tracks, "
                    + "no candidate before its description.");
        } else {
            System.out.println(result.report());
            System.exit(1);
        }
    }
}
