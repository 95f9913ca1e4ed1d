package dev.duet.signaling.client.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A Pusher Channels protocol server (version 7 and the older ones Pusher still serves) for the tests, written from Pusher's protocol description
 * and checked against Pusher's own Java client ({@code pusher.FakePusherServerTest}), not against Duet:
 * <ul>
 *   <li>{@code ws://127.0.0.1:<port>/app/<key>?protocol=7} (4 to 7 are served; pusher-java-client
 *       2.4.4 asks for 5): another key is {@code pusher:error} 4001 and a close with 4001, another
 *       or no protocol 4007;</li>
 *   <li>{@code pusher:connection_established} with a {@code socket_id} and {@code activity_timeout}
 *       (as a JSON string in {@code data}); {@code pusher:ping} is answered with {@code pusher:pong};</li>
 *   <li>{@code pusher:subscribe}: private and presence channels need {@code auth} =
 *       {@code <key>:<hex HMAC-SHA256(secret, "<socket_id>:<channel>[:<channel_data>]")>}, checked here
 *       with the JDK's own HMAC; a wrong one is a {@code pusher:error} (code null) and no
 *       subscription; presence answers {@code pusher_internal:subscription_succeeded} with
 *       {@code {"presence":{"ids","hash","count"}}} and tells the others {@code member_added} (once
 *       per user, whatever its sockets), and {@code member_removed} when its last socket leaves;</li>
 *   <li>client events: named {@code client-*}, only on a private or presence channel the socket
 *       is subscribed to, forwarded to the channel's other sockets (never back to the sender) with
 *       the sender's {@code user_id} on presence channels; more than 10 in a second from one socket
 *       is {@code pusher:error} 4301 and the event is dropped, and so is one whose {@code data} is
 *       over 10 KB.</li>
 * </ul>
 * {@link #closeAll(int, String)} closes every connection with a code, as a server restart or a
 * Pusher cluster would. Public only because Jetty calls the endpoint's methods reflectively.
 */
@SuppressWarnings("exports") // a test fixture: Jetty's types in its public endpoint are for Jetty alone
public final class FakePusherServer implements AutoCloseable {
    public static final int CLIENT_EVENTS_PER_SECOND = 10;
    /** Pusher's limit on a client event's data, in bytes. */
    public static final int CLIENT_EVENT_MAX_BYTES = 10 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String key;
    private final byte[] secret;
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final AtomicLong sockets = new AtomicLong(1000);
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** Channel name to its subscribed connections; guarded by this. */
    private final Map<String, Map<Connection, Member>> channels = new LinkedHashMap<>();
    /** Every frame a client sent, for the tests to look at. */
    public final List<String> received = new CopyOnWriteArrayList<>();
    /** Every pusher:error this server sent, for the tests to look at. */
    public final List<String> errors = new CopyOnWriteArrayList<>();

    private record Member(String userId, JsonNode userInfo) {}

    public FakePusherServer(String key, String secret) throws Exception {
        this.key = key;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        context.setHandler(WebSocketUpgradeHandler.from(server, context, container -> container.addMapping("/app/*",
                (request, response, callback) -> new Connection(request.getHttpURI().getPath().substring("/app/".length()),
                        request.getHttpURI().getQuery()))));
        server.setHandler(context);
        server.start();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code ws://127.0.0.1:<port>}: where clients connect (they add {@code /app/<key>}). */
    public java.net.URI address() {
        return java.net.URI.create("ws://127.0.0.1:" + port());
    }

    /** Closes every connection with {@code code} (4200: reconnect at once; 4100: back off; 4000: do not retry). */
    public void closeAll(int code, String reason) {
        for (Connection c : connections) {
            c.session.close(code, reason, Callback.NOOP);
        }
    }

    /** Closes the connection of socket {@code socketId} with {@code code}, as a dropped or kicked client. */
    public void closeSocket(String socketId, int code, String reason) {
        for (Connection c : connections) {
            if (c.socketId.equals(socketId)) {
                c.session.close(code, reason, Callback.NOOP);
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String event(String name, String channel, String data) {
        ObjectNode e = JSON.createObjectNode().put("event", name);
        if (channel != null) {
            e.put("channel", channel);
        }
        return e.put("data", data).toString();
    }

    private static String error(Integer code, String message) {
        ObjectNode data = JSON.createObjectNode().put("message", message);
        if (code == null) {
            data.putNull("code");
        } else {
            data.put("code", code);
        }
        return JSON.createObjectNode().put("event", "pusher:error").set("data", data).toString();
    }

    /** One client's WebSocket. */
    public final class Connection implements Session.Listener.AutoDemanding {
        private final String pathKey;
        private final String query;
        private final String socketId = sockets.incrementAndGet() + "." + sockets.incrementAndGet();
        private final Deque<Long> recentClientEvents = new ArrayDeque<>();
        private Session session;

        Connection(String pathKey, String query) {
            this.pathKey = pathKey;
            this.query = query == null ? "" : query;
        }

        void send(String text) {
            session.sendText(text, Callback.NOOP);
        }

        /** A {@code pusher:error}, kept in {@link #errors} for the tests. */
        void sendError(Integer code, String message) {
            String text = error(code, message);
            errors.add(text);
            send(text);
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            if (!pathKey.equals(key)) {
                sendError(4001, "App key " + pathKey + " not in this cluster");
                session.close(4001, "App key not in this cluster", Callback.NOOP);
                return;
            }
            // Pusher still serves protocols 4 to 7 (only 1 to 3 are gone): the official Java client asks for 5.
            if (List.of(query.split("&")).stream().noneMatch(p -> p.matches("protocol=[4-7]"))) {
                sendError(4007, "Unsupported protocol version");
                session.close(4007, "Unsupported protocol version", Callback.NOOP);
                return;
            }
            connections.add(this);
            send(event("pusher:connection_established", null,
                    JSON.createObjectNode().put("socket_id", socketId).put("activity_timeout", 120).toString()));
        }

        @Override
        public void onWebSocketText(String text) {
            received.add(text);
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (Exception e) {
                sendError(null, "Invalid JSON");
                return;
            }
            String name = message.path("event").asText("");
            JsonNode data = message.path("data");
            if (data.isTextual()) {
                try {
                    data = JSON.readTree(data.asText());
                } catch (Exception e) {
                    data = JSON.createObjectNode();
                }
            }
            switch (name) {
                case "pusher:ping" -> send(event("pusher:pong", null, "{}"));
                case "pusher:pong" -> { }
                case "pusher:subscribe" -> subscribe(data);
                case "pusher:unsubscribe" -> leave(data.path("channel").asText(""));
                default -> {
                    if (name.startsWith("client-")) {
                        clientEvent(name, message.path("channel").asText(""), message.get("data"));
                    } else {
                        sendError(null, "Unsupported event " + name);
                    }
                }
            }
        }

        private void subscribe(JsonNode data) {
            String channel = data.path("channel").asText("");
            boolean presence = channel.startsWith("presence-");
            Member member = null;
            if (presence || channel.startsWith("private-")) {
                String channelData = data.path("channel_data").isTextual() ? data.path("channel_data").asText() : null;
                String signed = socketId + ":" + channel + (presence && channelData != null ? ":" + channelData : "");
                String expected = key + ":" + sign(signed);
                String auth = data.path("auth").asText("");
                if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), auth.getBytes(StandardCharsets.UTF_8))) {
                    sendError(null, "Invalid signature: Expected HMAC SHA256 hex digest of " + signed + ", but got " + auth);
                    return;
                }
                if (presence) {
                    JsonNode parsed;
                    try {
                        parsed = channelData == null ? null : JSON.readTree(channelData);
                    } catch (Exception e) {
                        parsed = null;
                    }
                    if (parsed == null || !parsed.path("user_id").isTextual()) {
                        sendError(null, "Invalid channel_data: a presence subscription needs a user_id");
                        return;
                    }
                    member = new Member(parsed.path("user_id").asText(), parsed.path("user_info"));
                }
            }
            synchronized (FakePusherServer.this) {
                Map<Connection, Member> subscribers = channels.computeIfAbsent(channel, c -> new LinkedHashMap<>());
                boolean newUser = member != null && subscribers.values().stream().noneMatch(same(member.userId()));
                subscribers.put(this, member == null ? new Member("", null) : member);
                String succeeded = "{}";
                if (presence) {
                    ArrayNode ids = JSON.createArrayNode();
                    ObjectNode hash = JSON.createObjectNode();
                    for (Member m : subscribers.values()) {
                        if (!hash.has(m.userId())) {
                            ids.add(m.userId());
                            hash.set(m.userId(), m.userInfo() == null || m.userInfo().isMissingNode() ? JSON.nullNode() : m.userInfo());
                        }
                    }
                    ObjectNode body = JSON.createObjectNode();
                    body.putObject("presence").put("count", ids.size()).<ObjectNode>set("ids", ids).set("hash", hash);
                    succeeded = body.toString();
                }
                send(event("pusher_internal:subscription_succeeded", channel, succeeded));
                if (newUser) {
                    ObjectNode added = JSON.createObjectNode().put("user_id", member.userId());
                    if (!member.userInfo().isMissingNode()) {
                        added.set("user_info", member.userInfo());
                    }
                    for (Connection other : subscribers.keySet()) {
                        if (other != this) {
                            other.send(event("pusher_internal:member_added", channel, added.toString()));
                        }
                    }
                }
            }
        }

        private java.util.function.Predicate<Member> same(String userId) {
            return m -> m.userId().equals(userId);
        }

        private void leave(String channel) {
            synchronized (FakePusherServer.this) {
                Map<Connection, Member> subscribers = channels.get(channel);
                if (subscribers == null) {
                    return;
                }
                Member gone = subscribers.remove(this);
                if (gone != null && channel.startsWith("presence-") && subscribers.values().stream().noneMatch(same(gone.userId()))) {
                    String removed = JSON.createObjectNode().put("user_id", gone.userId()).toString();
                    for (Connection other : subscribers.keySet()) {
                        other.send(event("pusher_internal:member_removed", channel, removed));
                    }
                }
                if (subscribers.isEmpty()) {
                    channels.remove(channel);
                }
            }
        }

        private void clientEvent(String name, String channel, JsonNode data) {
            if (!channel.startsWith("private-") && !channel.startsWith("presence-")) {
                sendError(null, "Client event rejected - only supported on private and presence channels");
                return;
            }
            long now = System.nanoTime();
            while (!recentClientEvents.isEmpty() && now - recentClientEvents.peekFirst() >= 1_000_000_000L) {
                recentClientEvents.pollFirst();
            }
            if (recentClientEvents.size() >= CLIENT_EVENTS_PER_SECOND) {
                sendError(4301, "Client event rate limit reached");
                return;
            }
            recentClientEvents.addLast(now);
            if (data != null && data.toString().getBytes(StandardCharsets.UTF_8).length > CLIENT_EVENT_MAX_BYTES) {
                sendError(null, "Client event rejected - payload too large");
                return;
            }
            synchronized (FakePusherServer.this) {
                Map<Connection, Member> subscribers = channels.get(channel);
                if (subscribers == null || !subscribers.containsKey(this)) {
                    sendError(null, "Client event rejected - not subscribed to " + channel);
                    return;
                }
                ObjectNode forwarded = JSON.createObjectNode().put("event", name).put("channel", channel);
                forwarded.set("data", data == null ? JSON.nullNode() : data);
                if (channel.startsWith("presence-")) {
                    forwarded.put("user_id", subscribers.get(this).userId());
                }
                for (Connection other : subscribers.keySet()) {
                    if (other != this) {
                        other.send(forwarded.toString());
                    }
                }
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // a client that went away mid-write: its close follows
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            connections.remove(this);
            List<String> subscribed;
            synchronized (FakePusherServer.this) {
                subscribed = channels.entrySet().stream().filter(e -> e.getValue().containsKey(this)).map(Map.Entry::getKey).toList();
            }
            subscribed.forEach(this::leave);
            callback.succeed();
        }
    }
}
