package dev.duet.webrtc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * libwebrtc ignores loopback interfaces: with only loopback it gathers no candidate and nothing ever
 * connects, silently. Tests that open peer connections call {@link #requireUsableInterface()} first:
 * locally they skip with a message when there is no usable interface; under {@code CI=true} that is
 * a failure. On our machines they run inside {@code ../shared/netns-run.sh} (or {@code .ci/netns-run.sh}),
 * whose veth pair is the only non-loopback interface.
 */
final class NetworkCheck {
    private NetworkCheck() {}

    static Optional<InetAddress> usableAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        return Optional.of(address);
                    }
                }
            }
        } catch (SocketException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static InetAddress requireUsableInterface() {
        Optional<InetAddress> address = usableAddress();
        if (address.isEmpty()) {
            String message = "no non-loopback IPv4 interface: libwebrtc ignores loopback, so peer connections cannot connect."
                    + " Run the tests inside ../shared/netns-run.sh (a namespace with a veth pair)";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + "; under CI=true these tests must run");
            }
            Assumptions.abort(message + "; skipping");
        }
        return address.get();
    }
}
