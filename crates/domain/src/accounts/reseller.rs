//! The operator's own configuration as a reseller (seed 003 "My Account", issue 18): the
//! company that runs the platform (its name and details, shown as the seller on invoices),
//! the defaults it gives new clients (currency, date format, time zone), and its Stripe
//! payment gateway (mode and keys; the secrets are sealed at rest by the platform).
//!
//! Both sections are set whole (PUT): every field is checked before anything is written
//! and all the bad ones are reported at once, one `details` entry per field whose message
//! starts with the field's name (`vat_number: …`), as an account's settings are.

use crate::accounts::account::{
    AddressLine, City, CompanyName, ContactEmail, ContactPhone, Country, DateFormat, OrganisationNumber, PostalCode, VatNumber,
};
use crate::api::error::{ApiError, ErrorName, FieldError};
use crate::billing::money::Currency;
use crate::billing::stripe::{StripeKey, StripeMode};
use crate::messaging::schedule::TimeZone;
use serde::Deserialize;

/// The longest website address kept.
pub const MAX_WEBSITE_CHARS: usize = 200;

/// The company section as sent. Absent, `null` and `""` are all "not set" (PUT: the
/// section is replaced whole), except the three defaults, which keep theirs when absent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub organisation_number: Option<String>,
    pub vat_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub default_currency: Option<String>,
    pub date_format: Option<String>,
    pub time_zone: Option<String>,
}

/// A website: `http://` or `https://` and a host, no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(String);

impl Website {
    pub fn parse(input: &str) -> Result<Website, String> {
        let text = input.trim();
        let len = text.chars().count();
        if len > MAX_WEBSITE_CHARS {
            return Err(format!("may be at most {MAX_WEBSITE_CHARS} characters; it has {len}"));
        }
        let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")).ok_or("must start with https:// or http://")?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must be a web address with a host and no spaces, e.g. https://example.com".into());
        }
        Ok(Website(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The company section, every field checked. A field not set is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanySettings {
    pub name: CompanyName,
    pub organisation_number: Option<OrganisationNumber>,
    pub vat_number: Option<VatNumber>,
    pub address_line1: Option<AddressLine>,
    pub address_line2: Option<AddressLine>,
    pub postal_code: Option<PostalCode>,
    pub city: Option<City>,
    pub country: Option<Country>,
    pub email: Option<ContactEmail>,
    pub phone: Option<ContactPhone>,
    pub website: Option<Website>,
    /// What the console offers a new client.
    pub default_currency: Currency,
    /// How the console writes dates.
    pub date_format: DateFormat,
    /// Where the console's "today" is.
    pub time_zone: TimeZone,
}

/// The defaults before the operator says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Stockholm";

/// Every bad field of a section: 400 with `name`, one detail per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSection {
    pub name: ErrorName,
    pub errors: Vec<FieldError>,
}

impl From<InvalidSection> for ApiError {
    fn from(invalid: InvalidSection) -> Self {
        ApiError::invalid_fields(invalid.name, invalid.errors)
    }
}

/// A field that may be left empty: `None` when absent or blank.
fn optional<T>(errors: &mut Vec<FieldError>, field: &'static str, input: &Option<String>, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
    let text = input.as_deref().filter(|t| !t.trim().is_empty())?;
    parse(text).map_err(|message| errors.push(FieldError { field, value: text.to_owned(), message })).ok()
}

impl CompanySettings {
    /// Checks the whole section; `current` gives the defaults a field left out keeps.
    pub fn parse(input: &CompanyInput, current: Option<&CompanySettings>) -> Result<CompanySettings, InvalidSection> {
        let mut e = Vec::new();
        let name = match input.name.as_deref().filter(|n| !n.trim().is_empty()) {
            None => {
                e.push(FieldError { field: "name", value: String::new(), message: "is needed: invoices name the seller".into() });
                None
            }
            Some(n) => CompanyName::parse(n).map_err(|message| e.push(FieldError { field: "name", value: n.into(), message })).ok(),
        };
        let organisation_number = optional(&mut e, "organisation_number", &input.organisation_number, OrganisationNumber::parse);
        let vat_number = optional(&mut e, "vat_number", &input.vat_number, VatNumber::parse);
        let address_line1 = optional(&mut e, "address_line1", &input.address_line1, AddressLine::parse);
        let address_line2 = optional(&mut e, "address_line2", &input.address_line2, AddressLine::parse);
        let postal_code = optional(&mut e, "postal_code", &input.postal_code, PostalCode::parse);
        let city = optional(&mut e, "city", &input.city, City::parse);
        let country = optional(&mut e, "country", &input.country, Country::parse);
        let email = optional(&mut e, "email", &input.email, ContactEmail::parse);
        let phone = optional(&mut e, "phone", &input.phone, ContactPhone::parse);
        let website = optional(&mut e, "website", &input.website, Website::parse);
        let default_currency = optional(&mut e, "default_currency", &input.default_currency, |c| Currency::parse(c).map_err(|err| err.to_string()))
            .or(current.map(|c| c.default_currency));
        let date_format = optional(&mut e, "date_format", &input.date_format, DateFormat::parse).or(current.map(|c| c.date_format));
        let time_zone = optional(&mut e, "time_zone", &input.time_zone, |z| TimeZone::parse(z).map_err(|err| err.to_string()))
            .or(current.map(|c| c.time_zone));
        match name {
            Some(name) if e.is_empty() => Ok(CompanySettings {
                name,
                organisation_number,
                vat_number,
                address_line1,
                address_line2,
                postal_code,
                city,
                country,
                email,
                phone,
                website,
                default_currency: default_currency.unwrap_or_else(|| Currency::parse("SEK").expect("a known currency")),
                date_format: date_format.unwrap_or_default(),
                time_zone: time_zone.unwrap_or_else(|| TimeZone::parse(DEFAULT_TIME_ZONE).expect("a known zone")),
            }),
            _ => Err(InvalidSection { name: ErrorName::InvalidCompanySettings, errors: e }),
        }
    }

    /// The postal address as invoices carry it: its lines separated by `;`.
    pub fn postal_address(&self) -> String {
        let town = [self.postal_code.as_ref().map(AsRef::as_ref), self.city.as_ref().map(AsRef::as_ref)]
            .into_iter()
            .flatten()
            .collect::<Vec<&str>>()
            .join(" ");
        [
            self.address_line1.as_ref().map(|l| l.as_ref().to_owned()),
            self.address_line2.as_ref().map(|l| l.as_ref().to_owned()),
            Some(town).filter(|t| !t.is_empty()),
            self.country.as_ref().map(|c| c.as_ref().to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<String>>()
        .join(";")
    }
}

// ---------------------------------------------------------------- the payment gateway

/// What a PUT does to one secret: keep it (absent), clear it (`null` or `""`), or set it.
/// (Its `Debug` never shows the secret.)
#[derive(Clone, PartialEq, Eq)]
pub enum SecretChange {
    Keep,
    Clear,
    Set(String),
}

impl std::fmt::Debug for SecretChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretChange::Keep => "Keep",
            SecretChange::Clear => "Clear",
            SecretChange::Set(_) => "Set(…)",
        })
    }
}

