package dev.duet.core.attendance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Currency;
import org.junit.jupiter.api.Test;

/** Money refuses what it cannot mean, and says what was expected. */
class MoneyTest {
    @Test
    void parsesACodeAndADecimalAmount() {
        assertThat(Money.of("EUR", "60.00")).isEqualTo(new Money(Currency.getInstance("EUR"), 6000));
        assertThat(Money.of("JPY", "500").minorUnits()).isEqualTo(500);
        assertThat(Money.of("EUR", "0")).satisfies(m -> assertThat(m.isZero()).isTrue());
    }

    @Test
    void badCodesAndAmountsSayWhatWasExpected() {
        assertThatThrownBy(() -> Money.of("eur", "1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("currency must be an ISO 4217 code in capitals, such as EUR or USD, but was 'eur'");
        assertThatThrownBy(() -> Money.of("XYZ", "1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was 'XYZ'");
        assertThatThrownBy(() -> Money.of("EUR", "abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("amount must be a plain decimal number of major units such as 60.00, but was 'abc'");
        assertThatThrownBy(() -> Money.of("EUR", "1e3")).hasMessageContaining("plain decimal number");
        assertThatThrownBy(() -> Money.of("EUR", "-5.00")).hasMessage("amount must be zero or positive, but was -5.00");
        assertThatThrownBy(() -> new Money(Currency.getInstance("EUR"), -1)).hasMessageContaining("zero or positive");
        assertThatThrownBy(() -> Money.of("EUR", "1.005")).hasMessageContaining("more decimals than EUR allows (2)");
    }
}
