package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.ConnectionId;
import dev.duet.core.Epoch;
import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import dev.duet.turn.IceServers;
import dev.duet.turn.TurnCredential;
import dev.duet.turn.TurnServerAddress;
import dev.duet.testing.ManualScheduler;
import dev.duet.webrtc.internal.MediaCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The three timers split out of {@link DuetCall} (connect watchdog, credential refresher, stats
 * sampler), each on its own in virtual time: no native code, no waiting, exact moments.
 */
class CallTimersTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Epoch E1 = Epoch.of(ConnectionId.of("c-1"), ConnectionId.of("c-2"));
    private static final Epoch E2 = Epoch.of(ConnectionId.of("c-1"), ConnectionId.of("c-3"));
    private final ManualScheduler time = new ManualScheduler(T0);

    @AfterEach
    void stop() {
        time.shutdownNow();
    }

    // ------------------------------------------------------------------ connect watchdog

    @Test
    void theWatchdogFiresAtTheTimeoutForTheEpochItWasLastArmedForAndNotAfterDisarming() {
        List<Epoch> expired = new ArrayList<>();
        ConnectWatchdog watchdog = new ConnectWatchdog(time, Duration.ofSeconds(30), expired::add);
        watchdog.arm(E1);
        time.advance(Duration.ofSeconds(10));
        watchdog.arm(E2); // a new epoch: its own 30 s
        time.advance(Duration.ofSeconds(29));
        assertThat(expired).as("E1's deadline was replaced; E2's is 1 s away").isEmpty();
        time.advance(Duration.ofSeconds(1));
        assertThat(expired).containsExactly(E2);

        watchdog.arm(E1);
        time.advance(Duration.ofSeconds(5));
        watchdog.disarm(); // media connected
        time.advance(Duration.ofMinutes(5));
        assertThat(expired).containsExactly(E2);
    }

    // ------------------------------------------------------------------ credential refresher

    private static IceServers expiringAt(Instant expiry) {
        TurnServerAddress server = TurnServerAddress.of("turn.example.test", 3478);
        return IceServers.of(server, TurnCredential.builder().username("1764000000:s-42:learner-bo").password("pw")
                .expiresAt(expiry).uris(server.turnUris()).build());
    }

    @Test
    void credentialsAreRefreshedTheMarginBeforeExpiryRetriedAfterAFailureAndNeverAfterStop() {
        List<Instant> fetchedAt = new ArrayList<>();
        List<IceServers> fresh = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        List<CompletableFuture<IceServers>> answers = new ArrayList<>();
        IceServerSource source = () -> {
            fetchedAt.add(time.clock().instant());
            CompletableFuture<IceServers> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        };
        CredentialRefresher refresher = new CredentialRefresher(time, Runnable::run, time.clock(), source,
                Duration.ofMinutes(5), fresh::add, failures::add);

        refresher.scheduleFor(expiringAt(T0.plus(Duration.ofHours(1))));
        time.advance(Duration.ofMinutes(55).minusMillis(1));
        assertThat(fetchedAt).as("nothing before expiry minus the 5-minute margin").isEmpty();
        time.advance(Duration.ofMillis(1));
        assertThat(fetchedAt).containsExactly(T0.plus(Duration.ofMinutes(55)));

        answers.get(0).completeExceptionally(new java.io.IOException("backend down"));
        assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessage("backend down"));
        time.advance(Duration.ofSeconds(CredentialRefresher.RETRY_SECONDS));
        assertThat(fetchedAt).hasSize(2).last().isEqualTo(T0.plus(Duration.ofMinutes(55)).plusSeconds(5));

        Instant now = time.clock().instant();
        IceServers next = expiringAt(now.plus(Duration.ofMinutes(8)));
        answers.get(1).complete(next);
        assertThat(fresh).containsExactly(next);
        time.advance(Duration.ofMinutes(4));
        assertThat(fetchedAt).as("8 minutes left: the margin is half of it, 4 minutes").hasSize(3).last()
                .isEqualTo(now.plus(Duration.ofMinutes(4)));

        refresher.stop();
        answers.get(2).complete(expiringAt(now.plus(Duration.ofHours(1))));
        time.advance(Duration.ofHours(2));
        assertThat(fresh).as("an answer after stop is ignored").hasSize(1);
        assertThat(fetchedAt).hasSize(3);
    }

    @Test
    void serversThatDoNotExpireAreNeverRefreshed() {
        AtomicInteger fetches = new AtomicInteger();
        CredentialRefresher refresher = new CredentialRefresher(time, Runnable::run, time.clock(), () -> {
            fetches.incrementAndGet();
            return new CompletableFuture<>();
        }, Duration.ofMinutes(5), s -> { }, e -> { });
        refresher.scheduleFor(IceServers.none());
        time.advance(Duration.ofDays(1));
        assertThat(fetches).hasValue(0);
    }

    // ------------------------------------------------------------------ stats sampler

    private static MediaCounters counters(long micros, long packets) {
        MediaCounters.Stream stream = new MediaCounters.Stream(packets, packets * 100, 0, 0, packets * 960,
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                OptionalInt.empty(), OptionalInt.empty());
        return new MediaCounters(micros, Map.of(MediaDirection.OUTBOUND, Map.of(MediaKind.AUDIO, stream)), false,
                OptionalDouble.empty());
    }

    @Test
    void theSamplerAsksEveryIntervalAndReportsEachIntervalBetweenTwoSamples() {
        StatsSampler sampler = new StatsSampler(time, Duration.ofSeconds(3), Duration.ofSeconds(10));
        AtomicInteger asked = new AtomicInteger();
        sampler.start(asked::incrementAndGet);
        time.advance(Duration.ofSeconds(9));
        assertThat(asked).hasValue(3);

        assertThat(sampler.sampled(counters(0, 0), E1, T0)).as("the first sample only sets the baseline").isEmpty();
        StatsSampler.Sampled second = sampler.sampled(counters(3_000_000, 150), E1, T0.plusSeconds(3)).orElseThrow();
        assertThat(second.report().streams()).singleElement().satisfies(stream -> {
            assertThat(stream.direction()).isEqualTo(MediaDirection.OUTBOUND);
            assertThat(stream.kind()).isEqualTo(MediaKind.AUDIO);
            assertThat(stream.flowing()).isTrue();
        });

        sampler.start(asked::incrementAndGet); // a new peer connection: a new baseline
        assertThat(sampler.sampled(counters(0, 0), E2, T0.plusSeconds(10))).isEmpty();
        sampler.stop();
        time.advance(Duration.ofMinutes(1));
        assertThat(asked).as("the second start's sampling ran only until stop").hasValue(3);
    }
}
