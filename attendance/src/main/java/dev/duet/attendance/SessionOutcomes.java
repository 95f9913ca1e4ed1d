package dev.duet.attendance;

import dev.duet.core.Booking;
import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceLedger;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.internal.Checks;
import dev.duet.core.internal.LogContext;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a closed session: reads its events from the store, builds the {@link SessionReport} and
 * the {@link Charge}, and hands both to the listeners (the app, a {@link WebhookSender}). A relay
 * calls {@link #settleLater} when it records a session's close (in duet-signaling-server:
 * {@code RelayEventSink.storing(store).andThen(RelayEventSink.settling(outcomes))}, so the close
 * itself is stored first); a billing backend without a relay calls {@link #settle} itself.
 *
 * <p>{@link #settleLater} runs on {@code executor}, never on the caller's thread. A session whose
 * booking the lookup does not know is logged and skipped.
 */
public final class SessionOutcomes {
    private static final Logger log = LoggerFactory.getLogger(SessionOutcomes.class);

    private final AttendanceStore store;
    private final Function<SessionId, Optional<Booking>> bookings;
    private final AttendanceRules rules;
    private final Function<Booking, BillingPolicy> billing;
    private final List<SessionOutcomeListener> listeners;
    private final Executor executor;

    public SessionOutcomes(AttendanceStore store, Function<SessionId, Optional<Booking>> bookings, AttendanceRules rules,
            BillingPolicy billing, List<SessionOutcomeListener> listeners, Executor executor) {
        this(store, bookings, rules, one(billing), listeners, executor);
    }

    private static Function<Booking, BillingPolicy> one(BillingPolicy billing) {
        Checks.notNull(billing, "billing");
        return booking -> billing;
    }

    private SessionOutcomes(AttendanceStore store, Function<SessionId, Optional<Booking>> bookings, AttendanceRules rules,
            Function<Booking, BillingPolicy> billing, List<SessionOutcomeListener> listeners, Executor executor) {
        this.store = Checks.notNull(store, "store");
        this.bookings = Checks.notNull(bookings, "bookings");
        this.rules = Checks.notNull(rules, "rules");
        this.billing = Checks.notNull(billing, "billing");
        this.listeners = List.copyOf(Checks.notNull(listeners, "listeners"));
        this.executor = Checks.notNull(executor, "executor");
    }

    /**
     * Names every part: {@code SessionOutcomes.builder(store, bookings).billing(policy).listener(app)
     * .executor(settling).build()}; the rules default to {@link AttendanceRules#defaults()}.
     */
    public static Builder builder(AttendanceStore store, Function<SessionId, Optional<Booking>> bookings) {
        return new Builder(store, bookings);
    }

    /** Builds a {@link SessionOutcomes}; the billing policy and the executor are required. */
    public static final class Builder {
        private final AttendanceStore store;
        private final Function<SessionId, Optional<Booking>> bookings;
        private AttendanceRules rules = AttendanceRules.defaults();
        private Function<Booking, BillingPolicy> billing;
        private final List<SessionOutcomeListener> listeners = new java.util.ArrayList<>();
        private Executor executor;

        private Builder(AttendanceStore store, Function<SessionId, Optional<Booking>> bookings) {
            this.store = Checks.notNull(store, "store");
            this.bookings = Checks.notNull(bookings, "bookings");
        }

        public Builder rules(AttendanceRules rules) {
            this.rules = Checks.notNull(rules, "rules");
            return this;
        }

        /** One policy for every session. */
        public Builder billing(BillingPolicy billing) {
            this.billing = one(billing);
            return this;
        }

        /**
         * A policy per booking, chosen from it when the session is settled: its expert's rate, a
         * no-show fee for this kind of booking, and so on. It must not return null.
         */
        public Builder billingFor(Function<Booking, BillingPolicy> choose) {
            this.billing = Checks.notNull(choose, "choose");
            return this;
        }

        /** Told once per settled session; may be called more than once to add several. */
        public Builder listener(SessionOutcomeListener listener) {
            listeners.add(Checks.notNull(listener, "listener"));
            return this;
        }

        /** Where {@link SessionOutcomes#settleLater} settles (never a relay thread). */
        public Builder executor(Executor executor) {
            this.executor = Checks.notNull(executor, "executor");
            return this;
        }

        /** @throws IllegalStateException naming what is missing */
        public SessionOutcomes build() {
            if (billing == null) {
                throw new IllegalStateException("no billing policy: call billing(BillingPolicy) or billingFor(...) before build()");
            }
            if (executor == null) {
                throw new IllegalStateException("no executor: call executor(Executor) before build(), so that settling never "
                        + "runs on a relay thread");
            }
            return new SessionOutcomes(store, bookings, rules, billing, listeners, executor);
        }
    }

    /** Settles {@code session} on the executor: for a relay's thread, which must not wait for the store. */
    public void settleLater(SessionId session) {
        Checks.notNull(session, "session");
        executor.execute(() -> settle(session));
    }

    /** Builds the report and the charge of {@code session} now, on this thread, and tells the listeners. */
    public void settle(SessionId session) {
        try (LogContext ignored = LogContext.with(session.value(), null, null)) {
            settleNow(session);
        }
    }

    private void settleNow(SessionId session) {
        Optional<Booking> booking = bookings.apply(session);
        if (booking.isEmpty()) {
            log.warn("session {} closed, but no booking is known for it; no report", session);
            return;
        }
        AttendanceLedger ledger = new AttendanceLedger(booking.get(), rules);
        ledger.addAll(store.events(session));
        SessionReport report = ledger.report();
        BillingPolicy policy = billing.apply(booking.get());
        if (policy == null) {
            throw new IllegalStateException("the billing policy chooser returned null for session " + session);
        }
        Charge charge = policy.charge(report);
        log.info("session {}: settled: {} ({}); media both ways {} s; charge {}", session, report.outcome(),
                report.outcomeReason(), report.mediaBothWays().toSeconds(), charge.total());
        for (SessionOutcomeListener listener : listeners) {
            try {
                listener.sessionClosed(report, charge);
            } catch (RuntimeException e) {
                log.warn("a session outcome listener failed for {}", session, e);
            }
        }
    }
}