impl SecretChange {
    fn of(input: &Option<Option<String>>) -> SecretChange {
        match input {
            None => SecretChange::Keep,
            Some(None) => SecretChange::Clear,
            Some(Some(s)) if s.trim().is_empty() => SecretChange::Clear,
            Some(Some(s)) => SecretChange::Set(s.trim().to_owned()),
        }
    }
}

/// The Stripe section as sent. The secrets are write-only: absent keeps the stored one.
/// (Its `Debug` leaves the secrets out: never logged.)
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayInput {
    pub mode: Option<String>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub secret_key: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::patch::explicit_null")]
    pub webhook_secret: Option<Option<String>>,
    pub publishable_key: Option<String>,
}

impl std::fmt::Debug for GatewayInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |s: &Option<Option<String>>| match s {
            None => "absent",
            Some(None) => "null",
            Some(Some(_)) => "…",
        };
        f.debug_struct("GatewayInput")
            .field("mode", &self.mode)
            .field("secret_key", &given(&self.secret_key))
            .field("webhook_secret", &given(&self.webhook_secret))
            .field("publishable_key", &self.publishable_key)
            .finish()
    }
}

/// The Stripe section checked against what is stored: the mode, and each secret's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayChange {
    pub mode: StripeMode,
    pub secret_key: SecretChange,
    pub webhook_secret: SecretChange,
    pub publishable_key: Option<String>,
}

/// The longest key kept (Stripe's are about 110 characters).
const MAX_KEY_CHARS: usize = 255;

fn key_shape(text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_KEY_CHARS || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("must be at most {MAX_KEY_CHARS} letters, digits and underscores"));
    }
    Ok(())
}

