//! Customer callbacks: the job runner delivers the queued status and inbound events to
//! the account's URLs, signed with the account's secret — in our JSON by Standard Webhooks,
//! or in Twilio's form with `X-Twilio-Signature` (domain::callbacks::twilio), whose answer
//! to an inbound SMS may be TwiML replies — and records every attempt with its retry
//! schedule (domain::callbacks::retry); and the secret's rotation.

use crate::db::DbError;
use crate::ids::{now_seconds, random_bytes};
use crate::outbound::{post_all, FailureKind, Post};
use crate::store::{AttemptResult, Caller, CallbackEvent, ClaimedCallback, InboundView, Store, Subject};
use chrono::{DateTime, Utc};
use domain::callbacks::event::{InboundEvent, InboundEventData, StatusChange, StatusEvent};
use domain::api::error::ApiError;
use domain::billing::money::{Currency, Money};
use domain::callbacks::retry::{classify, next_attempt_delay, DeliveryOutcome, Next};
use domain::callbacks::twilio::{self, CallbackFormat};
use domain::callbacks::webhook::WebhookSecret;
use domain::carriers::sealed::{account_purpose, at_rest, in_clear, is_sealed, SecretsKey};
use domain::inbound::twiml;
use std::time::{Duration, Instant};

const CALLBACK_BATCH: i64 = 32;
const CALLBACKS_IN_FLIGHT: usize = 8;
/// A runner owns a claimed callback this long; a crashed runner's claims lapse after it.
const CALLBACK_LEASE_SECONDS: i64 = 60;
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);

