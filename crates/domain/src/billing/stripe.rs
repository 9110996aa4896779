//! Stripe top-ups (seed 003: gateway keys per test/live mode): the rules, without I/O.
//!
//! - Configuration: a mode (`test`/`live`) and a secret key whose prefix agrees with it
//!   (`sk_test_…`/`rk_test_…` in test mode, `sk_live_…`/`rk_live_…` in live mode), so a
//!   live key never runs in a test setup or the other way round.
//! - Amounts: our integer minor units, converted to Stripe's ("the smallest unit" — except
//!   ISK, which Stripe takes with two decimals that must be 00; JPY has none either side).
//! - The Checkout Session we ask for (form-encoded, as Stripe's API takes it).
//! - The webhook: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
//!   — the same scheme as the carriers' receipts, so [`crate::carriers::signature::verify`] is the
//!   one verifier (several v1 values, 300 s tolerance, constant-time compare).
//! - Which events move money: a Checkout Session that is paid
//!   (`checkout.session.completed` with `payment_status = paid`, or
//!   `checkout.session.async_payment_succeeded` for methods that settle later) and
//!   `payment_intent.succeeded` for the same payment (its metadata names our top-up too).
//!   Whichever arrives first credits; the others find the top-up settled. A session that
//!   expires or whose delayed payment fails marks the top-up failed. Every other event is
//!   acknowledged and ignored.

use crate::billing::money::{Currency, MAX_AMOUNT_MINOR};
use crate::carriers::signature::{verify, SignatureError};
use serde_json::Value;

/// The header Stripe signs its webhooks with.
pub const SIGNATURE_HEADER: &str = "stripe-signature";

/// The largest amount Stripe takes in one charge, in its units (eight digits).
pub const MAX_STRIPE_AMOUNT: i64 = 99_999_999;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    #[error("top-ups by card are not configured: set stripe_secret_key")]
    NotConfigured,
    #[error("stripe_mode must be 'test' or 'live', not '{0}'")]
    UnknownMode(String),
    #[error("the Stripe key does not belong to {0} mode (expected a key starting sk_{0}_ or rk_{0}_)")]
    KeyModeMismatch(&'static str),
    #[error("amount_minor must be at least 1 and at most {max} in {currency}")]
    AmountOutOfRange { currency: Currency, max: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StripeMode {
    Test,
    Live,
}

impl StripeMode {
    pub fn parse(mode: &str) -> Result<Self, StripeError> {
        match mode.trim() {
            "" | "test" => Ok(StripeMode::Test),
            "live" => Ok(StripeMode::Live),
            other => Err(StripeError::UnknownMode(other.to_owned())),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            StripeMode::Test => "test",
            StripeMode::Live => "live",
        }
    }

    /// Whether an event's `livemode` flag belongs to this mode.
    pub fn matches(&self, livemode: bool) -> bool {
        livemode == (*self == StripeMode::Live)
    }
}

/// A secret (or restricted) API key checked against the mode.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeKey(String);

impl std::fmt::Debug for StripeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeKey(…)")
    }
}

