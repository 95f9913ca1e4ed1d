package dev.duet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BookingTest {
    static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    static final Participant EXPERT = Participant.expert("expert-ada", "Ada Lovelace");
    static final Participant LEARNER = Participant.learner("learner-bo", "Bo");

    static Booking booking() {
        return new Booking(SessionId.of("s-42"), EXPERT, LEARNER, START, Duration.ofHours(1), Duration.ofMinutes(10),
                Duration.ofMinutes(15));
    }

    @Test
    void theWindowRunsFromOpeningBeforeTheStartToGraceAfterTheEnd() {
        Booking b = booking();
        assertThat(b.end()).isEqualTo(Instant.parse("2026-11-24T11:00:00Z"));
        assertThat(b.opensAt()).isEqualTo(Instant.parse("2026-11-24T09:50:00Z"));
        assertThat(b.closesAt()).isEqualTo(Instant.parse("2026-11-24T11:15:00Z"));
        assertThat(b.otherThan(EXPERT.id())).isEqualTo(LEARNER);
        assertThat(b.participant(ParticipantId.of("nobody"))).isEmpty();
    }

    @Test
    void badBookingsAreRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), EXPERT, LEARNER, START, Duration.ofMinutes(-5),
                Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("booking.duration").hasMessageContaining("end would be before the start");
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), EXPERT, LEARNER, START, Duration.ZERO, Duration.ZERO,
                Duration.ZERO)).hasMessageContaining("booking.duration must be positive");
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), EXPERT, LEARNER, START, Duration.ofHours(25),
                Duration.ZERO, Duration.ZERO)).hasMessageContaining("booking.duration must be at most PT24H");
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), EXPERT, Participant.learner("expert-ada", "Twin"), START,
                Duration.ofHours(1), Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("booking.learner must be a different participant");
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), LEARNER, LEARNER, START, Duration.ofHours(1),
                Duration.ZERO, Duration.ZERO)).hasMessageContaining("booking.expert must have role EXPERT");
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), EXPERT, LEARNER, START, Duration.ofHours(1),
                Duration.ofMinutes(-1), Duration.ZERO)).hasMessageContaining("booking.openBefore must be zero or positive");
        assertThatThrownBy(() -> new Booking(SessionId.of("s"), EXPERT, LEARNER, null, Duration.ofHours(1),
                Duration.ZERO, Duration.ZERO))
                .isInstanceOf(NullPointerException.class).hasMessage("booking.start must not be null");
    }

    @Test
    void idsAndNamesAreValidated() {
        assertThatThrownBy(() -> SessionId.of("  ")).hasMessage("sessionId must not be blank");
        assertThatThrownBy(() -> ParticipantId.of("bo/../admin"))
                .hasMessageContaining("participantId must be 1 to 64 characters from A-Z a-z 0-9 . _ ~ -");
        assertThatThrownBy(() -> ParticipantId.of("x".repeat(65))).hasMessageContaining("participantId");
        assertThatThrownBy(() -> Participant.expert("ada", " ")).hasMessage("participant.displayName must not be blank");
        assertThatThrownBy(() -> Role.fromCode("EXPERTE")).hasMessageContaining("role must be \"expert\" or \"learner\"");
        assertThat(Role.fromCode("learner")).isEqualTo(Role.LEARNER);
    }

    @Test
    void theJoinWindowSaysWhyAJoinIsRefused() {
        JoinWindow window = booking().joinWindow();
        assertThat(window.check(EXPERT.id(), Instant.parse("2026-11-24T09:50:00Z")))
                .isEqualTo(new JoinDecision.Accepted(EXPERT));
        assertThat(window.check(LEARNER.id(), Instant.parse("2026-11-24T11:14:59Z")).accepted()).isTrue();

        JoinDecision early = window.check(EXPERT.id(), Instant.parse("2026-11-24T09:49:59Z"));
        assertThat(early).isInstanceOfSatisfying(JoinDecision.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(JoinDecision.Reason.TOO_EARLY);
            assertThat(r.message()).contains("opens at 2026-11-24T09:50:00Z");
        });
        assertThat(window.check(EXPERT.id(), Instant.parse("2026-11-24T11:15:00Z")))
                .isInstanceOfSatisfying(JoinDecision.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo(JoinDecision.Reason.CLOSED));
        assertThat(window.check(ParticipantId.of("mallory"), START))
                .isInstanceOfSatisfying(JoinDecision.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo(JoinDecision.Reason.NOT_BOOKED));
    }

    @Test
    void theBuilderNamesEveryPartAndSaysWhatIsMissing() {
        Booking built = Booking.builder(SessionId.of("s-42")).expert(EXPERT)
                .learner(LEARNER).start(START)
                .duration(java.time.Duration.ofHours(1)).roomOpensBefore(java.time.Duration.ofMinutes(10))
                .graceAfterEnd(java.time.Duration.ofMinutes(15)).build();
        org.assertj.core.api.Assertions.assertThat(built).isEqualTo(booking());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Booking.builder(SessionId.of("s-1"))
                .expert(Participant.expert("a", "A")).learner(Participant.learner("b", "B")).build())
                .hasMessage("booking.start is missing: call start(...) before build()");
    }
}
