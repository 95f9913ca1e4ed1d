package dev.duet.attendance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which answers of the app's webhook endpoint are retried (docs/webhooks.md). */
class WebhookRetryTest {
    @Test
    void serverErrorsTimeoutsAndRateLimitsAreRetriedAndNothingElse() {
        assertThat(WebhookSender.retryable(500)).isTrue();
        assertThat(WebhookSender.retryable(503)).isTrue();
        assertThat(WebhookSender.retryable(408)).isTrue();
        assertThat(WebhookSender.retryable(429)).isTrue();
        assertThat(WebhookSender.retryable(400)).isFalse();
        assertThat(WebhookSender.retryable(401)).isFalse();
        assertThat(WebhookSender.retryable(404)).isFalse();
        assertThat(WebhookSender.retryable(302)).isFalse();
    }
}
