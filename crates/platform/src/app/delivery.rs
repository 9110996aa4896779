//! Delivery: messages leave the durable queue (store::queue) for the carrier, and what
//! the carrier said is recorded — by `domain::carriers::submit`'s verdicts, so a message the carrier
//! may have is never refunded blindly and a resubmit carries the same reference.
//!
//! Who delivers: after a send commits, the instance that took it starts delivering once
//! the answer is out (WASIp3: work after the response in the reused instance; only one
//! such delivery runs per instance, taking whatever is due, from any instance, in rounds).
//! That work is best-effort — Spin may drop an idle instance — so the job runner delivers
//! too, and a message taken by a delivery that died is due again when its lease ends.

use crate::carrier::{submit_all, CarrierConfig, Submission, SubmitResult, SANDBOX};
use crate::db::DbError;
use crate::store::{DueMessage, IncomingReceipt, Store};
use domain::contacts::contactbook::blocked_detail;
use domain::carriers::receipt::{adapter, map_receipt_status, normalize_carrier_id};
use domain::messaging::status::Status;
use domain::carriers::submit::{after_unknown, lease_for, AfterUnknown};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a delivery waits after a small round before the next.
const GATHER: Duration = Duration::from_millis(50);

/// What deliveries did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct DeliveryReport {
    /// Messages taken from the queue.
    pub taken: usize,
    /// The carrier took them (DeliveredToGateway, or further by a receipt).
    pub accepted: usize,
    /// The carrier surely did not take them: DeliveryToGatewayFailed, refunded.
    pub refused: usize,
    /// Outcome unknown: resubmitted later with the same reference.
    pub unknown: usize,
    /// Still unknown after the last resubmit: Unknown (599), not refunded.
    pub given_up: usize,
    /// The recipient opted out after the send was accepted: RecipientRejected, refunded.
    pub opted_out: usize,
}

impl DeliveryReport {
    fn add(&mut self, other: DeliveryReport) {
        self.taken += other.taken;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.unknown += other.unknown;
        self.given_up += other.given_up;
        self.opted_out += other.opted_out;
    }
}

/// Who delivers, and so which due messages it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deliverer {
    /// The instance that took a send, after answering: everything due.
    AfterSend,
    /// The job runner: scheduled messages whose time has come, and others once due a while
    /// ([`LEFT_OVER`]) — what no delivery after a send got to, or whose delivery died — so
    /// it does not compete with those for the database's write lock over fresh messages.
    JobRunner,
}

/// How long a message waits due before the job runner takes it.
pub const LEFT_OVER: Duration = Duration::from_secs(5);

/// Rounds of delivery until nothing is due or `budget` has passed.
pub async fn deliver_due(store: &Store, carrier: &CarrierConfig, who: Deliverer, budget: Duration) -> Result<DeliveryReport, DbError> {
    let started = Instant::now();
    let mut report = DeliveryReport::default();
    while started.elapsed() < budget {
        let round = deliver_round(store, carrier, who).await?;
        report.add(round);
        if round.taken == 0 {
            break;
        }
        // A small round (single sends trickling in): let a few more arrive, so each
        // round's claim, request and commit serve several messages, not one. (Not where
        // delivery runs before the answer: that would hold the answer up.)
        if round.taken < carrier.round_size() / 4 && crate::host::WORK_AFTER_RESPONSE {
            crate::host::sleep(GATHER).await;
        }
    }
    Ok(report)
}

/// One round: takes what is due (up to a round's size), submits it, records the answers.
pub async fn deliver_round(store: &Store, carrier: &CarrierConfig, who: Deliverer) -> Result<DeliveryReport, DbError> {
    // One request's worth per submit in flight: every submit of a round is in flight at
    // once, so a lease of one timeout (and a margin) covers the round, and a delivery cut
    // off (Spin dropped its instance, a crash) holds no more than that.
    let size = carrier.round_size();
    let lease = lease_for(carrier.concurrency, carrier.concurrency, carrier.timeout);
    let due_for = if who == Deliverer::JobRunner { LEFT_OVER } else { Duration::ZERO };
    let mut due = store.queue().claim_due_messages(&carrier.name, size as i64, lease.as_secs() as i64, due_for.as_secs() as i64).await?;
    let mut report = DeliveryReport { taken: due.len(), ..DeliveryReport::default() };
    if due.is_empty() {
        return Ok(report);
    }
    // A recipient who opted out after the send was accepted is not sent to.
    for (message, detail) in opted_out_since_accepted(store, &due).await? {
        store.messages().change_status(&message, Status::RecipientRejected, "blocklist", Some(&detail)).await?;
        due.retain(|m| m.id != message);
        report.opted_out += 1;
    }
    let submissions: Vec<Submission> = due
        .iter()
        .map(|m| Submission {
            reference: &m.id,
            from: &m.sender,
            to: &m.recipient,
            text: &m.body,
            encoding: &m.encoding,
            segments: m.segments,
        })
        .collect();
    let results = submit_all(carrier, &submissions).await;
    // The round's answers in one transaction (one commit, not one per message), the
    // accepted ones with one id each in one statement.
    store
        .transaction(async || {
            let mut accepted = Vec::new();
            for (message, result) in due.iter().zip(results) {
                if let Some(one_id) = record(store, carrier, message, result, &mut report).await? {
                    accepted.push(one_id);
                }
            }
            store.messages().mark_many_submitted(&accepted, &carrier.name).await?;
            report.accepted += accepted.len();
            if carrier.is_sandbox() {
                for (id, carrier_message_id) in &accepted {
                    sandbox_receipt(store, id, carrier_message_id).await?;
                }
            }
            Ok::<(), DbError>(())
        })
        .await?;
    Ok(report)
}

