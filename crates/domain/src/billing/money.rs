//! Money: integer minor units (öre, cents) with an ISO 4217 currency. Never floats.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a supported ISO 4217 currency")]
    UnknownCurrency(String),
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
}

/// The largest magnitude, in minor units, of an amount, a balance or a credit limit the
/// operator may set (10^15: ten trillion SEK). Far inside `i64`, so a ledger's sums and a
/// balance after any accepted entry cannot overflow (SQLite's SUM() fails on overflow).
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// The largest price per segment, in minor units (10^12): a send of 1,000 recipients of
/// 10 segments each at this price still fits `i64` many times over.
pub const MAX_PRICE_PER_SEGMENT_MINOR: i64 = 1_000_000_000_000;

/// Currencies we bill in, with their ISO 4217 minor-unit exponent.
const CURRENCIES: &[(&str, u32)] = &[
    ("SEK", 2), ("NOK", 2), ("DKK", 2), ("EUR", 2), ("USD", 2), ("GBP", 2),
    ("CHF", 2), ("PLN", 2), ("ISK", 0), ("JPY", 0),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        CURRENCIES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|&(code, exponent)| Self { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point: 2 for SEK (öre), 0 for JPY.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_mul(self, factor: u32) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(i64::from(factor)).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn negate(self) -> Money {
        Money::new(-self.minor, self.currency)
    }

    /// `"12.35"`: the amount in major units, exact, for people and JSON.
    pub fn decimal(&self) -> String {
        let exponent = self.currency.exponent;
        if exponent == 0 {
            return self.minor.to_string();
        }
        let scale = 10_i64.pow(exponent) as u64;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exponent as usize)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_formatting_is_exact() {
        let sek = Currency::parse("sek").unwrap();
        assert_eq!(Money::new(1235, sek).to_string(), "12.35 SEK");
        assert_eq!(Money::new(5, sek).decimal(), "0.05");
        assert_eq!(Money::new(-5, sek).decimal(), "-0.05");
        assert_eq!(Money::new(-1200, sek).decimal(), "-12.00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::new(120, jpy).decimal(), "120");
    }

    #[test]
    fn arithmetic_is_checked() {
        let sek = Currency::parse("SEK").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(Money::new(35, sek).checked_mul(3).unwrap().minor(), 105);
        assert_eq!(Money::new(35, sek).checked_add(Money::new(-50, sek)).unwrap().minor(), -15);
        assert!(matches!(
            Money::new(1, sek).checked_add(Money::new(1, eur)),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(Money::new(i64::MAX, sek).checked_mul(2), Err(MoneyError::Overflow));
        assert!(Currency::parse("XXX").is_err());
    }
}
