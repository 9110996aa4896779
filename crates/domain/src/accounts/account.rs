//! An account's profile (seed 004): company information, contact details, date format
//! and note, as the settings PATCH sets them; SMPP credentials (system id, a generated
//! password kept only as an argon2id hash, an IP allowlist); and the operator's account
//! list (search, sort by a whitelisted column, paging).
//!
//! Every field of a settings PATCH is checked before anything is written, and all the bad
//! ones are reported at once: 400 `InvalidAccountSettings`, one `details` entry per field,
//! its message starting with the field's path (`company.vat_number: …`).

use crate::api::patch::Patched;
use crate::api::error::ErrorName;
use crate::contacts::contact::Note;
use crate::api::error::{ApiError, FieldError};
use crate::billing::money::Currency;
use crate::messaging::recipient::{CountryCode, NumberContext, Recipient};
use crate::api::paging::PageRequest;
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

pub const MAX_COMPANY_NAME_CHARS: usize = 200;
pub const MAX_ADDRESS_LINE_CHARS: usize = 200;
pub const MAX_CITY_CHARS: usize = 100;
pub const MAX_CONTACT_NAME_CHARS: usize = 100;
/// RFC 5321's limit on a forward path, less the angle brackets.
pub const MAX_EMAIL_CHARS: usize = 254;

// ---------------------------------------------------------------- field newtypes

/// Trimmed, NFC, 1..=max characters, no control characters.
fn plain_text(input: &str, max: usize) -> Result<String, String> {
    let text: String = input.trim().nfc().collect();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    let len = text.chars().count();
    if len > max {
        return Err(format!("may be at most {max} characters; it has {len}"));
    }
    if let Some(ch) = text.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character {ch:?}"));
    }
    Ok(text)
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<$name, String> {
                plain_text(input, $max).map($name)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_newtype!(
    /// The company's registered name, 1–200 characters.
    CompanyName,
    MAX_COMPANY_NAME_CHARS
);
text_newtype!(
    /// One line of a postal address, 1–200 characters.
    AddressLine,
    MAX_ADDRESS_LINE_CHARS
);
text_newtype!(
    /// 1–100 characters.
    City,
    MAX_CITY_CHARS
);
text_newtype!(
    /// The contact person's name, 1–100 characters.
    ContactPersonName,
    MAX_CONTACT_NAME_CHARS
);

/// A company registration number, loosely: national formats differ (`556677-8899`,
/// `HRB 12345`, `12345678`), so 2–20 characters of letters, digits, space and `- . /`,
/// at least two of them digits. Kept as written (trimmed, inner spaces collapsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationNumber(String);

impl OrganisationNumber {
    pub fn parse(input: &str) -> Result<OrganisationNumber, String> {
        let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().any(|c| !(c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))) {
            return Err(format!("'{text}' may have only letters, digits, spaces and - . /"));
        }
        if !(2..=20).contains(&text.len()) || text.bytes().filter(u8::is_ascii_digit).count() < 2 {
            return Err(format!("'{text}' is not an organisation number (2–20 characters, at least two digits)"));
        }
        Ok(OrganisationNumber(text))
    }
}

impl AsRef<str> for OrganisationNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A VAT number: a two-letter country prefix and 2–14 letters or digits, at least two of
/// them digits (`SE556677889901`, `NO123456789MVA`, `CHE-123.456.789 MWST`). Stored in
/// capitals without the spaces, dots and hyphens people write in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatNumber(String);

impl VatNumber {
    pub fn parse(input: &str) -> Result<VatNumber, String> {
        let compact: String =
            input.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).map(|c| c.to_ascii_uppercase()).collect();
        let bad = || format!("'{}' is not a VAT number (a country prefix such as SE, then 2–14 letters or digits)", input.trim());
        let (prefix, rest) = compact.split_at_checked(2).ok_or_else(bad)?;
        let sane = prefix.bytes().all(|b| b.is_ascii_uppercase())
            && (2..=14).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric())
            && rest.bytes().filter(u8::is_ascii_digit).count() >= 2;
        if !sane {
            return Err(bad());
        }
        Ok(VatNumber(compact))
    }
}

impl AsRef<str> for VatNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A postal code: 2–12 letters, digits, spaces or hyphens with at least one digit or
/// letter (`114 55`, `SW1A 1AA`, `10115`, `H3Z 2Y7`). Kept as written, in capitals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(input: &str) -> Result<PostalCode, String> {
        let text = input.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
        let sane = (2..=12).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
            && text.bytes().any(|b| b.is_ascii_alphanumeric());
        if !sane {
            return Err(format!("'{}' is not a postal code (2–12 letters, digits, spaces or hyphens)", input.trim()));
        }
        Ok(PostalCode(text))
    }
}

impl AsRef<str> for PostalCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The officially assigned ISO 3166-1 alpha-2 codes, and XK (Kosovo, user-assigned but in
/// common use, e.g. by the EU).
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ \
    EC EE EG EH ER ES ET FI FJ FK FM FO FR \
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
    ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
    LA LB LC LI LK LR LS LT LU LV LY \
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
    NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
    RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
    VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// A country as its ISO 3166-1 alpha-2 code, any case in, capitals out (`se` → `SE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country(String);

impl Country {
    pub fn parse(input: &str) -> Result<Country, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() == 2 && ISO_3166_ALPHA2.split_whitespace().any(|c| c == code) {
            Ok(Country(code))
        } else {
            Err(format!("'{}' is not an ISO 3166-1 two-letter country code, e.g. SE", input.trim()))
        }
    }
}