/// Records one submit's answer — except an acceptance with one id, which it returns as
/// `(message id, canonical carrier id)` to be recorded with the round's others at once.
async fn record(
    store: &Store,
    carrier: &CarrierConfig,
    message: &DueMessage,
    result: SubmitResult,
    report: &mut DeliveryReport,
) -> Result<Option<(String, String)>, DbError> {
    let id = message.id.as_str();
    match result {
        SubmitResult::Accepted { carrier_message_id } => {
            return Ok(Some((message.id.clone(), canonical_submit_id(&carrier.name, &carrier_message_id))));
        }
        SubmitResult::AcceptedInParts { part_ids } => {
            let part_ids: Vec<String> = part_ids.iter().map(|raw| canonical_submit_id(&carrier.name, raw)).collect();
            store.messages().mark_submitted_in_parts(id, &part_ids, &carrier.name).await?;
            report.accepted += 1;
        }
        SubmitResult::Failed { detail } => {
            store.messages().change_status(id, Status::DeliveryToGatewayFailed, &carrier.name, Some(&detail)).await?;
            report.refused += 1;
        }
        SubmitResult::Unknown { detail } => match after_unknown(message.unknown_submits + 1) {
            AfterUnknown::ResubmitIn(wait) => {
                let detail = format!("outcome unknown ({detail}); resubmitted with the same reference in {} s", wait.as_secs());
                store.queue().submit_outcome_unknown(id, &detail, wait.as_secs() as i64).await?;
                report.unknown += 1;
            }
            AfterUnknown::GiveUp => {
                let detail = format!("no known outcome after {} submits ({detail}); not refunded: the carrier may have it", message.attempts + 1);
                store.queue().give_up_unknown(id, &detail).await?;
                report.given_up += 1;
            }
        },
    }
    Ok(None)
}

/// The taken messages whose recipient is now on their account's blocklist, with why.
async fn opted_out_since_accepted(store: &Store, due: &[DueMessage]) -> Result<Vec<(String, String)>, DbError> {
    let mut accounts: Vec<&str> = due.iter().map(|m| m.account_id.as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut refused = Vec::new();
    for account in accounts {
        let numbers: Vec<&str> = due.iter().filter(|m| m.account_id == account).map(|m| m.recipient.as_str()).collect();
        for (number, reason, since) in store.contacts().blocked_numbers(account, &numbers).await? {
            let detail = blocked_detail(&reason, &since);
            refused.extend(
                due.iter().filter(|m| m.account_id == account && m.recipient == number).map(|m| (m.id.clone(), detail.clone())),
            );
        }
    }
    Ok(refused)
}

/// This instance's delivery is running; a send committed meanwhile asks it for one more round.
static DELIVERING: AtomicBool = AtomicBool::new(false);
static MORE: AtomicBool = AtomicBool::new(false);

/// After a send commits: delivers what is due once the answer is out (WASIp3; on Spin 3,
/// which has no work after the response, before it). One delivery per instance at a
/// time, so concurrent sends share its rounds instead of each submitting alone.
pub async fn deliver_soon() {
    MORE.store(true, Ordering::SeqCst);
    if DELIVERING.swap(true, Ordering::SeqCst) {
        return;
    }
    crate::host::after_response(async {
        // A round that fails (the database busy) leaves its messages leased: the job
        // runner or a later round takes them when the lease ends.
        while MORE.swap(false, Ordering::SeqCst) {
            let Ok(store) = Store::open().await else { break };
            let carrier = CarrierConfig::from_variables().await;
            if let Err(e) = deliver_due(&store, &carrier, Deliverer::AfterSend, Duration::from_secs(60)).await {
                eprintln!("delivery after a send: {e}");
                break;
            }
        }
        DELIVERING.store(false, Ordering::SeqCst);
    })
    .await;
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

/// The sandbox "network" reports every message delivered, through the receipt path a
/// real carrier's receipts take.
async fn sandbox_receipt(store: &Store, message_id: &str, carrier_message_id: &str) -> Result<(), DbError> {
    let body = format!(r#"{{"message_id":"{carrier_message_id}","status":"DELIVRD","error_code":"000"}}"#);
    store.receipts().apply_receipt(&IncomingReceipt {
        carrier: SANDBOX,
        carrier_message_id,
        raw_status: "DELIVRD",
        raw_error: Some("000"),
        mapped: map_receipt_status("DELIVRD", Some("000")),
        part: None,
        reference: Some(message_id),
        dedupe_key: &format!("sandbox:{message_id}"),
        body: &body,
    }).await?;
    Ok(())
}