impl StripeKey {
    pub fn parse(key: &str, mode: StripeMode) -> Result<Self, StripeError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(StripeError::NotConfigured);
        }
        let m = mode.as_str();
        if !(key.starts_with(&format!("sk_{m}_")) || key.starts_with(&format!("rk_{m}_"))) {
            return Err(StripeError::KeyModeMismatch(m));
        }
        Ok(StripeKey(key.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// How many Stripe units one of our minor units is: ISK is whole krónur for us (ISO 4217
/// exponent 0) but Stripe takes it with two decimals; every other currency we bill in has
/// the same exponent on both sides.
fn stripe_factor(currency: Currency) -> i64 {
    match currency.code() {
        "ISK" => 100,
        _ => 1,
    }
}

pub fn to_stripe_amount(currency: Currency, minor: i64) -> i64 {
    minor * stripe_factor(currency)
}

/// Stripe's amount in our minor units; None when it is not a whole one of ours.
pub fn from_stripe_amount(currency: Currency, amount: i64) -> Option<i64> {
    let factor = stripe_factor(currency);
    (amount % factor == 0).then_some(amount / factor)
}

/// A top-up amount: positive, within our ledger's bound and Stripe's largest charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopupAmount {
    minor: i64,
    currency: Currency,
}

impl TopupAmount {
    pub fn parse(minor: i64, currency: Currency) -> Result<Self, StripeError> {
        let max = (MAX_STRIPE_AMOUNT / stripe_factor(currency)).min(MAX_AMOUNT_MINOR);
        if !(1..=max).contains(&minor) {
            return Err(StripeError::AmountOutOfRange { currency, max });
        }
        Ok(TopupAmount { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }
}

/// What we ask Stripe for: a one-off Checkout Session for one line, the top-up.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    pub topup_id: &'a str,
    pub account_id: &'a str,
    pub amount: TopupAmount,
    pub product_name: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

impl CheckoutRequest<'_> {
    /// The form body of `POST /v1/checkout/sessions`. The top-up and account ids go both
    /// on the session and on its PaymentIntent, so either's events lead back to them.
    pub fn form(&self) -> String {
        let amount = to_stripe_amount(self.amount.currency, self.amount.minor).to_string();
        let currency = self.amount.currency.code().to_ascii_lowercase();
        form_urlencoded::Serializer::new(String::new())
            .append_pair("mode", "payment")
            .append_pair("client_reference_id", self.account_id)
            .append_pair("line_items[0][quantity]", "1")
            .append_pair("line_items[0][price_data][currency]", &currency)
            .append_pair("line_items[0][price_data][unit_amount]", &amount)
            .append_pair("line_items[0][price_data][product_data][name]", self.product_name)
            .append_pair("metadata[account_id]", self.account_id)
            .append_pair("metadata[topup_id]", self.topup_id)
            .append_pair("payment_intent_data[metadata][account_id]", self.account_id)
            .append_pair("payment_intent_data[metadata][topup_id]", self.topup_id)
            .append_pair("success_url", self.success_url)
            .append_pair("cancel_url", self.cancel_url)
            .finish()
    }
}

/// The part of Stripe's answer to a new Checkout Session we keep.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// A webhook's signature, checked with the endpoint's signing secret (`whsec_…`).
pub fn verify_webhook(secret: &str, header: Option<&str>, body: &[u8], now: i64) -> Result<(), SignatureError> {
    verify(secret.as_bytes(), header, body, now)
}

/// What a verified event means for us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopupEvent {
    /// Money arrived for a top-up: Stripe's amount (in its units) and currency.
    Paid(Paid),
    /// The top-up will not be paid (session expired, delayed payment failed).
    Failed { topup_id: String, reason: String },
    /// Acknowledged, nothing to do (another event type, a session not paid yet, an
    /// event that names no top-up of ours).
    Ignored(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub event_id: String,
    pub topup_id: String,
    /// The PaymentIntent: one credit per payment, whichever event reports it.
    pub payment_id: String,
    pub amount: i64,
    /// Upper case, as we store currencies.
    pub currency: String,
    pub livemode: bool,
}

/// Reads a (verified) event body.
pub fn parse_event(body: &[u8]) -> Result<TopupEvent, String> {
    let event: Value = serde_json::from_slice(body).map_err(|e| format!("the event is not JSON: {e}"))?;
    let kind = event["type"].as_str().ok_or("the event has no type")?;
    let object = &event["data"]["object"];
    let topup_id = object["metadata"]["topup_id"].as_str().filter(|t| !t.is_empty());
    let ignored = |why: &str| Ok(TopupEvent::Ignored(format!("{kind}: {why}")));
    let paid = |payment_id: Option<&str>, amount: Option<i64>| -> Result<TopupEvent, String> {
        let Some(topup_id) = topup_id else { return ignored("no top-up in its metadata") };
        let amount = amount.ok_or("the event has no amount")?;
        let currency = object["currency"].as_str().ok_or("the event has no currency")?;
        Ok(TopupEvent::Paid(Paid {
            event_id: event["id"].as_str().unwrap_or_default().to_owned(),
            topup_id: topup_id.to_owned(),
            payment_id: payment_id.ok_or("the event names no payment")?.to_owned(),
            amount,
            currency: currency.to_ascii_uppercase(),
            livemode: event["livemode"].as_bool().unwrap_or(false),
        }))
    };
    match kind {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            if object["payment_status"].as_str() != Some("paid") {
                return ignored("the session is not paid (yet)");
            }
            // `payment_intent` is an id, or the object when the event was expanded.
            let intent = object["payment_intent"].as_str().or_else(|| object["payment_intent"]["id"].as_str());
            paid(intent, object["amount_total"].as_i64())
        }
        "payment_intent.succeeded" => paid(object["id"].as_str(), object["amount_received"].as_i64()),
        "checkout.session.expired" | "checkout.session.async_payment_failed" => match topup_id {
            Some(topup_id) => Ok(TopupEvent::Failed { topup_id: topup_id.to_owned(), reason: kind.to_owned() }),
            None => ignored("no top-up in its metadata"),
        },
        _ => ignored("not an event top-ups act on"),
    }
}

/// What a paid event does to a pending top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Credit this many minor units.
    Credit(i64),
    /// Stripe's amount or currency is not what the top-up asked for: credit nothing.
    Mismatch,
}

