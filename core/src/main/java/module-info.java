/**
 * Duet core: bookings, join tickets and the negotiation state machine. Pure Java: no sockets,
 * no native code, no system clock.
 */
module dev.duet.core {
    requires org.slf4j;

    exports dev.duet.core;
    exports dev.duet.core.negotiation;
}
