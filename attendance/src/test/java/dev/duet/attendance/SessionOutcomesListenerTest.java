package dev.duet.attendance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.Money;
import dev.duet.core.attendance.SessionReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * How SessionOutcomes treats its listeners and a failing store, with Mockito doubles where a double
 * is the right tool (the real stores are tested against real files and databases elsewhere).
 */
class SessionOutcomesListenerTest {
    private static final Booking BOOKING = Booking.builder(SessionId.of("s-9")).expert(Participant.expert("a", "A"))
            .learner(Participant.learner("b", "B")).start(Instant.parse("2026-11-24T10:00:00Z")).duration(Duration.ofHours(1)).build();

    private SessionOutcomes outcomes(AttendanceStore store, SessionOutcomeListener... listeners) {
        SessionOutcomes.Builder builder = SessionOutcomes.builder(store, id -> id.equals(BOOKING.sessionId()) ? Optional.of(BOOKING)
                : Optional.empty()).billing(BillingPolicy.perMinute(Money.of("EUR", "60.00"))).executor(Runnable::run);
        for (SessionOutcomeListener l : listeners) {
            builder.listener(l);
        }
        return builder.build();
    }

    @Test
    void everyListenerIsToldOnceInOrderEvenWhenAnEarlierOneThrows() {
        AttendanceStore store = mock(AttendanceStore.class);
        when(store.events(BOOKING.sessionId())).thenReturn(List.of());
        SessionOutcomeListener failing = mock(SessionOutcomeListener.class);
        SessionOutcomeListener next = mock(SessionOutcomeListener.class);
        doThrow(new IllegalStateException("the app's invoice service is down")).when(failing).sessionClosed(any(), any());

        outcomes(store, failing, next).settle(BOOKING.sessionId());

        InOrder order = inOrder(failing, next);
        order.verify(failing, times(1)).sessionClosed(any(SessionReport.class), any(Charge.class));
        order.verify(next, times(1)).sessionClosed(any(SessionReport.class), any(Charge.class));
    }

    @Test
    void aPolicyChosenPerBookingChargesEachSessionItsOwnNoShowFee() {
        Booking halfHour = Booking.builder(SessionId.of("s-10")).expert(Participant.expert("c", "C"))
                .learner(Participant.learner("d", "D")).start(Instant.parse("2026-11-24T12:00:00Z"))
                .duration(Duration.ofMinutes(30)).build();
        AttendanceStore store = mock(AttendanceStore.class);
        // Only the experts came: both sessions are learner no-shows.
        when(store.events(BOOKING.sessionId())).thenReturn(List.of(new dev.duet.core.attendance.AttendanceEvent.ParticipantJoined(
                "j1", BOOKING.sessionId(), BOOKING.start(), BOOKING.expert().id(), dev.duet.core.ConnectionId.of("c1"))));
        when(store.events(halfHour.sessionId())).thenReturn(List.of(new dev.duet.core.attendance.AttendanceEvent.ParticipantJoined(
                "j2", halfHour.sessionId(), halfHour.start(), halfHour.expert().id(), dev.duet.core.ConnectionId.of("c2"))));
        List<Charge> charges = new java.util.ArrayList<>();
        SessionOutcomes outcomes = SessionOutcomes.builder(store, id -> Optional.of(id.equals(BOOKING.sessionId()) ? BOOKING : halfHour))
                .billingFor(booking -> BillingPolicy.perMinute(Money.of("EUR", booking.expert().id().value().equals("a") ? "60.00" : "90.00"))
                        .withLearnerNoShowFee(dev.duet.core.attendance.Fee.percentOfBookedPrice("50")))
                .listener((report, charge) -> charges.add(charge)).executor(Runnable::run).build();
        outcomes.settle(BOOKING.sessionId());
        outcomes.settle(halfHour.sessionId());
        assertThat(charges).extracting(Charge::total).containsExactly(
                Money.of("EUR", "30.00"),   // half of 1 h at EUR 60
                Money.of("EUR", "22.50"));  // half of 30 min at EUR 90
        assertThat(charges.get(0).lines()).extracting(Charge.LineItem::description)
                .containsExactly("The learner did not come: no-show fee (50 % of the booked EUR 60.00)");
    }

    @Test
    void aSessionWithoutABookingTellsNobodyAndAStoreFailureIsNotSwallowedAsAnOutcome() {
        AttendanceStore store = mock(AttendanceStore.class);
        SessionOutcomeListener listener = mock(SessionOutcomeListener.class);
        outcomes(store, listener).settle(SessionId.of("unknown"));
        verify(listener, never()).sessionClosed(any(), any());
        verify(store, never()).events(any());

        when(store.events(BOOKING.sessionId())).thenThrow(new AttendanceStore.AttendanceStoreException("disk gone", null));
        SessionOutcomes failing = outcomes(store, listener);
        assertThatThrownBy(() -> failing.settle(BOOKING.sessionId())).isInstanceOf(AttendanceStore.AttendanceStoreException.class)
                .hasMessage("disk gone");
        verify(listener, never()).sessionClosed(any(), any());
        assertThatThrownBy(() -> SessionOutcomes.builder(store, id -> Optional.empty()).build()).isInstanceOf(IllegalStateException.class);
    }
}