impl AsRef<str> for Country {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An e-mail address to write to (contact, invoices): RFC 5321/5322 syntax by the
/// `email_address` crate, with a dotted domain name (no `user@localhost`, no `[1.2.3.4]`,
/// no display name), at most 254 characters. Kept as written, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEmail(String);

impl ContactEmail {
    pub fn parse(input: &str) -> Result<ContactEmail, String> {
        use email_address::{EmailAddress, Options};
        let address = input.trim();
        let options = Options::default().with_minimum_sub_domains(2).without_domain_literal().without_display_text();
        if address.len() > MAX_EMAIL_CHARS || EmailAddress::parse_with_options(address, options).is_err() {
            return Err(format!("'{address}' is not an e-mail address"));
        }
        Ok(ContactEmail(address.to_owned()))
    }
}

impl AsRef<str> for ContactEmail {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A contact phone number in E.164, read as a send recipient is (international form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPhone(String);

impl ContactPhone {
    pub fn parse(input: &str) -> Result<ContactPhone, String> {
        Recipient::parse(input, NumberContext::Msisdn).map(|r| ContactPhone(r.e164().to_owned())).map_err(|e| e.to_string())
    }
}

impl AsRef<str> for ContactPhone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Note {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// How the portal and reports write dates for the account. The strings are stable: they
/// are stored (migration 0009 checks them) and they are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateFormat {
    /// ISO 8601, the default.
    #[default]
    Iso,
    /// `DD/MM/YYYY`
    DayMonthYearSlash,
    /// `MM/DD/YYYY`
    MonthDayYearSlash,
    /// `DD.MM.YYYY`
    DayMonthYearDot,
}

impl DateFormat {
    pub const ALL: [DateFormat; 4] =
        [DateFormat::Iso, DateFormat::DayMonthYearSlash, DateFormat::MonthDayYearSlash, DateFormat::DayMonthYearDot];

    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::DayMonthYearSlash => "DD/MM/YYYY",
            DateFormat::MonthDayYearSlash => "MM/DD/YYYY",
            DateFormat::DayMonthYearDot => "DD.MM.YYYY",
        }
    }

    /// Exactly one of the stable strings (`yyyy-mm-dd` too: the letters in any case).
    pub fn parse(input: &str) -> Result<DateFormat, String> {
        DateFormat::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(input.trim())).ok_or_else(|| {
            let all: Vec<&str> = DateFormat::ALL.iter().map(|f| f.as_str()).collect();
            format!("'{input}' is not a date format; one of {}", all.join(", "))
        })
    }

    /// A calendar date written in this format.
    pub fn format(self, date: chrono::NaiveDate) -> String {
        let pattern = match self {
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::DayMonthYearSlash => "%d/%m/%Y",
            DateFormat::MonthDayYearSlash => "%m/%d/%Y",
            DateFormat::DayMonthYearDot => "%d.%m.%Y",
        };
        date.format(pattern).to_string()
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------- the settings PATCH


/// `company` of a settings PATCH, as sent. Absent leaves a field; `null` or `""` clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub name: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub organisation_number: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub vat_number: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub address_line1: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub address_line2: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub postal_code: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub city: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub country: Patched<String>,
}

/// `contact` of a settings PATCH, as sent. Absent leaves a field; `null` or `""` clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub name: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub email: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub phone: Patched<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub invoice_email: Patched<String>,
}

/// The profile part of a settings PATCH, as sent (the component flattens it in beside
/// the older settings).
#[derive(Debug, Default, Deserialize)]
pub struct ProfileInput {
    pub company: Option<CompanyInput>,
    pub contact: Option<ContactInput>,
    /// `null` leaves it (it always has a value).
    pub date_format: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub note: Patched<String>,
    /// Only while the account has no ledger entries (the store checks that).
    pub currency: Option<String>,
}

/// What a PATCH does to one optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T: AsRef<str>> Change<T> {
    /// The store's form: `None` leaves the column, `Some(None)` clears it.
    pub fn as_update(&self) -> Option<Option<&str>> {
        match self {
            Change::Keep => None,
            Change::Clear => Some(None),
            Change::Set(value) => Some(Some(value.as_ref())),
        }
    }
}

/// The profile changes of a settings PATCH, every field checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub company_name: Change<CompanyName>,
    pub organisation_number: Change<OrganisationNumber>,
    pub vat_number: Change<VatNumber>,
    pub address_line1: Change<AddressLine>,
    pub address_line2: Change<AddressLine>,
    pub postal_code: Change<PostalCode>,
    pub city: Change<City>,
    pub country: Change<Country>,
    pub contact_name: Change<ContactPersonName>,
    pub contact_email: Change<ContactEmail>,
    pub contact_phone: Change<ContactPhone>,
    pub invoice_email: Change<ContactEmail>,
    pub date_format: Option<DateFormat>,
    pub note: Change<Note>,
    pub currency: Option<Currency>,
}