/// What came of the attempts of one runner's call.
#[derive(Debug, Default)]
pub struct CallbackReport {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Not called: the destination is not a public address (also counted as failed when
    /// found at the connection).
    pub blocked: usize,
    /// Not called because Twilio would not call: a Twilio-format status callback whose
    /// Twilio status is the one before (logged as delivered, with a note).
    pub skipped: usize,
}

/// Delivers due callbacks, batch after batch (each message's next event becomes due when
/// the one before it is delivered), until none is due or `deadline` has passed.
pub async fn deliver_due(store: &Store, deadline: Instant) -> Result<CallbackReport, DbError> {
    let mut report = CallbackReport::default();
    while Instant::now() < deadline {
        let claimed = store.callbacks().claim_callbacks(CALLBACK_BATCH, CALLBACK_LEASE_SECONDS).await?;
        if claimed.is_empty() {
            break;
        }
        deliver(store, &claimed, &mut report).await?;
    }
    Ok(report)
}

async fn deliver(store: &Store, claimed: &[ClaimedCallback], report: &mut CallbackReport) -> Result<(), DbError> {
    let timestamp = now_seconds();
    // Each URL checked again as it is called: it may have been saved before the rule, or
    // under a development setting since switched off.
    let policy = crate::config::egress_policy().await;
    let mut callable: Vec<&ClaimedCallback> = Vec::with_capacity(claimed.len());
    for callback in claimed {
        match policy.parse(&callback.url) {
            Ok(_) => callable.push(callback),
            Err(reason) => {
                report.blocked += 1;
                let error = format!("blocked, not sent: {reason}");
                store.callbacks().record_callback_attempt(callback.delivery_id, callback.attempt, None, Some(&error), 0, AttemptResult::GiveUp).await?;
            }
        }
    }
    let key = crate::config::secrets_key().await.ok();
    let mut posts: Vec<Post> = Vec::with_capacity(callable.len());
    let mut posted: Vec<&ClaimedCallback> = Vec::with_capacity(callable.len());
    for c in callable {
        let secrets: Vec<WebhookSecret> = opened_secrets(store, key.as_ref(), c).await.iter().filter_map(|s| WebhookSecret::parse(s).ok()).collect();
        // Accounts made before callbacks existed get a secret now; they see it by rotating.
        let secrets = if secrets.is_empty() { vec![new_secret_for(store, &c.account_id).await] } else { secrets };
        let (body, mut headers) = match c.format {
            CallbackFormat::Json => {
                let body = render_event(c);
                let headers = domain::callbacks::webhook::headers(&secrets.iter().collect::<Vec<_>>(), &c.event_id, timestamp, body.as_bytes())
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value))
                    .collect::<Vec<_>>();
                (body, headers)
            }
            CallbackFormat::Twilio => {
                let Some(params) = twilio_params(c) else {
                    // Twilio would send nothing for it (its status did not change).
                    report.skipped += 1;
                    let note = "not sent: Twilio's status of the message is unchanged (Twilio calls back once per status)";
                    store.callbacks().record_callback_attempt(c.delivery_id, c.attempt, None, Some(note), 0, AttemptResult::Delivered).await?;
                    continue;
                };
                // Signed with the current secret only: Twilio's header holds one signature.
                let signature = twilio::signature(&secrets[0].to_string(), &c.url, &params);
                let headers = vec![
                    ("content-type".to_owned(), twilio::CONTENT_TYPE.to_owned()),
                    (twilio::SIGNATURE_HEADER.to_owned(), signature),
                    (twilio::IDEMPOTENCY_HEADER.to_owned(), c.event_id.clone()),
                ];
                (twilio::form_body(&params), headers)
            }
        };
        headers.push(("user-agent".to_owned(), "smsedge-callbacks/1".to_owned()));
        posts.push(Post { url: &c.url, headers, body, timeout: CALLBACK_TIMEOUT });
        posted.push(c);
    }
    // Only the status of an answer is kept, never its body — except that the answer to an
    // inbound SMS in Twilio's format is read as TwiML, whose replies are sent. A redirect
    // is an answer (not followed: outbound HTTP does not follow them).
    let outcomes = post_all(&posts, CALLBACKS_IN_FLIGHT).await;
    for (callback, outcome) in posted.into_iter().zip(outcomes) {
        let (delivery, http_status, mut error) = match &outcome.result {
            Ok(answer) => (DeliveryOutcome::Http(answer.status), Some(answer.status), None),
            Err(e) if e.is_prohibited_destination() => {
                report.blocked += 1;
                (DeliveryOutcome::Blocked, None, Some(format!("blocked at the connection: {e}")))
            }
            Err(e) if e.kind == FailureKind::TimedOut => (DeliveryOutcome::Timeout, None, Some(e.to_string())),
            Err(e) => (DeliveryOutcome::NetworkError, None, Some(e.to_string())),
        };
        let mut next = classify(delivery);
        let twiml_answer = match (&outcome.result, &callback.event) {
            (Ok(answer), CallbackEvent::Inbound(inbound)) if callback.format == CallbackFormat::Twilio && next == Next::Delivered => {
                Some((answer, inbound))
            }
            _ => None,
        };
        if let Some((answer, inbound)) = twiml_answer {
            match twiml_replies(store, &callback.account_id, inbound, &answer.body).await {
                Ok(note) => error = note,
                // Replies already sent stay sent (each is claimed first); the rest go when
                // the callback is delivered again.
                Err(e) => {
                    error = Some(format!("the TwiML replies could not be sent: {}", e.message));
                    next = Next::Retry;
                }
            }
        }
        let result = match next {
            Next::Delivered => {
                report.delivered += 1;
                AttemptResult::Delivered
            }
            Next::Retry => match next_attempt_delay(callback.attempt) {
                Some(delay) => {
                    report.retrying += 1;
                    AttemptResult::RetryIn { seconds: delay.as_secs() }
                }
                None => {
                    report.failed += 1;
                    AttemptResult::GiveUp
                }
            },
            Next::GiveUp => {
                report.failed += 1;
                AttemptResult::GiveUp
            }
        };
        store.callbacks().record_callback_attempt(
            callback.delivery_id,
            callback.attempt,
            http_status,
            error.as_deref(),
            outcome.elapsed.as_millis() as i64,
            result,
        ).await?;
    }
    Ok(())
}

/// The TwiML of a webhook's answer to an inbound SMS in Twilio's format, acted on: its
/// replies sent; a note of what was not done (an answer that is not TwiML sends nothing).
async fn twiml_replies(store: &Store, account_id: &str, inbound: &InboundView, answer: &[u8]) -> Result<Option<String>, ApiError> {
    match twiml::parse(answer) {
        Ok(twiml) => crate::app::inbound::reply_with_twiml(store, account_id, inbound, &twiml).await,
        Err(e) => Ok(Some(format!("no reply sent: {e}"))),
    }
}

