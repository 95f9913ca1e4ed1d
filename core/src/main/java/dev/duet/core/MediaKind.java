package dev.duet.core;

import java.util.Locale;

/** Audio or video: one name for the wire, the attendance record and the peer. Written by {@link #code()}. */
public enum MediaKind {
    AUDIO, VIDEO;

    /** {@code audio} or {@code video}, as on the wire and in the stores. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