/// Every bad field of a PATCH: 400 `InvalidAccountSettings`, one detail per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSettings(pub Vec<FieldError>);

impl From<InvalidSettings> for ApiError {
    fn from(errors: InvalidSettings) -> Self {
        ApiError::invalid_fields(ErrorName::InvalidAccountSettings, errors.0)
    }
}

/// Checks one optional field into `errors`; blank is the same as `null` (clear).
fn change<T>(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    input: &Patched<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Change<T> {
    match input {
        None => Change::Keep,
        Some(None) => Change::Clear,
        Some(Some(text)) if text.trim().is_empty() => Change::Clear,
        Some(Some(text)) => parse(text).map(Change::Set).unwrap_or_else(|message| {
            errors.push(FieldError { field, value: text.clone(), message });
            Change::Keep
        }),
    }
}

impl ProfilePatch {
    /// Checks every field; all the bad ones are reported together.
    pub fn parse(input: &ProfileInput) -> Result<ProfilePatch, InvalidSettings> {
        let mut e = Vec::new();
        let company = input.company.as_ref();
        let contact = input.contact.as_ref();
        let none = None;
        let c = |f: fn(&CompanyInput) -> &Patched<String>| company.map(f).unwrap_or(&none);
        let p = |f: fn(&ContactInput) -> &Patched<String>| contact.map(f).unwrap_or(&none);
        let patch = ProfilePatch {
            company_name: change(&mut e, "company.name", c(|c| &c.name), CompanyName::parse),
            organisation_number: change(&mut e, "company.organisation_number", c(|c| &c.organisation_number), OrganisationNumber::parse),
            vat_number: change(&mut e, "company.vat_number", c(|c| &c.vat_number), VatNumber::parse),
            address_line1: change(&mut e, "company.address_line1", c(|c| &c.address_line1), AddressLine::parse),
            address_line2: change(&mut e, "company.address_line2", c(|c| &c.address_line2), AddressLine::parse),
            postal_code: change(&mut e, "company.postal_code", c(|c| &c.postal_code), PostalCode::parse),
            city: change(&mut e, "company.city", c(|c| &c.city), City::parse),
            country: change(&mut e, "company.country", c(|c| &c.country), Country::parse),
            contact_name: change(&mut e, "contact.name", p(|c| &c.name), ContactPersonName::parse),
            contact_email: change(&mut e, "contact.email", p(|c| &c.email), ContactEmail::parse),
            contact_phone: change(&mut e, "contact.phone", p(|c| &c.phone), ContactPhone::parse),
            invoice_email: change(&mut e, "contact.invoice_email", p(|c| &c.invoice_email), ContactEmail::parse),
            date_format: input.date_format.as_deref().and_then(|f| {
                DateFormat::parse(f).map_err(|message| e.push(FieldError { field: "date_format", value: f.into(), message })).ok()
            }),
            note: change(&mut e, "note", &input.note, |n| match Note::parse(n) {
                Ok(Some(note)) => Ok(note),
                Ok(None) => Err("must not be empty".into()),
                Err(err) => Err(err.to_string()),
            }),
            currency: input.currency.as_deref().and_then(|c| {
                Currency::parse(c).map_err(|err| e.push(FieldError { field: "currency", value: c.into(), message: err.to_string() })).ok()
            }),
        };
        if e.is_empty() {
            Ok(patch)
        } else {
            Err(InvalidSettings(e))
        }
    }
}

/// The account has money movements in one currency already: 409 `CurrencyLocked`.
pub fn currency_locked(current: &str) -> ApiError {
    ApiError::named(409, ErrorName::CurrencyLocked, format!("the currency stays {current}: the account has ledger entries in it"))
}

// ---------------------------------------------------------------- SMPP credentials

/// SMPP 3.4 (5.2.1): system_id is a C-Octet String of at most 16 octets with its NUL.
pub const MAX_SYSTEM_ID_CHARS: usize = 15;
/// SMPP 3.4 (5.2.2): password, at most 9 octets with its NUL.
pub const SMPP_PASSWORD_CHARS: usize = 8;

/// The name an SMPP client binds with: 1–15 printable ASCII characters, no spaces.
/// Unique over every account (compared without regard to case in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmppSystemId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("system_id '{0}' must be 1–15 printable ASCII characters without spaces (SMPP 3.4)")]
pub struct InvalidSystemId(pub String);

impl SmppSystemId {
    pub fn parse(input: &str) -> Result<SmppSystemId, InvalidSystemId> {
        let sane = (1..=MAX_SYSTEM_ID_CHARS).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_graphic());
        if sane {
            Ok(SmppSystemId(input.to_owned()))
        } else {
            Err(InvalidSystemId(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<InvalidSystemId> for ApiError {
    fn from(error: InvalidSystemId) -> Self {
        ApiError::named(400, ErrorName::InvalidSystemId, error.to_string())
    }
}

/// Another credential (of any account, revoked or not) has the system id: 409.
pub fn duplicate_system_id(system_id: &str) -> ApiError {
    ApiError::named(409, ErrorName::DuplicateSystemId, format!("the system_id '{system_id}' is taken; choose another"))
}

/// Letters and digits without the look-alikes (0 O o 1 l I), so a password read aloud or
/// typed from a screen comes out right: 56 symbols, 8 of them ≈ 46 bits.
const PASSWORD_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";

/// A generated SMPP password: 8 characters (SMPP's limit), shown once, stored hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct SmppPassword(String);

impl fmt::Debug for SmppPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmppPassword(…)")
    }
}

impl SmppPassword {
    /// From the operating system's randomness.
    pub fn generate() -> Result<SmppPassword, getrandom::Error> {
        let mut password = String::with_capacity(SMPP_PASSWORD_CHARS);
        while password.len() < SMPP_PASSWORD_CHARS {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes)?;
            password.extend(symbols(&bytes).take(SMPP_PASSWORD_CHARS - password.len()));
        }
        Ok(SmppPassword(password))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unbiased symbols of [`PASSWORD_ALPHABET`] from random bytes (rejection sampling:
/// bytes at or above the largest multiple of the alphabet's size are skipped).
fn symbols(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    let n = PASSWORD_ALPHABET.len();
    let limit = 256 - 256 % n;
    bytes.iter().filter(move |&&b| (b as usize) < limit).map(move |&b| PASSWORD_ALPHABET[b as usize % n] as char)
}

// ---------------------------------------------------------------- type and name

/// An account's type as seed 000's accounts list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Swedish,
    International,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Swedish => "swedish",
            AccountKind::International => "international",
        }
    }

    /// `swedish` or `international` (400 otherwise).
    pub fn parse(input: &str) -> Result<AccountKind, ApiError> {
        match input {
            "swedish" => Ok(AccountKind::Swedish),
            "international" => Ok(AccountKind::International),
            _ => Err(ApiError::malformed("kind is swedish or international")),
        }
    }

    /// How the account's customers' numbers are read (seed 000's type): a Swedish account
    /// reads national numbers (`070-123 45 67`) in Sweden; an International one has no
    /// country of its own, so digits without `+` or `00` are refused, never guessed.
    pub fn number_context(self) -> NumberContext {
        match self {
            AccountKind::Swedish => NumberContext::Account(CountryCode::parse("SE")),
            AccountKind::International => NumberContext::Account(None),
        }
    }

    /// When nobody says: a SEK account is Swedish, any other International.
    pub fn default_for(currency: &str) -> AccountKind {
        if currency == "SEK" {
            AccountKind::Swedish
        } else {
            AccountKind::International
        }
    }
}

/// An account's name/note: 1–100 characters once trimmed, NFC, no control characters
/// (it is put in e-mail subjects and texts: no line breaks of its own). 400 `InvalidName`.
pub fn account_name(input: &str) -> Result<String, ApiError> {
    plain_text(input, 100).map_err(|e| ApiError::named(400, ErrorName::InvalidName, format!("name {e}")))
}

// ---------------------------------------------------------------- the operator's list

/// A column the account list can be sorted by. The SQL for each is the store's; only
/// these names are accepted, never a column from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSort {
    Id,
    Name,
    Kind,
    Balance,
    /// The operator's list only.
    CreditLimit,
    /// Active or blocked: the operator's list only.
    Status,
    CreatedAt,
    /// The user's access level: only in a user's own list ([`AccountList::Member`]).
    Level,
}

/// Which account list a query is for: the operator's (every account) or a signed-in
/// user's own (seed 000 "Accounts": the accounts they have access to, with their level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountList {
    Operator,
    Member,
}

