//! Work that happens after a request, and what customers see of it:
//! - `POST /v1/jobs/run` (operator, `jobs_token`): the job runner. Spin has no timer, so
//!   cron or a Kubernetes CronJob calls it; each call does bounded batches of due work
//!   (scheduled sends, kept receipts, expiry, subscription renewals, status callbacks) and is safe to run
//!   concurrently and repeatedly: every item is claimed by one statement first.
//! - `GET /v1/callbacks`, `POST /v1/callbacks/{event id}/replay` (API key): the delivery log.
//! - `GET`/`PATCH /v1/account/settings`, `POST /v1/account/webhook-secret` (API key).
//! - `GET`/`POST /v1/account/smpp`, `PATCH`/`DELETE /v1/account/smpp/{id}` (API key):
//!   the account's SMPP credentials (platform::smpp).
//!
//! This component may call any host (customers' callback URLs); send may call only the carrier.

use chrono::{DateTime, Utc};
use domain::access::Scope;
use domain::account::{currency_locked, CompanyInput, ContactInput, ProfileInput, ProfilePatch};
use domain::callback::{InboundEvent, InboundEventData, StatusChange, StatusEvent};
use domain::endpoint::CallbackUrl;
use domain::error::ApiError;
use domain::money::{Currency, Money};
use domain::retry::{classify, next_attempt_delay, DeliveryOutcome, Next};
use domain::language::Language;
use domain::schedule::TimeZone;
use domain::text::{MessageText, SegmentLimits};
use domain::status::Status;
use domain::webhook::WebhookSecret;
use platform::carrier::CarrierConfig;
use platform::http::{authenticate, history_page, internal, json, parse_body, require_token, Reply, Req, Routes};
use platform::ids::{now_seconds, random_bytes};
use platform::outbound::{post_all, FailureKind, Post};
use platform::delivery::{deliver_due, Deliverer, DeliveryReport};
use platform::store::{
    AttemptResult, CallbackEvent, ClaimedCallback, InboundSettingsPatch, ProfileUpdate, ProfileUpdateError, Store, Subject,
};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// Per call of the runner: how much of each kind of work, and for how long delivery and
/// callbacks run.
const DELIVERY_BUDGET: Duration = Duration::from_secs(15);
const IDEMPOTENCY_PURGE_BATCH: i64 = 1_000;
const EXPIRY_BATCH: i64 = 500;
const RECEIPT_BATCH: i64 = 500;
const INBOUND_BATCH: i64 = 200;
/// Accounts whose last month's invoice is looked at per call.
const INVOICE_BATCH: i64 = 200;
const RENEWAL_BATCH: i64 = 200;
const CALLBACK_BATCH: i64 = 32;
const CALLBACKS_IN_FLIGHT: usize = 8;
const CALLBACK_BUDGET: Duration = Duration::from_secs(20);
/// A runner owns a claimed callback this long; a crashed runner's claims lapse after it.
const CALLBACK_LEASE_SECONDS: i64 = 60;
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);
/// Kept receipts no message ever claimed are dropped after this many days.
const UNMATCHED_RECEIPT_DAYS: i64 = 7;

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        .post("/v1/jobs/run", run_jobs)
        .get("/v1/callbacks", callback_log)
        .post("/v1/callbacks/{event_id}/replay", replay)
        .get("/v1/account/settings", settings)
        .patch("/v1/account/settings", update_settings)
        .post("/v1/account/webhook-secret", rotate_secret)
        .get("/v1/account/history", history)
        .get("/v1/account/smpp", smpp_list)
        .post("/v1/account/smpp", smpp_create)
        .patch("/v1/account/smpp/{id}", smpp_update)
        .delete("/v1/account/smpp/{id}", smpp_revoke)
}

// ---------------------------------------------------------------- the job runner

