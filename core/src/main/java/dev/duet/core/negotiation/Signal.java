package dev.duet.core.negotiation;

import dev.duet.core.Epoch;
import dev.duet.core.internal.Checks;
import java.util.List;

/**
 * The negotiation messages two peers exchange through the relay. Every one carries its
 * {@link Epoch}; a receiver drops a message of any other epoch. The wire form (JSON) belongs
 * to the signaling client; the meaning is defined here.
 */
public sealed interface Signal {
    /** Largest SDP accepted, in characters (real offers with audio and video are 3 to 8 kB). */
    int MAX_SDP_LENGTH = 32 * 1024;
    /** Most candidates in one {@link Candidates} batch. */
    int MAX_CANDIDATES_PER_BATCH = 32;

    Epoch epoch();

    /** The sender's peer connection for the epoch exists and all its local tracks are attached. */
    record Ready(Epoch epoch) implements Signal {
        public Ready {
            Checks.notNull(epoch, "ready.epoch");
        }
    }

    /**
     * A session description offer. {@code offerId} counts the sender's offers in the epoch from 1;
     * a resend repeats the id.
     */
    record Offer(Epoch epoch, long offerId, String sdp) implements Signal {
        public Offer {
            Checks.notNull(epoch, "offer.epoch");
            requirePositive(offerId, "offer.offerId");
            requireSdp(sdp, "offer.sdp");
        }
    }

    /** The answer to the peer's offer {@code offerId}. */
    record Answer(Epoch epoch, long offerId, String sdp) implements Signal {
        public Answer {
            Checks.notNull(epoch, "answer.epoch");
            requirePositive(offerId, "answer.offerId");
            requireSdp(sdp, "answer.sdp");
        }
    }

    /** Trickled ICE candidates of the sender's description with ICE username fragment {@code ufrag}. */
    record Candidates(Epoch epoch, String ufrag, List<IceCandidate> candidates) implements Signal {
        public Candidates {
            Checks.notNull(epoch, "candidates.epoch");
            Checks.notNull(ufrag, "candidates.ufrag");
            if (ufrag.isBlank() || ufrag.length() > 256) {
                throw new IllegalArgumentException("candidates.ufrag must be 1 to 256 characters, not blank");
            }
            Checks.notNull(candidates, "candidates.candidates");
            if (candidates.isEmpty() || candidates.size() > MAX_CANDIDATES_PER_BATCH) {
                throw new IllegalArgumentException("candidates.candidates must hold 1 to " + MAX_CANDIDATES_PER_BATCH
                        + " candidates, but held " + candidates.size());
            }
            candidates = List.copyOf(candidates);
        }
    }

    /** The sender has ended the session for good. */
    record Bye(Epoch epoch, String reason) implements Signal {
        public Bye {
            Checks.notNull(epoch, "bye.epoch");
            Checks.notNull(reason, "bye.reason");
            if (reason.length() > 200) {
                throw new IllegalArgumentException("bye.reason must be at most 200 characters, but had " + reason.length());
            }
        }
    }

    private static void requirePositive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more, but was " + value);
        }
    }

    private static void requireSdp(String sdp, String name) {
        Checks.notNull(sdp, name);
        if (sdp.isBlank() || sdp.length() > MAX_SDP_LENGTH) {
            throw new IllegalArgumentException(name + " must be 1 to " + MAX_SDP_LENGTH + " characters, not blank, but had "
                    + sdp.length());
        }
    }
}
