package dev.duet.turn;

import dev.duet.core.internal.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ordered ICE server list a peer is given: TURN first (UDP, then TCP, then TLS when offered),
 * STUN last, as the reference system found browsers need ("unless we had our TURN server listed
 * first, Chrome would never use it"). Immutable; the password never appears in {@link #toString()}.
 *
 * <p>At most four URLs in two entries: browsers warn when given five or more STUN/TURN URLs
 * (Chrome: "Using five or more STUN/TURN servers slows down discovery"), and every extra URL adds
 * candidates to gather. No public STUN server is ever added.
 */
public final class IceServers {
    /** One entry of {@code RTCConfiguration.iceServers}. */
    public record IceServer(List<String> urls, Optional<String> username, Optional<String> credential) {
        public IceServer {
            urls = List.copyOf(Checks.notNull(urls, "urls"));
            Checks.notNull(username, "username");
            Checks.notNull(credential, "credential");
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("urls must not be empty");
            }
        }

        @Override
        public String toString() {
            return "IceServer[urls=" + urls + ", username=" + username.orElse("-") + ", credential="
                    + (credential.isPresent() ? "(redacted)" : "-") + "]";
        }
    }

    /** {@code RTCConfiguration.iceTransportPolicy}. */
    public enum TransportPolicy {
        /** Direct and relayed candidates. */
        ALL("all"),
        /** Relayed only: the peers never learn each other's addresses (privacy), at the cost of TURN traffic. */
        RELAY("relay");

        private final String code;

        TransportPolicy(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final List<IceServer> servers;
    private final TransportPolicy policy;
    private final Optional<Instant> expiresAt;

    private IceServers(List<IceServer> servers, TransportPolicy policy, Optional<Instant> expiresAt) {
        this.servers = List.copyOf(servers);
        this.policy = policy;
        this.expiresAt = expiresAt;
    }

    /**
     * No ICE servers: host candidates only, so the peers connect only when they reach each other's
     * addresses directly (one network, a test namespace). Never expires.
     */
    public static IceServers none() {
        return new IceServers(List.of(), TransportPolicy.ALL, Optional.empty());
    }

    /** TURN on {@code server} with {@code credential} (UDP, TCP, TLS if offered), then STUN on the same server. */
    public static IceServers of(TurnServerAddress server, TurnCredential credential) {
        Checks.notNull(server, "server");
        Checks.notNull(credential, "credential");
        List<IceServer> list = new ArrayList<>(2);
        list.add(new IceServer(server.turnUris(), Optional.of(credential.username()), Optional.of(credential.password())));
        list.add(new IceServer(List.of(server.stunUri()), Optional.empty(), Optional.empty()));
        return new IceServers(list, TransportPolicy.ALL, Optional.of(credential.expiresAt()));
    }

    /**
     * Reads back the JSON a backend hands out ({@link #toRtcConfigurationJson()}, or the
     * {@code iceServers} and {@code iceTransportPolicy} of {@code DuetServer.join(...).toJson()}),
     * so that a Java peer can use what a browser gets. {@code urls} may be one string or a list, as
     * in {@code RTCIceServer}; other members are ignored. The expiry is read from a REST TURN
     * username ({@code <unix seconds>:...}), and is empty otherwise.
     *
     * @throws IllegalArgumentException saying what is malformed, never quoting a credential
     */
    public static IceServers fromRtcConfigurationJson(String json) {
        Checks.notNull(json, "json");
        if (!(RtcConfigurationJson.parse(json) instanceof java.util.Map<?, ?> root)) {
            throw new IllegalArgumentException("an RTC configuration must be a JSON object");
        }
        Object list = root.get("iceServers");
        if (list == null) {
            list = List.of();
        }
        if (!(list instanceof List<?> entries)) {
            throw new IllegalArgumentException("iceServers must be an array");
        }
        List<IceServer> servers = new ArrayList<>();
        Optional<Instant> expiresAt = Optional.empty();
        for (Object entry : entries) {
            if (!(entry instanceof java.util.Map<?, ?> server)) {
                throw new IllegalArgumentException("each iceServers entry must be an object");
            }
            Object urls = server.get("urls");
            List<String> urlList = new ArrayList<>();
            if (urls instanceof String one) {
                urlList.add(one);
            } else if (urls instanceof List<?> many && !many.isEmpty() && many.stream().allMatch(String.class::isInstance)) {
                many.forEach(u -> urlList.add((String) u));
            } else {
                throw new IllegalArgumentException("each iceServers entry needs urls: a string or a non-empty array of strings");
            }
            for (String url : urlList) {
                if (!url.startsWith("turn:") && !url.startsWith("turns:") && !url.startsWith("stun:") && !url.startsWith("stuns:")) {
                    throw new IllegalArgumentException("ICE server URLs must start with turn:, turns:, stun: or stuns:, but one was " + url);
                }
            }
            Optional<String> username = optionalString(server, "username");
            Optional<String> credential = optionalString(server, "credential");
            servers.add(new IceServer(urlList, username, credential));
            if (expiresAt.isEmpty() && username.isPresent() && credential.isPresent()) {
                expiresAt = restExpiry(username.get());
            }
        }
        Object policy = root.get("iceTransportPolicy");
        TransportPolicy transport = TransportPolicy.ALL;
        if ("relay".equals(policy)) {
            transport = TransportPolicy.RELAY;
        } else if (policy != null && !"all".equals(policy)) {
            throw new IllegalArgumentException("iceTransportPolicy must be \"all\" or \"relay\", but was " + policy);
        }
        if (transport == TransportPolicy.RELAY && servers.isEmpty()) {
            throw new IllegalArgumentException("iceTransportPolicy \"relay\" needs a TURN server in iceServers");
        }
        return new IceServers(servers, transport, expiresAt);
    }

    private static Optional<String> optionalString(java.util.Map<?, ?> server, String name) {
        Object value = server.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(name + " must be a string");
        }
        return Optional.of(text);
    }

    private static Optional<Instant> restExpiry(String username) {
        int colon = username.indexOf(':');
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(colon < 0 ? username : username.substring(0, colon))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The same servers, relay-only. */
    public IceServers relayOnly() {
        if (servers.isEmpty()) {
            throw new IllegalStateException("relay-only needs a TURN server, but this list has no ICE servers");
        }
        return new IceServers(servers, TransportPolicy.RELAY, expiresAt);
    }

    /** When the TURN credential in this list expires; empty when it holds none. Refresh before then. */
    public Optional<Instant> expiresAt() {
        return expiresAt;
    }

    public List<IceServer> servers() {
        return servers;
    }

    public TransportPolicy policy() {
        return policy;
    }

    /** Every URL, in order. */
    public List<String> urls() {
        return servers.stream().flatMap(s -> s.urls().stream()).toList();
    }

    /**
     * The browser's {@code RTCConfiguration} as JSON: {@code {"iceServers":[...],"iceTransportPolicy":"all"}}.
     * It holds the TURN password: hand it to the participant's page, never log it.
     */
    public String toRtcConfigurationJson() {
        StringBuilder json = new StringBuilder("{\"iceServers\":[");
        for (int i = 0; i < servers.size(); i++) {
            IceServer s = servers.get(i);
            json.append(i == 0 ? "" : ",").append("{\"urls\":[");
            for (int u = 0; u < s.urls().size(); u++) {
                json.append(u == 0 ? "" : ",").append(quote(s.urls().get(u)));
            }
            json.append(']');
            s.username().ifPresent(v -> json.append(",\"username\":").append(quote(v)));
            s.credential().ifPresent(v -> json.append(",\"credential\":").append(quote(v)));
            json.append('}');
        }
        return json.append("],\"iceTransportPolicy\":\"").append(policy.code()).append("\"}").toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return "IceServers[" + servers + ", policy=" + policy.code() + expiresAt.map(t -> ", expiresAt=" + t).orElse("") + "]";
    }
}
