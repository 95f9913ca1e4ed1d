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
