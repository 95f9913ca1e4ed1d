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

    @Test
    void feesMayBeAShareOfTheBookedPriceWhateverTheBookingsLength() {
        BillingPolicy policy = BillingPolicy.perMinute(Money.of("EUR", "60.00"))
                .withMinimumCharge(Fee.percentOfBookedPrice("25")).withLearnerNoShowFee(Fee.percentOfBookedPrice("12.5"));
        assertThat(policy.bookedPrice(Duration.ofMinutes(45))).isEqualTo(Money.of("EUR", "45.00"));
        assertThat(Fee.percentOfBookedPrice("12.5").amountFor(Money.of("EUR", "45.00")))
                .as("5.625 rounded half-up").isEqualTo(Money.of("EUR", "5.63"));
        assertThat(policy.toString()).contains("minimum 25 % of the booked price", "learner no-show 12.5 % of the booked price");

        // A 1-hour booking: the learner never came (fee 12.5 % of EUR 60.00); 5 minutes delivered (minimum 25 %).
        SessionScript noShow = new SessionScript();
        noShow.stay(SessionScript.EXPERT, "09:58", "10:30");
        assertThat(policy.charge(noShow.report()).total()).isEqualTo(Money.of("EUR", "7.50"));
        SessionScript short5 = new SessionScript();
        short5.stay(SessionScript.EXPERT, "09:58", "11:00").stay(SessionScript.LEARNER, "09:58", "10:05").media("10:00", "10:05");
        Charge charge = policy.charge(short5.report());
        assertThat(charge.total()).isEqualTo(Money.of("EUR", "15.00"));
        assertThat(charge.lines()).extracting(Charge.LineItem::description)
                .contains("Minimum charge EUR 15.00 (25 % of the booked EUR 60.00) applies");
    }

    @Test
    void aFeeThatIsNoShareOrInAnotherCurrencyIsRefused() {
        for (String bad : new String[] {"150", "-1", "abc", "", "50 %", "1e2"}) {
            assertThatThrownBy(() -> Fee.percentOfBookedPrice(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("percent must be");
        }
        assertThatThrownBy(() -> BillingPolicy.perMinute(Money.of("EUR", "60.00")).withLearnerNoShowFee(Fee.fixed(Money.of("USD", "5.00"))))
                .hasMessageContaining("must be zero or more in EUR");
    }
}
