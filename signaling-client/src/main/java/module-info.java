/**
 * Duet signaling client: the typed messages peers exchange through a relay, the relay protocol's
 * frames and their one JSON codec, and the transports.
 */
module dev.duet.signaling.client {
    requires transitive dev.duet.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires okhttp3;

    exports dev.duet.signaling.client;
    exports dev.duet.signaling.client.relay;
    exports dev.duet.signaling.client.pusher;
    // The relay protocol's frames and codec: the relay and the transports use them, an app never does.
    exports dev.duet.signaling.client.wire to dev.duet.signaling.server;
    // the relay's in-memory pipe and tests reuse the protocol internals
    exports dev.duet.signaling.client.internal to dev.duet.signaling.server;
}
