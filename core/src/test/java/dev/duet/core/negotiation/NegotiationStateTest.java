package dev.duet.core.negotiation;

import dev.duet.core.Epoch;
import dev.duet.core.NegotiationState;
import dev.duet.core.ConnectionId;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NegotiationStateTest {

    @Test
    void closedIsTerminalAndTakesNoEvent() {
        assertThat(NegotiationState.CLOSED.successors()).isEmpty();
        assertThat(NegotiationMachine.allows(NegotiationState.CLOSED, new NegotiationEvent.WindowClosed())).isFalse();
    }

    @Test
    void everyStateIsReachableFromIdleAndEveryLiveStateCanCloseDirectly() {
        Set<NegotiationState> seen = EnumSet.of(NegotiationState.IDLE);
        Deque<NegotiationState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (NegotiationState next : todo.pop().successors()) {
                if (seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(NegotiationState.values());
        Arrays.stream(NegotiationState.values())
                .filter(s -> s != NegotiationState.CLOSED)
                .forEach(s -> assertThat(s.canMoveTo(NegotiationState.CLOSED)).as("%s -> CLOSED", s).isTrue());
    }

    @Test
    void nothingReturnsToIdleAndNoStateMovesToItself() {
        for (NegotiationState s : NegotiationState.values()) {
            assertThat(s.canMoveTo(NegotiationState.IDLE)).as("%s -> IDLE", s).isFalse();
            assertThat(s.canMoveTo(s)).as("%s -> itself", s).isFalse();
        }
    }

    @Test
    void connectedIsReachedOnlyThroughANegotiation() {
        assertThat(NegotiationState.PREPARING.canMoveTo(NegotiationState.CONNECTED)).isFalse();
        assertThat(NegotiationState.WAITING_FOR_PEER.canMoveTo(NegotiationState.CONNECTED)).isFalse();
        assertThat(NegotiationMachine.allows(NegotiationState.IDLE, new NegotiationEvent.SignalReceived(
                new Signal.Ready(Epoch.of(ConnectionId.of("a"), ConnectionId.of("b")))))).isFalse();
    }

    @Test
    void codesAreStableLowerCaseAndDistinct() {
        assertThat(Arrays.stream(NegotiationState.values()).map(NegotiationState::code)).containsExactly(
                "idle", "waiting-for-peer", "preparing", "negotiating", "connecting", "connected", "reconnecting", "closed");
    }
}
