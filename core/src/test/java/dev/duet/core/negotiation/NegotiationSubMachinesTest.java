package dev.duet.core.negotiation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.negotiation.NegotiationMachine.Op;
import dev.duet.core.negotiation.NegotiationMachine.Signaling;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The machine's two hidden sub-machines, the peer connection's outstanding operation and its
 * signaling state, have legal-transition tables of their own (asserted here as
 * {@link NegotiationStateTest} asserts the public one). The machine moves them only through
 * checked setters, so every scenario of the other tests also proves it never makes an illegal move.
 */
class NegotiationSubMachinesTest {

    @Test
    void theOperationTableIsExactlyOneOperationAtATimeInTheOfferAnswerOrder() {
        assertThat(Op.LEGAL).isEqualTo(Map.of(
                Op.NONE, EnumSet.of(Op.CREATING_OFFER, Op.APPLYING_REMOTE_OFFER, Op.APPLYING_REMOTE_ANSWER),
                Op.CREATING_OFFER, EnumSet.of(Op.NONE),
                Op.APPLYING_REMOTE_OFFER, EnumSet.of(Op.CREATING_ANSWER),
                Op.CREATING_ANSWER, EnumSet.of(Op.NONE),
                Op.APPLYING_REMOTE_ANSWER, EnumSet.of(Op.NONE)));
        assertThat(Op.APPLYING_REMOTE_OFFER.canMoveTo(Op.NONE)).as("an applied offer is always answered").isFalse();
        assertThat(Op.CREATING_OFFER.canMoveTo(Op.APPLYING_REMOTE_OFFER))
                .as("glare waits for the own offer to finish, then rolls back").isFalse();
    }

    @Test
    void theSignalingTableIsTheW3cOneWithoutProvisionalAnswers() {
        assertThat(Signaling.LEGAL).isEqualTo(Map.of(
                Signaling.STABLE, EnumSet.of(Signaling.HAVE_LOCAL_OFFER, Signaling.HAVE_REMOTE_OFFER),
                Signaling.HAVE_LOCAL_OFFER, EnumSet.of(Signaling.STABLE),
                Signaling.HAVE_REMOTE_OFFER, EnumSet.of(Signaling.STABLE)));
        assertThat(Signaling.HAVE_LOCAL_OFFER.canMoveTo(Signaling.HAVE_REMOTE_OFFER))
                .as("an own offer is rolled back (to stable) before a remote one is applied").isFalse();
    }

    @Test
    void everyStateIsReachableNoneMovesToItselfAndEachCanGetBackToItsStart() {
        checkShape(Op.values(), Op.NONE, op -> Op.LEGAL.get(op));
        checkShape(Signaling.values(), Signaling.STABLE, s -> Signaling.LEGAL.get(s));
    }

    private static <S extends Enum<S>> void checkShape(S[] all, S start, Function<S, Set<S>> next) {
        assertThat(reachable(start, next)).containsExactlyInAnyOrder(all);
        for (S s : all) {
            assertThat(next.apply(s)).as("%s -> itself", s).doesNotContain(s);
            assertThat(reachable(s, next)).as("%s leads back to %s", s, start).contains(start);
        }
    }

    private static <S> Set<S> reachable(S from, Function<S, Set<S>> next) {
        Set<S> seen = new java.util.HashSet<>();
        Deque<S> todo = new ArrayDeque<>();
        todo.add(from);
        while (!todo.isEmpty()) {
            for (S n : next.apply(todo.pop())) {
                if (seen.add(n)) {
                    todo.add(n);
                }
            }
        }
        return seen;
    }
}