#[derive(Default, serde::Serialize)]
struct JobReport {
    /// Messages handed to the carrier from the queue, and what came of them.
    delivery: DeliveryReport,
    idempotency_keys_purged: usize,
    rate_limit_counters_purged: usize,
    receipts_applied: usize,
    receipts_purged: usize,
    inbound_settled: usize,
    expired: usize,
    /// Last month's invoices issued (each account's month once, whoever runs).
    invoices_issued: usize,
    /// Subscriptions at a period's end: renewed, lapsed unpaid (past_due), or ended.
    subscriptions: platform::store::RenewalReport,
    callbacks_delivered: usize,
    callbacks_retrying: usize,
    callbacks_failed: usize,
    /// Not called: the destination is not a public address (also counted as failed when
    /// found at the connection).
    callbacks_blocked: usize,
    elapsed_ms: u128,
}

async fn run_jobs(req: Req) -> Reply {
    require_token(&req, "jobs_token").await?;
    let started = Instant::now();
    let store = Store::open().await?;
    let mut report = JobReport::default();

    // Due messages — scheduled ones whose time has come, ones no delivery after a send
    // got to, ones whose delivery died (lease over), resubmits of unknown outcomes.
    let carrier = CarrierConfig::from_variables().await;
    report.delivery = deliver_due(&store, &carrier, Deliverer::JobRunner, DELIVERY_BUDGET).await?;

    // Receipts that arrived before their message's submit answer.
    report.receipts_applied = store.apply_pending_receipts(RECEIPT_BATCH).await?;
    report.receipts_purged = store.purge_unmatched_receipts(UNMATCHED_RECEIPT_DAYS).await?;
    report.idempotency_keys_purged = store.purge_idempotency_keys(IDEMPOTENCY_PURGE_BATCH).await?;
    // Rate-limit counters of past seconds (a key-value outage only leaves them for later).
    report.rate_limit_counters_purged = platform::ratelimit::purge_counters().await.unwrap_or_else(|e| {
        eprintln!("rate-limit counters not purged: {e}");
        0
    });

    // Long inbound messages whose missing parts never came: processed with what arrived.
    report.inbound_settled = platform::inbound::settle_stale_parts(&store, INBOUND_BATCH).await?;

    // Validity: no final status in time → Expired (refunded only if it never left us).
    // A message whose submit outcome is still unknown becomes Unknown (599), not refunded:
    // the carrier may have it (domain::submit).
    for (id, outcome_unknown) in store.expired_messages(EXPIRY_BATCH).await? {
        let outcome = if outcome_unknown {
            store.give_up_unknown(&id, "validity ended with the submit's outcome unknown; not refunded: the carrier may have it").await?
        } else {
            store.change_status(&id, Status::Expired, "validity", Some("no final status within the validity period")).await?
        };
        report.expired += matches!(outcome, platform::store::StatusOutcome::Applied { .. }) as usize;
    }

    // Subscriptions whose period is over: renewed once each, however many runners run.
    report.subscriptions = store.renew_due_subscriptions(Utc::now(), RENEWAL_BATCH).await?;

    // Last month's invoices, once its month has ended in each account's time zone.
    report.invoices_issued = platform::reports::issue_due(&store, Utc::now(), INVOICE_BATCH).await?;

    // Status callbacks, batch after batch (each message's next event becomes due when
    // the one before it is delivered), within the time budget.
    while started.elapsed() < CALLBACK_BUDGET {
        let claimed = store.claim_callbacks(CALLBACK_BATCH, CALLBACK_LEASE_SECONDS).await?;
        if claimed.is_empty() {
            break;
        }
        deliver_callbacks(&store, &claimed, &mut report).await?;
    }
    report.elapsed_ms = started.elapsed().as_millis();
    Ok(json(200, &report))
}

