package dev.duet.core;

/**
 * What a machine dropped or repeated, for diagnosis. Dropping is normal in small numbers (stale
 * messages after a rejoin, duplicates after a transport resend); a steady rise is a sign of trouble.
 *
 * @param staleMessages      signals and adapter results of another epoch, or otherwise out of date
 * @param duplicateMessages  signals already handled (same ready, same offer id, answer to an old offer)
 * @param ignoredOffers      colliding offers the impolite side ignored (perfect negotiation)
 * @param rollbacks          local offers the polite side rolled back for the peer's
 * @param staleCandidates    remote candidates of an older ICE generation, dropped
 * @param overflowCandidates buffered remote candidates dropped because the buffer was full
 * @param malformedSignals   signals whose content made no sense (an SDP without an ICE username fragment)
 * @param resentSignals      ready and offer messages sent again after a timeout, answers repeated for a repeated offer
 * @param iceRestarts        ICE restarts this side started
 */
public record NegotiationStats(
        long staleMessages,
        long duplicateMessages,
        long ignoredOffers,
        long rollbacks,
        long staleCandidates,
        long overflowCandidates,
        long malformedSignals,
        long resentSignals,
        long iceRestarts) {

    public NegotiationStats {
        long[] all = {staleMessages, duplicateMessages, ignoredOffers, rollbacks, staleCandidates, overflowCandidates,
                malformedSignals, resentSignals, iceRestarts};
        for (long count : all) {
            if (count < 0) {
                throw new IllegalArgumentException("negotiation stats are counts and cannot be negative, but got " + java.util.Arrays.toString(all));
            }
        }
    }
}
