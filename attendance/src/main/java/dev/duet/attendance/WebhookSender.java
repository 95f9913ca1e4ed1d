package dev.duet.attendance;

import dev.duet.core.WebhookSignature;
import dev.duet.core.attendance.Charge;
import dev.duet.core.attendance.SessionReport;
import dev.duet.core.internal.Checks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each session's report and charge to the app's URL as JSON, signed ({@link WebhookSignature}),
 * with an idempotency key ({@code <session id>:outcome}, the same on every attempt). A 5xx, 408 or
 * 429 response, or no response within 10 s, is retried with exponential backoff (1 s, 2 s, 4 s...,
 * at most 5 min apart) up to {@code maxAttempts}; any other non-2xx fails at once (the request
 * itself is wrong). Each attempt is signed afresh with the current time.
 * The body never holds a secret.
 */
public final class WebhookSender implements SessionOutcomeListener {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final URI url;
    private final WebhookSignature signature;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final int maxAttempts;

    public WebhookSender(URI url, WebhookSignature signature, ScheduledExecutorService scheduler, Clock clock, int maxAttempts) {
        this.url = Checks.notNull(url, "url");
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("url must be http or https, but was " + url.getScheme());
        }
        this.signature = Checks.notNull(signature, "signature");
        this.scheduler = Checks.notNull(scheduler, "scheduler");
        this.clock = Checks.notNull(clock, "clock");
        if (maxAttempts < 1 || maxAttempts > 50) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 50, but was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Names every part: {@code WebhookSender.builder(url, signature).scheduler(retries).maxAttempts(8).build()};
     * the clock defaults to the system's UTC clock, the attempts to 8.
     */
    public static Builder builder(URI url, WebhookSignature signature) {
        return new Builder(url, signature);
    }

    /** Builds a {@link WebhookSender}; the scheduler (for retries) is required. */
    public static final class Builder {
        private final URI url;
        private final WebhookSignature signature;
        private ScheduledExecutorService scheduler;
        private Clock clock = Clock.systemUTC();
        private int maxAttempts = 8;

        private Builder(URI url, WebhookSignature signature) {
            this.url = Checks.notNull(url, "url");
            this.signature = Checks.notNull(signature, "signature");
        }

        /** Runs the retries. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Checks.notNull(scheduler, "scheduler");
            return this;
        }

        /** Stamps the signatures. */
        public Builder clock(Clock clock) {
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        /** How many times a delivery is tried in all, 1 to 50. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** @throws IllegalStateException if no scheduler was given */
        public WebhookSender build() {
            if (scheduler == null) {
                throw new IllegalStateException("no scheduler: call scheduler(ScheduledExecutorService) before build(); it runs the retries");
            }
            return new WebhookSender(url, signature, scheduler, clock, maxAttempts);
        }
    }

    @Override
    public void sessionClosed(SessionReport report, Charge charge) {
        deliver(report, charge);
    }

    /** Delivers; the future completes with the attempt that succeeded, or fails after the last attempt. */
    public CompletableFuture<Integer> deliver(SessionReport report, Charge charge) {
        String body = body(report, charge);
        String key = report.session().value() + ":outcome";
        CompletableFuture<Integer> done = new CompletableFuture<>();
        attempt(body, key, 1, done);
        return done;
    }

    private void attempt(String body, String key, int attempt, CompletableFuture<Integer> done) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(body, clock.instant()))
                .header(WebhookSignature.IDEMPOTENCY_HEADER, key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                done.complete(attempt);
                return;
            }
            String why = error != null ? error.getClass().getSimpleName() + ": " + error.getMessage() : "HTTP " + response.statusCode();
            if (error == null && !retryable(response.statusCode())) {
                log.error("webhook {} for {} refused with {}; not retried (fix the receiver or the URL)", url, key, why);
                done.completeExceptionally(new IllegalStateException("webhook refused with " + why + " on attempt " + attempt
                        + "; a 4xx other than 408 and 429 is not retried"));
                return;
            }
            if (attempt >= maxAttempts) {
                log.error("webhook {} for {} failed after {} attempts (last: {})", url, key, attempt, why);
                done.completeExceptionally(new IllegalStateException("webhook failed after " + attempt + " attempts: " + why));
                return;
            }
            long delay = Math.min(300_000L, 1000L << Math.min(attempt - 1, 20));
            log.warn("webhook {} for {} attempt {} failed ({}); retrying in {} ms", url, key, attempt, why, delay);
            scheduler.schedule(() -> attempt(body, key, attempt + 1, done), delay, TimeUnit.MILLISECONDS);
        });
    }

    /** The JSON body: {@link OutcomeJson}, documented in docs/webhooks.md. */
    static String body(SessionReport r, Charge c) {
        return OutcomeJson.encode(r, c);
    }

    /**
     * Whether a response status is worth another attempt: 5xx, 408 (timeout) and 429 (too many
     * requests) are; any other 4xx (and 3xx: the client does not follow redirects) says the
     * request itself is wrong, so it fails at once.
     */
    static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    @Override
    public String toString() {
        return "WebhookSender[" + url + ", " + signature + ", maxAttempts=" + maxAttempts + "]";
    }
}
