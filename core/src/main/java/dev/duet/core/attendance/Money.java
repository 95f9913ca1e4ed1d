package dev.duet.core.attendance;

import dev.duet.core.internal.Checks;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * An amount of money in a currency's minor units (cents): exact, never a {@code double}, never
 * negative (a charge, a fee, a rate).
 */
public record Money(Currency currency, long minorUnits) {
    public Money {
        Checks.notNull(currency, "currency");
        if (currency.getDefaultFractionDigits() < 0) {
            throw new IllegalArgumentException("currency " + currency + " has no minor units (a pseudo-currency)");
        }
        if (minorUnits < 0) {
            throw new IllegalArgumentException("amount must be zero or positive, but was " + minorUnits + " minor units of "
                    + currency);
        }
    }

    public static Money zero(Currency currency) {
        return new Money(currency, 0);
    }

    /** From an amount in major units ("60.00"); more decimals than the currency has are refused. */
    public static Money of(Currency currency, BigDecimal major) {
        Checks.notNull(currency, "currency");
        Checks.notNull(major, "amount");
        if (major.signum() < 0) {
            throw new IllegalArgumentException("amount must be zero or positive, but was " + major.toPlainString());
        }
        try {
            return new Money(currency, major.movePointRight(currency.getDefaultFractionDigits()).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount " + major.toPlainString() + " has more decimals than " + currency
                    + " allows (" + currency.getDefaultFractionDigits() + ")");
        }
    }

    /**
     * From an ISO 4217 code ("EUR", upper case) and an amount in major units ("60.00").
     *
     * @throws IllegalArgumentException naming what was wrong: an unknown or lower-case code, an amount that is not a
     *                                  plain decimal number, a negative amount, too many decimals
     */
    public static Money of(String currencyCode, String major) {
        Checks.notNull(currencyCode, "currencyCode");
        Checks.notNull(major, "amount");
        Currency currency;
        try {
            if (!currencyCode.matches("[A-Z]{3}")) {
                throw new IllegalArgumentException();
            }
            currency = Currency.getInstance(currencyCode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("currency must be an ISO 4217 code in capitals, such as EUR or USD, but was '"
                    + currencyCode + "'", null);
        }
        if (major.startsWith("-")) {
            throw new IllegalArgumentException("amount must be zero or positive, but was " + major);
        }
        BigDecimal amount;
        try {
            if (!major.matches("[0-9]+(\\.[0-9]+)?")) {
                throw new NumberFormatException();
            }
            amount = new BigDecimal(major);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("amount must be a plain decimal number of major units such as 60.00, but was '"
                    + major + "'", null);
        }
        return of(currency, amount);
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