/// A callback in Twilio's form: its parameters, or `None` when Twilio would send nothing.
fn twilio_params(c: &ClaimedCallback) -> Option<twilio::Params> {
    match &c.event {
        CallbackEvent::Status(e) => twilio::StatusCallback {
            message_id: &e.message_id,
            account_id: &c.account_id,
            from: &e.from,
            to: &e.to,
            status: e.status,
            previous_status: e.previous_status,
            scheduled: e.scheduled,
            receipt_at: e.carrier_status.as_ref().and_then(|_| DateTime::parse_from_rfc3339(&e.at).ok()).map(|at| at.with_timezone(&Utc)),
        }
        .params(),
        CallbackEvent::Inbound(m) => Some(
            twilio::InboundCallback {
                inbound_id: &m.id,
                account_id: &c.account_id,
                from: &m.from,
                to: &m.to,
                body: &m.text,
                segments: u32::try_from(m.parts).unwrap_or(1),
            }
            .params(),
        ),
    }
}

/// An account's webhook secrets (current first) in the clear. Stored sealed under
/// `secrets_key` (domain::carriers::sealed); one stored before the key was set is sealed
/// now, and one that cannot be opened (another key) is left out, logged.
async fn opened_secrets(store: &Store, key: Option<&SecretsKey>, c: &ClaimedCallback) -> Vec<String> {
    let purpose = account_purpose(&c.account_id, "webhook_secret");
    let mut opened = Vec::with_capacity(c.secrets.len());
    for stored in &c.secrets {
        match in_clear(key, stored, &purpose) {
            Ok(secret) => {
                if let (Some(key), false) = (key, is_sealed(stored)) {
                    if let Err(e) = store.callbacks().reseal_webhook_secret(&c.account_id, stored, &key.seal(&secret, &purpose)).await {
                        eprintln!("the webhook secret of {} stays unsealed for now: {e}", c.account_id);
                    }
                }
                opened.push(secret);
            }
            Err(e) => eprintln!("a webhook secret of {} cannot be used: {e}", c.account_id),
        }
    }
    opened
}

/// A new webhook secret as it is stored: sealed when `secrets_key` is set.
pub async fn secret_at_rest(account_id: &str, secret: &str) -> String {
    at_rest(crate::config::secrets_key().await.ok().as_ref(), secret, &account_purpose(account_id, "webhook_secret"))
}

/// Makes a new signing secret for the caller's account, to be shown this once; the old
/// one keeps signing beside it for a day, so receivers can switch without missing an event.
pub async fn rotate_secret(store: &Store, caller: &Caller) -> Result<String, ApiError> {
    let secret = random_secret().to_string();
    let stored = secret_at_rest(&caller.account_id, &secret).await;
    store
        .audit().audited(&caller.account_id, &caller.actor, "webhook_secret.rotated", Subject::Account(&caller.account_id), async |store| {
            store.callbacks().rotate_webhook_secret(&caller.account_id, &stored).await
        })
        .await?;
    Ok(secret)
}

fn random_secret() -> WebhookSecret {
    WebhookSecret::from_random_bytes(&random_bytes::<32>()).expect("32 bytes make a secret")
}

async fn new_secret_for(store: &Store, account_id: &str) -> WebhookSecret {
    let secret = random_secret();
    if let Err(e) = store.callbacks().rotate_webhook_secret(account_id, &secret_at_rest(account_id, &secret.to_string()).await).await {
        eprintln!("could not store a webhook secret for {account_id}: {e}");
    }
    secret
}

fn render_event(c: &ClaimedCallback) -> String {
    let instant = |at: &str| DateTime::parse_from_rfc3339(at).map(|at| at.with_timezone(&Utc)).unwrap_or_else(|_| Utc::now());
    match &c.event {
        CallbackEvent::Status(e) => StatusEvent::new(
            &c.event_id,
            instant(&e.at),
            &StatusChange {
                message_id: &e.message_id,
                batch_id: &e.batch_id,
                client_reference: e.client_reference.as_deref(),
                to: &e.to,
                status: e.status,
                previous_status: e.previous_status,
                carrier_status: e.carrier_status.as_deref().map(|status| (status, e.carrier_error.as_deref())),
                price: Currency::parse(&e.currency).ok().map(|currency| Money::new(e.price_minor, currency)),
                refunded: e.refunded,
            },
        )
        .to_json(),
        CallbackEvent::Inbound(m) => InboundEvent::new(
            &c.event_id,
            instant(&m.received_at),
            InboundEventData {
                inbound_id: m.id.clone(),
                from: m.from.clone(),
                to: m.to.clone(),
                text: m.text.clone(),
                parts: m.parts as u32,
                missing_parts: m.missing_parts.clone(),
                action: m.action.clone(),
                action_detail: m.action_detail.clone(),
            },
        )
        .to_json(),
    }
}
