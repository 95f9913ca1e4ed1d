package dev.duet.signaling.client.pusher;

import dev.duet.core.internal.Checks;
import dev.duet.signaling.client.TicketSource;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * How a {@link PusherTransport} gets its subscription signed: it asks the app's backend (which
 * holds the Pusher secret and answers with {@link PusherChannelAuth}) to sign {@code socketId}'s
 * subscription to {@code channel}, sending along this side's Duet join ticket.
 *
 * <p>Called on the transport's own thread once per connection, because every reconnect gets a new
 * socket id; it must not block: start the HTTP request and return its future.
 *
 * <p>The future completes with the backend's JSON answer, unchanged:
 * {@code {"auth":"<key>:<signature>","channel_data":"..."}}. Fail it with a
 * {@link PusherAuthException} when the backend refused for good (HTTP 403: the ticket is bad or for
 * another session): the transport then stops and {@code join()} fails with
 * {@link PusherRefusedException}. Any other failure (the backend unreachable, a 5xx) is retried
 * with the transport's backoff, on a new connection.
 */
@FunctionalInterface
public interface ChannelAuthorizer {

    /** Asks the backend to sign {@code socketId}'s subscription to {@code channel}. */
    CompletableFuture<String> authorize(String socketId, String channel);

    /**
     * Signs in this process, for a Java peer that is itself the app's backend (or runs next to it)
     * and for tests: {@code auth.authorize(socketId, channel, tickets.ticket(), clock.instant())}.
     */
    static ChannelAuthorizer inProcess(PusherChannelAuth auth, TicketSource tickets, Clock clock) {
        Checks.notNull(auth, "auth");
        Checks.notNull(tickets, "tickets");
        Checks.notNull(clock, "clock");
        return (socketId, channel) -> {
            try {
                return CompletableFuture.completedFuture(auth.authorize(socketId, channel, tickets.ticket(), clock.instant()).toJson());
            } catch (PusherAuthException refused) {
                return CompletableFuture.failedFuture(refused);
            }
        };
    }
}
