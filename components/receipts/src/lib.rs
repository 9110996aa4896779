//! Delivery receipts from carriers: `POST /v1/carriers/{carrier}/receipts`.
//!
//! A receipt is accepted only with a valid `X-Signature` (HMAC-SHA256 over
//! `"<t>.<raw body>"`, t within 5 minutes). Forged or stale → 401, malformed → 400;
//! neither changes anything. The same receipt twice is acknowledged and changes nothing.

use domain::error::ApiError;
use domain::receipt::{map_receipt_status, normalize_carrier_id, receipt_dedupe_key};
use domain::signature::{verify, SignatureError};
use platform::carrier::HTTP;
use platform::config;
use platform::http::{internal, json, respond, segments, MAX_BODY_BYTES};
use platform::ids::now_seconds;
use platform::store::{IncomingReceipt, ReceiptOutcome, Store};
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
        (Method::Post, ["v1", "carriers", carrier, "receipts"]) => receipt(req, carrier),
        (_, ["v1", "carriers", _, "receipts"]) => Err(ApiError::method_not_allowed("POST")),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}

/// Our carrier protocol's receipt (README "Carrier protocol").
#[derive(Deserialize)]
struct ReceiptBody {
    message_id: String,
    status: String,
    error_code: Option<String>,
}

fn receipt(req: &Request, carrier: &str) -> Result<Response, ApiError> {
    if carrier != HTTP {
        return Err(ApiError::not_found(format!("no carrier '{carrier}' sends receipts here")));
    }
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    let secret = config::get_or("carrier_webhook_secret", "");
    let header = req.header("x-signature").and_then(|h| h.as_str());
    verify(secret.as_bytes(), header, body, now_seconds()).map_err(|e| match e {
        SignatureError::NoSecret => ApiError::unavailable(e.to_string()),
        SignatureError::Malformed => ApiError::malformed(e.to_string()),
        _ => ApiError::unauthorized(e.to_string()),
    })?;
    let parsed: ReceiptBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::malformed(format!("the receipt is not valid JSON for this carrier: {e}")))?;
    if parsed.message_id.trim().is_empty() || parsed.status.trim().is_empty() {
        return Err(ApiError::malformed("the receipt needs message_id and status"));
    }
    let carrier_message_id = normalize_carrier_id(&parsed.message_id);
    let mapped = map_receipt_status(&parsed.status, parsed.error_code.as_deref());
    let dedupe_key = receipt_dedupe_key(carrier, body);
    let store = Store::open().map_err(internal)?;
    let outcome = store
        .apply_receipt(&IncomingReceipt {
            carrier,
            carrier_message_id: &carrier_message_id,
            raw_status: parsed.status.trim(),
            raw_error: parsed.error_code.as_deref(),
            mapped,
            dedupe_key: &dedupe_key,
            body: &String::from_utf8_lossy(body),
        })
        .map_err(internal)?;
    let reply = match outcome {
        ReceiptOutcome::Applied { message_id, status, refunded } => serde_json::json!({
            "outcome": "applied", "message_id": message_id,
            "status": {"code": status.code(), "name": status.name()}, "refunded": refunded,
        }),
        ReceiptOutcome::Ignored { message_id, current } => serde_json::json!({
            "outcome": "ignored", "message_id": message_id,
            "status": {"code": current.code(), "name": current.name()},
        }),
        ReceiptOutcome::Duplicate => serde_json::json!({"outcome": "duplicate"}),
        ReceiptOutcome::Unmatched => serde_json::json!({"outcome": "unmatched"}),
    };
    Ok(json(200, &reply))
}
