package dev.duet.signaling.client;

/**
 * Supplies the join ticket for each connection attempt, so a long session can present a fresh
 * ticket on reconnect. Called on the transport's own thread; must not block for long.
 */
@FunctionalInterface
public interface TicketSource {
    String ticket();

    /** Always the same ticket. */
    static TicketSource of(String ticket) {
        dev.duet.core.internal.Checks.notNull(ticket, "ticket");
        if (ticket.isBlank()) {
            throw new IllegalArgumentException("ticket must not be empty: expected a signed join ticket (duet1....) from the app's backend");
        }
        return () -> ticket;
    }
}
