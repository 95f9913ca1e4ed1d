package dev.duet.core.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Everything random about one simulated session, drawn from one seed. All times are virtual
 * milliseconds from the moment the room opens.
 *
 * @param seed               the seed it came from
 * @param expertArrivesAt    when the expert first joins the relay
 * @param learnerArrivesAt   when the learner first joins the relay (equal to the expert's: a tie)
 * @param expertMediaAt      when the expert's local media becomes available (tracks attach after it)
 * @param learnerMediaAt     same for the learner
 * @param minDelay           shortest one-way delay of a message
 * @param maxDelay           longest one-way delay of a message (before stalls)
 * @param stallChance        chance that a message is lost and re-delivered after a transport reconnect
 * @param maxStall           longest such stall
 * @param duplicateChance    chance that a signal is delivered twice (the second after a resend)
 * @param candidatesOvertake whether candidate messages may overtake other messages on the same link
 * @param rejoins            signaling connections replaced mid-stream
 * @param outages            network outages that break ICE
 * @param renegotiations     local changes that need a new offer/answer
 * @param mutation           a deliberate fault in the adapter, to prove the checks catch it
 */
record Scenario(
        long seed,
        long expertArrivesAt,
        long learnerArrivesAt,
        long expertMediaAt,
        long learnerMediaAt,
        long minDelay,
        long maxDelay,
        double stallChance,
        long maxStall,
        double duplicateChance,
        boolean candidatesOvertake,
        List<Rejoin> rejoins,
        List<Outage> outages,
        List<Renegotiation> renegotiations,
        Mutation mutation) {

    /** Who: the expert or the learner. */
    enum Side { EXPERT, LEARNER }

    /** A deliberate adapter fault. */
    enum Mutation {
        NONE,
        /** The adapter reports tracks attached as soon as the peer connection exists, before they are. */
        REPORT_TRACKS_EARLY
    }

    /**
     * {@code side}'s signaling connection drops at {@code at}; it rejoins {@code reconnectAfter} later.
     * {@code leaveNoticed}: the relay notices the drop and tells the peer before the rejoin.
     * {@code freshProcess}: the client restarted (a browser reload) instead of reconnecting.
     */
    record Rejoin(Side side, long at, long reconnectAfter, boolean leaveNoticed, boolean freshProcess) {}

    /** The network path breaks at {@code at} for {@code length}; {@code fails}: ICE reports failed, not disconnected. */
    record Outage(long at, long length, boolean fails) {}

    /** {@code side} needs a renegotiation (a track added) at {@code at}. */
    record Renegotiation(Side side, long at) {}

    static Scenario random(long seed) {
        Random r = new Random(seed);
        long expert;
        long learner;
        switch (r.nextInt(3)) {
            case 0 -> { expert = r.nextInt(10_000); learner = expert + r.nextInt(10_000); }
            case 1 -> { learner = r.nextInt(10_000); expert = learner + r.nextInt(10_000); }
            default -> { expert = r.nextInt(5_000); learner = expert; }
        }
        long expertMedia = media(r);
        long learnerMedia = media(r);
        long minDelay = 1 + r.nextInt(30);
        long maxDelay = minDelay + r.nextInt(400);
        double stall = r.nextInt(4) == 0 ? 0 : r.nextDouble() * 0.05;
        long maxStall = 500 + r.nextInt(5_000);
        double duplicate = r.nextInt(4) == 0 ? 0 : r.nextDouble() * 0.05;
        boolean overtake = r.nextBoolean();

        List<Rejoin> rejoins = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            rejoins.add(new Rejoin(r.nextBoolean() ? Side.EXPERT : Side.LEARNER, r.nextInt(60_000),
                    100 + r.nextInt(5_000), r.nextBoolean(), r.nextInt(4) == 0));
        }
        List<Outage> outages = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            outages.add(new Outage(r.nextInt(60_000), 500 + r.nextInt(20_000), r.nextInt(3) == 0));
        }
        List<Renegotiation> renegotiations = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            renegotiations.add(new Renegotiation(r.nextBoolean() ? Side.EXPERT : Side.LEARNER, r.nextInt(60_000)));
        }
        if (r.nextInt(3) == 0) {
            // Both sides change their media at nearly the same moment: glare.
            long at = r.nextInt(60_000);
            renegotiations.add(new Renegotiation(Side.EXPERT, at));
            renegotiations.add(new Renegotiation(Side.LEARNER, at + r.nextInt(300)));
        }
        return new Scenario(seed, expert, learner, expertMedia, learnerMedia, minDelay, maxDelay, stall, maxStall,
                duplicate, overtake, List.copyOf(rejoins), List.copyOf(outages), List.copyOf(renegotiations), Mutation.NONE);
    }

    /** Local media: usually within 3 s, sometimes slow (a camera permission prompt): up to 20 s. */
    private static long media(Random r) {
        return r.nextInt(5) == 0 ? 3_000 + r.nextInt(17_000) : r.nextInt(3_000);
    }

    Scenario withMutation(Mutation m) {
        return new Scenario(seed, expertArrivesAt, learnerArrivesAt, expertMediaAt, learnerMediaAt, minDelay, maxDelay,
                stallChance, maxStall, duplicateChance, candidatesOvertake, rejoins, outages, renegotiations, m);
    }

    /** A calm session: given arrivals and media times, fixed small delays, no faults. */
    static Scenario calm(long expertArrivesAt, long learnerArrivesAt, long expertMediaAt, long learnerMediaAt) {
        return new Scenario(0, expertArrivesAt, learnerArrivesAt, expertMediaAt, learnerMediaAt, 20, 60, 0, 0, 0, false,
                List.of(), List.of(), List.of(), Mutation.NONE);
    }

    Scenario with(List<Rejoin> rejoins, List<Outage> outages, List<Renegotiation> renegotiations) {
        return new Scenario(seed, expertArrivesAt, learnerArrivesAt, expertMediaAt, learnerMediaAt, minDelay, maxDelay,
                stallChance, maxStall, duplicateChance, candidatesOvertake, rejoins, outages, renegotiations, mutation);
    }

    /** The last moment anything disruptive is scheduled to happen; the session must settle after it. */
    long lastDisruption() {
        long last = Math.max(Math.max(expertArrivesAt, learnerArrivesAt), Math.max(expertMediaAt, learnerMediaAt));
        for (Rejoin j : rejoins) {
            last = Math.max(last, j.at() + j.reconnectAfter());
        }
        for (Outage o : outages) {
            last = Math.max(last, o.at() + o.length());
        }
        for (Renegotiation n : renegotiations) {
            last = Math.max(last, n.at());
        }
        return last;
    }
}
