/**
 * Duet core: bookings, join tickets and the negotiation state machine. Pure Java: no sockets,
 * no native code, no system clock.
 */
module dev.duet.core {
    requires org.slf4j;

    exports dev.duet.core;
    // The negotiation machinery (events, commands, signals, timers, the driver): Duet's own peers
    // and transports drive it; an app sees only NegotiationState, NegotiationStats and Epoch in dev.duet.core.
    exports dev.duet.core.negotiation to
            dev.duet.signaling.client,
            dev.duet.signaling.server,
            dev.duet.webrtc;
    exports dev.duet.core.attendance;

    // Argument checks and small helpers shared by Duet's own modules only; not an API.
    exports dev.duet.core.internal to
            dev.duet.attendance,
            dev.duet.signaling.client,
            dev.duet.signaling.server,
            dev.duet.turn,
            dev.duet.webrtc,
            dev.duet.examples;
}
