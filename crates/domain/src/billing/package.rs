//! Packages and credits (seed 002, 003): what an operator sells — SMS and voice credits,
//! the right to secondary reception numbers — for a cost, once or every day, week or month;
//! and the periods of a subscription to a recurring one.
//!
//! Credits are whole units (one SMS credit pays one segment), never money: they have no
//! currency and are kept in a ledger of their own beside the money ledger.

use crate::api::error::ErrorName;
use crate::api::error::{ApiError, FieldError};
use crate::billing::money::{Currency, Money, MAX_AMOUNT_MINOR};
use crate::messaging::status::Status;
use chrono::{DateTime, Days, Months, Utc};
use serde::Deserialize;

/// The most credits of one unit a package may grant (and so one purchase or renewal adds).
pub const MAX_PACKAGE_CREDITS: i64 = 1_000_000_000;
/// The most secondary numbers one number subscription grants.
pub const MAX_PACKAGE_NUMBERS: i64 = 1_000;
pub const MAX_PACKAGE_NAME_CHARS: usize = 100;

/// How often a package is paid for and its credits granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Once,
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub fn parse(input: &str) -> Result<Frequency, String> {
        match input {
            "once" => Ok(Frequency::Once),
            "daily" => Ok(Frequency::Daily),
            "weekly" => Ok(Frequency::Weekly),
            "monthly" => Ok(Frequency::Monthly),
            other => Err(format!("'{other}' is not one of once, daily, weekly, monthly")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Once => "once",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    /// A purchase of a recurring package starts a subscription.
    pub fn is_recurring(self) -> bool {
        self != Frequency::Once
    }

    /// When period `index` (0 for the one bought) of a subscription that began at `anchor`
    /// ends, which is when the next one starts and is paid for. Counted from the anchor, not
    /// from the previous end, so months do not drift: bought on 31 January, the periods end
    /// on 28 (or 29) February, 31 March, 30 April — the last day of a shorter month, then
    /// the anchor's day again. `None` for `Once` and past chrono's range.
    pub fn period_end(self, anchor: DateTime<Utc>, index: u32) -> Option<DateTime<Utc>> {
        let periods = index.checked_add(1)?;
        match self {
            Frequency::Once => None,
            Frequency::Daily => anchor.checked_add_days(Days::new(periods.into())),
            Frequency::Weekly => anchor.checked_add_days(Days::new(u64::from(periods) * 7)),
            Frequency::Monthly => anchor.checked_add_months(Months::new(periods)),
        }
    }
}

/// A package as the operator writes it: every field for a new one, only the changed ones
/// for a PATCH (see [`PackageInput::over`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageInput {
    pub name: Option<String>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub sms_credits: Option<i64>,
    pub voice_credits: Option<i64>,
    /// Secondary reception numbers the subscription allows (a number subscription).
    pub numbers: Option<i64>,
    pub frequency: Option<String>,
    pub active: Option<bool>,
}

impl PackageInput {
    /// This change applied over `current` (the stored package as input). The currency
    /// stays: a package in another currency is another package.
    pub fn over(self, current: PackageInput) -> Result<PackageInput, InvalidPackage> {
        if let Some(currency) = &self.currency {
            if Some(currency) != current.currency.as_ref() {
                return Err(InvalidPackage(vec![FieldError {
                    field: "currency",
                    value: currency.clone(),
                    message: "cannot change; make a package in the other currency instead".into(),
                }]));
            }
        }
        Ok(PackageInput {
            name: self.name.or(current.name),
            cost_minor: self.cost_minor.or(current.cost_minor),
            currency: current.currency,
            sms_credits: self.sms_credits.or(current.sms_credits),
            voice_credits: self.voice_credits.or(current.voice_credits),
            numbers: self.numbers.or(current.numbers),
            frequency: self.frequency.or(current.frequency),
            active: self.active.or(current.active),
        })
    }
}

/// A package that keeps every rule; what the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub cost: Money,
    pub sms_credits: i64,
    pub voice_credits: i64,
    pub numbers: i64,
    pub frequency: Frequency,
    pub active: bool,
}

/// Every bad field of a package: 400 `InvalidPackage`, one detail per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPackage(pub Vec<FieldError>);

impl From<InvalidPackage> for ApiError {
    fn from(errors: InvalidPackage) -> Self {
        ApiError::invalid_fields(ErrorName::InvalidPackage, errors.0)
    }
}

impl Package {
    /// Checks a whole package; every bad field is reported at once.
    pub fn parse(input: &PackageInput) -> Result<Package, InvalidPackage> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, value: String, message: String| errors.push(FieldError { field, value, message });

