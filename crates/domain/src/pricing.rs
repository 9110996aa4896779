//! Per-destination prices: a number prefix beats its country, a country beats the
//! catch-all, and the longest matching prefix wins.

use crate::money::{Money, MoneyError};
use crate::recipient::{CountryCode, Recipient};

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
    fn specificity(&self, recipient: &Recipient) -> Option<usize> {
        match self {
            Self::Prefix(p) => recipient.digits().starts_with(p.as_str()).then(|| 100 + p.len()),
            Self::Country(c) => (*c == recipient.country()).then_some(1),
            Self::Default => Some(0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRule {
    pub scope: PriceScope,
    pub per_segment: Money,
}

/// The rule that prices `recipient`, or `None` when no rule covers it.
pub fn select_price<'a>(rules: &'a [PriceRule], recipient: &Recipient) -> Option<&'a PriceRule> {
    rules
        .iter()
        .filter_map(|rule| rule.scope.specificity(recipient).map(|s| (s, rule)))
        .max_by_key(|(specificity, _)| *specificity)
        .map(|(_, rule)| rule)
}

/// What a message costs: the per-segment price times its segments.
pub fn message_price(rule: &PriceRule, segments: u32) -> Result<Money, MoneyError> {
    rule.per_segment.checked_mul(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn rule(scope: &str, minor: i64) -> PriceRule {
        PriceRule {
            scope: PriceScope::parse(scope).unwrap(),
            per_segment: Money::new(minor, Currency::parse("SEK").unwrap()),
        }
    }

    #[test]
    fn longest_prefix_beats_country_beats_default() {
        let rules = vec![rule("*", 90), rule("SE", 35), rule("467", 30), rule("4670", 25)];
        let se_mobile = Recipient::parse("+46701234567").unwrap();
        let se_other = Recipient::parse("+46731234567").unwrap();
        let se_fixed = Recipient::parse("+4681234567").unwrap();
        let de = Recipient::parse("+4915112345678").unwrap();
        assert_eq!(select_price(&rules, &se_mobile).unwrap().per_segment.minor(), 25);
        assert_eq!(select_price(&rules, &se_other).unwrap().per_segment.minor(), 30);
        assert_eq!(select_price(&rules, &se_fixed).unwrap().per_segment.minor(), 35);
        assert_eq!(select_price(&rules, &de).unwrap().per_segment.minor(), 90);
    }

    #[test]
    fn no_rule_means_no_price() {
        let rules = vec![rule("SE", 35)];
        assert!(select_price(&rules, &Recipient::parse("+4915112345678").unwrap()).is_none());
    }

    #[test]
    fn price_is_per_segment() {
        assert_eq!(message_price(&rule("SE", 35), 3).unwrap().minor(), 105);
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
