package dev.duet.core;

import dev.duet.core.internal.Checks;
import java.time.Duration;

/**
 * Timer lengths and limits of the negotiation machine.
 *
 * @param readyResend          own {@code ready} unanswered this long: send it again (1 s .. 5 min)
 * @param answerTimeout        offer unanswered this long: send it again (1 s .. 5 min)
 * @param iceConnectTimeout    initiator: descriptions exchanged but ICE not connected this long: restart ICE (1 s .. 5 min)
 * @param iceDisconnectedGrace initiator: ICE disconnected this long: restart ICE (0 .. 5 min; WebRTC often recovers by itself within seconds)
 * @param maxBufferedCandidates remote candidates kept while their description is not set yet (1 .. 1000); the oldest go first
 */
public record NegotiationSettings(
        Duration readyResend,
        Duration answerTimeout,
        Duration iceConnectTimeout,
        Duration iceDisconnectedGrace,
        int maxBufferedCandidates) {

    private static final Duration MIN = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofMinutes(5);

    public NegotiationSettings {
        between(readyResend, MIN, "readyResend");
        between(answerTimeout, MIN, "answerTimeout");
        between(iceConnectTimeout, MIN, "iceConnectTimeout");
        between(iceDisconnectedGrace, Duration.ZERO, "iceDisconnectedGrace");
        if (maxBufferedCandidates < 1 || maxBufferedCandidates > 1000) {
            throw new IllegalArgumentException("maxBufferedCandidates must be 1 to 1000, but was " + maxBufferedCandidates);
        }
    }

    /** 5 s ready resend, 10 s answer timeout, 15 s ICE connect timeout, 4 s disconnected grace, 128 buffered candidates. */
    public static NegotiationSettings defaults() {
        return new NegotiationSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15),
                Duration.ofSeconds(4), 128);
    }

    private static void between(Duration value, Duration min, String name) {
        Checks.notNull(value, name);
        if (value.compareTo(min) < 0 || value.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + MAX + ", but was " + value);
        }
    }
}
