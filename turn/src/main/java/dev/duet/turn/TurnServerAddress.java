package dev.duet.turn;

import dev.duet.core.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Where a TURN server listens: host, the port for UDP and TCP (3478 by convention), and the TLS port
 * when {@code turns:} is offered (443 gets through the strictest firewalls).
 */
public record TurnServerAddress(String host, int port, OptionalInt tlsPort) {
    public TurnServerAddress {
        Checks.notNull(host, "host");
        if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '?' || c == '@')) {
            throw new IllegalArgumentException("host must be a host name or address without spaces, '/', '?' or '@', but was \""
                    + host + "\"");
        }
        if (host.contains(":") && !host.matches("\\[?[0-9A-Fa-f:.]+(%[0-9A-Za-z]+)?]?")) {
            throw new IllegalArgumentException("host must be a host name or an IP address, without a scheme (turn:) or a port, "
                    + "but was \"" + host + "\"");
        }
        port(port, "port");
        Checks.notNull(tlsPort, "tlsPort");
        tlsPort.ifPresent(p -> port(p, "tlsPort"));
    }

    public static TurnServerAddress of(String host, int port) {
        return new TurnServerAddress(host, port, OptionalInt.empty());
    }

    public TurnServerAddress withTls(int tlsPort) {
        return new TurnServerAddress(host, port, OptionalInt.of(tlsPort));
    }

    /** TURN URIs in the order a browser should try them: UDP, then TCP, then TLS. */
    public List<String> turnUris() {
        List<String> uris = new ArrayList<>(3);
        String h = host.contains(":") ? "[" + host + "]" : host;
        uris.add("turn:" + h + ":" + port + "?transport=udp");
        uris.add("turn:" + h + ":" + port + "?transport=tcp");
        tlsPort.ifPresent(p -> uris.add("turns:" + h + ":" + p + "?transport=tcp"));
        return List.copyOf(uris);
    }

    public String stunUri() {
        return "stun:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static void port(int p, String name) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(name + " must be 1 to 65535, but was " + p);
        }
    }
}