async fn deliver_callbacks(store: &Store, claimed: &[ClaimedCallback], report: &mut JobReport) -> Result<(), platform::db::DbError> {
    let timestamp = now_seconds();
    // Each URL checked again as it is called: it may have been saved before the rule, or
    // under a development setting since switched off.
    let policy = platform::config::egress_policy().await;
    let mut callable: Vec<&ClaimedCallback> = Vec::with_capacity(claimed.len());
    for callback in claimed {
        match policy.parse(&callback.url) {
            Ok(_) => callable.push(callback),
            Err(reason) => {
                report.callbacks_blocked += 1;
                let error = format!("blocked, not sent: {reason}");
                store.record_callback_attempt(callback.delivery_id, callback.attempt, None, Some(&error), 0, AttemptResult::GiveUp).await?;
            }
        }
    }
    let mut posts: Vec<Post> = Vec::with_capacity(callable.len());
    for c in &callable {
        let body = render_event(c);
        let secrets: Vec<WebhookSecret> = c.secrets.iter().filter_map(|s| WebhookSecret::parse(s).ok()).collect();
        // Accounts made before callbacks existed get a secret now; they see it by rotating.
        let secrets = if secrets.is_empty() { vec![new_secret_for(store, &c.account_id).await] } else { secrets };
        let mut headers: Vec<(String, String)> = domain::webhook::headers(&secrets.iter().collect::<Vec<_>>(), &c.event_id, timestamp, body.as_bytes())
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        headers.push(("user-agent".to_owned(), "smsedge-callbacks/1".to_owned()));
        posts.push(Post { url: &c.url, headers, body, timeout: CALLBACK_TIMEOUT });
    }
    // Only the status of an answer is kept, never its body; a redirect is an answer
    // (not followed: outbound HTTP does not follow them).
    let outcomes = post_all(&posts, CALLBACKS_IN_FLIGHT).await;
    for (callback, outcome) in callable.into_iter().zip(outcomes) {
        let (delivery, http_status, error) = match &outcome.result {
            Ok(answer) => (DeliveryOutcome::Http(answer.status), Some(answer.status), None),
            Err(e) if e.is_prohibited_destination() => {
                report.callbacks_blocked += 1;
                (DeliveryOutcome::Blocked, None, Some(format!("blocked at the connection: {e}")))
            }
            Err(e) if e.kind == FailureKind::TimedOut => (DeliveryOutcome::Timeout, None, Some(e.to_string())),
            Err(e) => (DeliveryOutcome::NetworkError, None, Some(e.to_string())),
        };
        let result = match classify(delivery) {
            Next::Delivered => {
                report.callbacks_delivered += 1;
                AttemptResult::Delivered
            }
            Next::Retry => match next_attempt_delay(callback.attempt) {
                Some(delay) => {
                    report.callbacks_retrying += 1;
                    AttemptResult::RetryIn { seconds: delay.as_secs() }
                }
                None => {
                    report.callbacks_failed += 1;
                    AttemptResult::GiveUp
                }
            },
            Next::GiveUp => {
                report.callbacks_failed += 1;
                AttemptResult::GiveUp
            }
        };
        store.record_callback_attempt(
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

async fn new_secret_for(store: &Store, account_id: &str) -> WebhookSecret {
    let secret = WebhookSecret::from_random_bytes(&random_bytes::<32>()).expect("32 bytes make a secret");
    if let Err(e) = store.rotate_webhook_secret(account_id, &secret.to_string()).await {
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

// ---------------------------------------------------------------- the callback log

async fn callback_log(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let query = platform::http::query(&req);
    let state = query.get("state").map(String::as_str);
    if state.is_some_and(|s| !["pending", "delivered", "failed"].contains(&s)) {
        return Err(ApiError::malformed("state is one of pending, delivered, failed"));
    }
    let limit = query.get("limit").and_then(|l| l.parse::<i64>().ok()).unwrap_or(50).clamp(1, 500);
    let deliveries = store.callback_log(&caller.account_id, state, limit).await?;
    Ok(json(200, &serde_json::json!({ "deliveries": deliveries })))
}

/// Queues a delivery again, due now, with a fresh retry schedule (e.g. after a failure).
async fn replay(req: Req) -> Reply {
    let event_id = req.param("event_id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    if !store.replay_callback(&caller.account_id, event_id).await? {
        return Err(ApiError::not_found(format!("no callback event {event_id} in this account")));
    }
    Ok(json(202, &serde_json::json!({ "event_id": event_id, "state": "pending" })))
}

// ---------------------------------------------------------------- account settings

async fn settings(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    settings_of(&store, &caller.account_id).await
}

/// The account's settings as the API shows them.
async fn settings_of(store: &Store, account_id: &str) -> Reply {
    let gone = || ApiError::not_found("the account no longer exists");
    let callbacks = store.account_settings(account_id).await?.ok_or_else(gone)?;
    let inbound = store.inbound_settings(account_id).await?.ok_or_else(gone)?;
    let profile = store.account_profile(account_id).await?.ok_or_else(gone)?;
    let account = store.account(account_id).await?.ok_or_else(gone)?;
    Ok(json(
        200,
        &serde_json::json!({
            "currency": profile.currency,
            // The currency can change only while the ledger is empty (409 CurrencyLocked).
            "currency_locked": account.ledger_entries > 0,
            "company": profile.company,
            "contact": profile.contact,
            "date_format": profile.date_format,
            "note": profile.note,
            "time_zone": callbacks.time_zone,
            "status_callback": callbacks.status_callback,
            "webhook_secret_set": callbacks.webhook_secret_set,
            "webhook_secret_rotated_at": callbacks.webhook_secret_rotated_at,
            "languages": inbound.languages,
            "stop_by_reply": inbound.stop_by_reply,
            "stop_by_link": inbound.stop_by_link,
            "help_reply": inbound.help_reply,
            "opt_out_reply": inbound.opt_out_reply,
            "save_reply": inbound.save_reply,
            "inbound_webhook": inbound.inbound_webhook,
        }),
    ))
}

/// Absent leaves a setting as it is; `null` clears one that may be empty.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsPatch {
    time_zone: Option<String>,
    #[serde(default, deserialize_with = "domain::patch::explicit_null")]
    status_callback: Option<Option<String>>,
    /// Keyword languages, e.g. ["sv", "en"] (English is always understood).
    languages: Option<Vec<String>>,
    /// Opt-out by replying STOP to a reception number.
    stop_by_reply: Option<bool>,
    /// An unsubscribe link appended to every SMS (counted in its segments).
    stop_by_link: Option<bool>,
    #[serde(default, deserialize_with = "domain::patch::explicit_null")]
    help_reply: Option<Option<String>>,
    #[serde(default, deserialize_with = "domain::patch::explicit_null")]
    opt_out_reply: Option<Option<String>>,
    #[serde(default, deserialize_with = "domain::patch::explicit_null")]
    save_reply: Option<Option<String>>,
    #[serde(default, deserialize_with = "domain::patch::explicit_null")]
    inbound_webhook: Option<Option<String>>,
    /// Company information; in it absent leaves a field, `null` or `""` clears it.
    company: Option<CompanyInput>,
    /// Contact details, likewise.
    contact: Option<ContactInput>,
    /// One of domain::account::DateFormat's strings.
    date_format: Option<String>,
    #[serde(default, deserialize_with = "domain::patch::explicit_null")]
    note: Option<Option<String>>,
    /// Only while the account has no ledger entries (409 CurrencyLocked after).
    currency: Option<String>,
}

async fn url_patch(field: &Option<Option<String>>) -> Result<Option<Option<CallbackUrl>>, ApiError> {
    match field {
        Some(Some(url)) => Ok(Some(Some(platform::config::egress_policy().await.parse(url)?))),
        Some(None) => Ok(Some(None)),
        None => Ok(None),
    }
}

/// An auto-reply must be a sendable SMS; an empty one is the same as none.
fn reply_patch(field: &Option<Option<String>>, name: &str) -> Result<Option<Option<String>>, ApiError> {
    match field {
        Some(Some(text)) if !text.trim().is_empty() => {
            MessageText::parse(text, SegmentLimits::default()).map_err(|e| ApiError::malformed(format!("{name}: {e}")))?;
            Ok(Some(Some(text.clone())))
        }
        Some(_) => Ok(Some(None)),
        None => Ok(None),
    }
}

async fn update_settings(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let mut patch: SettingsPatch = parse_body(&req)?;
    // The profile's fields are all checked, and every bad one reported, first.
    let profile = ProfilePatch::parse(&ProfileInput {
        company: patch.company.take(),
        contact: patch.contact.take(),
        date_format: patch.date_format.take(),
        note: patch.note.take(),
        currency: patch.currency.take(),
    })?;
    let profile_update = ProfileUpdate {
        company_name: profile.company_name.as_update(),
        organisation_number: profile.organisation_number.as_update(),
        vat_number: profile.vat_number.as_update(),
        address_line1: profile.address_line1.as_update(),
        address_line2: profile.address_line2.as_update(),
        postal_code: profile.postal_code.as_update(),
        city: profile.city.as_update(),
        country: profile.country.as_update(),
        contact_name: profile.contact_name.as_update(),
        contact_email: profile.contact_email.as_update(),
        contact_phone: profile.contact_phone.as_update(),
        invoice_email: profile.invoice_email.as_update(),
        note: profile.note.as_update(),
        date_format: profile.date_format.map(|f| f.as_str()),
        currency: profile.currency.map(|c| c.code()),
    };
    let time_zone = patch.time_zone.as_deref().map(TimeZone::parse).transpose()?;
    let status_callback = url_patch(&patch.status_callback).await?;
    let inbound_webhook = url_patch(&patch.inbound_webhook).await?;
    let languages = match &patch.languages {
        None => None,
        Some(list) => {
            let parsed = list.iter().map(|l| Language::parse_tag(l)).collect::<Result<Vec<_>, _>>().map_err(|e| ApiError::malformed(e.to_string()))?;
            Some(parsed.iter().map(|l| l.code()).collect::<Vec<_>>().join(","))
        }
    };
    let (help, opt_out, save) =
        (reply_patch(&patch.help_reply, "help_reply")?, reply_patch(&patch.opt_out_reply, "opt_out_reply")?, reply_patch(&patch.save_reply, "save_reply")?);
    store
        .audited(&caller.account_id, &caller.actor, "settings.updated", Subject::Account(&caller.account_id), async |store| {
            store.update_account_settings(
                &caller.account_id,
                time_zone.as_ref().map(TimeZone::name),
                status_callback.as_ref().map(|url| url.as_ref().map(CallbackUrl::as_str)),
            ).await?;
            store.update_inbound_settings(
                &caller.account_id,
                &InboundSettingsPatch {
                    languages: languages.as_deref(),
                    stop_by_reply: patch.stop_by_reply,
                    stop_by_link: patch.stop_by_link,
                    help_reply: help.as_ref().map(|o| o.as_deref()),
                    opt_out_reply: opt_out.as_ref().map(|o| o.as_deref()),
                    save_reply: save.as_ref().map(|o| o.as_deref()),
                    inbound_webhook: inbound_webhook.as_ref().map(|url| url.as_ref().map(CallbackUrl::as_str)),
                },
            ).await?;
            store.update_account_profile(&caller.account_id, &profile_update).await
        })
        .await
        .map_err(|e| match e {
            ProfileUpdateError::CurrencyLocked(current) => currency_locked(&current),
            ProfileUpdateError::Db(e) => internal(e),
        })?;
    settings_of(&store, &caller.account_id).await
}

/// The account's history: changes to its settings, keys, numbers and balance, newest first.
async fn history(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let (limit, before) = history_page(&req)?;
    Ok(json(200, &serde_json::json!({ "events": store.history(&caller.account_id, limit, before).await? })))
}

/// Makes a new signing secret and shows it this once; the old one keeps signing beside
/// it for a day, so receivers can switch without missing an event.
async fn rotate_secret(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let secret = WebhookSecret::from_random_bytes(&random_bytes::<32>()).map_err(internal)?.to_string();
    store
        .audited(&caller.account_id, &caller.actor, "webhook_secret.rotated", Subject::Account(&caller.account_id), async |store| {
            store.rotate_webhook_secret(&caller.account_id, &secret).await
        })
        .await?;
    Ok(json(201, &serde_json::json!({ "webhook_secret": secret, "previous_valid_for_hours": 24 })))
}

// ---------------------------------------------------------------- SMPP credentials

async fn smpp_list(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    platform::smpp::list(&store, &caller.account_id).await
}

async fn smpp_create(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    platform::smpp::create(&req, &store, &caller.account_id, &caller.actor).await
}

async fn smpp_update(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    platform::smpp::update(&req, &store, &caller.account_id, id, &caller.actor).await
}

async fn smpp_revoke(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    platform::smpp::revoke(&store, &caller.account_id, id, &caller.actor).await
}
