//! The operator's number inventory (issue 18): the reception numbers the operator holds,
//! free or assigned to an account, by country and kind, with what a customer will search
//! by when taking one themselves later (area code, region, monthly price).
//!
//! Rules here, no I/O: what a number to add must be ([`HeldNumber::parse`]: a
//! [`ReceptionNumber`], its country from the number itself or, for a short code, given; a
//! kind that fits it; optional area code, region, price and note), a list to add at once
//! ([`parse_list`]: every bad entry reported with its place, repeats found after the
//! numbers are normalised), and the list's filters ([`InventoryFilter`]).

use crate::accounts::account::Country;
use crate::api::error::{ApiError, ErrorDetail, ErrorName};
use crate::billing::money::{Currency, MAX_AMOUNT_MINOR};
use crate::inbound::sms::ReceptionNumber;
use crate::messaging::recipient::{NumberContext, Recipient};

/// The most numbers one request adds.
pub const MAX_NUMBERS_PER_ADD: usize = 1000;
/// Longest note on a number.
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest region label ("Stockholm", "Greater London").
pub const MAX_REGION_CHARS: usize = 60;
/// Longest area code, in digits (national, without the trunk prefix).
pub const MAX_AREA_CODE_DIGITS: usize = 6;

/// What kind of number it is (seed 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberKind {
    Virtual,
    Shortcode,
    Mobile,
    Landline,
}

impl NumberKind {
    pub const ALL: [NumberKind; 4] = [NumberKind::Virtual, NumberKind::Shortcode, NumberKind::Mobile, NumberKind::Landline];

    pub fn parse(input: &str) -> Result<NumberKind, InventoryError> {
        NumberKind::ALL.into_iter().find(|k| k.as_str() == input.trim()).ok_or_else(|| InventoryError::Kind(input.to_owned()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NumberKind::Virtual => "virtual",
            NumberKind::Shortcode => "shortcode",
            NumberKind::Mobile => "mobile",
            NumberKind::Landline => "landline",
        }
    }

    /// A short code is one; a phone number is virtual unless told.
    pub fn default_for(number: &ReceptionNumber) -> NumberKind {
        if number.is_short_code() { NumberKind::Shortcode } else { NumberKind::Virtual }
    }

    /// Whether the kind fits the number: `shortcode` exactly for short codes.
    pub fn fits(self, number: &ReceptionNumber) -> bool {
        (self == NumberKind::Shortcode) == number.is_short_code()
    }
}

/// Free (held, nobody rents it) or assigned (rented to an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStatus {
    Free,
    Assigned,
}

