/** Duet examples: the demo (a real call between two Java peers through an embedded relay). */
module dev.duet.examples {
    requires dev.duet.webrtc;
    requires dev.duet.signaling.server;
}
