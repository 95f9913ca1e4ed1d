package dev.duet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.TicketCheck.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinTicketTest {
    private static final byte[] SECRET = new byte[32];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) i;
        }
    }

    private static final TicketKey K1 = TicketKey.of("k1", SECRET);
    private static final TicketKey K2 = TicketKey.fromBase64("k2", Base64.getEncoder().encodeToString(new byte[48]));
    private static final Booking BOOKING = BookingTest.booking();          // s-42, 10:00-11:00, opens 09:50, closes 11:15
    private static final Instant NOW = Instant.parse("2026-11-24T09:55:00Z");
    private static final JoinTicketIssuer ISSUER = new JoinTicketIssuer(K1, Duration.ofMinutes(30));
    private static final JoinTicketVerifier VERIFIER = new JoinTicketVerifier(List.of(K1, K2), Duration.ofSeconds(30));

    /** Computed outside Java (Python's hmac module) from the documented form; pins the format. */
    private static final String KNOWN_TICKET = "duet1.azEKcy00MgpleHBlcnQtYWRhCmV4cGVydAoxNzk1NTEzODAwCjE3OTU1MTU5MDA"
            + ".16SgXXkFPUgtC12GpwkgZ8ZpDdal5NlWBZKnIP-5_L0";

    @Test
    void aTicketMatchesTheIndependentlyComputedVectorAndVerifies() {
        String ticket = ISSUER.issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        assertThat(ticket).isEqualTo(KNOWN_TICKET);
        TicketCheck check = VERIFIER.verify(ticket, BOOKING, NOW);
        assertThat(check).isEqualTo(new TicketCheck.Accepted(new JoinTicket(SessionId.of("s-42"), BookingTest.EXPERT.id(),
                Role.EXPERT, Instant.parse("2026-11-24T09:50:00Z"), Instant.parse("2026-11-24T10:25:00Z"), "k1")));
    }

    @Test
    void theProtocolDocumentSpecifiesTheTicketWithThisVector() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "protocol.md"));
        assertThat(doc).contains("ticket        " + KNOWN_TICKET);
        assertThat(doc).contains("base64 `" + Base64.getEncoder().encodeToString(SECRET) + "`");
        String payload = KNOWN_TICKET.substring("duet1.".length(), KNOWN_TICKET.lastIndexOf('.'));
        String fields = new String(Base64.getUrlDecoder().decode(payload), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(doc).contains("payload text  " + fields.replace("\n", "\\n"));
        // The documented recipe, followed step by step with the JDK alone, gives the same signature.
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
        String signature = Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal(("duet1." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(KNOWN_TICKET).endsWith("." + signature);
    }

    @Test
    void aTicketNeverOutlivesTheBookingsCloseAndOneIssuedEarlyStartsCountingAtOpening() {
        JoinTicketIssuer longLived = new JoinTicketIssuer(K1, Duration.ofHours(48));
        assertThat(longLived.ticketFor(BOOKING, BookingTest.LEARNER.id(), NOW).expiresAt()).isEqualTo(BOOKING.closesAt());

        JoinTicket early = ISSUER.ticketFor(BOOKING, BookingTest.LEARNER.id(), Instant.parse("2026-11-20T08:00:00Z"));
        assertThat(early.notBefore()).isEqualTo(BOOKING.opensAt());
        assertThat(early.expiresAt()).isEqualTo(BOOKING.opensAt().plus(Duration.ofMinutes(30)));
        assertThat(early.role()).isEqualTo(Role.LEARNER);

        assertThatThrownBy(() -> ISSUER.issue(BOOKING, BookingTest.LEARNER.id(), BOOKING.closesAt()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closed at");
        assertThatThrownBy(() -> ISSUER.issue(BOOKING, ParticipantId.of("mallory"), NOW))
                .hasMessageContaining("participantId mallory is not booked into session s-42");
    }

    @Test
    void timeIsCheckedWithTheAllowedSkewOnBothEdges() {
        String ticket = ISSUER.issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        Instant nbf = Instant.parse("2026-11-24T09:50:00Z");
        Instant exp = Instant.parse("2026-11-24T10:25:00Z");
        assertThat(VERIFIER.verify(ticket, BOOKING.sessionId(), nbf.minusSeconds(30)).accepted()).isTrue();
        assertThat(reason(VERIFIER.verify(ticket, BOOKING.sessionId(), nbf.minusSeconds(31)))).isEqualTo(Reason.NOT_YET_VALID);
        assertThat(VERIFIER.verify(ticket, BOOKING.sessionId(), exp.plusSeconds(29)).accepted()).isTrue();
        assertThat(reason(VERIFIER.verify(ticket, BOOKING.sessionId(), exp.plusSeconds(30)))).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void everyKindOfBadTicketGetsItsOwnReason() {
        String good = ISSUER.issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        assertThat(reason(VERIFIER.verify(null, BOOKING.sessionId(), NOW))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify("hello", BOOKING.sessionId(), NOW))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify("duet1.abc", BOOKING.sessionId(), NOW))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify("duet1.a.b.c", BOOKING.sessionId(), NOW))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify("duet1.!!!.xyz", BOOKING.sessionId(), NOW))).isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify("duet1." + "A".repeat(2000) + ".x", BOOKING.sessionId(), NOW)))
                .isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify(forge("k1\ns-42\nada\nadmin\n1\n2"), BOOKING.sessionId(), NOW)))
                .isEqualTo(Reason.MALFORMED);
        assertThat(reason(VERIFIER.verify(forge("k1\ns-42\nada\nexpert"), BOOKING.sessionId(), NOW)))
                .isEqualTo(Reason.MALFORMED);

        assertThat(reason(VERIFIER.verify(forge("k9\ns-42\nexpert-ada\nexpert\n1795513800\n1795515900"),
                BOOKING.sessionId(), NOW))).isEqualTo(Reason.UNKNOWN_KEY);

        String forged = forge("k1\ns-42\nlearner-bo\nexpert\n1795513800\n1795515900");
        String tampered = forged.substring(0, forged.lastIndexOf('.')) + good.substring(good.lastIndexOf('.'));
        TicketCheck badSignature = VERIFIER.verify(tampered, BOOKING.sessionId(), NOW);
        assertThat(reason(badSignature)).isEqualTo(Reason.BAD_SIGNATURE);

        String otherSecret = new JoinTicketIssuer(TicketKey.of("k1", new byte[32]), Duration.ofMinutes(30))
                .issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        assertThat(reason(VERIFIER.verify(otherSecret, BOOKING.sessionId(), NOW))).isEqualTo(Reason.BAD_SIGNATURE);

        assertThat(VERIFIER.verify(good, SessionId.of("s-43"), NOW)).isInstanceOfSatisfying(TicketCheck.Refused.class, i -> {
            assertThat(i.reason()).isEqualTo(Reason.WRONG_SESSION);
            assertThat(i.message()).isEqualTo("ticket is for session s-42, not for session s-43");
        });
    }

    @Test
    void onlyTheCanonicalSpellingOfATicketIsAccepted() {
        String good = ISSUER.issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        assertThat(VERIFIER.verify(good, BOOKING.sessionId(), NOW).accepted()).isTrue();
        // The signature's 32 bytes (256 bits in 43 characters) end in a base64 character with 2 unused
        // low bits: the other 3 characters of its group of 4 decode to the same bytes (U, V, W, X), as
        // does the ticket with padding.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(good.charAt(good.length() - 1));
        java.util.List<String> spellings = new java.util.ArrayList<>();
        for (int i = last & ~3; i < (last & ~3) + 4; i++) {
            if (i != last) {
                spellings.add(good.substring(0, good.length() - 1) + alphabet.charAt(i));
            }
        }
        spellings.add(good + "=");
        assertThat(spellings).hasSize(4);
        for (String other : spellings) {
            assertThat(VERIFIER.verify(other, BOOKING.sessionId(), NOW)).as(other.substring(other.length() - 3))
                    .isInstanceOfSatisfying(TicketCheck.Refused.class, r -> {
                        assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
                        assertThat(r.message()).contains("canonical");
                    });
        }
    }

    @Test
    void aGenuineTicketForSomeoneNotInTheBookingIsRefusedWhenCheckedAgainstIt() {
        Booking other = new Booking(SessionId.of("s-42"), Participant.expert("expert-eve", "Eve"), BookingTest.LEARNER,
                BookingTest.START, Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15));
        String eve = ISSUER.issue(other, ParticipantId.of("expert-eve"), NOW);
        assertThat(VERIFIER.verify(eve, BOOKING.sessionId(), NOW).accepted()).isTrue();
        assertThat(reason(VERIFIER.verify(eve, BOOKING, NOW))).isEqualTo(Reason.NOT_BOOKED);
    }

    @Test
    void rotatedKeysKeepVerifyingTicketsSignedBeforeTheRotation() {
        String before = ISSUER.issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        String after = new JoinTicketIssuer(K2, Duration.ofMinutes(30)).issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        assertThat(VERIFIER.verify(before, BOOKING, NOW).accepted()).isTrue();
        assertThat(VERIFIER.verify(after, BOOKING, NOW).accepted()).isTrue();
        JoinTicketVerifier retired = new JoinTicketVerifier(List.of(K2), Duration.ZERO);
        assertThat(reason(retired.verify(before, BOOKING, NOW))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void secretsAndSignaturesNeverAppearInTextOrMessages() {
        String secretB64 = Base64.getEncoder().encodeToString(SECRET);
        String good = ISSUER.issue(BOOKING, BookingTest.EXPERT.id(), NOW);
        String signature = good.substring(good.lastIndexOf('.') + 1);
        assertThat(K1.toString()).isEqualTo("TicketKey[keyId=k1, secret=(redacted)]");
        assertThat(ISSUER.toString()).doesNotContain(secretB64);
        assertThat(VERIFIER.toString()).isEqualTo("JoinTicketVerifier[keyIds=[k1, k2], allowedClockSkew=PT30S]");
        String tampered = good.substring(0, good.lastIndexOf('.')) + ".AAAA" + signature.substring(4);
        TicketCheck.Refused refused = (TicketCheck.Refused) VERIFIER.verify(tampered, BOOKING.sessionId(), NOW);
        assertThat(refused.message()).doesNotContain(signature).doesNotContain(secretB64);
        assertThatThrownBy(() -> TicketKey.fromBase64("k3", "not base64 !!"))
                .hasMessage("secret must be base64 text (the secret itself is not shown)");
    }

    @Test
    void badKeysIssuersAndVerifiersAreRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> TicketKey.of("k1", new byte[16])).hasMessage("secret must be at least 32 bytes, but was 16 bytes");
        assertThatThrownBy(() -> TicketKey.of("bad key", SECRET)).hasMessageContaining("keyId must be 1 to 64 characters");
        JoinTicket forK1 = ISSUER.ticketFor(BOOKING, ParticipantId.of("learner-bo"), NOW);
        assertThat(ISSUER.sign(forK1)).isEqualTo(ISSUER.issue(BOOKING, ParticipantId.of("learner-bo"), NOW));
        assertThatThrownBy(() -> new JoinTicketIssuer(K2, Duration.ofMinutes(30)).sign(forK1))
                .hasMessage("ticket names key k1, but this issuer signs with k2");
        String hex = java.util.HexFormat.of().formatHex(SECRET); // 000102...1f
        assertThatThrownBy(() -> TicketKey.fromBase64("k1", hex)).hasMessageContaining("looks like hex, not base64")
                .hasMessageNotContaining(hex);
        assertThatThrownBy(() -> new JoinTicketIssuer(K1, Duration.ZERO)).hasMessageContaining("lifetime must be positive");
        assertThatThrownBy(() -> new JoinTicketIssuer(K1, Duration.ofDays(3))).hasMessageContaining("lifetime must be at most PT48H");
        assertThatThrownBy(() -> new JoinTicketIssuer(null, Duration.ofMinutes(1))).hasMessage("signingKey must not be null");
        assertThatThrownBy(() -> new JoinTicketVerifier(List.of(), Duration.ZERO)).hasMessage("keys must hold at least one TicketKey");
        assertThatThrownBy(() -> new JoinTicketVerifier(List.of(K1, TicketKey.of("k1", new byte[32])), Duration.ZERO))
                .hasMessage("keys must have distinct key ids, but k1 appears twice");
        assertThatThrownBy(() -> new JoinTicketVerifier(List.of(K1), Duration.ofMinutes(6)))
                .hasMessageContaining("allowedClockSkew must be at most PT5M");
        assertThatThrownBy(() -> VERIFIER.verify("x", (SessionId) null, NOW)).hasMessage("expectedSession must not be null");
        assertThatThrownBy(() -> new JoinTicket(SessionId.of("s"), ParticipantId.of("p"), Role.EXPERT, NOW, NOW, "k1"))
                .hasMessageContaining("ticket.expiresAt").hasMessageContaining("must be after ticket.notBefore");
    }

    private static Reason reason(TicketCheck check) {
        assertThat(check).isInstanceOf(TicketCheck.Refused.class);
        return ((TicketCheck.Refused) check).reason();
    }

    /** A ticket with the given payload and a made-up signature. */
    private static String forge(String payload) {
        return "duet1." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + ".c2lnbmF0dXJl";
    }
}
