/**
 * Duet WebRTC peer: {@link dev.duet.webrtc.DuetCall} drives a native peer connection (webrtc-java)
 * from the core negotiation machine, with local media (devices or synthetic), stats sampling and
 * media reports, TURN credential refresh and relay-only mode.
 */
module dev.duet.webrtc {
    requires transitive dev.duet.core;
    requires transitive dev.duet.signaling.client;
    requires transitive dev.duet.turn;
    requires transitive webrtc.java;
    requires org.slf4j;
    requires java.net.http; // IceServerSource.http

    exports dev.duet.webrtc;
}
