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
    #[error("'{0}' has no country code; write it with + or 00 and the country code, e.g. +12015550123 (only a Swedish account reads national numbers)")]
    NoCountryCode(String),
    #[error("'{0}' is not a phone number")]
    NotANumber(String),
    #[error("'{0}' is not a valid phone number for any country")]
    Invalid(String),
    #[error("'{0}' is not a valid number in {1}; write a number abroad with + or 00 and its country code")]
    InvalidIn(String, CountryCode),
}

/// How digits without `+` or `00` are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberContext {
    /// Typed by a customer of an account: national numbers are read in the account's
    /// country (a Swedish account: `070-123 45 67` is +46701234567) and refused when it
    /// has none (an International account), never guessed.
    Account(Option<CountryCode>),
    /// From a carrier, or the platform's own: digits are an international number without
    /// its `+` (MSISDN), as carriers write them.
    Msisdn,
}

/// Where a number belongs: a country, or a non-geographic service (+800 freephone,
/// +870 Inmarsat, +881 satellite, +882/+883 international networks, +979 premium…),
/// libphonenumber's region `001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    Country(CountryCode),
    NonGeographic,
}

impl Region {
    /// `SE`, or `001` for a non-geographic number (libphonenumber's code).
    pub fn as_str(&self) -> &str {
        match self {
            Region::Country(country) => country.as_str(),
            Region::NonGeographic => NON_GEOGRAPHIC,
        }
    }
}

/// libphonenumber's region code for non-geographic numbers.
const NON_GEOGRAPHIC: &str = "001";

/// A valid phone number in E.164 form with the region it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    e164: String,
    region: Region,
}

impl Recipient {
    /// Accepts `+46 70-123 45 67` and `0046701234567` anywhere; other digits as `context`
    /// says (see [`NumberContext`]). The one way every number is read.
    pub fn parse(input: &str, context: NumberContext) -> Result<Self, RecipientError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(RecipientError::Empty);
        }
        let (text, region) = if let Some(rest) = trimmed.strip_prefix("00") {
            (format!("+{rest}"), None)
        } else if trimmed.starts_with('+') {
            (trimmed.to_owned(), None)
        } else if !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(RecipientError::NotANumber(trimmed.to_owned()));
        } else {
            match context {
                NumberContext::Msisdn => (format!("+{trimmed}"), None),
                NumberContext::Account(None) => return Err(RecipientError::NoCountryCode(trimmed.to_owned())),
                NumberContext::Account(Some(country)) => (trimmed.to_owned(), Some(country)),
            }
        };
        let default_region = region.and_then(|c| c.as_str().parse::<rlibphonenumber::enums::Region>().ok());
        let invalid = || match region {
            Some(country) => RecipientError::InvalidIn(trimmed.to_owned(), country),
            None => RecipientError::Invalid(trimmed.to_owned()),
        };
        let number = PHONE_NUMBER_UTIL
            .parse(&text, default_region)
            .map_err(|_| if region.is_some() { invalid() } else { RecipientError::NotANumber(trimmed.to_owned()) })?;
        if !PHONE_NUMBER_UTIL.is_valid_number(&number) {
            return Err(invalid());
        }
        let region = match PHONE_NUMBER_UTIL.get_region_for_number(&number) {
            Some(found) if found.as_region_str().as_str() == NON_GEOGRAPHIC => Region::NonGeographic,
            Some(found) => Region::Country(CountryCode::parse(found.as_region_str().as_str()).ok_or_else(invalid)?),
            None => return Err(invalid()),
        };
        let e164 = PHONE_NUMBER_UTIL.format(&number, PhoneNumberFormat::E164).into_owned();
        Ok(Self { e164, region })
    }

    /// `+46701234567`
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The digits after `+`, the form price prefixes are written in.
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// The country, `None` for a non-geographic number.
    pub fn country(&self) -> Option<CountryCode> {
        match self.region {
            Region::Country(country) => Some(country),
            Region::NonGeographic => None,
        }
    }
}

