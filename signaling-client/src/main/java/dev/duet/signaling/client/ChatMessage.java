package dev.duet.signaling.client;

import dev.duet.core.internal.Checks;

/**
 * A line of text chat. Delivered in order, at most once, like every peer message.
 *
 * @param text 1 to {@value #MAX_LENGTH} characters, not blank, well-formed Unicode (no lone surrogate); no
 *             control characters but tab and line breaks
 */
public record ChatMessage(String text) implements PeerMessage {
    public static final int MAX_LENGTH = 2000;

    public ChatMessage {
        Checks.notNull(text, "chat.text");
        if (text.isBlank() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("chat.text must be 1 to " + MAX_LENGTH + " characters, not blank, but had "
                    + text.length());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("chat.text must not contain control characters, but has U+"
                        + String.format(java.util.Locale.ROOT, "%04X", (int) c) + " at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a well-formed pair: one character outside the BMP
            } else if (Character.isSurrogate(c)) {
                // Not text: it cannot be sent as UTF-8, and would arrive as "?".
                throw new IllegalArgumentException("chat.text must be well-formed Unicode, but has a lone surrogate U+"
                        + String.format(java.util.Locale.ROOT, "%04X", (int) c) + " at index " + i);
            }
        }
    }
}
