package dev.duet.core.negotiation;

import dev.duet.core.NegotiationSettings;
import dev.duet.core.Presence;
import dev.duet.core.Epoch;
import dev.duet.core.ConnectionId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.ParticipantId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every public constructor of the negotiation package refuses bad input and names the field. */
class NegotiationValuesTest {
    private static final Epoch EPOCH = Epoch.of(ConnectionId.of("c2"), ConnectionId.of("c1"));
    private static final IceCandidate CANDIDATE = new IceCandidate("0", 0, "candidate:1 1 udp 1 10.77.0.1 5000 typ host");

    @Test
    void epochsAreTheSameWhicheverSideComputesThem() {
        assertThat(EPOCH).isEqualTo(Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c2")));
        assertThat(EPOCH.first()).isEqualTo(ConnectionId.of("c1"));
        assertThatThrownBy(() -> Epoch.of(ConnectionId.of("c1"), ConnectionId.of("c1")))
                .hasMessage("an epoch joins two different connections, but both are c1");
        assertThatThrownBy(() -> new Epoch(ConnectionId.of("c2"), ConnectionId.of("c1")))
                .hasMessageContaining("epoch.first must sort before epoch.second");
    }

    @Test
    void signalsRefuseBadFieldsByName() {
        assertThatThrownBy(() -> new Signal.Offer(EPOCH, 0, "v=0")).hasMessage("offer.offerId must be 1 or more, but was 0");
        assertThatThrownBy(() -> new Signal.Answer(EPOCH, 1, " ")).hasMessageContaining("answer.sdp must be 1 to 32768 characters");
        assertThatThrownBy(() -> new Signal.Offer(EPOCH, 1, "x".repeat(Signal.MAX_SDP_LENGTH + 1)))
                .hasMessageContaining("offer.sdp");
        assertThatThrownBy(() -> new Signal.Ready(null)).hasMessage("ready.epoch must not be null");
        assertThatThrownBy(() -> new Signal.Candidates(EPOCH, "u", List.of())).hasMessageContaining("candidates.candidates must hold 1 to 32");
        assertThatThrownBy(() -> new Signal.Candidates(EPOCH, "u", Collections.nCopies(33, CANDIDATE)))
                .hasMessageContaining("but held 33");
        assertThatThrownBy(() -> new Signal.Candidates(EPOCH, "", List.of(CANDIDATE))).hasMessageContaining("candidates.ufrag");
        assertThatThrownBy(() -> new Signal.Bye(EPOCH, "x".repeat(201))).hasMessageContaining("bye.reason must be at most 200");
        assertThatThrownBy(() -> new IceCandidate("0", -1, "candidate:x")).hasMessageContaining("candidate.sdpMLineIndex");
        assertThatThrownBy(() -> new IceCandidate("0", 0, " ")).hasMessageContaining("candidate.candidate");
    }

    @Test
    void presenceSettingsAndMachinesRefuseBadFieldsByName() {
        assertThatThrownBy(() -> new Presence(ParticipantId.of("p"), ConnectionId.of("c"), null))
                .hasMessage("presence.arrivedAt must not be null");
        assertThatThrownBy(() -> ConnectionId.of("c 1")).hasMessageContaining("connectionId must be 1 to 64 characters");
        assertThatThrownBy(() -> new NegotiationSettings(Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(15),
                Duration.ofSeconds(4), 128)).hasMessageContaining("readyResend must be between PT1S and PT5M");
        assertThatThrownBy(() -> new NegotiationSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15),
                Duration.ofSeconds(4), 0)).hasMessage("maxBufferedCandidates must be 1 to 1000, but was 0");
        assertThatThrownBy(() -> new NegotiationMachine(null, NegotiationSettings.defaults())).hasMessage("self must not be null");
        assertThatThrownBy(() -> new NegotiationMachine(ParticipantId.of("p"), NegotiationSettings.defaults()).handle(null))
                .hasMessage("event must not be null");
        assertThatThrownBy(() -> new NegotiationEvent.JoinedRelay(
                new Presence(ParticipantId.of("p"), ConnectionId.of("c"), Instant.EPOCH), null))
                .hasMessage("joined.peer must not be null");
    }
}
