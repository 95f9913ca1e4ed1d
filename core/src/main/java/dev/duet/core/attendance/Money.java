package dev.duet.core.attendance;

import dev.duet.core.internal.Checks;
import java.math.BigDecimal;
import java.util.Currency;

/** An amount of money in a currency's minor units (cents): exact, never a {@code double}. */
public record Money(Currency currency, long minorUnits) {
    public Money {
        Checks.notNull(currency, "currency");
        if (currency.getDefaultFractionDigits() < 0) {
            throw new IllegalArgumentException("currency " + currency + " has no minor units (a pseudo-currency)");
        }
    }

    public static Money zero(Currency currency) {
        return new Money(currency, 0);
    }

    /** From an amount in major units ("60.00"); more decimals than the currency has are refused. */
    public static Money of(Currency currency, BigDecimal major) {
        Checks.notNull(currency, "currency");
        Checks.notNull(major, "amount");
        try {
            return new Money(currency, major.movePointRight(currency.getDefaultFractionDigits()).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount " + major.toPlainString() + " has more decimals than " + currency
                    + " allows (" + currency.getDefaultFractionDigits() + ")");
        }
    }

    public static Money of(String currencyCode, String major) {
        return of(Currency.getInstance(currencyCode), new BigDecimal(major));
    }

    public Money plus(Money other) {
        if (!other.currency.equals(currency)) {
            throw new IllegalArgumentException("cannot add " + other.currency + " to " + currency);
        }
        return new Money(currency, Math.addExact(minorUnits, other.minorUnits));
    }

    public BigDecimal major() {
        return BigDecimal.valueOf(minorUnits, currency.getDefaultFractionDigits());
    }

    public boolean isZero() {
        return minorUnits == 0;
    }

    /** "EUR 53.00". */
    @Override
    public String toString() {
        return currency.getCurrencyCode() + " " + major().toPlainString();
    }
}