/// Runs the lazily built parts of libphonenumber once, so that a pre-initialised Wasm
/// snapshot (see tools/preinit) carries them instead of every request building them.
pub fn warm_up() {
    for sample in ["+46701234567", "+4915112345678", "+447400123456", "+12125550100", "+80012345678"] {
        let _ = Recipient::parse(sample, NumberContext::Msisdn);
    }
    let _ = Recipient::parse("0701234567", NumberContext::Account(CountryCode::parse("SE")));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swedish() -> NumberContext {
        NumberContext::Account(CountryCode::parse("SE"))
    }

    const INTERNATIONAL: NumberContext = NumberContext::Account(None);

    fn country(input: &str) -> String {
        Recipient::parse(input, NumberContext::Msisdn).unwrap().region().as_str().to_owned()
    }

    #[test]
    fn parses_international_forms_to_e164_in_every_context() {
        for context in [NumberContext::Msisdn, swedish(), INTERNATIONAL] {
            for input in ["+46701234567", "+46 70-123 45 67", "0046701234567", "00 46 70 123 45 67"] {
                let r = Recipient::parse(input, context).unwrap();
                assert_eq!(r.e164(), "+46701234567", "{input}");
                assert_eq!(r.country().unwrap().as_str(), "SE");
                assert_eq!(r.digits(), "46701234567");
            }
        }
    }

    #[test]
    fn a_swedish_account_reads_national_numbers_in_sweden() {
        for input in ["070-123 45 67", "0701234567", "08-123 456 78", "46701234567"] {
            let r = Recipient::parse(input, swedish()).unwrap();
            assert_eq!(r.country().unwrap().as_str(), "SE", "{input}");
        }
        assert_eq!(Recipient::parse("070-123 45 67", swedish()).unwrap().e164(), "+46701234567");
        assert_eq!(Recipient::parse("46701234567", swedish()).unwrap().e164(), "+46701234567");
        // Not Swedish, and not guessed to be another country's.
        assert!(matches!(Recipient::parse("2015550123", swedish()), Err(RecipientError::InvalidIn(_, c)) if c.as_str() == "SE"));
        assert!(matches!(Recipient::parse("070123", swedish()), Err(RecipientError::InvalidIn(..))));
    }

    #[test]
    fn an_international_account_refuses_digits_without_a_country_code() {
        for input in ["2015550123", "0701234567", "46701234567"] {
            assert_eq!(Recipient::parse(input, INTERNATIONAL), Err(RecipientError::NoCountryCode(input.to_owned())));
        }
        assert!(RecipientError::NoCountryCode("2015550123".into()).to_string().contains("+ or 00"));
        assert_eq!(Recipient::parse("+12015550123", INTERNATIONAL).unwrap().country().unwrap().as_str(), "US");
    }

    #[test]
    fn carriers_write_numbers_without_the_plus() {
        assert_eq!(Recipient::parse("46701234567", NumberContext::Msisdn).unwrap().e164(), "+46701234567");
    }

    #[test]
    fn country_comes_from_the_number() {
        assert_eq!(country("+4915112345678"), "DE");
        assert_eq!(country("+447400123456"), "GB");
        assert_eq!(country("+12125550100"), "US");
        assert_eq!(country("+4790012345"), "NO");
    }

    #[test]
    fn non_geographic_numbers_are_valid_and_have_no_country() {
        for input in ["+80012345678", "+80812345678", "+870301234567", "+881612345678", "+8823421234", "+883510012345", "+88812345678901", "+979123456789"] {
            let r = Recipient::parse(input, NumberContext::Msisdn).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.region(), Region::NonGeographic, "{input}");
            assert_eq!(r.region().as_str(), "001");
            assert_eq!(r.country(), None);
        }
        assert!(Recipient::parse("+8001234", NumberContext::Msisdn).is_err());
    }

    #[test]
    fn refuses_what_is_not_a_valid_number() {
        let msisdn = NumberContext::Msisdn;
        assert_eq!(Recipient::parse("  ", msisdn), Err(RecipientError::Empty));
        assert!(matches!(Recipient::parse("hello", msisdn), Err(RecipientError::NotANumber(_))));
        assert!(matches!(Recipient::parse("hello", swedish()), Err(RecipientError::NotANumber(_))));
        // Too short for Sweden, and a country code that does not exist.
        assert!(matches!(Recipient::parse("+46123", msisdn), Err(RecipientError::Invalid(_))));
        assert!(Recipient::parse("+99912345678", msisdn).is_err());
        assert!(Recipient::parse("+4670123456789012", msisdn).is_err());
    }

    #[test]
    fn country_code_parse() {
        assert_eq!(CountryCode::parse("se").unwrap().as_str(), "SE");
        assert!(CountryCode::parse("SWE").is_none());
        assert!(CountryCode::parse("1A").is_none());
    }
}
