package dev.duet.core;

import java.util.Locale;

/**
 * Which way media goes, seen from the participant who reports it: {@code INBOUND} is what it
 * received. One name for the wire, the attendance record and the peer. Written by {@link #code()}.
 */
public enum MediaDirection {
    INBOUND, OUTBOUND;

    /** {@code inbound} or {@code outbound}, as on the wire and in the stores. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
