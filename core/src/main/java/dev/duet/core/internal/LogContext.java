package dev.duet.core.internal;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The MDC keys Duet logs with, so that a support engineer can follow one session across the relay
 * and both peers with any SLF4J backend that prints the MDC (logback: {@code %X{duet.session}}).
 * Values are ids only, never a ticket or a credential.
 */
public final class LogContext implements AutoCloseable {
    /** The session id. */
    public static final String SESSION = "duet.session";
    /** The participant id. */
    public static final String PARTICIPANT = "duet.participant";
    /** The relay's id of the connection. */
    public static final String CONNECTION = "duet.connection";

    private final Map<String, String> previous = new HashMap<>();

    private LogContext() {}

    /**
     * Sets the three keys (a null value removes its key) until {@link #close()}, which restores
     * all three as they were, also a key set in between.
     */
    public static LogContext with(String session, String participant, String connection) {
        LogContext context = new LogContext();
        context.put(SESSION, session);
        context.put(PARTICIPANT, participant);
        context.put(CONNECTION, connection);
        return context;
    }

    private void put(String key, String value) {
        previous.put(key, MDC.get(key));
        if (value != null) {
            MDC.put(key, value);
        } else {
            MDC.remove(key);
        }
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