        let name = match input.name.as_deref().map(str::trim) {
            None => {
                fail("name", String::new(), "is required".into());
                None
            }
            Some(name) if name.is_empty() => {
                fail("name", String::new(), "must not be empty".into());
                None
            }
            Some(name) if name.chars().count() > MAX_PACKAGE_NAME_CHARS => {
                fail("name", name.into(), format!("may be at most {MAX_PACKAGE_NAME_CHARS} characters"));
                None
            }
            Some(name) if name.chars().any(char::is_control) => {
                fail("name", name.into(), "must not contain control characters".into());
                None
            }
            Some(name) => Some(name.to_owned()),
        };
        let currency = match input.currency.as_deref() {
            None => {
                fail("currency", String::new(), "is required".into());
                None
            }
            Some(code) => Currency::parse(code).map_err(|e| fail("currency", code.into(), e.to_string())).ok(),
        };
        let cost_minor = match input.cost_minor {
            None => {
                fail("cost_minor", String::new(), "is required".into());
                None
            }
            Some(cost) if !(0..=MAX_AMOUNT_MINOR).contains(&cost) => {
                fail("cost_minor", cost.to_string(), format!("is 0 to {MAX_AMOUNT_MINOR}"));
                None
            }
            Some(cost) => Some(cost),
        };
        let mut quantity = |field: &'static str, value: Option<i64>, max: i64| match value.unwrap_or(0) {
            n if (0..=max).contains(&n) => n,
            n => {
                fail(field, n.to_string(), format!("is 0 to {max}"));
                0
            }
        };
        let sms_credits = quantity("sms_credits", input.sms_credits, MAX_PACKAGE_CREDITS);
        let voice_credits = quantity("voice_credits", input.voice_credits, MAX_PACKAGE_CREDITS);
        let numbers = quantity("numbers", input.numbers, MAX_PACKAGE_NUMBERS);
        let frequency = match input.frequency.as_deref() {
            None => {
                fail("frequency", String::new(), "is required".into());
                None
            }
            Some(f) => Frequency::parse(f).map_err(|e| fail("frequency", f.into(), e)).ok(),
        };
        if [input.sms_credits, input.voice_credits, input.numbers].iter().all(|q| q.unwrap_or(0) == 0) {
            fail("sms_credits", "0".into(), "a package grants SMS credits, voice credits or numbers".into());
        }
        // A number is rented for as long as it is paid for: a number subscription recurs.
        if numbers > 0 && frequency == Some(Frequency::Once) {
            fail("frequency", "once".into(), "a package with numbers recurs (daily, weekly or monthly)".into());
        }
        match (name, currency, cost_minor, frequency) {
            (Some(name), Some(currency), Some(cost), Some(frequency)) if errors.is_empty() => Ok(Package {
                name,
                cost: Money::new(cost, currency),
                sms_credits,
                voice_credits,
                numbers,
                frequency,
                active: input.active.unwrap_or(true),
            }),
            _ => Err(InvalidPackage(errors)),
        }
    }
}

/// A purchase or renewal the balance and credit limit cannot pay: 402, as a send would be.
pub fn insufficient_funds(cost: Money, balance: Money, credit_limit: Money) -> ApiError {
    ApiError::from_status(
        402,
        Status::InsufficientFunds,
        format!("the package costs {cost}; the balance is {balance} and the credit limit {credit_limit}"),
    )
}

/// An operator assigns a secondary number to an account without room for it.
pub fn number_subscription_required(allowed: i64, used: i64) -> ApiError {
    ApiError::named(
        409,
        ErrorName::NumberSubscriptionRequired,
        format!(
            "a secondary number needs an active number subscription with room for it: the account's subscriptions allow \
             {allowed} and it has {used}"
        ),
    )
}