/// Credits what Stripe says was paid, only when it is what the top-up asked for.
pub fn settle(expected_minor: i64, expected_currency: Currency, paid_amount: i64, paid_currency: &str) -> Settlement {
    if !paid_currency.eq_ignore_ascii_case(expected_currency.code()) {
        return Settlement::Mismatch;
    }
    match from_stripe_amount(expected_currency, paid_amount) {
        Some(minor) if minor == expected_minor => Settlement::Credit(minor),
        _ => Settlement::Mismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    #[test]
    fn a_stripe_signature_vector_computed_independently_verifies() {
        // printf '%s' '1700000000.{"id":"evt_1","type":"checkout.session.completed"}' \
        //   | openssl dgst -sha256 -hmac 'whsec_vector_secret'   (and Python's hmac agrees)
        let body = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = "t=1700000000,v1=3c720c954daaaa963519350f356c5e0755543c832f6de4e1aec58affbde4541a";
        assert_eq!(verify_webhook("whsec_vector_secret", Some(header), body, 1_700_000_010), Ok(()));
        // Stripe also sends a v0 (test) value and may send several v1 values while a secret rolls.
        let rolled = format!("t=1700000000,v1={},v0=abc,{}", "ab".repeat(32), header.split_once(',').unwrap().1);
        assert_eq!(verify_webhook("whsec_vector_secret", Some(&rolled), body, 1_700_000_010), Ok(()));
    }

    #[test]
    fn forged_stale_and_missing_signatures_are_refused() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = "t=1700000000,v1=3c720c954daaaa963519350f356c5e0755543c832f6de4e1aec58affbde4541a";
        assert_eq!(verify_webhook("whsec_other", Some(header), body, 1_700_000_000), Err(SignatureError::Mismatch));
        assert_eq!(verify_webhook("whsec_vector_secret", Some(header), b"{}", 1_700_000_000), Err(SignatureError::Mismatch));
        assert_eq!(verify_webhook("whsec_vector_secret", Some(header), body, 1_700_000_301), Err(SignatureError::Stale));
        assert_eq!(verify_webhook("whsec_vector_secret", None, body, 1_700_000_000), Err(SignatureError::Missing));
        assert_eq!(verify_webhook("", Some(header), body, 1_700_000_000), Err(SignatureError::NoSecret));
    }

    #[test]
    fn keys_must_match_the_mode() {
        assert!(StripeKey::parse("sk_test_abc", StripeMode::Test).is_ok());
        assert!(StripeKey::parse("rk_live_abc", StripeMode::Live).is_ok());
        assert_eq!(StripeKey::parse("sk_live_abc", StripeMode::Test), Err(StripeError::KeyModeMismatch("test")));
        assert_eq!(StripeKey::parse("sk_test_abc", StripeMode::Live), Err(StripeError::KeyModeMismatch("live")));
        assert_eq!(StripeKey::parse("pk_test_abc", StripeMode::Test), Err(StripeError::KeyModeMismatch("test")));
        assert_eq!(StripeKey::parse(" ", StripeMode::Test), Err(StripeError::NotConfigured));
        assert_eq!(StripeMode::parse("prod"), Err(StripeError::UnknownMode("prod".into())));
        assert!(format!("{:?}", StripeKey::parse("sk_test_secret", StripeMode::Test).unwrap()).find("secret").is_none());
    }

    #[test]
    fn amounts_convert_to_stripe_units() {
        let isk = Currency::parse("ISK").unwrap();
        assert_eq!(to_stripe_amount(sek(), 12_345), 12_345);
        assert_eq!(to_stripe_amount(isk, 500), 50_000);
        assert_eq!(from_stripe_amount(isk, 50_000), Some(500));
        assert_eq!(from_stripe_amount(isk, 50_050), None);
        assert!(TopupAmount::parse(0, sek()).is_err());
        assert!(TopupAmount::parse(-5, sek()).is_err());
        assert!(TopupAmount::parse(MAX_STRIPE_AMOUNT, sek()).is_ok());
        assert!(TopupAmount::parse(MAX_STRIPE_AMOUNT + 1, sek()).is_err());
        assert!(TopupAmount::parse(MAX_STRIPE_AMOUNT / 100 + 1, isk).is_err());
    }

    #[test]
    fn the_checkout_form_names_the_top_up_everywhere() {
        let request = CheckoutRequest {
            topup_id: "pay_1",
            account_id: "acc_1",
            amount: TopupAmount::parse(10_000, sek()).unwrap(),
            product_name: "Top-up",
            success_url: "https://x.example/billing?topup=pay_1&result=success",
            cancel_url: "https://x.example/billing?topup=pay_1&result=cancel",
        };
        let form = request.form();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(form.as_bytes()).into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("mode"), Some("payment"));
        assert_eq!(get("line_items[0][price_data][currency]"), Some("sek"));
        assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("10000"));
        assert_eq!(get("client_reference_id"), Some("acc_1"));
        assert_eq!(get("metadata[topup_id]"), Some("pay_1"));
        assert_eq!(get("payment_intent_data[metadata][topup_id]"), Some("pay_1"));
        assert_eq!(get("success_url"), Some("https://x.example/billing?topup=pay_1&result=success"));
        assert!(form.contains("success_url=https%3A%2F%2Fx.example"), "{form}");
    }

    fn event(kind: &str, object: Value) -> Vec<u8> {
        serde_json::json!({"id": "evt_9", "type": kind, "livemode": false, "data": {"object": object}}).to_string().into_bytes()
    }

    #[test]
    fn only_paid_events_credit() {
        let session = serde_json::json!({"id": "cs_1", "payment_status": "paid", "payment_intent": "pi_1",
            "amount_total": 10000, "currency": "sek", "metadata": {"topup_id": "pay_1"}});
        let expected = TopupEvent::Paid(Paid {
            event_id: "evt_9".into(),
            topup_id: "pay_1".into(),
            payment_id: "pi_1".into(),
            amount: 10_000,
            currency: "SEK".into(),
            livemode: false,
        });
        assert_eq!(parse_event(&event("checkout.session.completed", session.clone())), Ok(expected.clone()));
        assert_eq!(parse_event(&event("checkout.session.async_payment_succeeded", session.clone())), Ok(expected.clone()));
        let intent = serde_json::json!({"id": "pi_1", "amount_received": 10000, "currency": "sek", "metadata": {"topup_id": "pay_1"}});
        assert_eq!(parse_event(&event("payment_intent.succeeded", intent)), Ok(expected));

        let mut unpaid = session.clone();
        unpaid["payment_status"] = "unpaid".into();
        assert!(matches!(parse_event(&event("checkout.session.completed", unpaid)), Ok(TopupEvent::Ignored(_))));
        assert!(matches!(parse_event(&event("charge.refunded", session.clone())), Ok(TopupEvent::Ignored(_))));
        let mut foreign = session.clone();
        foreign["metadata"] = serde_json::json!({});
        assert!(matches!(parse_event(&event("checkout.session.completed", foreign)), Ok(TopupEvent::Ignored(_))));
        assert_eq!(
            parse_event(&event("checkout.session.expired", session)),
            Ok(TopupEvent::Failed { topup_id: "pay_1".into(), reason: "checkout.session.expired".into() })
        );
        assert!(parse_event(b"not json").is_err());
    }

    #[test]
    fn only_the_amount_asked_for_is_credited() {
        assert_eq!(settle(10_000, sek(), 10_000, "sek"), Settlement::Credit(10_000));
        assert_eq!(settle(10_000, sek(), 9_999, "sek"), Settlement::Mismatch);
        assert_eq!(settle(10_000, sek(), 10_000, "eur"), Settlement::Mismatch);
        let isk = Currency::parse("ISK").unwrap();
        assert_eq!(settle(500, isk, 50_000, "isk"), Settlement::Credit(500));
    }

    #[test]
    fn the_mode_matches_livemode() {
        assert!(StripeMode::Test.matches(false));
        assert!(!StripeMode::Test.matches(true));
        assert!(StripeMode::Live.matches(true));
    }
}