impl NumberStatus {
    pub fn parse(input: &str) -> Result<NumberStatus, InventoryError> {
        match input.trim() {
            "free" => Ok(NumberStatus::Free),
            "assigned" => Ok(NumberStatus::Assigned),
            other => Err(InventoryError::Status(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NumberStatus::Free => "free",
            NumberStatus::Assigned => "assigned",
        }
    }
}

/// Why a number cannot go into the inventory as given, or a filter cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    #[error("{0}")]
    Number(String),
    #[error("{0}")]
    Country(String),
    #[error("{number} is a number of {actual}, not {given}")]
    CountryMismatch { number: String, given: String, actual: String },
    #[error("a short code needs its two-letter country")]
    ShortCodeCountry,
    #[error("'{0}' is not a kind of number: virtual, shortcode, mobile or landline")]
    Kind(String),
    #[error("{number} cannot be of kind {kind}: short codes are of kind shortcode, and only they")]
    KindMismatch { number: String, kind: &'static str },
    #[error("'{0}' is not an area code: 1 to {MAX_AREA_CODE_DIGITS} digits, without the trunk prefix (Stockholm is 8)")]
    AreaCode(String),
    #[error("the region is 1 to {MAX_REGION_CHARS} characters")]
    Region,
    #[error("monthly_price_minor is 0 to {MAX_AMOUNT_MINOR} with its currency, or neither")]
    Price,
    #[error("'{0}' is not a supported ISO 4217 currency")]
    Currency(String),
    #[error("the note is at most {MAX_NOTE_CHARS} characters")]
    Note,
    #[error("give 1 to {MAX_NUMBERS_PER_ADD} numbers")]
    Count,
    #[error("'{0}' is not a status: free or assigned")]
    Status(String),
    #[error("'{0}' is not the start of a number: digits, with or without a leading +")]
    Prefix(String),
}

impl InventoryError {
    /// The stable error name a client can act on.
    pub fn name(&self) -> ErrorName {
        match self {
            InventoryError::Number(_) => ErrorName::InvalidReceptionNumber,
            InventoryError::Country(_) | InventoryError::CountryMismatch { .. } | InventoryError::ShortCodeCountry => ErrorName::InvalidCountry,
            InventoryError::Kind(_) | InventoryError::KindMismatch { .. } => ErrorName::InvalidNumberKind,
            InventoryError::AreaCode(_) | InventoryError::Region => ErrorName::InvalidAreaCode,
            InventoryError::Price | InventoryError::Currency(_) => ErrorName::InvalidPrice,
            InventoryError::Note => ErrorName::InvalidNote,
            InventoryError::Count => ErrorName::MalformedRequest,
            InventoryError::Status(_) | InventoryError::Prefix(_) => ErrorName::InvalidQuery,
        }
    }
}

impl From<InventoryError> for ApiError {
    fn from(e: InventoryError) -> Self {
        ApiError::named(400, e.name(), e.to_string())
    }
}

/// What the operator gives for numbers to add: the same for every number of one request
/// (a block of numbers bought together shares them).
#[derive(Debug, Clone, Copy, Default)]
pub struct HoldingTerms<'a> {
    /// Needed for short codes; a phone number's own country otherwise (given, it must match).
    pub country: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub area_code: Option<&'a str>,
    pub region: Option<&'a str>,
    pub monthly_price_minor: Option<i64>,
    pub currency: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// A number ready to go into the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldNumber {
    pub number: ReceptionNumber,
    /// `SE`; `001` for a non-geographic number (+800…), as libphonenumber says.
    pub country: String,
    pub kind: NumberKind,
    pub area_code: Option<String>,
    pub region: Option<String>,
    /// Minor units and the currency; none: not offered for self-service yet.
    pub monthly_price: Option<(i64, Currency)>,
    pub note: Option<String>,
}

/// Text given as optional: blank is none.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The number's country: its own for a phone number (a given one must match), the given
/// one for a short code.
pub fn number_country(number: &ReceptionNumber, given_country: Option<&str>) -> Result<String, InventoryError> {
    let given_country = given(given_country).map(|c| Country::parse(c).map_err(InventoryError::Country)).transpose()?;
    match Recipient::parse(number.as_str(), NumberContext::Msisdn) {
        Ok(phone) => {
            let actual = phone.region().as_str().to_owned();
            match given_country {
                Some(c) if c.as_ref() != actual => {
                    Err(InventoryError::CountryMismatch { number: number.as_str().to_owned(), given: c.as_ref().to_owned(), actual })
                }
                _ => Ok(actual),
            }
        }
        Err(_) => given_country.map(|c| c.as_ref().to_owned()).ok_or(InventoryError::ShortCodeCountry),
    }
}

impl HeldNumber {
    pub fn parse(number: &str, terms: &HoldingTerms<'_>) -> Result<HeldNumber, InventoryError> {
        let number = ReceptionNumber::parse(number).map_err(|e| InventoryError::Number(e.to_string()))?;
        let country = number_country(&number, terms.country)?;
        let kind = match given(terms.kind) {
            None => NumberKind::default_for(&number),
            Some(kind) => NumberKind::parse(kind)?,
        };
        if !kind.fits(&number) {
            return Err(InventoryError::KindMismatch { number: number.as_str().to_owned(), kind: kind.as_str() });
        }
        let area_code = given(terms.area_code).map(area_code).transpose()?;
        let region = given(terms.region)
            .map(|r| if r.chars().count() <= MAX_REGION_CHARS && !r.chars().any(char::is_control) { Ok(r.to_owned()) } else { Err(InventoryError::Region) })
            .transpose()?;
        let monthly_price = match (terms.monthly_price_minor, given(terms.currency)) {
            (None, None) => None,
            (Some(minor), Some(currency)) if (0..=MAX_AMOUNT_MINOR).contains(&minor) => {
                Some((minor, Currency::parse(currency).map_err(|_| InventoryError::Currency(currency.to_owned()))?))
            }
            _ => return Err(InventoryError::Price),
        };
        let note = given(terms.note)
            .map(|n| if n.chars().count() <= MAX_NOTE_CHARS { Ok(n.to_owned()) } else { Err(InventoryError::Note) })
            .transpose()?;
        Ok(HeldNumber { number, country, kind, area_code, region, monthly_price, note })
    }
}

/// A list of numbers to add, with the same terms. Every bad entry is reported, with its
/// place in the list (400, the first one's name); `Ok` holds them in the order given.
pub fn parse_list(numbers: &[&str], terms: &HoldingTerms<'_>) -> Result<Vec<HeldNumber>, ApiError> {
    if numbers.is_empty() || numbers.len() > MAX_NUMBERS_PER_ADD {
        return Err(InventoryError::Count.into());
    }
    let mut held = Vec::with_capacity(numbers.len());
    let mut bad: Vec<(usize, InventoryError)> = Vec::new();
    for (index, number) in numbers.iter().enumerate() {
        match HeldNumber::parse(number, terms) {
            Ok(h) => held.push(h),
            Err(e) => bad.push((index, e)),
        }
    }
    let Some((_, first)) = bad.first() else { return Ok(held) };
    let message = if bad.len() == 1 { first.to_string() } else { format!("{} numbers cannot be added; nothing was: {first}, …", bad.len()) };
    let details = bad.iter().map(|(index, e)| ErrorDetail { index: Some(*index), value: Some(numbers[*index].to_owned()), message: e.to_string() }).collect();
    Err(ApiError::named(400, first.name(), message).with_details(details))
}

/// The places of numbers that repeat an earlier one in the list (as normalised:
/// `46701234567` repeats `+46701234567`).
pub fn repeats(numbers: &[HeldNumber]) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    numbers.iter().enumerate().filter(|(_, n)| !seen.insert(n.number.as_str())).map(|(i, _)| i).collect()
}