impl AccountList {
    /// The columns this list can be sorted by.
    pub fn sorts(self) -> &'static [AccountSort] {
        match self {
            AccountList::Operator => &[
                AccountSort::Id,
                AccountSort::Name,
                AccountSort::Kind,
                AccountSort::Balance,
                AccountSort::CreditLimit,
                AccountSort::Status,
                AccountSort::CreatedAt,
            ],
            AccountList::Member => &[AccountSort::Id, AccountSort::Name, AccountSort::Kind, AccountSort::Balance, AccountSort::Level],
        }
    }

    /// Without `sort`: the operator sees the newest first, a user their accounts by name.
    fn default_sort(self) -> AccountSort {
        match self {
            AccountList::Operator => AccountSort::CreatedAt,
            AccountList::Member => AccountSort::Name,
        }
    }
}

impl AccountSort {
    pub const ALL: [AccountSort; 8] = [
        AccountSort::Id,
        AccountSort::Name,
        AccountSort::Kind,
        AccountSort::Balance,
        AccountSort::CreditLimit,
        AccountSort::Status,
        AccountSort::CreatedAt,
        AccountSort::Level,
    ];

    /// Whether the column sorts numbers (else text).
    pub fn is_numeric(self) -> bool {
        matches!(self, AccountSort::Balance | AccountSort::CreditLimit | AccountSort::Level)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountSort::Id => "id",
            AccountSort::Name => "name",
            AccountSort::Kind => "kind",
            AccountSort::Balance => "balance",
            AccountSort::CreditLimit => "credit_limit",
            AccountSort::Status => "status",
            AccountSort::CreatedAt => "created_at",
            AccountSort::Level => "level",
        }
    }

    /// A column by its name; `type` is `kind` (the accounts list's "Type" column, seed 000).
    pub fn parse(name: &str) -> Option<AccountSort> {
        let name = if name == "type" { "kind" } else { name };
        AccountSort::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

pub const MAX_SEARCH_CHARS: usize = 100;

/// The value of an account's sort column: a number (balance, level) or text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Number(i64),
    Text(String),
}

