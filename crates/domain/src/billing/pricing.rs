//! Per-destination prices (seed 004 "Destinations"): a default price list and a list per
//! account, each rule for a scope — a number prefix, a country or the catch-all — and a
//! period it is in effect.
//!
//! Which rule prices a recipient at an instant: among the rules of both lists in effect
//! then, the most specific scope wins (the longest prefix, then a country, then `*`); on
//! equal specificity the account's own rule beats the default list; within one list and
//! scope, the rule that took effect last wins (a scheduled change supersedes the rule
//! before it, and when a rule with an end runs out, the one before applies again).
//!
//! Units: a price per segment is kept in thousandths of a minor unit (1 öre = 1,000), so
//! sub-cent prices such as 0.0035 EUR (0.35 cents, 350) are exact. A message is charged
//! whole minor units: its segments times the price, rounded up once per message (never
//! below the list price; a message with a price is never free).

use crate::billing::money::{Currency, Money, MoneyError, MAX_PRICE_PER_SEGMENT_MINOR};
use crate::messaging::recipient::{CountryCode, Recipient};
use chrono::{DateTime, Utc};

/// Thousandths of a minor unit per minor unit: the precision of a price.
pub const MILLI_PER_MINOR: i64 = 1_000;
const DECIMALS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("per_segment_minor must be a number of minor units with at most three decimals, 0 to {MAX_PRICE_PER_SEGMENT_MINOR}; '{0}' is not")]
    InvalidAmount(String),
    #[error("scope must be '*', a two-letter country, or up to 15 digits; '{0}' is not")]
    InvalidScope(String),
    #[error("'{0}' is not an RFC 3339 date-time (e.g. 2030-01-01T00:00:00Z)")]
    InvalidDate(String),
    #[error("effective_from may not be in the past: a price cannot change what was already charged (omit it for now)")]
    InThePast,
    #[error("effective_to must be after effective_from")]
    EmptyPeriod,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceScope {
    /// Digits of the E.164 number without `+`, e.g. `4670` for Swedish Tele2 mobiles.
    Prefix(String),
    Country(CountryCode),
    /// Any destination with no more specific rule.
    Default,
}

impl PriceScope {
    /// `"*"`, a two-letter country, or digits (a prefix).
    pub fn parse(text: &str) -> Option<Self> {
        if text == "*" {
            Some(Self::Default)
        } else if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
            Some(Self::Prefix(text.to_owned()))
        } else {
            CountryCode::parse(text).map(Self::Country)
        }
    }

    pub fn as_text(&self) -> String {
        match self {
            Self::Prefix(p) => p.clone(),
            Self::Country(c) => c.as_str().to_owned(),
            Self::Default => "*".to_owned(),
        }
    }

    /// Higher is more specific; `None` when the scope does not cover the recipient.
    /// (Carrier routes choose by the same rule: `domain::carriers::routing`.)
    pub fn specificity(&self, recipient: &Recipient) -> Option<usize> {
        match self {
            Self::Prefix(p) => recipient.digits().starts_with(p.as_str()).then(|| 100 + p.len()),
            Self::Country(c) => (Some(*c) == recipient.country()).then_some(1),
            Self::Default => Some(0),
        }
    }
}

/// A price per segment, in thousandths of a minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitPrice {
    milli: i64,
    currency: Currency,
}

impl UnitPrice {
    pub fn from_milli(milli: i64, currency: Currency) -> Result<Self, PriceError> {
        if !(0..=MAX_PRICE_PER_SEGMENT_MINOR * MILLI_PER_MINOR).contains(&milli) {
            return Err(PriceError::InvalidAmount(milli.to_string()));
        }
        Ok(Self { milli, currency })
    }

