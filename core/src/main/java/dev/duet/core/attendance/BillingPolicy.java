package dev.duet.core.attendance;

import dev.duet.core.Role;
import dev.duet.core.internal.Checks;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link SessionReport} into a {@link Charge}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>What is billed</b> is the time media flowed both ways, never mere presence.</li>
 *   <li><b>Cap</b>: at most the booked duration, whatever the overrun.</li>
 *   <li><b>Increment and rounding</b>: the capped time is rounded to a whole number of increments
 *       (per minute, per 15 minutes...): {@link Rounding#UP} (the default) to the next increment, so
 *       the billed time is never more than one increment above the delivered time;
 *       {@link Rounding#DOWN} to the previous; {@link Rounding#NEAREST} to the nearest (halves up).
 *       The rounded time is capped at the booked duration again.</li>
 *   <li><b>Amount</b>: rate per hour × billed time, rounded half-up to the currency's minor unit.</li>
 *   <li><b>Minimum charge</b>: when anything was delivered and the amount is below the minimum, the
 *       minimum is charged, except when the expert cut the session short (then only what was delivered).</li>
 *   <li><b>No-shows</b>: expert no-show or neither showed: nothing. Learner no-show: the no-show fee.
 *       Both connected but never at the same time counts as the no-show of the one who missed the
 *       other ({@link SessionReport.Outcome}): a learner who comes only after the expert left pays
 *       the no-show fee.</li>
 *   <li><b>Both came but no media flowed both ways</b>: nothing (nothing was delivered).</li>
 * </ul>
 */
public final class BillingPolicy {
    /** How billed time is rounded to the increment. */
    public enum Rounding { UP, DOWN, NEAREST }

    private final Money ratePerHour;
    private final Duration increment;
    private final Rounding rounding;
    private final Fee minimumCharge;
    private final Fee learnerNoShowFee;

    /**
     * @param ratePerHour      the hourly rate; positive
     * @param increment        the billing increment: 1 s to 1 h
     * @param rounding         how billed time is rounded to the increment
     * @param minimumCharge    charged at least, when anything was delivered; zero or more, same currency
     * @param learnerNoShowFee charged when the learner never came; zero or more, same currency
     */
    public BillingPolicy(Money ratePerHour, Duration increment, Rounding rounding, Money minimumCharge, Money learnerNoShowFee) {
        this(ratePerHour, increment, rounding, Fee.fixed(Checks.notNull(minimumCharge, "minimumCharge")),
                Fee.fixed(Checks.notNull(learnerNoShowFee, "learnerNoShowFee")));
    }

    private BillingPolicy(Money ratePerHour, Duration increment, Rounding rounding, Fee minimumCharge, Fee learnerNoShowFee) {
        this.ratePerHour = Checks.notNull(ratePerHour, "ratePerHour");
        this.increment = Checks.notNull(increment, "increment");
        this.rounding = Checks.notNull(rounding, "rounding");
        this.minimumCharge = Checks.notNull(minimumCharge, "minimumCharge");
        this.learnerNoShowFee = Checks.notNull(learnerNoShowFee, "learnerNoShowFee");
        if (ratePerHour.minorUnits() <= 0) {
            throw new IllegalArgumentException("ratePerHour must be positive, but was " + ratePerHour);
        }
        if (increment.compareTo(Duration.ofSeconds(1)) < 0 || increment.compareTo(Duration.ofHours(1)) > 0
                || increment.getNano() != 0) {
            throw new IllegalArgumentException("increment must be whole seconds from 1 s to 1 h, but was " + increment);
        }
        for (Fee fee : List.of(minimumCharge, learnerNoShowFee)) {
            if (fee instanceof Fee.Fixed fixed && !fixed.amount().currency().equals(ratePerHour.currency())) {
                throw new IllegalArgumentException("minimumCharge and learnerNoShowFee must be zero or more in "
                        + ratePerHour.currency() + " (the rate's currency), but one was " + fixed.amount());
            }
        }
    }

    /**
     * Per-minute billing, rounded up, no minimum, no no-show fee; change any of them by name:
     * {@code perMinute(rate).withMinimumCharge(min).withLearnerNoShowFee(fee)}.
     */
    public static BillingPolicy perMinute(Money ratePerHour) {
        Checks.notNull(ratePerHour, "ratePerHour");
        Money zero = Money.zero(ratePerHour.currency());
        return new BillingPolicy(ratePerHour, Duration.ofMinutes(1), Rounding.UP, zero, zero);
    }

    /** The same policy billed in steps of {@code increment} (1 s to 1 h, whole seconds). */
    public BillingPolicy withIncrement(Duration increment) {
        return new BillingPolicy(ratePerHour, increment, rounding, minimumCharge, learnerNoShowFee);
    }

    /** The same policy rounding billed time {@code rounding} to the increment. */
    public BillingPolicy withRounding(Rounding rounding) {
        return new BillingPolicy(ratePerHour, increment, rounding, minimumCharge, learnerNoShowFee);
    }

    /** The same policy charging at least {@code minimumCharge} when anything was delivered. */
    public BillingPolicy withMinimumCharge(Money minimumCharge) {
        return withMinimumCharge(Fee.fixed(Checks.notNull(minimumCharge, "minimumCharge")));
    }

    /** The same policy charging at least {@code minimumCharge} (fixed, or a share of the booked price) when anything was delivered. */
    public BillingPolicy withMinimumCharge(Fee minimumCharge) {
        return new BillingPolicy(ratePerHour, increment, rounding, minimumCharge, learnerNoShowFee);
    }

    /** The same policy charging {@code fee} when the learner is a no-show. */
    public BillingPolicy withLearnerNoShowFee(Money fee) {
        return withLearnerNoShowFee(Fee.fixed(Checks.notNull(fee, "fee")));
    }

    /**
     * The same policy charging {@code fee} when the learner is a no-show: fixed, or a share of the
     * booked price, e.g. {@code withLearnerNoShowFee(Fee.percentOfBookedPrice("50"))}.
     */
    public BillingPolicy withLearnerNoShowFee(Fee fee) {
        return new BillingPolicy(ratePerHour, increment, rounding, minimumCharge, fee);
    }

    /** The price of the whole booking: the hourly rate times the booked duration. */
    public Money bookedPrice(Duration bookedDuration) {
        Checks.notNull(bookedDuration, "bookedDuration");
        return amountFor(bookedDuration);
    }

    public Charge charge(SessionReport report) {
        Checks.notNull(report, "report");
        Money zero = Money.zero(ratePerHour.currency());
        Money bookedPrice = amountFor(report.bookedDuration());
        Money noShowFee = learnerNoShowFee.amountFor(bookedPrice);
        Money minimum = minimumCharge.amountFor(bookedPrice);
        Duration delivered = report.mediaBothWays();
        List<Charge.LineItem> lines = new ArrayList<>();
        switch (report.outcome()) {
            case NEITHER_SHOWED -> {
                lines.add(new Charge.LineItem("Neither participant came: no charge", zero));
                return new Charge(report.outcome(), zero, delivered, Duration.ZERO, lines);
            }
            case EXPERT_NO_SHOW -> {
                lines.add(new Charge.LineItem("The expert did not come: no charge", zero));
                return new Charge(report.outcome(), zero, delivered, Duration.ZERO, lines);
            }
            case LEARNER_NO_SHOW -> {
                lines.add(new Charge.LineItem("The learner did not come: no-show fee"
                        + (learnerNoShowFee instanceof Fee.Fixed ? "" : " (" + learnerNoShowFee.describe(bookedPrice) + ")"),
                        noShowFee));
                return new Charge(report.outcome(), noShowFee, delivered, Duration.ZERO, lines);
            }
            default -> {
                // billed below
            }
        }
        if (delivered.isZero()) {
            lines.add(new Charge.LineItem("Both came, but media never flowed both ways: nothing delivered, no charge", zero));
            return new Charge(report.outcome(), zero, delivered, Duration.ZERO, lines);
        }
        Duration booked = report.bookedDuration();
        Duration capped = delivered.compareTo(booked) > 0 ? booked : delivered;
        Duration billed = round(capped);
        if (billed.compareTo(booked) > 0) {
            billed = booked;
        }
        Money amount = amountFor(billed);
        StringBuilder what = new StringBuilder("Session: media flowed both ways for ").append(Durations.words(delivered));
        if (capped.compareTo(delivered) < 0) {
            what.append(", capped at the booked ").append(Durations.words(booked));
        }
        what.append("; billed ").append(Durations.words(billed)).append(" (").append(rounding.name().toLowerCase(java.util.Locale.ROOT))
                .append(" to ").append(Durations.words(increment)).append(" increments) at ").append(ratePerHour).append(" per hour");
        lines.add(new Charge.LineItem(what.toString(), amount));
        Money total = amount;
        boolean expertCut = report.outcome() == SessionReport.Outcome.CUT_SHORT
                && report.endedEarlyBy().filter(r -> r == Role.EXPERT).isPresent();
        if (report.outcome() == SessionReport.Outcome.CUT_SHORT) {
            lines.add(new Charge.LineItem("Cut short: " + report.outcomeReason(), zero));
        }
        if (amount.minorUnits() < minimum.minorUnits()) {
            String named = "Minimum charge " + minimum
                    + (minimumCharge instanceof Fee.Fixed ? "" : " (" + minimumCharge.describe(bookedPrice) + ")");
            if (expertCut) {
                lines.add(new Charge.LineItem(named + " waived: the expert cut the session short", zero));
            } else {
                Money topUp = new Money(amount.currency(), minimum.minorUnits() - amount.minorUnits());
                lines.add(new Charge.LineItem(named + " applies", topUp));
                total = minimum;
            }
        }
        return new Charge(report.outcome(), total, delivered, billed, lines);
    }

    /** The capped time rounded to whole increments. */
    Duration round(Duration capped) {
        long unit = increment.getSeconds() * 1000;
        long ms = capped.toMillis();
        long whole = ms / unit;
        long rest = ms % unit;
        long units = switch (rounding) {
            case DOWN -> whole;
            case UP -> rest == 0 ? whole : whole + 1;
            case NEAREST -> rest * 2 >= unit ? whole + 1 : whole;
        };
        return Duration.ofMillis(units * unit);
    }

    private Money amountFor(Duration billed) {
        BigDecimal minor = BigDecimal.valueOf(ratePerHour.minorUnits()).multiply(BigDecimal.valueOf(billed.toMillis()))
                .divide(BigDecimal.valueOf(3_600_000L), 0, RoundingMode.HALF_UP);
        return new Money(ratePerHour.currency(), minor.longValueExact());
    }

    private static String words(Fee fee) {
        return fee instanceof Fee.Fixed fixed ? fixed.amount().toString()
                : ((Fee.PercentOfBookedPrice) fee).percent().stripTrailingZeros().toPlainString() + " % of the booked price";
    }

    @Override
    public String toString() {
        return "BillingPolicy[" + ratePerHour + "/h, " + Durations.words(increment) + " " + rounding + ", minimum "
                + words(minimumCharge) + ", learner no-show " + words(learnerNoShowFee) + "]";
    }
}
