/** Duet examples: the demo (a real call between two Java peers, or a browser and a Java peer) and the backend example. */
module dev.duet.examples {
    requires dev.duet.webrtc;
    requires dev.duet.signaling.server;
    requires com.fasterxml.jackson.databind;
    requires jdk.httpserver;
}