/// Where a page of an account list ends (its cursor, see `api::paging`): the keyset
/// (sort value, id) of the last account, with the sort and order it was read in, so a
/// cursor of another sort or order is refused rather than misread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPosition {
    pub sort: String,
    pub desc: bool,
    pub value: SortValue,
    pub id: String,
}

/// `?q=&sort=&order=&limit=&cursor=` of an account list, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountListQuery {
    /// A caseless GLOB pattern for the search ([`caseless_glob`]), when searching.
    pub pattern: Option<String>,
    pub sort: AccountSort,
    pub descending: bool,
    pub page: PageRequest,
    /// The last account of the previous page; `None` on the first.
    pub after: Option<AccountPosition>,
    /// Only accounts with this status (the operator's list).
    pub status: Option<AccountStatus>,
}

/// An account's status as the operator's list shows and filters it: active, blocked, or
/// where a self-signup stands (domain::accounts::signup::Approval) while it is not approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Blocked,
    AwaitingEmail,
    Pending,
    Rejected,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 5] =
        [AccountStatus::Active, AccountStatus::Blocked, AccountStatus::AwaitingEmail, AccountStatus::Pending, AccountStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Blocked => "blocked",
            AccountStatus::AwaitingEmail => "awaiting_email",
            AccountStatus::Pending => "pending",
            AccountStatus::Rejected => "rejected",
        }
    }

    /// `?status=`: 400 `InvalidQuery` for anything else.
    pub fn parse(input: &str) -> Result<AccountStatus, ApiError> {
        AccountStatus::ALL.into_iter().find(|s| s.as_str() == input).ok_or_else(|| {
            let names: Vec<&str> = AccountStatus::ALL.iter().map(|s| s.as_str()).collect();
            bad_query(ErrorName::InvalidQuery, format!("status is one of {}", names.join(", ")))
        })
    }
}

fn bad_query(name: ErrorName, message: impl Into<String>) -> ApiError {
    ApiError::named(400, name, message)
}

impl AccountListQuery {
    /// The operator's list: see [`AccountListQuery::parse_for`].
    pub fn parse(q: Option<&str>, sort: Option<&str>, order: Option<&str>, limit: Option<&str>, cursor: Option<&str>) -> Result<AccountListQuery, ApiError> {
        AccountListQuery::parse_for(AccountList::Operator, q, sort, order, limit, cursor)
    }

    /// Defaults: no search, the list's default sort (the operator's newest first, a
    /// user's by name), the first page of the default size. A `-` before the column
    /// (`-balance`) sorts it descending, as `order=desc` does (both given, they must
    /// agree). Bad values are 400 `InvalidSearch`, `InvalidSort`, `InvalidLimit`,
    /// `InvalidCursor`.
    pub fn parse_for(
        list: AccountList,
        q: Option<&str>,
        sort: Option<&str>,
        order: Option<&str>,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<AccountListQuery, ApiError> {
        let pattern = search_pattern(q)?;
        let (sort, minus) = match sort.map(|s| s.strip_prefix('-').map_or((s, false), |column| (column, true))) {
            Some((column, minus)) => (Some(column), minus),
            None => (None, false),
        };
        let sort = match sort {
            None => list.default_sort(),
            Some(s) => AccountSort::parse(s).filter(|c| list.sorts().contains(c)).ok_or_else(|| {
                let names: Vec<&str> = list.sorts().iter().map(|c| c.as_str()).collect();
                bad_query(ErrorName::InvalidSort, format!("sort is one of {}", names.join(", ")))
            })?,
        };
        let descending = match (order, minus) {
            (None, false) => sort == AccountSort::CreatedAt,
            (None, true) | (Some("desc"), _) => true,
            (Some("asc"), false) => false,
            (Some("asc"), true) => return Err(bad_query(ErrorName::InvalidSort, "a sort of -column is descending: order=asc contradicts it")),
            (Some(_), _) => return Err(bad_query(ErrorName::InvalidSort, "order is asc or desc")),
        };
        let page = PageRequest::parse(limit, cursor)?;
        let after = page.after_checked(|p: &AccountPosition| {
            p.sort == sort.as_str() && p.desc == descending && matches!(p.value, SortValue::Number(_)) == sort.is_numeric()
        })?;
        Ok(AccountListQuery { pattern, sort, descending, page, after, status: None })
    }

    /// Only the accounts with `status` (`?status=`; absent or empty: all).
    pub fn with_status(mut self, status: Option<&str>) -> Result<AccountListQuery, ApiError> {
        self.status = status.map(str::trim).filter(|s| !s.is_empty()).map(AccountStatus::parse).transpose()?;
        Ok(self)
    }

    /// The cursor position of an account of this list, from its sort value and id.
    pub fn position(&self, value: SortValue, id: &str) -> AccountPosition {
        AccountPosition { sort: self.sort.as_str().to_owned(), desc: self.descending, value, id: id.to_owned() }
    }
}

/// A list's `q` (the account lists, the message log): trimmed, at most MAX_SEARCH_CHARS
/// (else 400 `InvalidSearch`), as a caseless GLOB pattern; none when empty.
pub fn search_pattern(q: Option<&str>) -> Result<Option<String>, ApiError> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(bad_query(ErrorName::InvalidSearch, format!("q may be at most {MAX_SEARCH_CHARS} characters")));
    }
    Ok(q.map(caseless_glob))
}

