package dev.duet.signaling.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.Booking;
import dev.duet.core.Participant;
import dev.duet.core.SessionId;
import dev.duet.core.internal.Checks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bookings from a file of JSON lines, one booking per line, for a relay node run on its own
 * ({@code RelayMain --bookings FILE}). The app's backend appends a line when it books a session;
 * the file is read again when a session it does not know is asked for and the file has changed.
 * A line:
 *
 * <pre>{@code
 * {"session":"s-42","expert":{"id":"expert-ada","name":"Ada"},"learner":{"id":"learner-bo","name":"Bo"},
 *  "start":"2026-11-24T10:00:00Z","durationSeconds":3600,"openBeforeSeconds":600,"graceAfterSeconds":900}
 * }</pre>
 *
 * A line that is not a valid booking is skipped with a warning naming its line number; a later
 * line for the same session replaces an earlier one (a rebooking).
 */
public final class FileBookings implements BookingLookup {
    private static final Logger log = LoggerFactory.getLogger(FileBookings.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private Map<SessionId, Booking> bookings = Map.of(); // guarded by this
    private FileTime readAt;                             // guarded by this

    private FileBookings(Path file) {
        this.file = file;
    }

    /** Reads {@code file} now; it must exist (it may be empty). */
    public static FileBookings open(Path file) throws IOException {
        Checks.notNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IOException("bookings file " + file + " does not exist or is not a file");
        }
        FileBookings lookup = new FileBookings(file);
        synchronized (lookup) {
            lookup.reload();
        }
        return lookup;
    }

    @Override
    public synchronized Optional<Booking> find(SessionId session) {
        Booking known = bookings.get(session);
        if (known != null) {
            return Optional.of(known);
        }
        try {
            if (!Files.getLastModifiedTime(file).equals(readAt)) {
                reload();
            }
        } catch (IOException e) {
            log.error("cannot read the bookings file {}: {}", file, e.getMessage());
        }
        return Optional.ofNullable(bookings.get(session));
    }

    private void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<SessionId, Booking> read = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                Booking b = parse(line);
                read.put(b.sessionId(), b);
            } catch (IllegalArgumentException e) {
                log.warn("bookings file {}, line {}: skipped: {}", file, i + 1, e.getMessage());
            }
        }
        bookings = read;
        readAt = modified;
    }

    /** One booking line; throws {@link IllegalArgumentException} saying what was wrong. */
    static Booking parse(String line) {
        JsonNode o;
        try {
            o = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode expert = object(o, "expert");
        JsonNode learner = object(o, "learner");
        Instant start;
        try {
            start = Instant.parse(text(o, "start"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("start must be an ISO-8601 instant like 2026-11-24T10:00:00Z");
        }
        return new Booking(SessionId.of(text(o, "session")), Participant.expert(text(expert, "id"), text(expert, "name")),
                Participant.learner(text(learner, "id"), text(learner, "name")), start,
                Duration.ofSeconds(seconds(o, "durationSeconds")), Duration.ofSeconds(seconds(o, "openBeforeSeconds")),
                Duration.ofSeconds(seconds(o, "graceAfterSeconds")));
    }

    private static JsonNode object(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(field + " must be an object with id and name");
        }
        return n;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return n.asText();
    }

    private static long seconds(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException(field + " must be a whole number of seconds");
        }
        return n.asLong();
    }

    @Override
    public String toString() {
        return "FileBookings[" + file + "]";
    }
}
