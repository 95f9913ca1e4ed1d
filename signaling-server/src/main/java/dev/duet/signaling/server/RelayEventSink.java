package dev.duet.signaling.server;

/**
 * Receives every {@link RelayEvent}. Called on the relay's connection threads, in each session's
 * order; it must not block for long. An exception it throws is logged and does not disturb the relay.
 */
@FunctionalInterface
public interface RelayEventSink {
    void accept(RelayEvent event);

    /** A sink that drops every event. */
    static RelayEventSink none() {
        return event -> { };
    }
}