/// A SQLite GLOB pattern matching `needle` anywhere, without regard to case: each letter
/// becomes a class of its cases (`Å` → `[åÅ]`), GLOB's own `* ? [` are taken literally.
/// (SQLite's LIKE and lower() fold ASCII only; this folds every simple case mapping, so
/// `åkesson` finds `Åkesson AB`.)
pub fn caseless_glob(needle: &str) -> String {
    let mut pattern = String::from("*");
    for c in needle.nfc() {
        let mut cases: Vec<char> = vec![c];
        let (lower, upper): (Vec<char>, Vec<char>) = (c.to_lowercase().collect(), c.to_uppercase().collect());
        for other in [lower, upper] {
            if let [one] = other.as_slice() {
                if !cases.contains(one) {
                    cases.push(*one);
                }
            }
        }
        match (cases.as_slice(), c) {
            ([_], '*' | '?' | '[') => {
                pattern.push('[');
                pattern.push(c);
                pattern.push(']');
            }
            ([_], _) => pattern.push(c),
            (many, _) => {
                pattern.push('[');
                pattern.extend(many);
                pattern.push(']');
            }
        }
    }
    pattern.push('*');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::paging::encode;

    fn input(json: serde_json::Value) -> ProfileInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn company_fields_are_checked_and_normalised() {
        assert_eq!(VatNumber::parse("se 5566-7788.9901").unwrap().as_ref(), "SE556677889901");
        assert_eq!(VatNumber::parse("CHE-123.456.789 MWST").unwrap().as_ref(), "CHE123456789MWST");
        for bad in ["", "SE", "12345678", "SE1", "SE ABCDEFG", "S€123456", "SE12345678901234567"] {
            assert!(VatNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(OrganisationNumber::parse(" 556677-8899 ").unwrap().as_ref(), "556677-8899");
        assert_eq!(OrganisationNumber::parse("HRB   12345").unwrap().as_ref(), "HRB 12345");
        for bad in ["", "AB", "5", "556677_8899", "123456789012345678901", "5566;DROP"] {
            assert!(OrganisationNumber::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PostalCode::parse("sw1a  1aa").unwrap().as_ref(), "SW1A 1AA");
        assert_eq!(PostalCode::parse("114 55").unwrap().as_ref(), "114 55");
        assert!(PostalCode::parse("1").is_err());
        assert!(PostalCode::parse("1234567890123").is_err());
        assert!(PostalCode::parse("--").is_err());
        assert_eq!(Country::parse("se").unwrap().as_ref(), "SE");
        assert_eq!(Country::parse("XK").unwrap().as_ref(), "XK");
        for bad in ["SWE", "S", "ZZ", "UK", "12", ""] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ISO_3166_ALPHA2.split_whitespace().count(), 250);
        assert!(ISO_3166_ALPHA2.split_whitespace().all(|c| c.len() == 2));
        assert_eq!(CompanyName::parse("  Acme\u{0301} AB ").unwrap().as_ref(), "Acmé AB");
        assert!(CompanyName::parse(&"x".repeat(201)).is_err());
        assert!(CompanyName::parse("Acme\u{0007}").is_err());
        assert!(City::parse("Göteborg").is_ok());
    }

    #[test]
    fn contact_fields_are_checked() {
        assert_eq!(ContactEmail::parse(" anna@example.se ").unwrap().as_ref(), "anna@example.se");
        for bad in ["anna", "anna@", "anna@localhost", "Anna <anna@example.se>", "anna@[127.0.0.1]", "a b@example.se"] {
            assert!(ContactEmail::parse(bad).is_err(), "{bad}");
        }
        let long = format!("{}@example.se", "a".repeat(250));
        assert!(ContactEmail::parse(&long).is_err());
        assert_eq!(ContactPhone::parse("+46 70-123 45 67").unwrap().as_ref(), "+46701234567");
        assert!(ContactPhone::parse("0701234567").is_err(), "national forms are not guessed");
    }

    #[test]
    fn date_formats_are_a_closed_set() {
        assert_eq!(DateFormat::default().as_str(), "YYYY-MM-DD");
        for format in DateFormat::ALL {
            assert_eq!(DateFormat::parse(format.as_str()), Ok(format));
        }
        assert_eq!(DateFormat::parse("dd.mm.yyyy"), Ok(DateFormat::DayMonthYearDot));
        assert!(DateFormat::parse("D/M/YY").is_err());
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        let written: Vec<String> = DateFormat::ALL.iter().map(|f| f.format(date)).collect();
        assert_eq!(written, ["2026-03-07", "07/03/2026", "03/07/2026", "07.03.2026"]);
    }

    #[test]
    fn a_patch_keeps_clears_or_sets_each_field() {
        let patch = ProfilePatch::parse(&input(serde_json::json!({
            "company": {"name": "Acme AB", "vat_number": null, "city": ""},
            "contact": {"email": "billing@acme.se"},
            "date_format": "DD/MM/YYYY",
            "note": "VIP",
            "currency": "eur"
        })))
        .unwrap();
        assert_eq!(patch.company_name.as_update(), Some(Some("Acme AB")));
        assert_eq!(patch.vat_number.as_update(), Some(None), "null clears");
        assert_eq!(patch.city.as_update(), Some(None), "blank clears");
        assert_eq!(patch.postal_code.as_update(), None, "absent keeps");
        assert_eq!(patch.contact_email.as_update(), Some(Some("billing@acme.se")));
        assert_eq!(patch.date_format, Some(DateFormat::DayMonthYearSlash));
        assert_eq!(patch.note.as_update(), Some(Some("VIP")));
        assert_eq!(patch.currency.map(|c| c.code()), Some("EUR"));
        assert_eq!(ProfilePatch::parse(&ProfileInput::default()).unwrap(), ProfilePatch::default());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = ProfilePatch::parse(&input(serde_json::json!({
            "company": {"name": "Acme AB", "vat_number": "12", "country": "Sweden"},
            "contact": {"email": "not-an-address", "phone": "0701234567"},
            "date_format": "YY",
            "note": "x".repeat(1001),
            "currency": "XXX"
        })))
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["company.vat_number", "company.country", "contact.email", "contact.phone", "date_format", "note", "currency"]
        );
        let api: ApiError = errors.into();
        assert_eq!((api.http_status, api.name), (400, "InvalidAccountSettings"));
        assert_eq!(api.details.len(), 7);
        assert!(api.details[0].message.starts_with("company.vat_number: "), "{}", api.details[0].message);
        assert_eq!(api.details[2].value.as_deref(), Some("not-an-address"));
        assert!(serde_json::from_value::<ProfileInput>(serde_json::json!({"company": {"nmae": "x"}})).is_err(), "unknown fields are refused");
        let locked = currency_locked("SEK");
        assert_eq!((locked.http_status, locked.name), (409, "CurrencyLocked"));
    }

    #[test]
    fn system_ids_fit_smpp() {
        assert_eq!(SmppSystemId::parse("acme_01").unwrap().as_str(), "acme_01");
        assert!(SmppSystemId::parse(&"a".repeat(15)).is_ok());
        for bad in ["", "has space", "sixteen-chars-xx", "åäö", "tab\there", "nul\0"] {
            assert!(SmppSystemId::parse(bad).is_err(), "{bad:?}");
        }
        let err: ApiError = SmppSystemId::parse("").unwrap_err().into();
        assert_eq!((err.http_status, err.name), (400, "InvalidSystemId"));
        assert_eq!(duplicate_system_id("x").http_status, 409);
    }

    #[test]
    fn passwords_are_eight_unambiguous_symbols_without_bias() {
        let password = SmppPassword::generate().unwrap();
        assert_eq!(password.as_str().len(), SMPP_PASSWORD_CHARS);
        assert!(password.as_str().bytes().all(|b| PASSWORD_ALPHABET.contains(&b)));
        assert_ne!(SmppPassword::generate().unwrap(), password);
        assert_eq!(format!("{password:?}"), "SmppPassword(…)", "never in logs");
        // Bytes past the last whole multiple of the alphabet's size are skipped.
        let limit = (256 - 256 % PASSWORD_ALPHABET.len()) as u8;
        assert_eq!(symbols(&[0, limit, 255, 1]).collect::<String>(), "23");
        let alphabet: String = symbols(&(0..PASSWORD_ALPHABET.len() as u8).collect::<Vec<_>>()).collect();
        assert!(!alphabet.contains(['0', 'O', 'o', '1', 'l', 'I']));
    }

    #[test]
    fn list_queries_are_whitelisted() {
        let name = |r: Result<AccountListQuery, ApiError>| r.unwrap_err().name;
        let q = AccountListQuery::parse(None, None, None, None, None).unwrap();
        assert_eq!((q.pattern, q.sort, q.descending, q.page.limit, q.after), (None, AccountSort::CreatedAt, true, 50, None));
        let at = encode(&AccountPosition { sort: "balance".into(), desc: false, value: SortValue::Number(-5), id: "acc_1".into() });
        let q = AccountListQuery::parse(Some(" acme "), Some("balance"), Some("asc"), Some("10"), Some(&at)).unwrap();
        assert_eq!((q.sort, q.descending, q.page.limit), (AccountSort::Balance, false, 10));
        assert_eq!(q.after, Some(q.position(SortValue::Number(-5), "acc_1")));
        // A cursor of another sort or order, or no cursor at all, is refused.
        assert_eq!(name(AccountListQuery::parse(None, Some("balance"), Some("desc"), None, Some(&at))), "InvalidCursor");
        assert_eq!(name(AccountListQuery::parse(None, Some("name"), Some("asc"), None, Some(&at))), "InvalidCursor");
        assert_eq!(name(AccountListQuery::parse(None, None, None, None, Some("20"))), "InvalidCursor");
        assert_eq!(q.pattern.as_deref(), Some("*[aA][cC][mM][eE]*"));
        assert_eq!(AccountListQuery::parse(None, Some("name"), None, None, None).unwrap().descending, false);
        assert_eq!(name(AccountListQuery::parse(None, Some("balance_minor; DROP"), None, None, None)), "InvalidSort");
        assert_eq!(name(AccountListQuery::parse(None, None, Some("up"), None, None)), "InvalidSort");
        assert_eq!(name(AccountListQuery::parse(None, None, None, Some("0"), None)), "InvalidLimit");
        assert_eq!(name(AccountListQuery::parse(None, None, None, Some("501"), None)), "InvalidLimit");
        assert_eq!(name(AccountListQuery::parse(Some(&"x".repeat(101)), None, None, None, None)), "InvalidSearch");
        assert_eq!(AccountListQuery::parse(Some("  "), None, None, None, None).unwrap().pattern, None);
        assert_eq!(AccountKind::default_for("SEK"), AccountKind::Swedish);
        assert_eq!(AccountKind::default_for("EUR"), AccountKind::International);
        assert_eq!(AccountKind::parse("international").unwrap().as_str(), "international");
        assert!(AccountKind::parse("Swedish").is_err());
        assert_eq!(account_name("  Acme AB ").unwrap(), "Acme AB");
        assert!(account_name("   ").is_err() && account_name(&"x".repeat(101)).is_err());
        let injected = account_name("Acme\r\nBcc: x@evil.example").unwrap_err();
        assert_eq!((injected.http_status, injected.name), (400, "InvalidName"), "{injected:?}");
        assert!(account_name("Acme\tAB").is_err() && account_name("Acme\u{85}AB").is_err());
        assert_eq!(account_name("Åkeri AB").unwrap(), "Åkeri AB");
        // A user's own list sorts by level (and by "type", seed 000's name for kind), by name first.
        let member = |sort: Option<&str>| AccountListQuery::parse_for(AccountList::Member, None, sort, None, None, None);
        assert_eq!(member(None).unwrap().sort, AccountSort::Name);
        assert_eq!(member(Some("level")).unwrap().sort, AccountSort::Level);
        assert_eq!(member(Some("type")).unwrap().sort, AccountSort::Kind);
        assert_eq!(name(member(Some("created_at"))), "InvalidSort");
        assert_eq!(name(AccountListQuery::parse(None, Some("level"), None, None, None)), "InvalidSort");
    }

    #[test]
    fn a_minus_sorts_descending_and_the_console_columns_sort() {
        let q = AccountListQuery::parse(None, Some("-balance"), None, None, None).unwrap();
        assert_eq!((q.sort, q.descending), (AccountSort::Balance, true));
        let q = AccountListQuery::parse(None, Some("-name"), Some("desc"), None, None).unwrap();
        assert_eq!((q.sort, q.descending), (AccountSort::Name, true));
        let q = AccountListQuery::parse(None, Some("credit_limit"), None, None, None).unwrap();
        assert_eq!((q.sort, q.descending, q.sort.is_numeric()), (AccountSort::CreditLimit, false, true));
        let filtered = AccountListQuery::parse(None, None, None, None, None).unwrap().with_status(Some("pending")).unwrap();
        assert_eq!(filtered.status, Some(AccountStatus::Pending));
        assert_eq!(AccountListQuery::parse(None, None, None, None, None).unwrap().with_status(Some("")).unwrap().status, None);
        let bad = AccountListQuery::parse(None, None, None, None, None).unwrap().with_status(Some("asleep")).unwrap_err();
        assert_eq!((bad.http_status, bad.name), (400, "InvalidQuery"));
        let q = AccountListQuery::parse(None, Some("-status"), None, None, None).unwrap();
        assert_eq!((q.sort, q.descending, q.sort.is_numeric()), (AccountSort::Status, true, false));
        let q = AccountListQuery::parse(None, Some("-created_at"), None, None, None).unwrap();
        assert_eq!((q.sort, q.descending), (AccountSort::CreatedAt, true));
        let name = |r: Result<AccountListQuery, ApiError>| r.unwrap_err().name;
        assert_eq!(name(AccountListQuery::parse(None, Some("-name"), Some("asc"), None, None)), "InvalidSort");
        assert_eq!(name(AccountListQuery::parse(None, Some("--name"), None, None, None)), "InvalidSort");
        assert_eq!(name(AccountListQuery::parse(None, Some("-"), None, None, None)), "InvalidSort");
        // A user's own list has neither column.
        let member = |sort: &str| AccountListQuery::parse_for(AccountList::Member, None, Some(sort), None, None, None);
        assert_eq!(name(member("credit_limit")), "InvalidSort");
        assert_eq!(name(member("status")), "InvalidSort");
        assert_eq!(member("-balance").unwrap().descending, true);
    }

    #[test]
    fn search_patterns_fold_case_and_keep_glob_characters_literal() {
        assert_eq!(caseless_glob("Åk"), "*[Åå][kK]*");
        assert_eq!(caseless_glob("a*b?[c]"), "*[aA][*][bB][?][[][cC]]*");
        assert_eq!(caseless_glob("556-1"), "*556-1*");
        assert_eq!(caseless_glob("A\u{030A}"), "*[Åå]*", "composed first");
    }
}
