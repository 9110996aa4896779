//! Work that happens after a request, and what customers see of it:
//! - `POST /v1/jobs/run` (operator, `jobs_token`): the job runner (platform::app::jobs).
//!   Spin has no timer, so cron or a Kubernetes CronJob calls it; each call does bounded
//!   batches of due work (scheduled sends, kept receipts, expiry, subscription renewals,
//!   status callbacks) and is safe to run concurrently and repeatedly.
//! - `GET /v1/callbacks`, `POST /v1/callbacks/{event id}/replay` (API key): the delivery log.
//! - `GET`/`PATCH /v1/account/settings`, `POST /v1/account/webhook-secret` (API key).
//! - `GET`/`POST /v1/account/smpp`, `PATCH`/`DELETE /v1/account/smpp/{id}` (API key):
//!   the account's SMPP credentials (platform::smpp).
//! - `GET /v1/account/senders`, `GET /v1/account/campaigns` (API key): the senders and +1
//!   campaigns the operator registered for the account (platform::app::rules), read-only.
//!
//! This component may call any host (customers' callback URLs); send may call only the carrier.

use domain::identity::access::Scope;
use domain::api::error::ApiError;
use platform::app::settings::{self, SettingsPatch};
use platform::app::{callbacks, jobs, rules};
use platform::http::{authenticate, json, page, parse_body, require_token, Reply, Req, Routes};
use platform::store::Store;

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
        .get("/v1/account/senders", registered_senders)
        .get("/v1/account/campaigns", campaigns)
}

// ---------------------------------------------------------------- what the operator registered

async fn registered_senders(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let page = page(&req)?;
    let list = page.page(rules::registered_senders(&store, &caller.account_id, page.fetch(), page.after()?).await?, |s| s.id);
    Ok(json(200, &serde_json::json!({"senders": list.items, "next_cursor": list.next_cursor})))
}

async fn campaigns(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let page = page(&req)?;
    let after: Option<String> = page.after()?;
    let list = page.page(rules::campaigns(&store, &caller.account_id, page.fetch(), after.as_deref()).await?, |c| c.id.clone());
    Ok(json(200, &serde_json::json!({"campaigns": list.items, "next_cursor": list.next_cursor})))
}

// ---------------------------------------------------------------- the job runner

async fn run_jobs(req: Req) -> Reply {
    require_token(&req, "jobs_token").await?;
    let store = Store::open().await?;
    Ok(json(200, &jobs::run(&store).await?))
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
    let page = platform::http::page_of(&query)?;
    let deliveries = page.page(store.callbacks().callback_log(&caller.account_id, state, page.fetch(), page.after()?).await?, |d| d.id);
    Ok(json(200, &serde_json::json!({ "deliveries": deliveries.items, "next_cursor": deliveries.next_cursor })))
}

/// Queues a delivery again, due now, with a fresh retry schedule (e.g. after a failure).
async fn replay(req: Req) -> Reply {
    let event_id = req.param("event_id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    if !store.callbacks().replay_callback(&caller.account_id, event_id).await? {
        return Err(ApiError::not_found(format!("no callback event {event_id} in this account")));
    }
    Ok(json(202, &serde_json::json!({ "event_id": event_id, "state": "pending" })))
}

// ---------------------------------------------------------------- account settings

async fn settings(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    Ok(json(200, &settings::view(&settings::current(&store, &caller.account_id).await?)))
}

async fn update_settings(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let patch: SettingsPatch = parse_body(&req)?;
    Ok(json(200, &settings::view(&settings::update(&store, &caller, patch).await?)))
}

/// The account's history: changes to its settings, keys, numbers and balance, newest first.
async fn history(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let page = page(&req)?;
    let events = page.page(store.audit().history(&caller.account_id, page.fetch(), page.after()?).await?, |e| e.id);
    Ok(json(200, &serde_json::json!({ "events": events.items, "next_cursor": events.next_cursor })))
}

/// A new signing secret, shown this once; the old one keeps signing beside it for a day.
async fn rotate_secret(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let secret = callbacks::rotate_secret(&store, &caller).await?;
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
