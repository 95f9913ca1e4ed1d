package dev.duet.webrtc;

import dev.duet.testing.TestNetwork;
import java.net.InetAddress;

/** The WebRTC tests' gate: {@link TestNetwork#requireUsableInterface} with this host's {@link HostNetwork} address. */
final class NetworkCheck {
    private NetworkCheck() {}

    static InetAddress requireUsableInterface() {
        return TestNetwork.requireUsableInterface(HostNetwork.usableAddress());
    }
}
