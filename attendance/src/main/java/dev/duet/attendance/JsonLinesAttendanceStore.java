package dev.duet.attendance;

import dev.duet.core.SessionId;
import dev.duet.core.attendance.AttendanceEvent;
import dev.duet.core.attendance.AttendanceStore;
import dev.duet.core.internal.Checks;
import dev.duet.attendance.internal.AttendanceJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link AttendanceStore}: one append-only file of JSON lines, one event per line.
 * Each append is written and {@code fsync}ed ({@code FileChannel.force}) before it returns, so an
 * event the relay acknowledged survives a crash or a {@code kill -9}. Appends from many threads
 * (many sessions) share fsyncs: group commit (see {@link #append}).
 *
 * <p>A crash can leave a torn last line (written in part). Opening the file detects it, logs it and
 * cuts it off (it was never acknowledged); a torn or corrupt line is never fatal. Lines in the
 * middle that do not parse (edited by hand, say) are skipped with a warning when reading.
 *
 * <p>The file is read once, when it is opened, into an index of where each session's lines are;
 * {@link #events} then reads only that session's lines. The index and the set of known ids stay in
 * memory (a few dozen bytes per event).
 *
 * <p>Thread-safe (appends are serialised). One process at a time may have the file open.
 */
public final class JsonLinesAttendanceStore implements AttendanceStore {
    private static final Logger log = LoggerFactory.getLogger(JsonLinesAttendanceStore.class);

    private final Path file;
    private final FileChannel channel;
    private final Set<String> ids = new HashSet<>();
    /** Where each session's lines are: byte offset and length, in append order. */
    private final Map<SessionId, List<long[]>> lines = new HashMap<>();
    private int tornLinesCut;
    private boolean closed;
    /** Group commit, guarded by this: appends waiting for the next write, by id, and whether a thread is writing. */
    private final List<Pending> queued = new ArrayList<>();
    private final Map<String, Pending> inFlight = new HashMap<>();
    private boolean flushing;
    private long commits;

    private JsonLinesAttendanceStore(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        index(Files.readAllBytes(file));
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

    /** One pass over the file at opening: indexes every valid line and mends a torn tail. */
    private void index(byte[] all) throws IOException {
        int lineStart = 0;
        int number = 0;
        for (int i = 0; i <= all.length; i++) {
            boolean tail = i == all.length;
            if (!tail && all[i] != '\n') {
                continue;
            }
            if (i > lineStart) {
                number++;
                String text = new String(all, lineStart, i - lineStart, StandardCharsets.UTF_8);
                AttendanceEvent event = null;
                try {
                    event = AttendanceJson.decode(text);
                } catch (RuntimeException e) {
                    if (!tail) {
                        log.warn("attendance file {}: line {} skipped, not a valid event: {}", file, number, e.getMessage());
                    }
                }
                if (tail) {
                    mendTail(event, lineStart, all.length);
                }
                if (event != null) {
                    remember(event, lineStart, i - lineStart);
                }
            }
            lineStart = i + 1;
        }
    }

    /** A last line without its newline: a whole event gets its newline back, a torn one is cut off. */
    private void mendTail(AttendanceEvent event, long start, long size) throws IOException {
        if (event != null) {
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
        } else {
            log.warn("attendance file {}: cut off a torn last line of {} bytes (a crash while writing; never acknowledged)",
                    file, size - start);
            channel.truncate(start);
            tornLinesCut++;
        }
        channel.force(true);
    }

    private void remember(AttendanceEvent event, long offset, int length) {
        if (ids.add(event.eventId())) {
            lines.computeIfAbsent(event.session(), s -> new ArrayList<>()).add(new long[] {offset, length});
        }
    }

    /** Torn last lines cut off when the file was opened (0 or 1). */
    public int tornLinesCut() {
        return tornLinesCut;
    }

    /** An append waiting for the group commit that makes it durable. */
    private static final class Pending {
        final AttendanceEvent event;
        final byte[] line;
        long offset;
        boolean done;
        IOException failure;

        Pending(AttendanceEvent event, byte[] line) {
            this.event = event;
            this.line = line;
        }
    }

    /**
     * Appends {@code event} and returns once it is on disk. Group commit: appends that arrive while
     * another thread is writing wait together, and the next of them to lead writes all of their
     * lines with one write and one {@code fsync}; each returns only after that fsync. An event whose
     * id is already stored, or being stored, is not written again (the call returns once it is durable).
     */
    @Override
    public void append(AttendanceEvent event) {
        Checks.notNull(event, "event");
        byte[] json = AttendanceJson.encode(event).getBytes(StandardCharsets.UTF_8);
        Pending mine;
        List<Pending> batch = null;
        synchronized (this) {
            if (closed) {
                throw new AttendanceStoreException("the attendance store is closed", null);
            }
            if (ids.contains(event.eventId())) {
                return;
            }
            Pending same = inFlight.get(event.eventId());
            if (same != null) {
                mine = same;
            } else {
                mine = new Pending(event, json);
                queued.add(mine);
                inFlight.put(event.eventId(), mine);
            }
            while (!mine.done) {
                if (!flushing) {
                    flushing = true;
                    batch = new ArrayList<>(queued);
                    queued.clear();
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AttendanceStoreException("interrupted while waiting to store event " + event.eventId(), null);
                }
            }
        }
        if (batch != null) {
            commit(batch);
            if (!mine.done) {
                append(event); // this thread led a batch without its own event in it: wait for the next one
                return;
            }
        }
        if (mine.failure != null) {
            throw new AttendanceStoreException("cannot append event " + event.eventId() + " to " + file, mine.failure);
        }
    }

    /** Writes a batch with one write and one fsync, outside the monitor; then tells its waiters. */
    private void commit(List<Pending> batch) {
        IOException failure = null;
        long start = -1;
        try {
            start = channel.position();
            int size = 0;
            for (Pending p : batch) {
                size += p.line.length + 1;
            }
            ByteBuffer buffer = ByteBuffer.allocate(size);
            long offset = start;
            for (Pending p : batch) {
                p.offset = offset;
                buffer.put(p.line).put((byte) '\n');
                offset += p.line.length + 1;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
            commits++;
        } catch (IOException e) {
            failure = e;
            if (start >= 0) {
                try {
                    channel.truncate(start); // never leave part of a batch nobody was told is stored
                    channel.position(start);
                } catch (IOException ignored) {
                    // the next opening cuts a torn tail
                }
            }
        }
        synchronized (this) {
            for (Pending p : batch) {
                inFlight.remove(p.event.eventId());
                if (failure == null) {
                    remember(p.event, p.offset, p.line.length);
                } else {
                    p.failure = failure;
                }
                p.done = true;
            }
            flushing = false;
            notifyAll();
        }
    }

    /** How many group commits (fsyncs of appended events) there were since the store was opened. */
    public synchronized long commits() {
        return commits;
    }

    /** Reads only {@code session}'s lines, found through the index. */
    @Override
    public synchronized List<AttendanceEvent> events(SessionId session) {
        Checks.notNull(session, "session");
        List<AttendanceEvent> out = new ArrayList<>();
        try {
            for (long[] line : lines.getOrDefault(session, List.of())) {
                ByteBuffer buffer = ByteBuffer.allocate((int) line[1]);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, line[0] + buffer.position()) < 0) {
                        throw new IOException("the file ended inside an indexed line");
                    }
                }
                out.add(AttendanceJson.decode(new String(buffer.array(), StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new AttendanceStoreException("cannot read " + file, e);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (flushing) {
            try {
                wait(); // let the batch being written finish and tell its waiters
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
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
