//! The send API: `POST /v1/messages`, `GET /v1/messages/{id}`, and `GET /v1/health`.

use domain::error::ApiError;
use domain::money::{Currency, Money};
use domain::receipt::{map_receipt_status, normalize_carrier_id};
use domain::send::{quote, validate_send};
use domain::status::Status;
use domain::text::SegmentLimits;
use platform::carrier::{submit_all, CarrierConfig, Submission, SubmitResult};
use platform::http::{authenticate, internal, json, parse_body, respond, segments};
use platform::ids::new_id;
use platform::store::{IncomingReceipt, NewSend, Store, StoreError};
use serde::{Deserialize, Serialize};
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
        (Method::Post, ["v1", "messages"]) => send(req),
        (Method::Get, ["v1", "messages", id]) => get_message(req, id),
        (_, ["v1", "health"]) | (_, ["v1", "messages", _]) => Err(ApiError::method_not_allowed("GET")),
        (_, ["v1", "messages"]) => Err(ApiError::method_not_allowed("POST")),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
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
}

#[derive(Serialize)]
struct StatusJson {
    code: u16,
    name: &'static str,
}

impl From<Status> for StatusJson {
    fn from(s: Status) -> Self {
        StatusJson { code: s.code(), name: s.name() }
    }
}

#[derive(Serialize)]
struct MoneyJson {
    amount: String,
    minor: i64,
    currency: &'static str,
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> Self {
        MoneyJson { amount: m.decimal(), minor: m.minor(), currency: m.currency().code() }
    }
}

#[derive(Serialize)]
struct SentMessage {
    id: String,
    to: String,
    country: String,
    status: StatusJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<String>,
    encoding: &'static str,
    segments: u32,
    price: MoneyJson,
    refunded: bool,
}

const MAX_CLIENT_REFERENCE: usize = 128;

fn send(req: &Request) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store)?;
    let body: SendBody = parse_body(req)?;
    if body.client_reference.as_ref().is_some_and(|r| r.len() > MAX_CLIENT_REFERENCE) {
        return Err(ApiError::malformed(format!("client_reference may be at most {MAX_CLIENT_REFERENCE} bytes")));
    }
    let to = match body.to {
        Recipients::One(one) => vec![one],
        Recipients::Many(many) => many,
    };
    let valid = validate_send(&body.from, &to, &body.text, SegmentLimits::default())?;

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
            client_reference: body.client_reference.as_deref(),
            sender: valid.sender.as_str(),
            text: &valid.text,
            quote: &quote,
            carrier: &carrier.name,
            message_ids: &message_ids,
        })
        .map_err(|e| store_error(e, caller.currency))?;

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
    let results = submit_all(&carrier, &submissions);

    let mut any_refund = false;
    let mut sent = Vec::with_capacity(results.len());
    for ((priced, id), result) in quote.messages.iter().zip(&message_ids).zip(results) {
        let (status, detail, refunded) = match result {
            SubmitResult::Accepted { carrier_message_id } => {
                let carrier_message_id = normalize_carrier_id(&carrier_message_id);
                store.mark_submitted(id, &carrier_message_id, &carrier.name).map_err(internal)?;
                if carrier.is_sandbox() {
                    sandbox_receipt(&store, id, &carrier_message_id)?
                } else {
                    (Status::DeliveredToGateway, None, false)
                }
            }
            SubmitResult::Failed { detail } => {
                let outcome = store
                    .change_status(id, Status::DeliveryToGatewayFailed, &carrier.name, Some(&detail))
                    .map_err(internal)?;
                let refunded = matches!(outcome, platform::store::StatusOutcome::Applied { refunded: true });
                (Status::DeliveryToGatewayFailed, Some(detail), refunded)
            }
        };
        any_refund |= refunded;
        sent.push(SentMessage {
            id: id.clone(),
            to: priced.recipient.e164().to_owned(),
            country: priced.recipient.country().as_str().to_owned(),
            status: status.into(),
            status_detail: detail,
            encoding: valid.text.encoding().as_str(),
            segments: valid.text.segments(),
            price: priced.price.into(),
            refunded,
        });
    }
    if any_refund {
        balance = store.balance(&caller.account_id).map_err(internal)?;
    }
    Ok(json(
        201,
        &serde_json::json!({
            "batch_id": batch_id,
            "carrier": carrier.name,
            "sandbox": carrier.is_sandbox(),
            "messages": sent,
            "duplicates_removed": valid.duplicates,
            "total_price": MoneyJson::from(quote.total),
            "balance": MoneyJson::from(Money::new(balance, caller.currency)),
        }),
    ))
}

/// The sandbox "network" reports every message delivered, through the same receipt
/// path a real carrier's receipt takes.
fn sandbox_receipt(store: &Store, message_id: &str, carrier_message_id: &str) -> Result<(Status, Option<String>, bool), ApiError> {
    let body = format!(r#"{{"message_id":"{carrier_message_id}","status":"DELIVRD","error_code":"000"}}"#);
    let mapped = map_receipt_status("DELIVRD", Some("000"));
    let outcome = store
        .apply_receipt(&IncomingReceipt {
            carrier: platform::carrier::SANDBOX,
            carrier_message_id,
            raw_status: "DELIVRD",
            raw_error: Some("000"),
            mapped,
            dedupe_key: &format!("sandbox:{message_id}"),
            body: &body,
        })
        .map_err(internal)?;
    let status = match outcome {
        platform::store::ReceiptOutcome::Applied { status, .. } => status,
        _ => Status::DeliveredToGateway,
    };
    Ok((status, Some("sandbox: no real message was sent".into()), false))
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

fn get_message(req: &Request, id: &str) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store)?;
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
