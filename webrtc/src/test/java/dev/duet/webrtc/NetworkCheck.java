package dev.duet.webrtc;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that open peer connections call {@link #requireUsableInterface()} first (see
 * {@link HostNetwork}): locally they skip with a message when there is no usable interface; under
 * {@code CI=true} that is a failure. On our machines they run inside {@code .ci/netns-run.sh}, whose
 * veth pair is the only non-loopback interface.
 */
final class NetworkCheck {
    private NetworkCheck() {}

    static InetAddress requireUsableInterface() {
        Optional<InetAddress> address = HostNetwork.usableAddress();
        if (address.isEmpty()) {
            String message = "no non-loopback IPv4 interface: libwebrtc ignores loopback, so peer connections cannot connect."
                    + " Run the tests inside .ci/netns-run.sh (a network namespace with a veth pair)";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + "; under CI=true these tests must run");
            }
            Assumptions.abort(message + "; skipping");
        }
        return address.get();
    }
}
