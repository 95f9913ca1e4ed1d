package dev.duet.core;

import dev.duet.core.TicketCheck.Refused;
import dev.duet.core.TicketCheck.Reason;
import dev.duet.core.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks join tickets (the form is described on {@link TicketFormat}, and in the protocol notes).
 * Never throws on a bad ticket: every refusal is a {@link TicketCheck.Refused} with a reason and a
 * message that names what was wrong. The signature is compared in constant time. Thread-safe and immutable.
 *
 * <p>Checks, in order: form ({@code MALFORMED}), key id ({@code UNKNOWN_KEY}), signature
 * ({@code BAD_SIGNATURE}), session ({@code WRONG_SESSION}), then time: valid when
 * {@code notBefore - skew <= now < expiresAt + skew} ({@code NOT_YET_VALID}, {@code EXPIRED}).
 */
public final class JoinTicketVerifier {
    private final Map<String, TicketKey> keys;
    private final Duration allowedClockSkew;

    /**
     * @param keys             every key whose tickets are accepted (current and not yet retired); distinct key ids
     * @param allowedClockSkew tolerance between the issuer's clock and the verifier's; zero to 5 minutes
     */
    public JoinTicketVerifier(Collection<TicketKey> keys, Duration allowedClockSkew) {
        Checks.notNull(keys, "keys");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("keys must hold at least one TicketKey");
        }
        Map<String, TicketKey> byId = new LinkedHashMap<>();
        for (TicketKey key : keys) {
            Checks.notNull(key, "keys[]");
            if (byId.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("keys must have distinct key ids, but " + key.keyId() + " appears twice");
            }
        }
        this.keys = Map.copyOf(byId);
        Checks.notNegative(allowedClockSkew, "allowedClockSkew");
        this.allowedClockSkew = Checks.atMost(allowedClockSkew, Duration.ofMinutes(5), "allowedClockSkew");
    }

    private static final Base64.Encoder CANONICAL = Base64.getUrlEncoder().withoutPadding();

    /** Is {@code ticket} a genuine, current ticket for {@code expectedSession} at {@code now}? */
    public TicketCheck verify(String ticket, SessionId expectedSession, Instant now) {
        Checks.notNull(expectedSession, "expectedSession");
        Checks.notNull(now, "now");
        if (ticket == null) {
            return new Refused(Reason.MALFORMED, "ticket is missing; expected a duet1 join ticket");
        }
        if (ticket.length() > TicketFormat.MAX_LENGTH) {
            return new Refused(Reason.MALFORMED, "ticket is " + ticket.length() + " characters; at most "
                    + TicketFormat.MAX_LENGTH + " expected");
        }
        if (!ticket.startsWith(TicketFormat.VERSION_PREFIX)) {
            return new Refused(Reason.MALFORMED, "ticket must start with \"" + TicketFormat.VERSION_PREFIX
                    + "\"; got " + Checks.quoteForMessage(ticket.substring(0, Math.min(6, ticket.length()))));
        }
        int lastDot = ticket.lastIndexOf('.');
        if (lastDot <= TicketFormat.VERSION_PREFIX.length() - 1 || ticket.indexOf('.', TicketFormat.VERSION_PREFIX.length()) != lastDot) {
            return new Refused(Reason.MALFORMED, "ticket must have three dot-separated parts: duet1.<payload>.<signature>");
        }
        String signedPart = ticket.substring(0, lastDot);
        String payloadText;
        byte[] signature;
        String payloadPart = signedPart.substring(TicketFormat.VERSION_PREFIX.length());
        String signaturePart = ticket.substring(lastDot + 1);
        byte[] payloadBytes;
        try {
            payloadBytes = Base64.getUrlDecoder().decode(payloadPart);
            signature = Base64.getUrlDecoder().decode(signaturePart);
        } catch (IllegalArgumentException e) {
            return new Refused(Reason.MALFORMED, "ticket payload and signature must be unpadded base64url");
        }
        // One spelling per ticket: the decoder also takes padding and ignores a last character's
        // unused low bits, so "...U", "...V", "...W" and "...X" would all be the same ticket.
        if (!CANONICAL.encodeToString(payloadBytes).equals(payloadPart) || !CANONICAL.encodeToString(signature).equals(signaturePart)) {
            return new Refused(Reason.MALFORMED, "ticket payload and signature must be canonical unpadded base64url"
                    + " (no padding, unused bits zero)");
        }
        payloadText = new String(payloadBytes, StandardCharsets.UTF_8);
        String[] fields = payloadText.split(String.valueOf(TicketFormat.FIELD_SEPARATOR), -1);
        if (fields.length != TicketFormat.FIELD_COUNT) {
            return new Refused(Reason.MALFORMED, "ticket payload must have " + TicketFormat.FIELD_COUNT
                    + " fields (keyId, sessionId, participantId, role, notBefore, expiresAt), but had " + fields.length);
        }
        JoinTicket content;
        try {
            content = new JoinTicket(
                    new SessionId(fields[1]),
                    new ParticipantId(fields[2]),
                    Role.fromCode(fields[3]),
                    Instant.ofEpochSecond(Long.parseLong(fields[4])),
                    Instant.ofEpochSecond(Long.parseLong(fields[5])),
                    fields[0]);
        } catch (NumberFormatException e) {
            return new Refused(Reason.MALFORMED, "ticket notBefore and expiresAt must be Unix seconds");
        } catch (IllegalArgumentException | DateTimeException e) {
            return new Refused(Reason.MALFORMED, "ticket field is invalid: " + e.getMessage());
        }
        TicketKey key = keys.get(content.keyId());
        if (key == null) {
            return new Refused(Reason.UNKNOWN_KEY, "ticket was signed with key id " + content.keyId()
                    + ", which this verifier does not hold (rotated out, or never issued here)");
        }
        if (!MessageDigest.isEqual(TicketFormat.mac(key, signedPart), signature)) {
            return new Refused(Reason.BAD_SIGNATURE, "ticket signature does not match its content for key id "
                    + content.keyId());
        }
        if (!content.sessionId().equals(expectedSession)) {
            return new Refused(Reason.WRONG_SESSION, "ticket is for session " + content.sessionId()
                    + ", not for session " + expectedSession, java.util.Optional.empty(), java.util.Optional.of(content));
        }
        if (now.plus(allowedClockSkew).isBefore(content.notBefore())) {
            return new Refused(Reason.NOT_YET_VALID, "ticket is valid from " + content.notBefore() + "; it is " + now,
                    java.util.Optional.of(content.notBefore()), java.util.Optional.of(content));
        }
        if (!now.minus(allowedClockSkew).isBefore(content.expiresAt())) {
            return new Refused(Reason.EXPIRED, "ticket expired at " + content.expiresAt() + "; it is " + now,
                    java.util.Optional.empty(), java.util.Optional.of(content));
        }
        return new TicketCheck.Accepted(content);
    }

    /**
     * As {@link #verify(String, SessionId, Instant)}, and also: the ticket's participant is booked in
     * {@code booking} with the ticket's role ({@code NOT_BOOKED} otherwise), and it expires no later than
     * the booking's close ({@code EXPIRED} when {@code now} is past the close).
     */
    public TicketCheck verify(String ticket, Booking booking, Instant now) {
        Checks.notNull(booking, "booking");
        TicketCheck check = verify(ticket, booking.sessionId(), now);
        if (!(check instanceof TicketCheck.Accepted valid)) {
            return check;
        }
        JoinTicket content = valid.ticket();
        var participant = booking.participant(content.participantId());
        if (participant.isEmpty() || participant.get().role() != content.role()) {
            return new Refused(Reason.NOT_BOOKED, "ticket admits " + content.participantId() + " as "
                    + content.role().code() + ", who is not booked so in session " + booking.sessionId(),
                    java.util.Optional.empty(), java.util.Optional.of(content));
        }
        if (!now.minus(allowedClockSkew).isBefore(booking.closesAt())) {
            return new Refused(Reason.EXPIRED, "session " + booking.sessionId() + " closed at " + booking.closesAt()
                    + "; it is " + now, java.util.Optional.empty(), java.util.Optional.of(content));
        }
        return check;
    }

    @Override
    public String toString() {
        return "JoinTicketVerifier[keyIds=" + keys.keySet().stream().sorted().toList() + ", allowedClockSkew="
                + allowedClockSkew + "]";
    }
}
