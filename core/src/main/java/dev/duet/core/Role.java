package dev.duet.core;

/** The two roles of a session. Persisted and sent on the wire by {@link #code()}, never by ordinal. */
public enum Role {
    EXPERT("expert"),
    LEARNER("learner");

    private final String code;

    Role(String code) {
        this.code = code;
    }

    /** The lower-case wire form: {@code expert} or {@code learner}. */
    public String code() {
        return code;
    }

    /**
     * Parses the wire form.
     *
     * @throws IllegalArgumentException naming the expected values when {@code code} is neither
     */
    public static Role fromCode(String code) {
        for (Role role : values()) {
            if (role.code.equals(code)) {
                return role;
            }
        }
        throw new IllegalArgumentException("role must be \"expert\" or \"learner\", but was "
                + (code == null ? "null" : dev.duet.core.internal.Checks.quoteForMessage(code)));
    }
}
