package dev.duet.signaling.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TicketSourceTest {
    @Test
    void aFixedTicketMustBeThere() {
        assertThat(TicketSource.of("duet1.p.s").ticket()).isEqualTo("duet1.p.s");
        assertThatThrownBy(() -> TicketSource.of("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ticket must not be empty");
        assertThatThrownBy(() -> TicketSource.of("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TicketSource.of(null)).hasMessage("ticket must not be null");
    }
}
