package dev.duet.core.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks whose messages name the argument and say what was expected. */
public final class Checks {
    /** The characters allowed in Duet identifiers; none of them needs escaping in a ticket or URL. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,64}");

    private Checks() {}

    public static <T> T notNull(T value, String name) {
        return Objects.requireNonNull(value, () -> name + " must not be null");
    }

    /** An identifier: 1 to 64 characters from {@code A-Z a-z 0-9 . _ ~ -}. */
    public static String identifier(String value, String name) {
        notNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be 1 to 64 characters from A-Z a-z 0-9 . _ ~ -, but was "
                    + quoteForMessage(value));
        }
        return value;
    }

    /** Text with at least one character that is not white space. */
    public static String notBlank(String value, String name) {
        notNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    public static Duration positive(Duration value, String name) {
        notNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
        return value;
    }

    public static Duration notNegative(Duration value, String name) {
        notNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, but was " + value);
        }
        return value;
    }

    public static Duration atMost(Duration value, Duration max, String name) {
        if (value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + max + ", but was " + value);
        }
        return value;
    }

    /** Shows untrusted text in a message: quoted, cut to 80 characters, control characters escaped. */
    public static String quoteForMessage(String value) {
        StringBuilder out = new StringBuilder("\"");
        int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("...(").append(value.length()).append(" chars)");
        }
        return out.append('"').toString();
    }
}
