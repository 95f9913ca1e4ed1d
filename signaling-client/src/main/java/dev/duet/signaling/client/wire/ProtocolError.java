package dev.duet.signaling.client.wire;

import java.util.Locale;

/** Why a frame was refused. Sent on the wire by {@link #code()}. */
public enum ProtocolError {
    /** Not JSON, or JSON that breaks the parser's limits (nesting, duplicate keys). */
    MALFORMED_JSON,
    /** JSON, but not an object. */
    NOT_AN_OBJECT,
    /** {@code v} is missing or not a version this side speaks. */
    UNSUPPORTED_VERSION,
    /** {@code type} names no frame or message this side knows. */
    UNKNOWN_TYPE,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type. */
    WRONG_TYPE,
    /** A field has the right type but a value out of its rules. */
    INVALID_VALUE,
    /** The frame is larger than {@value FrameCodec#MAX_FRAME_BYTES} bytes of UTF-8. */
    TOO_LARGE,
    /** A binary WebSocket frame; the protocol is text only. */
    BINARY_FRAME,
    /** A valid frame that is not allowed now (a second join, a send before join, a relay frame from a client). */
    UNEXPECTED_FRAME,
    /** More messages per second than the relay allows this connection. */
    RATE_LIMITED,
    /** A {@code send} whose {@code seq} is not the next one the relay expects; resend from the next expected. */
    OUT_OF_ORDER;

    /** Lower-case, hyphenated: {@code malformed-json}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ProtocolError fromCode(String code) {
        for (ProtocolError e : values()) {
            if (e.code().equals(code)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown protocol error code " + code);
    }
}
