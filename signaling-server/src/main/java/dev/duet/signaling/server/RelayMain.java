package dev.duet.signaling.server;

import dev.duet.core.WebhookSignature;
import dev.duet.attendance.WebhookSender;
import dev.duet.attendance.SessionOutcomeListener;
import dev.duet.attendance.SessionOutcomes;
import dev.duet.attendance.JsonLinesAttendanceStore;
import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.TicketKey;
import dev.duet.core.attendance.AttendanceRules;
import dev.duet.core.attendance.BillingPolicy;
import dev.duet.core.attendance.Money;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one relay node: {@code java -jar duet-signaling-server-<version>-all.jar [options]}.
 *
 * <pre>
 *   --host ADDRESS          listen address (default 127.0.0.1; 0.0.0.0 behind a TLS proxy)
 *   --port N                listen port (default 8080; 0 picks a free one)
 *   --ticket-keys FILE      ticket keys, one "keyId:base64secret" per line, '#' comments allowed
 *   --redis URL             share sessions with other nodes through Redis (redis://host:port)
 *   --redis-cluster URLS    the same through a Redis Cluster: seed nodes, comma-separated redis://host:port
 *   --attendance FILE       append every attendance event to FILE (JSON lines, fsync before acknowledging)
 *   --bookings FILE         the sessions' bookings, JSON lines (see FileBookings): the node closes each
 *                           session at its window's end; with --attendance it also settles each closed
 *                           session into a report and a charge (needs --rate)
 *   --settle-grace SECONDS  after a hang-up, how long nobody must be back before the session closes (default 30)
 *   --rate CUR:AMOUNT       hourly rate for the charge, e.g. EUR:60.00
 *   --increment SECONDS     billing increment (default 60)
 *   --rounding MODE         up, down or nearest (default up)
 *   --minimum AMOUNT        minimum charge when anything was delivered (default 0)
 *   --no-show-fee AMOUNT    charged when the learner never came (default 0)
 *   --webhook URL           post each settled session, signed, to URL (secret from DUET_WEBHOOK_SECRET)
 *   --help                  print this and exit
 * </pre>
 *
 * Without {@code --ticket-keys}, the keys come from the environment variable
 * {@code DUET_TICKET_KEYS} in the same form, lines separated by ';'. Secrets are never taken
 * from a command-line value (it would show in process lists) and never logged: only key ids are.
 * Exit codes: 0 after a clean stop, 2 for wrong options (a one-line reason and the usage).
 */
public final class RelayMain {
    private static final Logger log = LoggerFactory.getLogger(RelayMain.class);
    static final String KEYS_ENV = "DUET_TICKET_KEYS";
    static final String WEBHOOK_SECRET_ENV = "DUET_WEBHOOK_SECRET";
    static final String USAGE = """
            usage: java -jar duet-signaling-server-all.jar [--host ADDRESS] [--port N] [--ticket-keys FILE]
                   [--redis redis://host:port | --redis-cluster redis://h1:p1,redis://h2:p2]
                   [--attendance FILE] [--bookings FILE] [--settle-grace SECONDS]
                   [--rate CUR:AMOUNT] [--increment SECONDS] [--rounding up|down|nearest] [--minimum AMOUNT]
                   [--no-show-fee AMOUNT] [--webhook URL] [--permessage-deflate on|off] [--threads N] [--help]
            ticket keys: --ticket-keys FILE or DUET_TICKET_KEYS="keyId:base64secret;..."; webhook secret: DUET_WEBHOOK_SECRET""";

    private RelayMain() {}

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("duet relay: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Node node = Node.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("duet relay stopping: telling clients to reconnect (1001)");
            node.close();
            stopped.countDown();
        }, "duet-relay-shutdown"));
        log.info("duet relay listening on {}:{} with ticket key ids {}{}", options.host(), node.relay().port(),
                options.keys().stream().map(TicketKey::keyId).toList(), node.settling() ? "; settling sessions" : "");
        stopped.await();
    }

    /** A running node with what it was started with; {@link #close()} stops all of it. */
    record Node(RelayServer relay, List<AutoCloseable> parts, boolean settling) implements AutoCloseable {
        static Node start(Options options) throws Exception {
            List<AutoCloseable> parts = new ArrayList<>();
            try {
                JoinTicketVerifier verifier = new JoinTicketVerifier(options.keys(), Duration.ofSeconds(30));
                RelayServer.Builder builder = RelayServer.builder(verifier).host(options.host()).port(options.port())
                        .settleGrace(options.settleGrace()).permessageDeflate(options.permessageDeflate());
                if (options.threads() > 0) {
                    builder.threads(options.threads());
                }
                if (options.redis() != null) {
                    builder.redis(options.redis());
                } else if (!options.redisCluster().isEmpty()) {
                    builder.redisCluster(options.redisCluster());
                }
                BookingLookup bookings = BookingLookup.none();
                if (options.bookings() != null) {
                    bookings = FileBookings.open(options.bookings());
                    builder.bookings(bookings);
                }
                RelayEventSink sink = RelayEventSink.none();
                boolean settling = false;
                if (options.attendance() != null) {
                    JsonLinesAttendanceStore store = JsonLinesAttendanceStore.open(options.attendance());
                    parts.add(store);
                    sink = RelayEventSink.storing(store);
                    builder.closedBefore(RelayServer.Builder.closedIn(store)); // closed sessions survive a restart
                    if (options.billing() != null) {
                        ScheduledExecutorService settle = Executors.newSingleThreadScheduledExecutor(r -> {
                            Thread t = new Thread(r, "duet-relay-settle");
                            t.setDaemon(true);
                            return t;
                        });
                        parts.add(settle::shutdownNow);
                        List<SessionOutcomeListener> listeners = new ArrayList<>(); // SessionOutcomes logs each outcome
                        if (options.webhook() != null) {
                            listeners.add(new WebhookSender(options.webhook(), new WebhookSignature(options.webhookSecret()),
                                    settle, Clock.systemUTC(), 12));
                        }
                        sink = sink.andThen(RelayEventSink.settling(new SessionOutcomes(store, bookings::find,
                                AttendanceRules.defaults(), options.billing(), listeners, settle)));
                        settling = true;
                    }
                }
                RelayServer relay = builder.eventSink(sink).start();
                return new Node(relay, parts, settling);
            } catch (Exception | Error e) {
                closeAll(parts);
                throw e;
            }
        }

        @Override
        public void close() {
            relay.close();
            closeAll(parts);
        }

        private static void closeAll(List<AutoCloseable> parts) {
            for (int i = parts.size() - 1; i >= 0; i--) {
                try {
                    parts.get(i).close();
                } catch (Exception e) {
                    log.warn("closing {} failed", parts.get(i), e);
                }
            }
        }
    }

    /** Parsed command line. {@code billing} is set when sessions are settled (--attendance, --bookings and --rate). */
    record Options(String host, int port, List<TicketKey> keys, java.net.URI redis, List<java.net.URI> redisCluster,
            Path attendance, Path bookings,
            Duration settleGrace, BillingPolicy billing, java.net.URI webhook, byte[] webhookSecret, boolean permessageDeflate,
            int threads) {

        @Override
        public String toString() {
            return "Options[" + host + ":" + port + ", keys " + keys.stream().map(TicketKey::keyId).toList()
                    + (redis != null ? ", redis " + redis.getHost() + ":" + redis.getPort() : "")
                    + (redisCluster.isEmpty() ? "" : ", redis cluster of " + redisCluster.size() + " seeds")
                    + (attendance != null ? ", attendance " + attendance : "") + (bookings != null ? ", bookings " + bookings : "")
                    + (billing != null ? ", " + billing : "") + (webhook != null ? ", webhook " + webhook.getHost() : "")
                    + (permessageDeflate ? ", permessage-deflate" : "") + (threads > 0 ? ", " + threads + " threads" : "") + "]";
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

        static Options parse(String[] args, Map<String, String> env) {
            String host = "127.0.0.1";
            int port = 8080;
            String keysText = null;
            String keysSource = null;
            java.net.URI redis = null;
            List<java.net.URI> redisCluster = List.of();
            Path attendance = null;
            Path bookings = null;
            Duration settleGrace = Duration.ofSeconds(30);
            String rate = null;
            long increment = 60;
            BillingPolicy.Rounding rounding = BillingPolicy.Rounding.UP;
            String minimum = "0";
            String noShowFee = "0";
            java.net.URI webhook = null;
            boolean permessageDeflate = false;
            int threads = 0; // the relay's default
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (!KNOWN.contains(flag)) {
                    throw new IllegalArgumentException("unknown option " + flag + "; expected one of " + String.join(", ", KNOWN));
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--host" -> host = value;
                    case "--port" -> port = (int) number(flag, value, 0, 65535);
                    case "--ticket-keys" -> {
                        try {
                            keysText = Files.readString(Path.of(value), StandardCharsets.UTF_8);
                            keysSource = "file " + value;
                        } catch (IOException e) {
                            throw new IllegalArgumentException("--ticket-keys: cannot read " + value + ": " + e.getMessage());
                        }
                    }
                    case "--redis-cluster" -> {
                        List<java.net.URI> seeds = new ArrayList<>();
                        for (String seed : value.split(",")) {
                            seeds.add(redisUri("--redis-cluster", seed.strip()));
                        }
                        redisCluster = List.copyOf(seeds);
                    }
                    case "--redis" -> redis = redisUri(flag, value);
                    case "--attendance" -> attendance = Path.of(value);
                    case "--bookings" -> bookings = Path.of(value);
                    case "--settle-grace" -> settleGrace = Duration.ofSeconds(number(flag, value, 0, 3600));
                    case "--rate" -> rate = value;
                    case "--increment" -> increment = number(flag, value, 1, 3600);
                    case "--rounding" -> rounding = switch (value) {
                        case "up" -> BillingPolicy.Rounding.UP;
                        case "down" -> BillingPolicy.Rounding.DOWN;
                        case "nearest" -> BillingPolicy.Rounding.NEAREST;
                        default -> throw new IllegalArgumentException("--rounding must be up, down or nearest, but was " + value);
                    };
                    case "--minimum" -> minimum = value;
                    case "--no-show-fee" -> noShowFee = value;
                    case "--permessage-deflate" -> permessageDeflate = switch (value) {
                        case "on" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException("--permessage-deflate must be on or off, but was " + value);
                    };
                    case "--threads" -> threads = (int) number(flag, value, RelayServer.MIN_THREADS, RelayServer.MAX_THREADS);
                    default -> { // --webhook
                        try {
                            webhook = java.net.URI.create(value);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--webhook must be an http(s):// address");
                        }
                        if (!"https".equals(webhook.getScheme()) && !"http".equals(webhook.getScheme())) {
                            throw new IllegalArgumentException("--webhook must be an http(s):// address, but was " + value);
                        }
                    }
                }
            }
            if (keysText == null) {
                keysText = env.get(KEYS_ENV);
                keysSource = "environment variable " + KEYS_ENV;
            }
            if (keysText == null || keysText.isBlank()) {
                throw new IllegalArgumentException("no ticket keys: give --ticket-keys FILE or set " + KEYS_ENV
                        + " (\"keyId:base64secret\" entries)");
            }
            BillingPolicy billing = null;
            boolean settling = attendance != null && bookings != null;
            if (settling && rate == null) {
                throw new IllegalArgumentException("--attendance with --bookings settles sessions and needs --rate CUR:AMOUNT"
                        + " (the hourly rate, e.g. EUR:60.00)");
            }
            if (!settling && (rate != null || webhook != null)) {
                throw new IllegalArgumentException((rate != null ? "--rate" : "--webhook")
                        + " needs --attendance FILE and --bookings FILE (sessions are settled from both)");
            }
            if (settling) {
                billing = billing(rate, increment, rounding, minimum, noShowFee);
            }
            byte[] secret = null;
            if (webhook != null) {
                String text = env.get(WEBHOOK_SECRET_ENV);
                if (text == null || text.isBlank()) {
                    throw new IllegalArgumentException("--webhook needs the signing secret in the environment variable "
                            + WEBHOOK_SECRET_ENV + " (at least 32 bytes)");
                }
                secret = text.getBytes(StandardCharsets.UTF_8);
                new WebhookSignature(secret); // checks its length now, with a message that does not show it
            }
            if (redis != null && !redisCluster.isEmpty()) {
                throw new IllegalArgumentException("give --redis or --redis-cluster, not both");
            }
            return new Options(host, port, keys(keysText, keysSource), redis, redisCluster, attendance, bookings, settleGrace,
                    billing, webhook, secret, permessageDeflate, threads);
        }

        private static final List<String> KNOWN = List.of("--host", "--port", "--ticket-keys", "--redis", "--redis-cluster",
                "--attendance",
                "--bookings", "--settle-grace", "--rate", "--increment", "--rounding", "--minimum", "--no-show-fee", "--webhook",
                "--permessage-deflate", "--threads");

        private static java.net.URI redisUri(String flag, String value) {
            java.net.URI uri;
            try {
                uri = java.net.URI.create(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " must be redis://host:port, but was " + value);
            }
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException(flag + " must be redis://host:port, but was " + value);
            }
            return uri;
        }

        private static long number(String flag, String value, long min, long max) {
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a number from " + min + " to " + max + ", but was " + value);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(flag + " must be a number from " + min + " to " + max + ", but was " + value);
            }
            return n;
        }

        private static BillingPolicy billing(String rate, long increment, BillingPolicy.Rounding rounding, String minimum,
                String noShowFee) {
            int colon = rate.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--rate must be CURRENCY:AMOUNT per hour, like EUR:60.00, but was " + rate);
            }
            String currency = rate.substring(0, colon);
            try {
                return new BillingPolicy(Money.of(currency, rate.substring(colon + 1)), Duration.ofSeconds(increment), rounding,
                        Money.of(currency, minimum), Money.of(currency, noShowFee));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rate, --minimum and --no-show-fee must be amounts like 60.00");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("billing: " + e.getMessage());
            }
        }

        static List<TicketKey> keys(String text, String source) {
            List<TicketKey> keys = new ArrayList<>();
            int line = 0;
            for (String entry : text.split("[;\\n]")) {
                line++;
                String e = entry.strip();
                if (e.isEmpty() || e.startsWith("#")) {
                    continue;
                }
                int colon = e.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(source + ", entry " + line
                            + ": expected \"keyId:base64secret\" (the entry is not shown, it may hold a secret)");
                }
                String keyId = e.substring(0, colon).strip();
                if (!keyId.matches("[A-Za-z0-9._~-]{1,64}")) {
                    // Not echoed: written the wrong way round ("secret:keyId"), the key id is the secret.
                    throw new IllegalArgumentException(source + ", entry " + line + ": the key id before the colon must be"
                            + " 1 to 64 characters from A-Z a-z 0-9 . _ ~ -; expected \"keyId:base64secret\" (the entry"
                            + " is not shown, it may hold a secret; was it written secret first?)");
                }
                try {
                    keys.add(TicketKey.fromBase64(keyId, e.substring(colon + 1).strip()));
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException(source + ", entry " + line + ": " + bad.getMessage());
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException(source + " holds no ticket key");
            }
            return keys;
        }
    }
}
