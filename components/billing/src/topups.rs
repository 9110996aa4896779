//! Money in: top-ups by card through Stripe Checkout, Stripe's signed webhook that credits
//! them (exactly once), and the payments log (see domain::billing::stripe for the rules).

use domain::api::error::{ApiError, ErrorName};
use domain::billing::stripe::{parse_event, verify_webhook, TopupAmount, SIGNATURE_HEADER};
use domain::carriers::signature::SignatureError;
use domain::identity::access::Scope;
use platform::app::topups::{settle_stripe_event, start_checkout, stripe_config};
use platform::http::{authenticate, created_reply, idempotency, json, parse_body, Reply, Req, MAX_BODY_BYTES};
use platform::ids::now_seconds;
use platform::store::Store;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTopup {
    amount_minor: i64,
}

/// `POST /v1/billing/topups`: a pending top-up and its Stripe Checkout Session; the
/// customer pays on the session's page and Stripe's webhook credits the account.
pub async fn create(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let body: NewTopup = parse_body(&req)?;
    let amount = TopupAmount::parse(body.amount_minor, caller.currency).map_err(|e| ApiError::named(400, ErrorName::InvalidTopupAmount, e.to_string()))?;
    created_reply(start_checkout(&store, &caller, amount, None, idempotency(&req)?.as_ref()).await?, |body| json(201, &body))
}

/// `GET /v1/billing/payments`: the account's payments log, newest first.
pub async fn log(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let page = platform::http::page(&req)?;
    let payments = page.page(store.billing().payments(&caller.account_id, page.fetch(), page.after()?).await?, |p| p.seq);
    Ok(json(200, &serde_json::json!({"payments": payments.items, "next_cursor": payments.next_cursor})))
}

/// `POST /v1/billing/stripe/webhook`: Stripe's signed events. Forged, stale or unsigned
/// → 401/400 and nothing happens; a verified event Stripe should not send again → 200,
/// whatever we made of it (Stripe retries every non-2xx answer for days).
pub async fn webhook(req: Req) -> Reply {
    let store = Store::open().await?;
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    // The console's gateway settings first, the Spin variables as the fallback.
    let config = stripe_config(&store).await?;
    let header = req.header(SIGNATURE_HEADER);
    verify_webhook(&config.webhook_secret, header, body, now_seconds()).map_err(|e| match e {
        SignatureError::NoSecret => ApiError::unavailable(format!("{e}: set the webhook signing secret in the console's Settings or stripe_webhook_secret")),
        SignatureError::Missing | SignatureError::Malformed => ApiError::named(400, ErrorName::SignatureInvalid, e.to_string()),
        SignatureError::Stale | SignatureError::Mismatch => ApiError::named(401, ErrorName::SignatureInvalid, e.to_string()),
    })?;
    let mode = config.mode;
    let event = parse_event(body).map_err(ApiError::malformed)?;
    let (outcome, topup) = settle_stripe_event(&store, mode, event).await?;
    Ok(json(200, &serde_json::json!({"received": true, "outcome": outcome, "topup_id": topup, "stripe_mode": mode.as_str()})))
}

