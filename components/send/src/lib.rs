//! The send API: `POST /v1/messages`, `GET`/`DELETE /v1/messages/{id}`, and the two routes
//! without an owner of their own: `GET /v1/health` and `GET /v1/openapi.json` (the API's
//! OpenAPI document, `api/openapi.json`, built in).

use domain::identity::access::Scope;
use domain::callbacks::event::{MoneyJson, StatusJson};
use domain::api::error::ApiError;
use domain::billing::money::{Currency, Money};
use domain::messaging::status::Status;
use platform::app::delivery::deliver_soon;
use platform::http::{
    authenticate, authenticate_for_send, created_reply, idempotency, idempotency_key_in_use, idempotency_key_reused, internal, json, parse_body, respond_with, Reply, Req, Routes,
};
use platform::app::send::{send_messages, validate_first, CheckedFirst, Recipients, SendRequest, Sent, SEND_CREATED};
use platform::store::{CancelOutcome, Created, Kept, Lookups, MessageFilter, SendDestinations, Store};
use serde::Deserialize;

mod twilio;

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        .get("/v1/health", health)
        .get("/v1/openapi.json", openapi)
        .post("/v1/messages", send)
        .get("/v1/messages", list_messages)
        .get("/v1/messages/{id}", get_message)
        .delete("/v1/messages/{id}", cancel)
        // Twilio's Messages API (docs/twilio.md).
        .post("/2010-04-01/Accounts/{account_sid}/Messages.json", twilio::create)
        .get("/2010-04-01/Accounts/{account_sid}/Messages.json", twilio::list)
        .get("/2010-04-01/Accounts/{account_sid}/Messages/{message}", twilio::fetch)
        .post("/2010-04-01/Accounts/{account_sid}/Messages/{message}", twilio::update)
        .delete("/2010-04-01/Accounts/{account_sid}/Messages/{message}", twilio::delete)
}

async fn health(_: Req) -> Reply {
    Ok(json(200, &serde_json::json!({"status": "ok"})))
}

/// The OpenAPI 3.1 document of every endpoint of the app, as committed in `api/openapi.json`.
const OPENAPI: &str = include_str!("../../../api/openapi.json");

