package dev.duet.turn;

import java.time.Instant;

/**
 * Where coturn looks up long-term users: it reads the store on every authentication, so users
 * added or removed here take effect without restarting coturn. Implementations are thread-safe.
 */
public interface TurnUserStore extends AutoCloseable {

    /** Adds or replaces {@code name} in {@code realm} with its HA1 key (hex MD5 of {@code name:realm:password}). */
    void put(String realm, String name, String ha1Hex, Instant expiresAt);

    /** Removes {@code name} from {@code realm}; nothing happens when it is absent. */
    void remove(String realm, String name);

    /** Whether {@code name} is present in {@code realm}. */
    boolean contains(String realm, String name);

    @Override
    void close();
}
