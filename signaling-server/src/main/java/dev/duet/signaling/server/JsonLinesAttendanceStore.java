package dev.duet.signaling.server;

import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.internal.Checks;
import dev.duet.signaling.server.internal.AttendanceJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link AttendanceStore}: one append-only file of JSON lines, one event per line.
 * Each append is written and {@code fsync}ed ({@code FileChannel.force}) before it returns, so an
 * event the relay acknowledged survives a crash or a {@code kill -9}.
 *
 * <p>A crash can leave a torn last line (written in part). Opening the file detects it, logs it and
 * cuts it off (it was never acknowledged); a torn or corrupt line is never fatal. Lines in the
 * middle that do not parse (edited by hand, say) are skipped with a warning when reading.
 *
 * <p>Thread-safe (appends are serialised). One process at a time may have the file open.
 */
public final class JsonLinesAttendanceStore implements AttendanceStore {
    private static final Logger log = LoggerFactory.getLogger(JsonLinesAttendanceStore.class);

    private final Path file;
    private final FileChannel channel;
    private final Set<String> ids = new HashSet<>();
    private int tornLinesCut;
    private boolean closed;

    private JsonLinesAttendanceStore(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        cutTornTail();
        for (AttendanceEvent e : readAll()) {
            ids.add(e.eventId());
        }
        channel.position(channel.size());
    }

    /** Opens (or creates) the store in {@code file}. */
    public static JsonLinesAttendanceStore open(Path file) {
        Checks.notNull(file, "file");
        try {
            return new JsonLinesAttendanceStore(file);
        } catch (IOException e) {
            throw new AttendanceStoreException("cannot open the attendance file " + file, e);
        }
    }

    private void cutTornTail() throws IOException {
        long size = channel.size();
        if (size == 0) {
            return;
        }
        byte[] all = Files.readAllBytes(file);
        int end = all.length;
        int lastNewline = end - 1;
        while (lastNewline >= 0 && all[lastNewline] != '\n') {
            lastNewline--;
        }
        long keep = lastNewline + 1L;
        if (keep < size) {
            String torn = new String(all, (int) keep, (int) (size - keep), StandardCharsets.UTF_8);
            boolean complete;
            try {
                AttendanceJson.decode(torn);
                complete = true;
            } catch (IllegalArgumentException e) {
                complete = false;
            }
            if (complete) {
                // a whole event whose newline was lost: keep it, finish its line
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
            } else {
                log.warn("attendance file {}: cut off a torn last line of {} bytes (a crash while writing; never acknowledged)",
                        file, size - keep);
                channel.truncate(keep);
                tornLinesCut++;
            }
            channel.force(true);
        }
    }

    /** Torn last lines cut off when the file was opened (0 or 1). */
    public int tornLinesCut() {
        return tornLinesCut;
    }

    @Override
    public synchronized void append(AttendanceEvent event) {
        Checks.notNull(event, "event");
        if (closed) {
            throw new AttendanceStoreException("the attendance store is closed", null);
        }
        if (ids.contains(event.eventId())) {
            return;
        }
        byte[] line = (AttendanceJson.encode(event) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new AttendanceStoreException("cannot append event " + event.eventId() + " to " + file, e);
        }
        ids.add(event.eventId());
    }

    @Override
    public synchronized List<AttendanceEvent> events(SessionId session) {
        Checks.notNull(session, "session");
        List<AttendanceEvent> out = new ArrayList<>();
        try {
            for (AttendanceEvent e : readAll()) {
                if (e.session().equals(session)) {
                    out.add(e);
                }
            }
        } catch (IOException e) {
            throw new AttendanceStoreException("cannot read " + file, e);
        }
        return out;
    }

    private List<AttendanceEvent> readAll() throws IOException {
        List<AttendanceEvent> out = new ArrayList<>();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(AttendanceJson.decode(line));
            } catch (RuntimeException e) {
                log.warn("attendance file {}: line {} skipped, not a valid event: {}", file, number, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("closing {} failed", file, e);
        }
    }

    @Override
    public String toString() {
        return "JsonLinesAttendanceStore[" + file + "]";
    }
}