async fn openapi(_: Req) -> Reply {
    Ok(respond_with(
        200,
        &[("content-type", "application/json"), ("cache-control", "public, max-age=300"), ("access-control-allow-origin", "*")],
        OPENAPI,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBody {
    from: String,
    to: Recipients,
    text: String,
    client_reference: Option<String>,
    /// Where status changes are POSTed; the account's default when absent.
    status_callback: Option<String>,
    /// RFC 3339, or a local time read in `time_zone` (else the account's time zone).
    send_at: Option<String>,
    time_zone: Option<String>,
    /// Seconds; a message with no final status by then becomes Expired (default 72 h).
    validity: Option<i64>,
}

const MAX_CLIENT_REFERENCE: usize = 128;

/// `POST /v1/messages`: answers 201 once the messages are stored, paid for and queued
/// (Funded, 103); delivery follows. An Idempotency-Key makes a retry safe.
async fn send(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: Result<SendBody, ApiError> = parse_body(&req);
    // The instance's kept lookups serve a send with no Idempotency-Key (a keyed send is one
    // transaction that reads them anyway). A send refused on kept lookups, or by the
    // database for them, is made again from lookups read afresh: a refusal is never
    // decided on what an instance kept (429s aside: a retry would count twice; and a body
    // that does not parse is refused for itself).
    let first = if req.header("idempotency-key").is_none() && body.is_ok() { Lookups::Kept } else { Lookups::Afresh };
    for lookups in [first, Lookups::Afresh] {
        let retry_afresh = lookups == Lookups::Kept;
        match send_once(&req, &store, &body, lookups).await {
            Ok(Sent::Created(created)) => {
                if matches!(&created, Created::New(outcome) if outcome.send_at.is_none()) {
                    deliver_soon().await;
                }
                return created_reply(created, |outcome| json(SEND_CREATED, &outcome));
            }
            Ok(Sent::LookupsChanged) => {}
            Err(e) if retry_afresh && e.http_status != 429 => {}
            Err(e) => return Err(e),
        }
    }
    Err(internal("a send read its lookups afresh and was still refused for kept ones"))
}

async fn send_once(req: &Req, store: &Store, body: &Result<SendBody, ApiError>, lookups: Lookups) -> Result<Sent, ApiError> {
    // A body that parses and names no group is validated first, so that the key's query
    // reads the send's lookups too; anything else is authenticated first and refused after.
    let valid_first = body.as_ref().ok().and_then(|body| validate_first(&send_request(body)));
    let (caller, checked_first) = match valid_first {
        Some(valid) => {
            let at = chrono::Utc::now();
            let destinations = SendDestinations::of(&valid.recipients, true);
            let (caller, lookups) = authenticate_for_send(req, store, Scope::MessagesSend, &destinations, at, lookups).await?;
            (caller, Some(CheckedFirst { valid, lookups, at }))
        }
        None => (authenticate(req, store, Scope::MessagesSend).await?, None),
    };
    let idempotency = idempotency(req)?;
    // A retry of a send already made is answered before anything is checked again.
    if let Some(key) = &idempotency {
        match store.kept_answer(&caller.account_id, key).await? {
            Kept::Answer(answer) => return Ok(Sent::Created(Created::Replayed(answer))),
            Kept::OtherRequest => return Err(idempotency_key_reused()),
            // A send is one transaction: never seen under way, but said right if it were.
            Kept::InProgress { .. } => return Err(idempotency_key_in_use()),
            Kept::Nothing => {}
        }
    }
    let body = body.as_ref().map_err(Clone::clone)?;
    if body.client_reference.as_ref().is_some_and(|r| r.len() > MAX_CLIENT_REFERENCE) {
        return Err(ApiError::malformed(format!("client_reference may be at most {MAX_CLIENT_REFERENCE} bytes")));
    }
    send_messages(store, &caller, &send_request(body), idempotency.as_ref(), checked_first).await
}

fn send_request(body: &SendBody) -> SendRequest<'_> {
    SendRequest {
        from: &body.from,
        to: body.to.as_slice(),
        text: &body.text,
        client_reference: body.client_reference.as_deref(),
        status_callback: body.status_callback.as_deref(),
        callback_format: domain::callbacks::twilio::CallbackFormat::Json,
        send_at: body.send_at.as_deref(),
        time_zone: body.time_zone.as_deref(),
        validity: body.validity,
        ignore_blocklist: false,
    }
}

/// `DELETE /v1/messages/{id}`: cancels a scheduled message before it leaves; refunded.
async fn cancel(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::MessagesSend).await?;
    match store.messages().cancel_scheduled(&caller.account_id, id).await? {
        CancelOutcome::Canceled { refunded } => Ok(json(
            200,
            &serde_json::json!({
                "id": id,
                "status": StatusJson::from(Status::Canceled),
                "refunded": refunded,
                "balance": MoneyJson::from(Money::new(store.billing().balance(&caller.account_id).await?, caller.currency)),
            }),
        )),
        CancelOutcome::TooLate(status) => Err(ApiError::conflict(format!(
            "message {id} is {} ({}); only a scheduled message that has not left can be canceled",
            status.name(),
            status.code()
        ))),
        CancelOutcome::NotFound => Err(ApiError::not_found(format!("no message {id} in this account"))),
    }
}

/// `GET /v1/messages`: the message log, newest first (`order=asc`: oldest first). Filters:
/// `status` (a seed-001 code), `to` (a number), `batch_id`, `since`/`until` (RFC 3339), `q`
/// (words in the text, any case); paged by `limit` and
/// `cursor` (domain::api::paging; the position is the last message's id).
async fn list_messages(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::MessagesRead).await?;
    let q = platform::http::query(&req);
    let bad = |m: &str| ApiError::malformed(m.to_owned());
    let page = platform::http::page_of(&q)?;
    let status = match q.get("status") {
        None => None,
        Some(s) => Some(s.parse::<u16>().ok().and_then(Status::from_code).ok_or_else(|| bad("status is a status code, e.g. 201"))?.code()),
    };
    let recipient = match q.get("to") {
        None => None,
        Some(to) => Some(domain::messaging::recipient::Recipient::parse(to, caller.numbers).map_err(|e| bad(&format!("to: {e}")))?.e164().to_owned()),
    };
    let instant = |name: &str| -> Result<Option<String>, ApiError> {
        match q.get(name) {
            None => Ok(None),
            Some(t) => chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| Some(platform::store::timestamp(t.with_timezone(&chrono::Utc))))
                .map_err(|_| bad(&format!("{name} is an RFC 3339 time, e.g. 2026-11-01T00:00:00Z"))),
        }
    };
    let (since, until) = (instant("since")?, instant("until")?);
    let text = domain::accounts::account::search_pattern(q.get("q").map(String::as_str))?;
    let oldest_first = match q.get("order").map(String::as_str) {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => return Err(ApiError::named(400, domain::api::error::ErrorName::InvalidSort, "order is asc (oldest first) or desc")),
    };
    let filter = MessageFilter {
        status,
        recipient: recipient.as_deref(),
        sender: None,
        batch_id: q.get("batch_id").map(String::as_str),
        since: since.as_deref(),
        until: until.as_deref(),
        text: text.as_deref(),
        oldest_first,
    };
    let after: Option<String> = page.after()?;
    let records = store.messages().messages(&caller.account_id, &filter, page.fetch(), after.as_deref()).await?;
    let records = page.page(records, |m| m.id.clone());
    let messages: Vec<_> = records.items.iter().map(|m| message_summary(m, caller.currency)).collect();
    Ok(json(200, &serde_json::json!({"messages": messages, "next_cursor": records.next_cursor})))
}

fn message_summary(message: &platform::store::MessageRecord, fallback: Currency) -> serde_json::Value {
    let currency = Currency::parse(&message.currency).unwrap_or(fallback);
    serde_json::json!({
        "id": message.id,
        "batch_id": message.batch_id,
        "client_reference": message.client_reference,
        "from": message.sender,
        "to": message.recipient,
        "country": message.country,
        "text": message.body,
        // What the customer asked for, when an operator's rule changed it (null: as sent).
        "original_from": message.original_sender,
        "original_text": message.original_body,
        "encoding": message.encoding,
        "segments": message.segments,
        "price": MoneyJson::from(Money::new(message.price_minor, currency)),
        "status": StatusJson::from(message.status),
        "status_at": message.status_at,
        "final": message.status.is_final(),
        "created_at": message.created_at,
        // A scheduled message's send time (UTC); null for one sent at once.
        "send_at": message.send_at,
    })
}

async fn get_message(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::MessagesRead).await?;
    let (message, events) = store
        .messages().message(&caller.account_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no message {id} in this account")))?;
    let mut body = message_summary(&message, caller.currency);
    body["carrier"] = message.carrier.clone().into();
    body["sandbox"] = (message.carrier == platform::carrier::SANDBOX).into();
    body["carrier_message_id"] = message.carrier_message_id.clone().into();
    body["history"] = serde_json::to_value(events).map_err(internal)?;
    Ok(json(200, &body))
}
