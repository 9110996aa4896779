//! A send request from start to finish — validated, scheduled, priced, paid for and
//! stored in one statement, then handed to the carrier — for every caller that sends:
//! the send API and the platform's own replies (keywords, confirmations).

use crate::carrier::{CarrierConfig, Submission};
use crate::http::internal;
use crate::ids::new_id;
use crate::sending::{submit_and_record, Submitted};
use crate::store::{timestamp, Caller, NewSend, Store, StoreError};
use domain::callback::{MoneyJson, StatusJson};
use domain::endpoint::CallbackUrl;
use domain::error::ApiError;
use domain::money::{Currency, Money};
use domain::schedule::{SendAt, TimeZone, Validity};
use domain::send::{quote, validate_send};
use domain::status::Status;
use domain::text::SegmentLimits;
use serde::Serialize;

/// What the customer asked for, as received (every field is validated here).
pub struct SendRequest<'a> {
    pub from: &'a str,
    pub to: &'a [String],
    pub text: &'a str,
    pub client_reference: Option<&'a str>,
    /// Where status changes are POSTed; the account's default when absent.
    pub status_callback: Option<&'a str>,
    /// RFC 3339, or a local time read in `time_zone` (else the account's time zone).
    pub send_at: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    /// Seconds; a message with no final status by then becomes Expired (default 72 h).
    pub validity: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct SentMessage {
    pub id: String,
    pub to: String,
    pub country: String,
    pub status: StatusJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    pub encoding: &'static str,
    pub segments: u32,
    pub price: MoneyJson,
    pub refunded: bool,
}

/// The answer to a send, as the API returns it.
#[derive(Debug, Serialize)]
pub struct SendOutcome {
    pub batch_id: String,
    pub carrier: String,
    pub sandbox: bool,
    pub messages: Vec<SentMessage>,
    pub duplicates_removed: usize,
    pub total_price: MoneyJson,
    pub balance: MoneyJson,
    pub send_at: Option<String>,
    pub expires_at: String,
}

/// Sends for `caller`: all recipients or none (a refused request stores and charges nothing).
pub fn send_messages(store: &Store, caller: &Caller, request: &SendRequest) -> Result<SendOutcome, ApiError> {
    let valid = validate_send(request.from, request.to, request.text, SegmentLimits::default())?;
    let now = chrono::Utc::now();
    let send_at = match request.send_at {
        None => None,
        Some(input) => {
            let zone = TimeZone::parse(request.time_zone.unwrap_or(&caller.time_zone))?;
            Some(SendAt::parse(input, &zone, now)?)
        }
    };
    let validity = Validity::parse(request.validity)?;
    let expires_at = timestamp(validity.expires_at(send_at.as_ref().map(SendAt::instant).unwrap_or(now)));
    let send_at = send_at.map(|at| timestamp(at.instant()));
    let status_callback = match request.status_callback.or(caller.status_callback.as_deref()) {
        Some(url) => Some(CallbackUrl::parse(url).map_err(|e| ApiError::malformed(e.to_string()))?),
        None => None,
    };

    let mut countries: Vec<String> = valid.recipients.iter().map(|r| r.country().as_str().to_owned()).collect();
    countries.sort_unstable();
    countries.dedup();
    let countries: Vec<&str> = countries.iter().map(String::as_str).collect();
    let digits: Vec<&str> = valid.recipients.iter().map(|r| r.digits()).collect();
    let rules = store.price_rules(caller.currency, &countries, &digits).map_err(internal)?;
    let quote = quote(&valid, &rules, caller.currency)?;

    let carrier = CarrierConfig::from_variables();
    let batch_id = new_id("bat");
    let message_ids: Vec<String> = quote.messages.iter().map(|_| new_id("msg")).collect();
    let mut balance = store
        .create_send(&NewSend {
            account_id: &caller.account_id,
            batch_id: &batch_id,
            client_reference: request.client_reference,
            sender: valid.sender.as_str(),
            text: &valid.text,
            quote: &quote,
            carrier: &carrier.name,
            message_ids: &message_ids,
            status_callback: status_callback.as_ref().map(CallbackUrl::as_str),
            send_at: send_at.as_deref(),
            expires_at: &expires_at,
        })
        .map_err(|e| store_error(e, caller.currency))?;

    // A scheduled send waits, paid for, until the job runner sends it.
    let submitted = if send_at.is_some() {
        vec![Submitted { status: Status::Funded, detail: None, refunded: false }; message_ids.len()]
    } else {
        let submissions: Vec<Submission> = quote
            .messages
            .iter()
            .zip(&message_ids)
            .map(|(priced, id)| Submission {
                reference: id,
                from: valid.sender.as_str(),
                to: priced.recipient.e164(),
                text: valid.text.as_str(),
                encoding: valid.text.encoding().as_str(),
                segments: valid.text.segments(),
            })
            .collect();
        submit_and_record(store, &carrier, &submissions).map_err(internal)?
    };
    if submitted.iter().any(|s| s.refunded) {
        balance = store.balance(&caller.account_id).map_err(internal)?;
    }
    let messages = quote
        .messages
        .iter()
        .zip(message_ids)
        .zip(submitted)
        .map(|((priced, id), submitted)| SentMessage {
            id,
            to: priced.recipient.e164().to_owned(),
            country: priced.recipient.country().as_str().to_owned(),
            status: submitted.status.into(),
            status_detail: submitted.detail,
            encoding: valid.text.encoding().as_str(),
            segments: valid.text.segments(),
            price: priced.price.into(),
            refunded: submitted.refunded,
        })
        .collect();
    Ok(SendOutcome {
        batch_id,
        sandbox: carrier.is_sandbox(),
        carrier: carrier.name,
        messages,
        duplicates_removed: valid.duplicates,
        total_price: quote.total.into(),
        balance: Money::new(balance, caller.currency).into(),
        send_at,
        expires_at,
    })
}

fn store_error(e: StoreError, currency: Currency) -> ApiError {
    match e {
        StoreError::InsufficientFunds { balance, credit_limit, needed } => ApiError::from_status(
            402,
            Status::InsufficientFunds,
            format!(
                "this send costs {}; the balance is {} and the credit limit {}",
                Money::new(needed, currency),
                Money::new(balance, currency),
                Money::new(credit_limit, currency)
            ),
        ),
        StoreError::NotFound => ApiError::not_found("the account no longer exists"),
        StoreError::Db(e) => internal(e),
    }
}
