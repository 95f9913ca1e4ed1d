package dev.duet.core.attendance;

import dev.duet.core.internal.Checks;
import java.time.Duration;
import java.util.List;

/**
 * What the learner is charged for a session, with line items that explain themselves; the line
 * amounts add up to {@code total}.
 *
 * @param delivered time media flowed both ways (from the report)
 * @param billed    the time charged for: delivered, capped at the booked duration, rounded to the increment
 */
public record Charge(SessionReport.Outcome outcome, Money total, Duration delivered, Duration billed, List<LineItem> lines) {

    /** One line of the explanation; {@code amount} may be zero for a line that only explains. */
    public record LineItem(String description, Money amount) {
        public LineItem {
            Checks.notNull(description, "description");
            Checks.notNull(amount, "amount");
        }
    }

    public Charge {
        Checks.notNull(outcome, "outcome");
        Checks.notNull(total, "total");
        Checks.notNull(delivered, "delivered");
        Checks.notNull(billed, "billed");
        lines = List.copyOf(Checks.notNull(lines, "lines"));
        Money sum = Money.zero(total.currency());
        for (LineItem line : lines) {
            sum = sum.plus(line.amount());
        }
        if (!sum.equals(total)) {
            throw new IllegalArgumentException("line items add up to " + sum + ", but the total is " + total);
        }
    }

    /** The charge as text for people: one line per item, then the total. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (LineItem line : lines) {
            out.append(String.format(java.util.Locale.ROOT, "%-90s %14s%n", line.description(), line.amount()));
        }
        return out.append(String.format(java.util.Locale.ROOT, "%-90s %14s%n", "Total", total)).toString();
    }
}