/// The start of numbers to search for: `+4670` (phone numbers only), `4670` (phone
/// numbers after the `+`, and short codes). Spaces and dashes are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPrefix {
    digits: String,
    plus: bool,
}

impl NumberPrefix {
    pub fn parse(input: &str) -> Result<NumberPrefix, InventoryError> {
        let clean: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let (plus, digits) = match clean.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, clean.as_str()),
        };
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InventoryError::Prefix(input.to_owned()));
        }
        Ok(NumberPrefix { digits: digits.to_owned(), plus })
    }

    /// GLOB patterns that match the stored numbers starting so (digits only, so nothing in
    /// them is a wildcard): the phone numbers, and without `+` the short codes too.
    pub fn patterns(&self) -> (String, Option<String>) {
        (format!("+{}*", self.digits), (!self.plus).then(|| format!("{}*", self.digits)))
    }
}

/// An area code as the inventory keeps it: digits only, at most MAX_AREA_CODE_DIGITS.
fn area_code(code: &str) -> Result<String, InventoryError> {
    let ok = code.len() <= MAX_AREA_CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(code.to_owned()) } else { Err(InventoryError::AreaCode(code.to_owned())) }
}

/// The inventory list's filters, each optional: `country` (two letters, or `001`),
/// `kind`, `status` (free, assigned) and `q` (the start of the number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryFilter {
    pub country: Option<String>,
    pub kind: Option<NumberKind>,
    pub status: Option<NumberStatus>,
    pub prefix: Option<NumberPrefix>,
    /// Only numbers the inventory keeps with this area code (a customer's search).
    pub area_code: Option<String>,
}

impl InventoryFilter {
    pub fn parse(country: Option<&str>, kind: Option<&str>, status: Option<&str>, q: Option<&str>) -> Result<InventoryFilter, InventoryError> {
        let country = given(country)
            .map(|c| if c == "001" { Ok(c.to_owned()) } else { Country::parse(c).map(|c| c.as_ref().to_owned()).map_err(InventoryError::Country) })
            .transpose()?;
        Ok(InventoryFilter {
            country,
            kind: given(kind).map(NumberKind::parse).transpose()?,
            status: given(status).map(NumberStatus::parse).transpose()?,
            prefix: given(q).map(NumberPrefix::parse).transpose()?,
            area_code: None,
        })
    }

