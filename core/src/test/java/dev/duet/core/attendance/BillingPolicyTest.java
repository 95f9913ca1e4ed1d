package dev.duet.core.attendance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each part of a policy is set by name, so the minimum and the no-show fee cannot be swapped. */
class BillingPolicyTest {
    @Test
    void eachPartIsSetByName() {
        BillingPolicy named = BillingPolicy.perMinute(Money.of("EUR", "60.00")).withIncrement(Duration.ofSeconds(30))
                .withRounding(BillingPolicy.Rounding.NEAREST).withMinimumCharge(Money.of("EUR", "10.00"))
                .withLearnerNoShowFee(Money.of("EUR", "15.00"));
        BillingPolicy positional = new BillingPolicy(Money.of("EUR", "60.00"), Duration.ofSeconds(30), BillingPolicy.Rounding.NEAREST,
                Money.of("EUR", "10.00"), Money.of("EUR", "15.00"));
        assertThat(named.toString()).isEqualTo(positional.toString()).contains("minimum EUR 10.00", "learner no-show EUR 15.00");
        assertThatThrownBy(() -> BillingPolicy.perMinute(Money.of("EUR", "60.00")).withMinimumCharge(Money.of("USD", "1.00")))
                .hasMessageContaining("must be zero or more in EUR");
    }
}