impl GatewayChange {
    /// Checks the section. `stored_secret_key` is the key in the clear as stored (if any):
    /// a kept key must also agree with a new mode, so a mode change never leaves a key of
    /// the other mode in use. Secrets' values never appear in the errors.
    pub fn parse(input: &GatewayInput, stored_secret_key: Option<&str>) -> Result<GatewayChange, InvalidSection> {
        let mut e = Vec::new();
        let mode_text = input.mode.as_deref().unwrap_or("test");
        let mode = StripeMode::parse(mode_text)
            .map_err(|err| e.push(FieldError { field: "mode", value: mode_text.into(), message: err.to_string() }))
            .ok();
        let secret_key = SecretChange::of(&input.secret_key);
        let webhook_secret = SecretChange::of(&input.webhook_secret);
        if let Some(mode) = mode {
            let effective = match &secret_key {
                SecretChange::Set(key) => Some(key.as_str()),
                SecretChange::Keep => stored_secret_key,
                SecretChange::Clear => None,
            };
            if let Some(key) = effective {
                if let Err(err) = StripeKey::parse(key, mode).map_err(|e| e.to_string()).and_then(|_| key_shape(key)) {
                    let which = if matches!(secret_key, SecretChange::Set(_)) { "" } else { " (the stored key)" };
                    e.push(FieldError { field: "secret_key", value: String::new(), message: format!("{err}{which}") });
                }
            }
            if let Some(pk) = input.publishable_key.as_deref().filter(|k| !k.trim().is_empty()) {
                let pk = pk.trim();
                if !pk.starts_with(&format!("pk_{}_", mode.as_str())) || key_shape(pk).is_err() {
                    e.push(FieldError {
                        field: "publishable_key",
                        value: pk.into(),
                        message: format!("must be a publishable key of {0} mode, starting pk_{0}_", mode.as_str()),
                    });
                }
            }
        }
        if let SecretChange::Set(secret) = &webhook_secret {
            if !secret.starts_with("whsec_") || key_shape(secret).is_err() {
                e.push(FieldError { field: "webhook_secret", value: String::new(), message: "must be Stripe's signing secret, starting whsec_".into() });
            }
        }
        match mode {
            Some(mode) if e.is_empty() => Ok(GatewayChange {
                mode,
                secret_key,
                webhook_secret,
                publishable_key: input.publishable_key.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned),
            }),
            _ => Err(InvalidSection { name: ErrorName::InvalidPaymentGateway, errors: e }),
        }
    }
}

/// A line of the settings' history as an English sentence (the console has its own words
/// in both languages). `after` is what was recorded; it never holds a secret.
pub fn describe_event(action: &str, after: Option<&serde_json::Value>) -> String {
    let to = after.and_then(|a| a["to"].as_str()).unwrap_or("?");
    match action {
        "settings.company_updated" => "Company information and defaults changed".to_owned(),
        "settings.payment_gateway_updated" => {
            let mode = after.and_then(|a| a["mode"].as_str()).unwrap_or("?");
            let changed = after.and_then(|a| a["secrets_changed"].as_bool()).unwrap_or(false);
            format!("Payment gateway (Stripe) changed: {mode} mode{}", if changed { ", secrets changed" } else { "" })
        }
        "settings.test_email_sent" => format!("Test e-mail sent to {to}"),
        "settings.test_sms_sent" => format!("Test SMS sent to {to}"),
        other => format!("Settings changed ({other})"),
    }
}

