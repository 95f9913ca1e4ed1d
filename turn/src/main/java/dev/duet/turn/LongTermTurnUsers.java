package dev.duet.turn;

import dev.duet.core.Booking;
import dev.duet.core.ParticipantId;
import dev.duet.core.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Long-term TURN users, one per participant per session, the way the reference system did it
 * (modernised): at join, a fresh random password is minted and the user is written to coturn's
 * user database with its HA1 key; at session end, {@link #revoke} removes both participants. coturn
 * ({@code lt-cred-mech}) reads the database on every authentication, so nothing restarts.
 *
 * <pre>
 *   username = "&lt;sessionId&gt;.&lt;participantId&gt;"
 *   HA1      = hex( MD5( username ":" realm ":" password ) )      exactly what turnadmin -k prints
 * </pre>
 */
public final class LongTermTurnUsers implements TurnCredentialProvider {
    private static final Pattern REALM = Pattern.compile("[A-Za-z0-9.-]{1,127}");

    private final TurnUserStore store;
    private final String realm;
    private final TurnServerAddress server;
    private final SecureRandom random;

    public LongTermTurnUsers(TurnUserStore store, String realm, TurnServerAddress server, SecureRandom random) {
        this.store = Checks.notNull(store, "store");
        Checks.notNull(realm, "realm");
        if (!REALM.matcher(realm).matches()) {
            throw new IllegalArgumentException("realm must be 1 to 127 characters from A-Z a-z 0-9 . -, as in coturn's realm=, but was "
                    + Checks.quoteForMessage(realm));
        }
        this.realm = realm;
        this.server = Checks.notNull(server, "server");
        this.random = Checks.notNull(random, "random");
    }

    @Override
    public TurnCredential issue(Booking booking, ParticipantId participant, Instant now) {
        TurnCredentialProvider.checkIssuable(booking, participant, now);
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String username = username(booking, participant);
        store.put(realm, username, ha1(username, realm, password), booking.closesAt());
        return new TurnCredential(username, password, booking.closesAt(), server.turnUris());
    }

    /** Removes both participants' users of the session. */
    @Override
    public void revoke(Booking booking) {
        Checks.notNull(booking, "booking");
        store.remove(realm, username(booking, booking.expert().id()));
        store.remove(realm, username(booking, booking.learner().id()));
    }

    static String username(Booking booking, ParticipantId participant) {
        return booking.sessionId().value() + "." + participant.value();
    }

    /** The HA1 key coturn stores for a long-term user: hex MD5 of {@code user:realm:password}. */
    public static String ha1(String username, String realm, String password) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "LongTermTurnUsers[realm=" + realm + ", server=" + server + "]";
    }
}
