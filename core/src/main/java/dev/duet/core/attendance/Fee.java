package dev.duet.core.attendance;

import dev.duet.core.internal.Checks;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A fee of a {@link BillingPolicy} (the minimum charge, the learner's no-show fee): a fixed amount,
 * or a share of the booked price (the policy's hourly rate times the booked duration), so that one
 * policy fits bookings of any length and price.
 */
public sealed interface Fee {

    /** The fee's amount for a booking whose price is {@code bookedPrice}. */
    Money amountFor(Money bookedPrice);

    /** Words for line items: {@code EUR 15.00}, {@code 50 % of the booked EUR 60.00}. */
    String describe(Money bookedPrice);

    /** Always {@code amount}. */
    record Fixed(Money amount) implements Fee {
        public Fixed {
            Checks.notNull(amount, "amount");
        }

        @Override
        public Money amountFor(Money bookedPrice) {
            return amount;
        }

        @Override
        public String describe(Money bookedPrice) {
            return amount.toString();
        }
    }

    /** {@code percent} (0 to 100) of the booked price, rounded half-up to the currency's minor unit. */
    record PercentOfBookedPrice(BigDecimal percent) implements Fee {
        public PercentOfBookedPrice {
            Checks.notNull(percent, "percent");
            if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new IllegalArgumentException("percent must be 0 to 100, but was " + percent.toPlainString());
            }
        }

        @Override
        public Money amountFor(Money bookedPrice) {
            Checks.notNull(bookedPrice, "bookedPrice");
            BigDecimal minor = BigDecimal.valueOf(bookedPrice.minorUnits()).multiply(percent)
                    .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP);
            return new Money(bookedPrice.currency(), minor.longValueExact());
        }

        @Override
        public String describe(Money bookedPrice) {
            return percent.stripTrailingZeros().toPlainString() + " % of the booked " + bookedPrice;
        }
    }

    /** A fixed fee. */
    static Fee fixed(Money amount) {
        return new Fixed(amount);
    }

    /**
     * A share of the booked price: {@code percentOfBookedPrice("50")} is half of it, {@code "12.5"}
     * an eighth.
     *
     * @param percent a plain decimal from 0 to 100
     */
    static Fee percentOfBookedPrice(String percent) {
        Checks.notNull(percent, "percent");
        if (!percent.matches("\\d{1,3}(\\.\\d{1,4})?")) {
            throw new IllegalArgumentException("percent must be a plain decimal from 0 to 100 such as \"50\" or \"12.5\", but was "
                    + Checks.quoteForMessage(percent));
        }
        return new PercentOfBookedPrice(new BigDecimal(percent));
    }
}