/// How a stored secret is shown: its last four characters, never more.
pub fn secret_hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(json: serde_json::Value) -> CompanyInput {
        serde_json::from_value(json).unwrap()
    }

    fn fields(e: &InvalidSection) -> Vec<&'static str> {
        e.errors.iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_company_section_is_checked_whole_and_every_bad_field_named() {
        let ok = CompanySettings::parse(
            &company(serde_json::json!({
                "name": " Reseller AB ", "organisation_number": "556677-8899", "vat_number": "SE556677889901",
                "address_line1": "Storgatan 1", "postal_code": "111 22", "city": "Stockholm", "country": "SE",
                "email": "billing@reseller.se", "phone": "+46701234567", "website": "https://reseller.se",
                "default_currency": "EUR", "date_format": "DD.MM.YYYY", "time_zone": "Europe/Helsinki"
            })),
            None,
        )
        .unwrap();
        assert_eq!(ok.name.as_ref(), "Reseller AB");
        assert_eq!(ok.default_currency.code(), "EUR");
        assert_eq!(ok.date_format, DateFormat::DayMonthYearDot);
        assert_eq!(ok.time_zone.name(), "Europe/Helsinki");
        assert_eq!(ok.postal_address(), "Storgatan 1;111 22 Stockholm;SE");

        let bad = CompanySettings::parse(
            &company(serde_json::json!({"name": "", "vat_number": "nope", "email": "x", "website": "ftp://a",
                "default_currency": "XYZ", "date_format": "someday", "time_zone": "Mars/Base"})),
            None,
        )
        .unwrap_err();
        assert_eq!(bad.name, ErrorName::InvalidCompanySettings);
        assert_eq!(fields(&bad), ["name", "vat_number", "email", "website", "default_currency", "date_format", "time_zone"]);
    }

    #[test]
    fn defaults_left_out_keep_the_current_ones_or_the_platforms() {
        let first = CompanySettings::parse(&company(serde_json::json!({"name": "A"})), None).unwrap();
        assert_eq!((first.default_currency.code(), first.date_format, first.time_zone.name()), ("SEK", DateFormat::Iso, DEFAULT_TIME_ZONE));
        let set = CompanySettings::parse(&company(serde_json::json!({"name": "A", "default_currency": "EUR"})), None).unwrap();
        let kept = CompanySettings::parse(&company(serde_json::json!({"name": "B", "city": ""})), Some(&set)).unwrap();
        assert_eq!(kept.default_currency.code(), "EUR");
        assert_eq!(kept.city, None);
    }

    #[test]
    fn websites_need_a_scheme_and_a_host() {
        assert!(Website::parse("https://example.com/about").is_ok());
        assert!(Website::parse("example.com").is_err());
        assert!(Website::parse("https://").is_err());
        assert!(Website::parse("https://exa mple.com").is_err());
    }

    fn gateway(json: serde_json::Value) -> GatewayInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_key_must_belong_to_the_mode_and_secrets_never_appear_in_errors() {
        let ok = GatewayChange::parse(&gateway(serde_json::json!({"mode": "test", "secret_key": "sk_test_abc123",
            "webhook_secret": "whsec_xyz", "publishable_key": "pk_test_1"})), None).unwrap();
        assert_eq!(ok.mode, StripeMode::Test);
        assert_eq!(ok.secret_key, SecretChange::Set("sk_test_abc123".into()));

        let bad = GatewayChange::parse(&gateway(serde_json::json!({"mode": "live", "secret_key": "sk_test_secretvalue",
            "webhook_secret": "nothooksecretvalue", "publishable_key": "pk_test_1"})), None).unwrap_err();
        assert_eq!(bad.name, ErrorName::InvalidPaymentGateway);
        assert_eq!(fields(&bad), ["secret_key", "publishable_key", "webhook_secret"]);
        let said = format!("{:?}", bad.errors);
        assert!(!said.contains("secretvalue") && !said.contains("hooksecretvalue"), "{said}");

        assert_eq!(fields(&GatewayChange::parse(&gateway(serde_json::json!({"mode": "sometimes"})), None).unwrap_err()), ["mode"]);
    }

    #[test]
    fn a_kept_key_must_agree_with_a_new_mode_and_a_cleared_one_need_not() {
        let stored = Some("sk_test_abc");
        let switch = GatewayChange::parse(&gateway(serde_json::json!({"mode": "live"})), stored).unwrap_err();
        assert_eq!(fields(&switch), ["secret_key"]);
        let cleared = GatewayChange::parse(&gateway(serde_json::json!({"mode": "live", "secret_key": null})), stored).unwrap();
        assert_eq!(cleared.secret_key, SecretChange::Clear);
        let kept = GatewayChange::parse(&gateway(serde_json::json!({"mode": "test"})), stored).unwrap();
        assert_eq!(kept.secret_key, SecretChange::Keep);
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let input = gateway(serde_json::json!({"mode": "test", "secret_key": "sk_test_SECRETVALUE", "webhook_secret": "whsec_SECRETHOOK"}));
        let change = GatewayChange::parse(&input, None).unwrap();
        let said = format!("{input:?} {change:?}");
        assert!(!said.contains("SECRET"), "{said}");
    }

    #[test]
    fn history_lines_in_words() {
        let gateway = serde_json::json!({"mode": "live", "secret_key": "set", "secrets_changed": true});
        assert_eq!(describe_event("settings.payment_gateway_updated", Some(&gateway)), "Payment gateway (Stripe) changed: live mode, secrets changed");
        assert_eq!(describe_event("settings.test_sms_sent", Some(&serde_json::json!({"to": "+46701234567"}))), "Test SMS sent to +46701234567");
        assert_eq!(describe_event("settings.company_updated", None), "Company information and defaults changed");
    }

    #[test]
    fn a_hint_shows_the_last_four_characters_only() {
        assert_eq!(secret_hint("sk_test_abcdWXYZ"), "…WXYZ");
        assert_eq!(secret_hint("ab"), "…ab");
    }
}