    /// Minor units as a decimal number's text — `35`, `0.35`, `35.5`, `3.5e-1` — exactly,
    /// with at most three decimals. (A JSON number's text; serde_json prints a fraction
    /// as its shortest round-trip form, which is exact for every price in range.)
    pub fn parse_minor(text: &str, currency: Currency) -> Result<Self, PriceError> {
        let bad = || PriceError::InvalidAmount(text.to_owned());
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().map_err(|_| bad())?),
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad()); // also a sign: prices are never negative
        }
        // digits × 10^(exponent − frac.len()) minor units = digits × 10^shift milli.
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        let shift = exponent as i64 - frac.len() as i64 + DECIMALS as i64;
        let (digits, shift) = if shift < 0 {
            let keep = digits.len().saturating_sub(shift.unsigned_abs() as usize);
            if digits[keep..].bytes().any(|b| b != b'0') {
                return Err(bad()); // finer than a thousandth of a minor unit
            }
            (&digits[..keep], 0)
        } else {
            (digits, shift)
        };
        if digits.is_empty() {
            return Self::from_milli(0, currency);
        }
        if digits.len() as i64 + shift > 19 {
            return Err(bad());
        }
        let milli = digits
            .parse::<i64>()
            .ok()
            .and_then(|d| d.checked_mul(10_i64.checked_pow(shift as u32)?))
            .ok_or_else(bad)?;
        Self::from_milli(milli, currency).map_err(|_| bad())
    }

    pub fn milli(&self) -> i64 {
        self.milli
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Minor units, exact and shortest: `35`, `0.35`, `35.5`.
    pub fn minor_text(&self) -> String {
        scaled(self.milli, DECIMALS as u32)
    }

    /// Major units, exact and shortest but with at least the currency's decimals:
    /// `0.35` SEK, `0.0035` EUR.
    pub fn decimal(&self) -> String {
        let exponent = self.currency.exponent();
        let text = scaled(self.milli, exponent + DECIMALS as u32);
        let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
        match (exponent as usize).saturating_sub(decimals) {
            0 => text,
            pad if decimals == 0 => format!("{text}.{}", "0".repeat(pad)),
            pad => format!("{text}{}", "0".repeat(pad)),
        }
    }

    /// What a message of `segments` costs: rounded up to a whole minor unit, once per
    /// message (0.35 öre × 3 segments = 1.05 öre → 2 öre).
    pub fn for_segments(&self, segments: u32) -> Result<Money, MoneyError> {
        let milli = self.milli.checked_mul(i64::from(segments)).ok_or(MoneyError::Overflow)?;
        Ok(Money::new((milli + MILLI_PER_MINOR - 1) / MILLI_PER_MINOR, self.currency))
    }
}

/// A price per segment in JSON, shaped like a [`crate::callbacks::event::MoneyJson`]: `amount`
/// in major units as exact text (`"0.0035"`), `minor` a JSON number of minor units with up
/// to three decimals (`0.35`), as an operator sets it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitPriceJson {
    pub amount: String,
    pub minor: serde_json::Number,
    pub currency: &'static str,
}

impl From<UnitPrice> for UnitPriceJson {
    fn from(price: UnitPrice) -> Self {
        UnitPriceJson { amount: price.decimal(), minor: price.minor_number(), currency: price.currency.code() }
    }
}

impl UnitPrice {
    /// Minor units as a JSON number, read from its exact decimal text.
    pub fn minor_number(&self) -> serde_json::Number {
        serde_json::from_str(&self.minor_text()).unwrap_or_else(|_| serde_json::Number::from(0))
    }
}

/// `value / 10^decimals` as the shortest exact decimal.
fn scaled(value: i64, decimals: u32) -> String {
    let scale = 10_u64.pow(decimals);
    let abs = value.unsigned_abs();
    let sign = if value < 0 { "-" } else { "" };
    let frac = format!("{:0width$}", abs % scale, width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    match frac {
        "" => format!("{sign}{}", abs / scale),
        frac => format!("{sign}{}.{frac}", abs / scale),
    }
}

/// Which list a rule belongs to. Ordered: an account's own rule beats the default list's
/// rule of the same specificity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriceList {
    Default,
    Account,
}

impl PriceList {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Account => "account",
        }
    }
}

/// When a rule is in effect: from `from` (inclusive) until `to` (exclusive), or for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectivePeriod {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

