//! Recipients: any user-typed phone number, parsed to E.164 by libphonenumber's rules.

use rlibphonenumber::{PhoneNumberFormat, PHONE_NUMBER_UTIL};
use std::fmt;

/// ISO 3166-1 alpha-2 country of a number, as libphonenumber assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(code: &str) -> Option<Self> {
        let bytes = code.as_bytes();
        (bytes.len() == 2 && bytes.iter().all(u8::is_ascii_alphabetic))
            .then(|| Self([bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipientError {
    #[error("the recipient is empty")]
    Empty,
    #[error("'{0}' is a national number; write it in international form, e.g. +46701234567")]
    NationalFormat(String),
    #[error("'{0}' is not a phone number")]
    NotANumber(String),
    #[error("'{0}' is not a valid phone number for any country")]
    Invalid(String),
}

/// A valid phone number in E.164 form with the country it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    e164: String,
    country: CountryCode,
}

impl Recipient {
    /// Accepts `+46 70-123 45 67`, `0046701234567` and `46701234567` (the form ip1 users
    /// type). A national form like `0701234567` is refused: we never guess a country.
    pub fn parse(input: &str) -> Result<Self, RecipientError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(RecipientError::Empty);
        }
        let international = if let Some(rest) = trimmed.strip_prefix("00") {
            format!("+{rest}")
        } else if trimmed.starts_with('+') {
            trimmed.to_owned()
        } else if trimmed.starts_with('0') {
            return Err(RecipientError::NationalFormat(trimmed.to_owned()));
        } else if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
            format!("+{trimmed}")
        } else {
            return Err(RecipientError::NotANumber(trimmed.to_owned()));
        };
        let number = PHONE_NUMBER_UTIL
            .parse(&international, None)
            .map_err(|_| RecipientError::NotANumber(trimmed.to_owned()))?;
        if !PHONE_NUMBER_UTIL.is_valid_number(&number) {
            return Err(RecipientError::Invalid(trimmed.to_owned()));
        }
        let country = PHONE_NUMBER_UTIL
            .get_region_for_number(&number)
            .and_then(|region| CountryCode::parse(region.as_region_str().as_str()))
            .ok_or_else(|| RecipientError::Invalid(trimmed.to_owned()))?;
        let e164 = PHONE_NUMBER_UTIL.format(&number, PhoneNumberFormat::E164).into_owned();
        Ok(Self { e164, country })
    }

    /// `+46701234567`
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The digits after `+`, the form price prefixes are written in.
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }
}

/// Runs the lazily built parts of libphonenumber once, so that a pre-initialised Wasm
/// snapshot (see tools/preinit) carries them instead of every request building them.
pub fn warm_up() {
    for sample in ["+46701234567", "+4915112345678", "+447400123456", "+12125550100"] {
        let _ = Recipient::parse(sample);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_international_forms_to_e164() {
        for input in ["+46701234567", "+46 70-123 45 67", "0046701234567", "46701234567"] {
            let r = Recipient::parse(input).unwrap();
            assert_eq!(r.e164(), "+46701234567", "{input}");
            assert_eq!(r.country().as_str(), "SE");
            assert_eq!(r.digits(), "46701234567");
        }
    }

    #[test]
    fn country_comes_from_the_number() {
        assert_eq!(Recipient::parse("+4915112345678").unwrap().country().as_str(), "DE");
        assert_eq!(Recipient::parse("+447400123456").unwrap().country().as_str(), "GB");
        assert_eq!(Recipient::parse("+12125550100").unwrap().country().as_str(), "US");
        assert_eq!(Recipient::parse("+4790012345").unwrap().country().as_str(), "NO");
    }

    #[test]
    fn refuses_what_is_not_a_valid_number() {
        assert_eq!(Recipient::parse("  "), Err(RecipientError::Empty));
        assert!(matches!(Recipient::parse("0701234567"), Err(RecipientError::NationalFormat(_))));
        assert!(matches!(Recipient::parse("hello"), Err(RecipientError::NotANumber(_))));
        // Too short for Sweden, and a country code that does not exist.
        assert!(matches!(Recipient::parse("+46123"), Err(RecipientError::Invalid(_))));
        assert!(Recipient::parse("+99912345678").is_err());
        assert!(Recipient::parse("+4670123456789012").is_err());
    }

    #[test]
    fn country_code_parse() {
        assert_eq!(CountryCode::parse("se").unwrap().as_str(), "SE");
        assert!(CountryCode::parse("SWE").is_none());
        assert!(CountryCode::parse("1A").is_none());
    }
}
