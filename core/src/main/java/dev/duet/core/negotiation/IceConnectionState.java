package dev.duet.core.negotiation;

/** ICE connection states as WebRTC reports them ({@code RTCIceConnectionState}). */
public enum IceConnectionState {
    NEW,
    CHECKING,
    CONNECTED,
    COMPLETED,
    DISCONNECTED,
    FAILED,
    CLOSED
}
