package dev.duet.webrtc.internal;

import dev.duet.turn.IceServers;
import dev.onvoid.webrtc.RTCBundlePolicy;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCIceTransportPolicy;
import java.util.ArrayList;

/** Maps Duet's {@link IceServers} to webrtc-java's configuration (whose {@code toString} would print the password: never log it). */
public final class RtcConfigurations {
    private RtcConfigurations() {}

    public static RTCConfiguration of(IceServers servers) {
        RTCConfiguration configuration = new RTCConfiguration();
        configuration.iceServers = new ArrayList<>();
        for (IceServers.IceServer server : servers.servers()) {
            RTCIceServer ice = new RTCIceServer();
            ice.urls = new ArrayList<>(server.urls());
            ice.username = server.username().orElse("");
            ice.password = server.credential().orElse("");
            configuration.iceServers.add(ice);
        }
        configuration.iceTransportPolicy = servers.policy() == IceServers.TransportPolicy.RELAY
                ? RTCIceTransportPolicy.RELAY : RTCIceTransportPolicy.ALL;
        configuration.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE;
        return configuration;
    }
}
