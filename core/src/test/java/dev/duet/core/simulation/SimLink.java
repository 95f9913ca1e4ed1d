package dev.duet.core.simulation;

/**
 * One direction of one signaling connection. Delivers in order (as Duet's transports promise)
 * with random delays; a message may be lost and re-delivered after a transport reconnect (a
 * stall that holds up everything behind it), may arrive twice, and, when the scenario allows it,
 * candidate messages may overtake the messages sent before them. Nothing is delivered once the
 * connection is dead.
 */
final class SimLink {
    private final Simulation sim;
    private long lastInOrder;
    private long lastBarrier;
    boolean alive = true;

    SimLink(Simulation sim) {
        this.sim = sim;
    }

    /**
     * @param overtaking   may overtake earlier messages (candidates, when the scenario allows)
     * @param barrier      nothing sent later may overtake this (presence facts)
     * @param duplicable   may be delivered twice
     */
    void send(boolean overtaking, boolean barrier, boolean duplicable, Runnable deliver) {
        Scenario s = sim.scenario;
        long now = sim.scheduler.nowMillis();
        long delay = s.minDelay() + sim.random.nextInt((int) (s.maxDelay() - s.minDelay() + 1));
        if (sim.random.nextDouble() < s.stallChance()) {
            delay += sim.random.nextInt((int) s.maxStall() + 1);
        }
        long at;
        if (overtaking && s.candidatesOvertake()) {
            at = Math.max(lastBarrier, now + delay);
        } else {
            at = Math.max(lastInOrder, now + delay);
            lastInOrder = at;
        }
        if (barrier) {
            lastBarrier = Math.max(lastBarrier, at);
        }
        schedule(at, deliver);
        if (duplicable && sim.random.nextDouble() < s.duplicateChance()) {
            long again = Math.max(lastInOrder, at + sim.random.nextInt((int) s.maxStall() + 1000));
            lastInOrder = again;
            schedule(again, deliver);
        }
    }

    private void schedule(long at, Runnable deliver) {
        sim.scheduler.at(at, () -> {
            if (alive) {
                deliver.run();
            }
        });
    }
}
