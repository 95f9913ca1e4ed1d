package dev.duet.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the backend hands a page reads back into the same IceServers, and malformed text is refused. */
class IceServersJsonTest {
    private static final TurnServerAddress SERVER = TurnServerAddress.of("turn.example.test", 3478).withTls(443);

    @Test
    void theJsonHandedOutReadsBackIntoTheSameServers() {
        RestTurnCredentials rest = new RestTurnCredentials(List.of(TurnCredentialsTest.SECRET), SERVER, Duration.ofHours(24));
        TurnCredential credential = rest.issue(TurnCredentialsTest.BOOKING, TurnCredentialsTest.LEARNER,
                Instant.parse("2026-11-24T10:55:00Z"));
        for (IceServers original : List.of(IceServers.of(SERVER, credential), IceServers.of(SERVER, credential).relayOnly(),
                IceServers.none())) {
            IceServers read = IceServers.fromRtcConfigurationJson(original.toRtcConfigurationJson());
            assertThat(read.servers()).isEqualTo(original.servers());
            assertThat(read.policy()).isEqualTo(original.policy());
            assertThat(read.expiresAt()).isEqualTo(original.expiresAt());
            assertThat(read.toRtcConfigurationJson()).isEqualTo(original.toRtcConfigurationJson());
        }
    }

    @Test
    void aBrowserStyleConfigurationWithOneUrlStringAndExtraMembersIsRead() {
        IceServers read = IceServers.fromRtcConfigurationJson(" { \"iceServers\" : [ { \"urls\" : \"stun:10.77.0.1:3478\" } ],"
                + " \"bundlePolicy\": \"max-bundle\", \"url\": \"wss://x\", \"ticket\": \"duet1.a.b\" } ");
        assertThat(read.urls()).containsExactly("stun:10.77.0.1:3478");
        assertThat(read.policy()).isEqualTo(IceServers.TransportPolicy.ALL);
        assertThat(read.expiresAt()).isEmpty();
    }

    @Test
    void malformedOrWrongConfigurationsSayWhatWasExpectedAndNeverQuoteTheCredential() {
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("{\"iceServers\":[{\"urls\":[\"turn:h:1\"],"
                + "\"username\":\"u\",\"credential\":\"hunter2-secret\"}")).hasMessageContaining("expected")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("[]")).hasMessage("an RTC configuration must be a JSON object");
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("{\"iceServers\":[{\"urls\":[]}]}"))
                .hasMessageContaining("non-empty array of strings");
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("{\"iceServers\":[{\"urls\":\"http://evil\"}]}"))
                .hasMessageContaining("must start with turn:");
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("{\"iceTransportPolicy\":\"relay\"}"))
                .hasMessageContaining("needs a TURN server");
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("{\"iceTransportPolicy\":\"none\"}"))
                .hasMessageContaining("\"all\" or \"relay\"");
        assertThatThrownBy(() -> IceServers.fromRtcConfigurationJson("[".repeat(100))).hasMessageContaining("levels of nesting");
    }

    @Test
    void randomTextNeverEscapesAsAnythingButIllegalArgumentException() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String alphabet = "{}[]\":,\\ tu0123456789aeilnrsx-.";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                IceServers.fromRtcConfigurationJson(text.toString());
            } catch (IllegalArgumentException expected) {
                // refused, with a message
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": input " + text + " threw " + e, e);
            }
        }
    }
}