    /// A customer's search of the free numbers: country, kind and area code (seed 002 "Get
    /// a new number"); never another account's numbers.
    pub fn free_for_customers(country: Option<&str>, kind: Option<&str>, area: Option<&str>) -> Result<InventoryFilter, InventoryError> {
        let mut filter = InventoryFilter::parse(country, kind, Some("free"), None)?;
        filter.area_code = given(area).map(area_code).transpose()?;
        Ok(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> HoldingTerms<'static> {
        HoldingTerms::default()
    }

    #[test]
    fn a_customers_search_is_of_free_numbers_by_country_kind_and_area_code() {
        let filter = InventoryFilter::free_for_customers(Some("se"), Some("mobile"), Some(" 8 ")).unwrap();
        assert_eq!((filter.country.as_deref(), filter.kind, filter.status, filter.area_code.as_deref()), (Some("SE"), Some(NumberKind::Mobile), Some(NumberStatus::Free), Some("8")));
        assert!(matches!(InventoryFilter::free_for_customers(None, None, Some("08-")), Err(InventoryError::AreaCode(_))));
        assert_eq!(InventoryFilter::free_for_customers(None, None, None).unwrap().status, Some(NumberStatus::Free));
    }

    #[test]
    fn a_phone_number_brings_its_country_and_a_short_code_needs_one() {
        let held = HeldNumber::parse("46701234567", &terms()).unwrap();
        assert_eq!((held.number.as_str(), held.country.as_str(), held.kind), ("+46701234567", "SE", NumberKind::Virtual));
        let given = HoldingTerms { country: Some("se"), ..terms() };
        assert_eq!(HeldNumber::parse("+46701234567", &given).unwrap().country, "SE");
        let wrong = HoldingTerms { country: Some("NO"), ..terms() };
        assert!(matches!(HeldNumber::parse("+46701234567", &wrong), Err(InventoryError::CountryMismatch { .. })));
        assert_eq!(HeldNumber::parse("72456", &terms()), Err(InventoryError::ShortCodeCountry));
        let short = HeldNumber::parse("72456", &given).unwrap();
        assert_eq!((short.country.as_str(), short.kind), ("SE", NumberKind::Shortcode));
        assert!(matches!(HeldNumber::parse("72456", &HoldingTerms { country: Some("XX"), ..terms() }), Err(InventoryError::Country(_))));
        assert!(matches!(HeldNumber::parse("+4670", &terms()), Err(InventoryError::Number(_))));
        assert_eq!(HeldNumber::parse("+4670", &terms()).unwrap_err().name(), ErrorName::InvalidReceptionNumber);
    }

    #[test]
    fn the_kind_fits_the_number() {
        let mobile = HoldingTerms { kind: Some("mobile"), ..terms() };
        assert_eq!(HeldNumber::parse("+46701234567", &mobile).unwrap().kind, NumberKind::Mobile);
        let short = HoldingTerms { kind: Some("shortcode"), ..terms() };
        assert!(matches!(HeldNumber::parse("+46701234567", &short), Err(InventoryError::KindMismatch { .. })));
        let landline_short = HoldingTerms { kind: Some("landline"), country: Some("SE"), ..terms() };
        assert!(matches!(HeldNumber::parse("72456", &landline_short), Err(InventoryError::KindMismatch { .. })));
        assert_eq!(NumberKind::parse("fax"), Err(InventoryError::Kind("fax".into())));
        assert_eq!(InventoryError::Kind("fax".into()).name(), ErrorName::InvalidNumberKind);
    }

    #[test]
    fn area_code_region_price_and_note_are_checked() {
        let full = HoldingTerms {
            area_code: Some(" 8 "),
            region: Some("Stockholm"),
            monthly_price_minor: Some(4900),
            currency: Some("sek"),
            note: Some("bought from Telia, block 2026-12"),
            ..terms()
        };
        let held = HeldNumber::parse("+4681234567", &full).unwrap();
        assert_eq!(held.area_code.as_deref(), Some("8"));
        assert_eq!(held.region.as_deref(), Some("Stockholm"));
        assert_eq!(held.monthly_price.map(|(m, c)| (m, c.code())), Some((4900, "SEK")));
        let blank = HoldingTerms { area_code: Some(""), region: Some("  "), note: Some(""), currency: Some(""), ..terms() };
        let held = HeldNumber::parse("+4681234567", &blank).unwrap();
        assert_eq!((held.area_code, held.region, held.monthly_price, held.note), (None, None, None, None));
        for bad in ["08a", "1234567", "+8"] {
            let t = HoldingTerms { area_code: Some(bad), ..terms() };
            assert_eq!(HeldNumber::parse("+4681234567", &t), Err(InventoryError::AreaCode(bad.into())), "{bad}");
        }
        let long_region = "x".repeat(MAX_REGION_CHARS + 1);
        assert_eq!(HeldNumber::parse("+4681234567", &HoldingTerms { region: Some(&long_region), ..terms() }), Err(InventoryError::Region));
        for (minor, currency) in [(Some(-1), Some("SEK")), (Some(100), None), (None, Some("SEK")), (Some(MAX_AMOUNT_MINOR + 1), Some("SEK"))] {
            let t = HoldingTerms { monthly_price_minor: minor, currency, ..terms() };
            assert_eq!(HeldNumber::parse("+4681234567", &t), Err(InventoryError::Price), "{minor:?} {currency:?}");
        }
        let t = HoldingTerms { monthly_price_minor: Some(100), currency: Some("XYZ"), ..terms() };
        assert_eq!(HeldNumber::parse("+4681234567", &t).unwrap_err().name(), ErrorName::InvalidPrice);
        let long_note = "n".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(HeldNumber::parse("+4681234567", &HoldingTerms { note: Some(&long_note), ..terms() }), Err(InventoryError::Note));
    }

    #[test]
    fn a_list_reports_every_bad_entry_and_its_repeats() {
        let list = ["+46701234567", "nonsense", "46701234567", "+4670"];
        let error = parse_list(&list, &terms()).unwrap_err();
        assert_eq!((error.http_status, error.name), (400, "InvalidReceptionNumber"));
        assert_eq!(error.details.iter().map(|d| d.index.unwrap()).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(error.details[0].value.as_deref(), Some("nonsense"));

        let good = parse_list(&["+46701234567", "+46701234568", "46701234567"], &terms()).unwrap();
        assert_eq!(repeats(&good), vec![2]);
        assert_eq!(parse_list(&[], &terms()).unwrap_err().name, "MalformedRequest");
        let many = vec!["+46701234567"; MAX_NUMBERS_PER_ADD + 1];
        assert_eq!(parse_list(&many, &terms()).unwrap_err().name, "MalformedRequest");
    }

    #[test]
    fn filters_are_read_or_refused_by_name() {
        let filter = InventoryFilter::parse(Some("se"), Some("mobile"), Some("free"), Some("+46 70")).unwrap();
        assert_eq!(filter.country.as_deref(), Some("SE"));
        assert_eq!((filter.kind, filter.status), (Some(NumberKind::Mobile), Some(NumberStatus::Free)));
        assert_eq!(filter.prefix.unwrap().patterns(), ("+4670*".to_owned(), None));
        assert_eq!(NumberPrefix::parse("4670").unwrap().patterns(), ("+4670*".to_owned(), Some("4670*".to_owned())));
        assert_eq!(InventoryFilter::parse(None, Some(""), None, Some(" ")).unwrap(), InventoryFilter::default());
        assert_eq!(InventoryFilter::parse(Some("001"), None, None, None).unwrap().country.as_deref(), Some("001"));
        for (country, kind, status, q) in [(Some("XX"), None, None, None), (None, Some("fax"), None, None), (None, None, Some("taken"), None), (None, None, None, Some("46*"))] {
            let error = InventoryFilter::parse(country, kind, status, q).unwrap_err();
            assert_eq!(ApiError::from(error).http_status, 400);
        }
        assert_eq!(NumberStatus::parse("taken").unwrap_err().name(), ErrorName::InvalidQuery);
        assert_eq!(NumberPrefix::parse("+4670*").unwrap_err(), InventoryError::Prefix("+4670*".into()));
    }
}
