//! Validating and pricing a send request before anything is stored or charged.

use crate::billing::money::{Currency, Money, MoneyError};
use crate::billing::pricing::{select_price, PriceRule, UnitPrice};
use crate::messaging::recipient::{NumberContext, Recipient, RecipientError};
use crate::messaging::rules::RuleRejection;
use crate::messaging::sender::{Sender, SenderError};
use crate::messaging::text::{MessageText, SegmentLimits, TextError};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Recipients one request may carry.
pub const MAX_RECIPIENTS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRecipient {
    pub index: usize,
    pub input: String,
    pub error: RecipientError,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendRejection {
    #[error(transparent)]
    Sender(#[from] SenderError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("{} of the recipients are not valid phone numbers", .0.len())]
    Recipients(Vec<InvalidRecipient>),
    #[error("no recipients were given")]
    NoRecipients,
    #[error("a request may carry at most {MAX_RECIPIENTS} recipients; this one has {0}")]
    TooManyRecipients(usize),
    #[error("we have no price for {0}, so we cannot send there")]
    NoPrice(String),
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The operator's rules refuse the send (see `messaging::rules`).
    #[error(transparent)]
    Rules(#[from] RuleRejection),
    /// The text as the operator's content rules made it cannot go.
    #[error("with the replacements of the rule(s) {1}: {0}")]
    ReplacedText(TextError, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSend {
    pub sender: Sender,
    pub text: MessageText,
    /// In request order, each number once.
    pub recipients: Vec<Recipient>,
    /// Recipients dropped because they repeat an earlier one (after normalising).
    pub duplicates: usize,
}

/// The sender, the text and every recipient checked (numbers read as `numbers` says:
/// the account's country, see [`NumberContext`]); each number once.
pub fn validate_send(
    from: &str,
    to: &[String],
    text: &str,
    numbers: NumberContext,
    limits: SegmentLimits,
) -> Result<ValidSend, SendRejection> {
    let sender = Sender::parse(from)?;
    let text = MessageText::parse(text, limits)?;
    if to.is_empty() {
        return Err(SendRejection::NoRecipients);
    }
    if to.len() > MAX_RECIPIENTS {
        return Err(SendRejection::TooManyRecipients(to.len()));
    }
    let mut recipients = Vec::with_capacity(to.len());
    let mut invalid = Vec::new();
    let mut seen = HashSet::with_capacity(to.len());
    let mut duplicates = 0;
    for (index, input) in to.iter().enumerate() {
        match Recipient::parse(input, numbers) {
            Ok(r) if seen.insert(r.e164().to_owned()) => recipients.push(r),
            Ok(_) => duplicates += 1,
            Err(error) => invalid.push(InvalidRecipient { index, input: input.clone(), error }),
        }
    }
    if !invalid.is_empty() {
        return Err(SendRejection::Recipients(invalid));
    }
    Ok(ValidSend { sender, text, recipients, duplicates })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedMessage {
    pub recipient: Recipient,
    /// The parts of its text as sent (after the operator's rules).
    pub segments: u32,
    /// The price per segment of the rule that applied.
    pub unit_price: UnitPrice,
    /// What the message costs, in whole minor units.
    pub price: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub messages: Vec<PricedMessage>,
    pub total: Money,
}

/// Prices every message — `recipients`, the `i`th with `segments(i)` parts as it is sent —
/// with the rules in effect at `at` (the send's acceptance); one destination without a
/// price refuses the whole request, so a batch is never half charged.
pub fn quote(
    recipients: &[Recipient],
    segments: impl Fn(usize) -> u32,
    rules: &[PriceRule],
    currency: Currency,
    at: DateTime<Utc>,
) -> Result<Quote, SendRejection> {
    let rules: Vec<PriceRule> = rules.iter().filter(|rule| rule.per_segment.currency() == currency).cloned().collect();
    let mut total = Money::zero(currency);
    let mut messages = Vec::with_capacity(recipients.len());
    for (index, recipient) in recipients.iter().enumerate() {
        let rule = select_price(&rules, recipient, at).ok_or_else(|| SendRejection::NoPrice(recipient.e164().to_owned()))?;
        let segments = segments(index);
        let price = rule.per_segment.for_segments(segments)?;
        total = total.checked_add(price)?;
        messages.push(PricedMessage { recipient: recipient.clone(), segments, unit_price: rule.per_segment, price });
    }
    Ok(Quote { messages, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::pricing::{EffectivePeriod, PriceList, PriceScope};

    fn to(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn valid_send_dedupes_after_normalising() {
        let send = validate_send(
            "ACME",
            &to(&["+46701234567", "0046701234567", "+4915112345678"]),
            "Hej",
            NumberContext::Msisdn,
            SegmentLimits::default(),
        )
        .unwrap();
        assert_eq!(send.recipients.len(), 2);
        assert_eq!(send.duplicates, 1);
    }

    #[test]
    fn every_invalid_recipient_is_reported_with_its_index() {
        let err = validate_send("ACME", &to(&["+46701234567", "nope", "+46123"]), "Hej", NumberContext::Msisdn, SegmentLimits::default())
            .unwrap_err();
        match err {
            SendRejection::Recipients(list) => {
                assert_eq!(list.iter().map(|r| r.index).collect::<Vec<_>>(), vec![1, 2]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sender_then_text_then_recipients() {
        assert!(matches!(
            validate_send("this sender is too long", &to(&["x"]), "", NumberContext::Msisdn, SegmentLimits::default()),
            Err(SendRejection::Sender(_))
        ));
        assert!(matches!(validate_send("ACME", &to(&["x"]), "", NumberContext::Msisdn, SegmentLimits::default()), Err(SendRejection::Text(_))));
        assert_eq!(validate_send("ACME", &[], "Hi", NumberContext::Msisdn, SegmentLimits::default()), Err(SendRejection::NoRecipients));
        let many = vec!["+46701234567".to_string(); MAX_RECIPIENTS + 1];
        assert_eq!(
            validate_send("ACME", &many, "Hi", NumberContext::Msisdn, SegmentLimits::default()),
            Err(SendRejection::TooManyRecipients(MAX_RECIPIENTS + 1))
        );
    }

    #[test]
    fn quote_prices_each_segment_and_refuses_unpriced_destinations() {
        let sek = Currency::parse("SEK").unwrap();
        let now = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let rules = vec![PriceRule {
            scope: PriceScope::parse("SE").unwrap(),
            list: PriceList::Default,
            per_segment: UnitPrice::from_milli(35_000, sek).unwrap(),
            period: EffectivePeriod { from: now, to: None },
        }];
        let long_text = "a".repeat(200); // 2 segments
        let send = validate_send("ACME", &to(&["+46701234567", "+46731234567"]), &long_text, NumberContext::Msisdn, SegmentLimits::default())
            .unwrap();
        let q = quote(&send.recipients, |_| send.text.segments(), &rules, sek, now).unwrap();
        assert_eq!(q.total.minor(), 140);
        assert_eq!(q.messages[0].price.minor(), 70);
        let abroad = validate_send("ACME", &to(&["+4915112345678"]), "Hi", NumberContext::Msisdn, SegmentLimits::default()).unwrap();
        assert_eq!(quote(&abroad.recipients, |_| abroad.text.segments(), &rules, sek, now), Err(SendRejection::NoPrice("+4915112345678".into())));
        // A price list in another currency does not price a SEK account.
        let eur = Currency::parse("EUR").unwrap();
        assert!(quote(&send.recipients, |_| send.text.segments(), &rules, eur, now).is_err());
        // Nor does a rule before it takes effect.
        assert!(quote(&send.recipients, |_| send.text.segments(), &rules, sek, now - chrono::TimeDelta::milliseconds(1)).is_err());
    }
}
