package dev.duet.signaling.server;

import dev.duet.core.JoinTicketVerifier;
import dev.duet.core.TicketKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
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
 *   --attendance FILE       append every attendance event to FILE (JSON lines, fsync before acknowledging)
 * </pre>
 *
 * Without {@code --ticket-keys}, the keys come from the environment variable
 * {@code DUET_TICKET_KEYS} in the same form, lines separated by ';'. Secrets are never taken
 * from a command-line value (it would show in process lists) and never logged: only key ids are.
 */
public final class RelayMain {
    private static final Logger log = LoggerFactory.getLogger(RelayMain.class);
    static final String KEYS_ENV = "DUET_TICKET_KEYS";

    private RelayMain() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("duet relay: " + e.getMessage());
            System.err.println("usage: java -jar duet-signaling-server-all.jar [--host ADDRESS] [--port N] [--ticket-keys FILE]"
                    + " [--redis redis://host:port] [--attendance FILE]");
            System.exit(2);
            return;
        }
        JoinTicketVerifier verifier = new JoinTicketVerifier(options.keys(), Duration.ofSeconds(30));
        RelayServer.Builder builder = RelayServer.builder(verifier).host(options.host()).port(options.port());
        if (options.redis() != null) {
            builder.redis(options.redis());
        }
        if (options.attendance() != null) {
            builder.eventSink(RelayEventSink.storing(JsonLinesAttendanceStore.open(options.attendance())));
        }
        RelayServer relay = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("duet relay stopping: telling clients to reconnect (1001)");
            relay.close();
            stopped.countDown();
        }, "duet-relay-shutdown"));
        log.info("duet relay listening on {}:{} with ticket key ids {}", options.host(), relay.port(),
                options.keys().stream().map(TicketKey::keyId).toList());
        stopped.await();
    }

    /** Parsed command line. */
    record Options(String host, int port, List<TicketKey> keys, java.net.URI redis, java.nio.file.Path attendance) {
        static Options parse(String[] args, Map<String, String> env) {
            String host = "127.0.0.1";
            int port = 8080;
            String keysText = null;
            String keysSource = null;
            java.net.URI redis = null;
            java.nio.file.Path attendance = null;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--host" -> host = value;
                    case "--port" -> {
                        try {
                            port = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port must be a number from 0 to 65535, but was " + value);
                        }
                    }
                    case "--ticket-keys" -> {
                        try {
                            keysText = Files.readString(Path.of(value), StandardCharsets.UTF_8);
                            keysSource = "file " + value;
                        } catch (IOException e) {
                            throw new IllegalArgumentException("--ticket-keys: cannot read " + value + ": " + e.getMessage());
                        }
                    }
                    case "--redis" -> {
                        try {
                            redis = java.net.URI.create(value);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--redis must be a redis://host:port address");
                        }
                    }
                    case "--attendance" -> attendance = java.nio.file.Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag
                            + "; expected --host, --port, --ticket-keys, --redis or --attendance");
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
            return new Options(host, port, keys(keysText, keysSource), redis, attendance);
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
                try {
                    keys.add(TicketKey.fromBase64(e.substring(0, colon).strip(), e.substring(colon + 1).strip()));
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