impl EffectivePeriod {
    /// A new rule's period: `from` defaults to `now` and may not be earlier (a price
    /// list never rewrites what was charged); `to`, if given, is after `from`.
    pub fn parse(from: Option<&str>, to: Option<&str>, now: DateTime<Utc>) -> Result<Self, PriceError> {
        let from = match from {
            None => now,
            Some(text) => {
                let at = parse_instant(text)?;
                if at < now {
                    return Err(PriceError::InThePast);
                }
                at
            }
        };
        let to = to.map(parse_instant).transpose()?;
        if to.is_some_and(|to| to <= from) {
            return Err(PriceError::EmptyPeriod);
        }
        Ok(Self { from, to })
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.to.map_or(true, |to| at < to)
    }
}

/// RFC 3339, to the millisecond (the precision instants are stored with).
fn parse_instant(text: &str) -> Result<DateTime<Utc>, PriceError> {
    let at = DateTime::parse_from_rfc3339(text).map_err(|_| PriceError::InvalidDate(text.to_owned()))?.with_timezone(&Utc);
    chrono::DurationRound::duration_trunc(at, chrono::TimeDelta::milliseconds(1)).map_err(|_| PriceError::InvalidDate(text.to_owned()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRule {
    pub scope: PriceScope,
    pub list: PriceList,
    pub per_segment: UnitPrice,
    pub period: EffectivePeriod,
}

/// The rule that prices `recipient` at `at` (see the module's rules), or `None` when
/// no rule in effect covers it. A non-geographic number (+800, +870, +881…: satellite,
/// freephone, international networks, priced nothing like a country) is priced only by
/// a prefix rule, never by the catch-all.
pub fn select_price<'a>(rules: &'a [PriceRule], recipient: &Recipient, at: DateTime<Utc>) -> Option<&'a PriceRule> {
    let geographic = recipient.country().is_some();
    rules
        .iter()
        .filter(|rule| rule.period.contains(at))
        .filter(|rule| geographic || matches!(rule.scope, PriceScope::Prefix(_)))
        .filter_map(|rule| rule.scope.specificity(recipient).map(|s| ((s, rule.list, rule.period.from), rule)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, rule)| rule)
}

/// The rules in effect at `at`, one per scope (the account's own, else the default
/// list's; the latest to take effect): the price list as it applies to an account.
pub fn effective_rules(rules: &[PriceRule], at: DateTime<Utc>) -> Vec<&PriceRule> {
    let mut winners: Vec<&PriceRule> = Vec::new();
    for rule in rules.iter().filter(|rule| rule.period.contains(at)) {
        match winners.iter_mut().find(|w| w.scope == rule.scope && w.per_segment.currency() == rule.per_segment.currency()) {
            Some(w) if (rule.list, rule.period.from) > (w.list, w.period.from) => *w = rule,
            Some(_) => {}
            None => winners.push(rule),
        }
    }
    winners
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::recipient::NumberContext;

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn rule_in(list: PriceList, scope: &str, minor: i64, from: &str, to: Option<&str>) -> PriceRule {
        PriceRule {
            scope: PriceScope::parse(scope).unwrap(),
            list,
            per_segment: UnitPrice::from_milli(minor * MILLI_PER_MINOR, sek()).unwrap(),
            period: EffectivePeriod { from: at(from), to: to.map(at) },
        }
    }

    fn rule(scope: &str, minor: i64) -> PriceRule {
        rule_in(PriceList::Default, scope, minor, "2000-01-01T00:00:00Z", None)
    }

    fn price_of(rules: &[PriceRule], number: &str, when: &str) -> Option<i64> {
        select_price(rules, &Recipient::parse(number, NumberContext::Msisdn).unwrap(), at(when)).map(|r| r.per_segment.milli() / MILLI_PER_MINOR)
    }

    const NOW: &str = "2030-06-01T12:00:00Z";

    #[test]
    fn longest_prefix_beats_country_beats_default() {
        let rules = vec![rule("*", 90), rule("SE", 35), rule("467", 30), rule("4670", 25)];
        assert_eq!(price_of(&rules, "+46701234567", NOW), Some(25));
        assert_eq!(price_of(&rules, "+46731234567", NOW), Some(30));
        assert_eq!(price_of(&rules, "+4681234567", NOW), Some(35));
        assert_eq!(price_of(&rules, "+4915112345678", NOW), Some(90));
    }

    #[test]
    fn a_non_geographic_number_is_priced_by_a_prefix_only() {
        let rules = vec![rule("*", 90), rule("SE", 35)];
        assert_eq!(price_of(&rules, "+80012345678", NOW), None);
        let rules = vec![rule("*", 90), rule("800", 150), rule("870", 900)];
        assert_eq!(price_of(&rules, "+80012345678", NOW), Some(150));
        assert_eq!(price_of(&rules, "+870772123456", NOW), Some(900));
        assert_eq!(price_of(&rules, "+4915112345678", NOW), Some(90));
    }

    #[test]
    fn no_rule_means_no_price() {
        assert_eq!(price_of(&[rule("SE", 35)], "+4915112345678", NOW), None);
    }

    #[test]
    fn the_most_specific_rule_of_either_list_wins_and_the_account_wins_a_tie() {
        let from = "2000-01-01T00:00:00Z";
        let rules = vec![
            rule("*", 90),
            rule("SE", 35),
            rule("4670", 25),
            rule_in(PriceList::Account, "SE", 30, from, None),
            rule_in(PriceList::Account, "467", 28, from, None),
            rule_in(PriceList::Account, "DE", 50, from, None),
        ];
        // The default list's longer prefix beats the account's shorter one and its country.
        assert_eq!(price_of(&rules, "+46701234567", NOW), Some(25));
        assert_eq!(price_of(&rules, "+46731234567", NOW), Some(28));
        // Same scope in both lists: the account's.
        assert_eq!(price_of(&rules, "+4681234567", NOW), Some(30));
        assert_eq!(price_of(&rules, "+4915112345678", NOW), Some(50));
        assert_eq!(price_of(&rules, "+4721234567", NOW), Some(90));
    }

    #[test]
    fn a_rule_applies_only_in_its_period_and_the_latest_change_wins() {
        let rules = vec![
            rule("SE", 35),
            rule_in(PriceList::Default, "SE", 40, "2030-07-01T00:00:00Z", None),
            // A promotion in July on top of the July price; after it, 40 again.
            rule_in(PriceList::Default, "SE", 20, "2030-07-10T00:00:00Z", Some("2030-07-20T00:00:00Z")),
        ];
        let se = "+46701234567";
        assert_eq!(price_of(&rules, se, NOW), Some(35));
        assert_eq!(price_of(&rules, se, "2030-06-30T23:59:59.999Z"), Some(35));
        assert_eq!(price_of(&rules, se, "2030-07-01T00:00:00Z"), Some(40));
        assert_eq!(price_of(&rules, se, "2030-07-15T00:00:00Z"), Some(20));
        assert_eq!(price_of(&rules, se, "2030-07-20T00:00:00Z"), Some(40));
        // A rule not yet in effect does not price anything, however specific.
        let future_only = vec![rule_in(PriceList::Account, "4670", 1, "2031-01-01T00:00:00Z", None), rule("SE", 35)];
        assert_eq!(price_of(&future_only, se, NOW), Some(35));
    }

    #[test]
    fn effective_rules_are_one_per_scope() {
        let from = "2000-01-01T00:00:00Z";
        let rules = vec![
            rule("SE", 35),
            rule("*", 90),
            rule_in(PriceList::Account, "SE", 30, from, None),
            rule_in(PriceList::Default, "*", 95, "2030-01-01T00:00:00Z", None),
            rule_in(PriceList::Default, "NO", 45, "2031-01-01T00:00:00Z", None),
        ];
        let effective: Vec<(String, i64)> = effective_rules(&rules, at(NOW))
            .into_iter()
            .map(|r| (r.scope.as_text(), r.per_segment.milli() / MILLI_PER_MINOR))
            .collect();
        assert_eq!(effective, vec![("SE".to_owned(), 30), ("*".to_owned(), 95)]);
    }

    #[test]
    fn prices_parse_exactly_in_thousandths_of_a_minor_unit() {
        let parse = |text: &str| UnitPrice::parse_minor(text, sek()).map(|p| p.milli());
        assert_eq!(parse("35"), Ok(35_000));
        assert_eq!(parse("0.35"), Ok(350));
        assert_eq!(parse("35.5"), Ok(35_500));
        assert_eq!(parse("0.001"), Ok(1));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("0.0"), Ok(0));
        assert_eq!(parse("100.0"), Ok(100_000));
        assert_eq!(parse("3.5e-1"), Ok(350));
        assert_eq!(parse("1e-3"), Ok(1));
        assert_eq!(parse("1E2"), Ok(100_000));
        assert_eq!(parse("1.0000e3"), Ok(1_000_000));
        assert_eq!(parse("1000000000000"), Ok(MAX_PRICE_PER_SEGMENT_MINOR * 1000));
        assert_eq!(parse("999999999999.999"), Ok(MAX_PRICE_PER_SEGMENT_MINOR * 1000 - 1));
        for bad in ["0.0001", "1e-4", "-1", "1000000000001", "1e13", "1e400", "", ".5", "abc", "1.2.3", "9223372036854775807"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prices_print_exactly() {
        let eur = Currency::parse("EUR").unwrap();
        let price = |milli| UnitPrice::from_milli(milli, eur).unwrap();
        assert_eq!((price(350).minor_text(), price(350).decimal()), ("0.35".into(), "0.0035".into()));
        assert_eq!((price(35_000).minor_text(), price(35_000).decimal()), ("35".into(), "0.35".into()));
        assert_eq!((price(35_500).minor_text(), price(35_500).decimal()), ("35.5".into(), "0.355".into()));
        assert_eq!((price(0).minor_text(), price(0).decimal()), ("0".into(), "0.00".into()));
        assert_eq!(price(1_000_000).decimal(), "10.00");
        let jpy = UnitPrice::from_milli(2_500, Currency::parse("JPY").unwrap()).unwrap();
        assert_eq!(jpy.decimal(), "2.5");
        assert_eq!(UnitPrice::from_milli(3_000, Currency::parse("JPY").unwrap()).unwrap().decimal(), "3");
    }

    #[test]
    fn a_message_costs_its_segments_rounded_up_once() {
        let price = UnitPrice::from_milli(350, sek()).unwrap();
        assert_eq!(price.for_segments(1).unwrap().minor(), 1); // 0.35 → 1
        assert_eq!(price.for_segments(2).unwrap().minor(), 1); // 0.70 → 1
        assert_eq!(price.for_segments(3).unwrap().minor(), 2); // 1.05 → 2
        assert_eq!(UnitPrice::from_milli(35_000, sek()).unwrap().for_segments(3).unwrap().minor(), 105);
        assert_eq!(UnitPrice::from_milli(0, sek()).unwrap().for_segments(3).unwrap().minor(), 0);
        assert_eq!(UnitPrice::from_milli(2_000, sek()).unwrap().for_segments(3).unwrap().minor(), 6);
    }

    #[test]
    fn periods() {
        let now = at(NOW);
        let p = EffectivePeriod::parse(None, None, now).unwrap();
        assert_eq!((p.from, p.to), (now, None));
        let p = EffectivePeriod::parse(Some("2030-07-01T02:00:00+02:00"), Some("2030-08-01T00:00:00Z"), now).unwrap();
        assert_eq!(p.from, at("2030-07-01T00:00:00Z"));
        assert!(p.contains(at("2030-07-01T00:00:00Z")) && !p.contains(at("2030-08-01T00:00:00Z")));
        assert_eq!(EffectivePeriod::parse(Some("2030-01-01T00:00:00Z"), None, now), Err(PriceError::InThePast));
        assert_eq!(EffectivePeriod::parse(None, Some(NOW), now), Err(PriceError::EmptyPeriod));
        assert!(matches!(EffectivePeriod::parse(Some("tomorrow"), None, now), Err(PriceError::InvalidDate(_))));
    }

    #[test]
    fn scope_parsing() {
        assert_eq!(PriceScope::parse("*"), Some(PriceScope::Default));
        assert_eq!(PriceScope::parse("se").unwrap().as_text(), "SE");
        assert_eq!(PriceScope::parse("4670").unwrap().as_text(), "4670");
        assert_eq!(PriceScope::parse("+4670"), None);
        assert_eq!(PriceScope::parse(""), None);
    }
}
