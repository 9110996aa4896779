//! Delivery receipts from carriers: `POST /v1/carriers/{carrier}/receipts`, for the default
//! connection by its adapter's name (http, vonage, sinch) and for every managed carrier
//! connection by its own name, with its own secret, read by its adapter (a built-in one or
//! the installed adapter component); others: 404.
//!
//! A receipt is accepted only with a valid `X-Signature` (HMAC-SHA256 with that
//! carrier's own secret over `"<t>.<raw body>"`, t within 5 minutes). Forged or stale →
//! 401, malformed → 400; neither stores anything. A carrier whose secret is not set
//! answers 503. The adapter reads the body; the store matches, applies and keeps it.

use domain::api::error::ApiError;
use domain::carriers::receipt::receipt_dedupe_key;
use platform::http::{json, verify_carrier_webhook, CarrierWebhook, Reply, Req, Routes};
use platform::store::{IncomingReceipt, ReceiptOutcome};

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new().post("/v1/carriers/{carrier}/receipts", receipt)
}

async fn receipt(req: Req) -> Reply {
    let name = req.param("carrier")?;
    let body = req.body();
    let CarrierWebhook { carrier, protocol, store } = verify_carrier_webhook(&req, name).await?;
    let parsed = protocol.parse_receipt(&req.header_pairs(), body).map_err(ApiError::malformed)?;
    let carrier = carrier.as_str();
    let dedupe_key = receipt_dedupe_key(carrier, body);
    let outcome = store
        .receipts().apply_receipt(&IncomingReceipt {
            carrier,
            carrier_message_id: &parsed.carrier_message_id,
            raw_status: &parsed.raw_status,
            raw_error: parsed.raw_error.as_deref(),
            mapped: parsed.mapped,
            part: parsed.part,
            reference: parsed.reference.as_deref(),
            dedupe_key: &dedupe_key,
            body: &String::from_utf8_lossy(body),
        })
        .await?;
    let status = |s: domain::messaging::status::Status| serde_json::json!({"code": s.code(), "name": s.name()});
    let mut reply = serde_json::json!({"outcome": outcome.label()});
    match &outcome {
        ReceiptOutcome::Applied { message_id, status: now, refunded } => {
            reply["message_id"] = message_id.as_str().into();
            reply["status"] = status(*now);
            reply["refunded"] = (*refunded).into();
        }
        ReceiptOutcome::Recorded { message_id, part, current } => {
            reply["message_id"] = message_id.as_str().into();
            reply["status"] = status(*current);
            reply["part"] = serde_json::json!({"index": part.index, "total": part.total});
        }
        ReceiptOutcome::Ignored { message_id, current, reason } => {
            reply["message_id"] = message_id.as_str().into();
            reply["status"] = status(*current);
            reply["reason"] = reason.as_str().into();
        }
        ReceiptOutcome::Duplicate | ReceiptOutcome::Unmatched => {}
    }
    Ok(json(200, &reply))
}
