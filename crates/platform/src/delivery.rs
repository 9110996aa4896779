//! Handing stored, paid messages to the carrier and recording what it said: the one
//! path used by the send API (at once) and by the job runner (scheduled sends).

use crate::carrier::{submit_all, CarrierConfig, Submission, SubmitResult, SANDBOX};
use crate::db::DbError;
use crate::store::{IncomingReceipt, ReceiptOutcome, StatusOutcome, Store};
use domain::receipt::{adapter, map_receipt_status, normalize_carrier_id};
use domain::status::Status;

/// Where a message stands after its submit.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub status: Status,
    pub detail: Option<String>,
    pub refunded: bool,
}

/// Submits the messages (already Sending, 110) and records each answer: DeliveredToGateway
/// (111) with the carrier's id (canonical, see [`canonical_submit_id`]), or
/// DeliveryToGatewayFailed (511) refunded. A receipt that arrived before the submit
/// answer was kept and is applied as the answer is recorded, so the status returned may
/// already be further on. The sandbox carrier's receipt goes through the same receipt
/// path a real carrier's does.
pub async fn submit_and_record(store: &Store, carrier: &CarrierConfig, submissions: &[Submission<'_>]) -> Result<Vec<Submitted>, DbError> {
    let results = submit_all(carrier, submissions).await;
    let mut submitted = Vec::with_capacity(results.len());
    for (submission, result) in submissions.iter().zip(results) {
        let id = submission.reference;
        submitted.push(match result {
            SubmitResult::Accepted { carrier_message_id } => {
                let carrier_message_id = canonical_submit_id(&carrier.name, &carrier_message_id);
                let recorded = store.mark_submitted(id, &carrier_message_id, &carrier.name).await?;
                if carrier.is_sandbox() {
                    sandbox_receipt(store, id, &carrier_message_id).await?
                } else {
                    Submitted { status: recorded.status, detail: None, refunded: recorded.refunded }
                }
            }
            SubmitResult::AcceptedInParts { part_ids } => {
                let part_ids: Vec<String> = part_ids.iter().map(|raw| canonical_submit_id(&carrier.name, raw)).collect();
                let recorded = store.mark_submitted_in_parts(id, &part_ids, &carrier.name).await?;
                Submitted { status: recorded.status, detail: None, refunded: recorded.refunded }
            }
            SubmitResult::Failed { detail } => {
                let outcome = store.change_status(id, Status::DeliveryToGatewayFailed, &carrier.name, Some(&detail)).await?;
                let refunded = matches!(outcome, StatusOutcome::Applied { refunded: true });
                Submitted { status: Status::DeliveryToGatewayFailed, detail: Some(detail), refunded }
            }
        });
    }
    Ok(submitted)
}

/// The form of a submit response's id that receipts are matched on: what the carrier's
/// adapter makes of it by its declared submit id encoding (e.g. a hex id becomes its
/// decimal value). Carriers without an adapter (the sandbox) keep text ids. An id that
/// does not fit the declared encoding is kept as text and logged: the carrier has the
/// message, so it must not be failed, but its receipts may then not match.
pub fn canonical_submit_id(carrier: &str, raw: &str) -> String {
    match adapter(carrier).map(|a| a.canonical_submit_id(raw)) {
        Some(Ok(id)) => id,
        Some(Err(e)) => {
            eprintln!("carrier {carrier}: {e}; stored as text");
            normalize_carrier_id(raw)
        }
        None => normalize_carrier_id(raw),
    }
}

/// The sandbox "network" reports every message delivered.
async fn sandbox_receipt(store: &Store, message_id: &str, carrier_message_id: &str) -> Result<Submitted, DbError> {
    let body = format!(r#"{{"message_id":"{carrier_message_id}","status":"DELIVRD","error_code":"000"}}"#);
    let outcome = store.apply_receipt(&IncomingReceipt {
        carrier: SANDBOX,
        carrier_message_id,
        raw_status: "DELIVRD",
        raw_error: Some("000"),
        mapped: map_receipt_status("DELIVRD", Some("000")),
        part: None,
        dedupe_key: &format!("sandbox:{message_id}"),
        body: &body,
    }).await?;
    let status = match outcome {
        ReceiptOutcome::Applied { status, .. } => status,
        _ => Status::DeliveredToGateway,
    };
    Ok(Submitted { status, detail: Some("sandbox: no real message was sent".into()), refunded: false })
}