/// A subscription that has ended (cancelled, or lapsed unpaid) cannot be cancelled again.
pub fn subscription_ended(status: &str) -> ApiError {
    ApiError::named(409, ErrorName::SubscriptionEnded, format!("the subscription has ended ({status})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 10, 30, 0).unwrap()
    }

    #[test]
    fn monthly_periods_follow_calendar_months_from_the_anchor() {
        let anchor = at(2026, 1, 31);
        let ends: Vec<_> = (0..4).map(|i| Frequency::Monthly.period_end(anchor, i).unwrap()).collect();
        assert_eq!(ends, vec![at(2026, 2, 28), at(2026, 3, 31), at(2026, 4, 30), at(2026, 5, 31)]);
        // A leap year's February, and the 29th/30th in February.
        assert_eq!(Frequency::Monthly.period_end(at(2028, 1, 31), 0), Some(at(2028, 2, 29)));
        assert_eq!(Frequency::Monthly.period_end(at(2026, 1, 30), 0), Some(at(2026, 2, 28)));
        assert_eq!(Frequency::Monthly.period_end(at(2026, 1, 30), 1), Some(at(2026, 3, 30)));
        // Across a year, and an ordinary day.
        assert_eq!(Frequency::Monthly.period_end(at(2026, 12, 15), 0), Some(at(2027, 1, 15)));
        assert_eq!(Frequency::Monthly.period_end(at(2026, 3, 15), 11), Some(at(2027, 3, 15)));
    }

    #[test]
    fn daily_and_weekly_periods_and_once() {
        let anchor = at(2026, 2, 27);
        assert_eq!(Frequency::Daily.period_end(anchor, 0), Some(at(2026, 2, 28)));
        assert_eq!(Frequency::Daily.period_end(anchor, 1), Some(at(2026, 3, 1)));
        assert_eq!(Frequency::Weekly.period_end(anchor, 0), Some(at(2026, 3, 6)));
        assert_eq!(Frequency::Weekly.period_end(anchor, 52), Some(at(2027, 3, 5)));
        assert_eq!(Frequency::Once.period_end(anchor, 0), None);
        assert_eq!(Frequency::Monthly.period_end(anchor, u32::MAX), None);
    }

    #[test]
    fn frequencies_parse_by_name_only() {
        for f in [Frequency::Once, Frequency::Daily, Frequency::Weekly, Frequency::Monthly] {
            assert_eq!(Frequency::parse(f.as_str()), Ok(f));
        }
        assert!(Frequency::parse("Monthly").is_err());
        assert!(Frequency::parse("yearly").is_err());
        assert!(!Frequency::Once.is_recurring() && Frequency::Monthly.is_recurring());
    }

    fn input(json: serde_json::Value) -> PackageInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_package_is_checked_whole() {
        let ok = Package::parse(&input(serde_json::json!({
            "name": " 1000 SMS ", "cost_minor": 30000, "currency": "SEK", "sms_credits": 1000, "frequency": "monthly"
        })))
        .unwrap();
        assert_eq!(ok.name, "1000 SMS");
        assert_eq!((ok.cost.minor(), ok.cost.currency().code(), ok.sms_credits, ok.numbers), (30000, "SEK", 1000, 0));
        assert!(ok.active);

        let bad = Package::parse(&input(serde_json::json!({
            "name": "", "cost_minor": -1, "currency": "XXX", "sms_credits": -5, "frequency": "yearly"
        })))
        .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "currency", "cost_minor", "sms_credits", "frequency"]);
        let api: ApiError = bad.into();
        assert_eq!((api.http_status, api.name), (400, "InvalidPackage"));

        let nothing = Package::parse(&input(serde_json::json!({"name": "x", "cost_minor": 1, "currency": "SEK", "frequency": "once"})));
        assert!(nothing.is_err(), "a package grants something");
        let once_numbers =
            Package::parse(&input(serde_json::json!({"name": "x", "cost_minor": 1, "currency": "SEK", "numbers": 2, "frequency": "once"})));
        assert_eq!(once_numbers.unwrap_err().0[0].field, "frequency");
        assert!(serde_json::from_value::<PackageInput>(serde_json::json!({"nmae": "x"})).is_err());
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_name_and_never_the_currency() {
        let current = input(serde_json::json!({
            "name": "Numbers", "cost_minor": 5000, "currency": "EUR", "numbers": 3, "frequency": "monthly", "active": true
        }));
        let patched = input(serde_json::json!({"active": false, "cost_minor": 6000})).over(current.clone()).unwrap();
        let package = Package::parse(&patched).unwrap();
        assert_eq!((package.active, package.cost.minor(), package.numbers, package.name.as_str()), (false, 6000, 3, "Numbers"));
        assert!(input(serde_json::json!({"currency": "SEK"})).over(current.clone()).is_err());
        assert!(input(serde_json::json!({"currency": "EUR"})).over(current).is_ok());
    }

    #[test]
    fn errors_have_stable_names() {
        let sek = Currency::parse("SEK").unwrap();
        let e = insufficient_funds(Money::new(100, sek), Money::new(5, sek), Money::new(0, sek));
        assert_eq!((e.http_status, e.name, e.code), (402, "InsufficientFunds", Some(402)));
        assert_eq!(number_subscription_required(1, 1).name, "NumberSubscriptionRequired");
        assert_eq!(subscription_ended("past_due").http_status, 409);
    }
}
