package dev.duet.webrtc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/**
 * What libwebrtc can use on this host. It ignores loopback interfaces: on a host with only
 * loopback it gathers no candidate and a call never connects, without any error. Check first and
 * say so plainly.
 */
public final class HostNetwork {
    private HostNetwork() {}

    /** The first IPv4 address of an up, non-loopback interface (not link-local), if any. */
    public static Optional<InetAddress> usableAddress() {
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
}
