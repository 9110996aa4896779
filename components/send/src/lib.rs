//! The send API: `POST /v1/messages`, `GET`/`DELETE /v1/messages/{id}`, and the two routes
//! without an owner of their own: `GET /v1/health` and `GET /v1/openapi.json` (the API's
//! OpenAPI document, `api/openapi.json`, built in).

use domain::access::Scope;
use domain::callback::{MoneyJson, StatusJson};
use domain::error::ApiError;
use domain::money::{Currency, Money};
use domain::status::Status;
use platform::http::{authenticate, internal, json, parse_body, respond, segments};
use platform::messages::{send_messages, SendRequest};
use platform::store::{CancelOutcome, Store};
use serde::Deserialize;
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    respond(route(&req))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = segments(req);
    match (req.method(), path.as_slice()) {
        (Method::Get, ["v1", "health"]) => Ok(json(200, &serde_json::json!({"status": "ok"}))),
        (Method::Get, ["v1", "openapi.json"]) => Ok(openapi()),
        (Method::Post, ["v1", "messages"]) => send(req),
        (Method::Get, ["v1", "messages", id]) => get_message(req, id),
        (Method::Delete, ["v1", "messages", id]) => cancel(req, id),
        (_, ["v1", "health"] | ["v1", "openapi.json"]) => Err(ApiError::method_not_allowed("GET")),
        (_, ["v1", "messages", _]) => Err(ApiError::method_not_allowed("GET, DELETE")),
        (_, ["v1", "messages"]) => Err(ApiError::method_not_allowed("POST")),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}

/// The OpenAPI 3.1 document of every endpoint of the app, as committed in `api/openapi.json`.
const OPENAPI: &str = include_str!("../../../api/openapi.json");

fn openapi() -> Response {
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("cache-control", "public, max-age=300")
        .header("access-control-allow-origin", "*")
        .body(OPENAPI)
        .build()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Recipients {
    One(String),
    Many(Vec<String>),
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

fn send(req: &Request) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::MessagesSend)?;
    let body: SendBody = parse_body(req)?;
    if body.client_reference.as_ref().is_some_and(|r| r.len() > MAX_CLIENT_REFERENCE) {
        return Err(ApiError::malformed(format!("client_reference may be at most {MAX_CLIENT_REFERENCE} bytes")));
    }
    let to = match body.to {
        Recipients::One(one) => vec![one],
        Recipients::Many(many) => many,
    };
    let outcome = send_messages(
        &store,
        &caller,
        &SendRequest {
            from: &body.from,
            to: &to,
            text: &body.text,
            client_reference: body.client_reference.as_deref(),
            status_callback: body.status_callback.as_deref(),
            send_at: body.send_at.as_deref(),
            time_zone: body.time_zone.as_deref(),
            validity: body.validity,
            ignore_blocklist: false,
        },
    )?;
    Ok(json(201, &outcome))
}

/// `DELETE /v1/messages/{id}`: cancels a scheduled message before it leaves; refunded.
fn cancel(req: &Request, id: &str) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::MessagesSend)?;
    match store.cancel_scheduled(&caller.account_id, id).map_err(internal)? {
        CancelOutcome::Canceled { refunded } => Ok(json(
            200,
            &serde_json::json!({
                "id": id,
                "status": StatusJson::from(Status::Canceled),
                "refunded": refunded,
                "balance": MoneyJson::from(Money::new(store.balance(&caller.account_id).map_err(internal)?, caller.currency)),
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

fn get_message(req: &Request, id: &str) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::MessagesRead)?;
    let (message, events) = store
        .message(&caller.account_id, id)
        .map_err(internal)?
        .ok_or_else(|| ApiError::not_found(format!("no message {id} in this account")))?;
    let currency = Currency::parse(&message.currency).unwrap_or(caller.currency);
    Ok(json(
        200,
        &serde_json::json!({
            "id": message.id,
            "batch_id": message.batch_id,
            "client_reference": message.client_reference,
            "from": message.sender,
            "to": message.recipient,
            "country": message.country,
            "text": message.body,
            "encoding": message.encoding,
            "segments": message.segments,
            "price": MoneyJson::from(Money::new(message.price_minor, currency)),
            "carrier": message.carrier,
            "sandbox": message.carrier == platform::carrier::SANDBOX,
            "carrier_message_id": message.carrier_message_id,
            "status": StatusJson::from(message.status),
            "status_at": message.status_at,
            "final": message.status.is_final(),
            "created_at": message.created_at,
            "history": events,
        }),
    ))
}

/// Build-time pre-initialisation (Wizer, see tools/preinit.sh): runs libphonenumber's
/// one-time set-up so every request starts from the initialised snapshot.
#[export_name = "wizer.initialize"]
pub extern "C" fn wizer_initialize() {
    domain::recipient::warm_up();
}
