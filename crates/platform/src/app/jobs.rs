//! The job runner's rounds. Spin has no timer, so cron or a Kubernetes CronJob calls
//! `POST /v1/jobs/run`; each call does bounded batches of due work (delivery from the
//! queue, kept receipts, purges, expiry, subscription renewals, invoices, status
//! callbacks) and is safe to run concurrently and repeatedly: every item is claimed by one
//! statement first.

use super::callbacks;
use crate::carrier::CarrierConfig;
use crate::app::delivery::{deliver_due, Deliverer, DeliveryReport};
use crate::store::{RenewalReport, StatusOutcome, Store};
use chrono::Utc;
use domain::api::error::ApiError;
use domain::messaging::status::Status;
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
const CALLBACK_BUDGET: Duration = Duration::from_secs(20);
/// Kept receipts no message ever claimed are dropped after this many days.
const UNMATCHED_RECEIPT_DAYS: i64 = 7;

/// What one call did.
#[derive(Default, serde::Serialize)]
pub struct JobReport {
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
    subscriptions: RenewalReport,
    /// Status and inbound callbacks, as callbacks::CallbackReport counts them.
    callbacks_delivered: usize,
    callbacks_retrying: usize,
    callbacks_failed: usize,
    callbacks_blocked: usize,
    elapsed_ms: u128,
}

/// One call of the runner: every kind of due work, in turn.
pub async fn run(store: &Store) -> Result<JobReport, ApiError> {
    let started = Instant::now();
    let mut report = JobReport::default();

    // Due messages — scheduled ones whose time has come, ones no delivery after a send
    // got to, ones whose delivery died (lease over), resubmits of unknown outcomes.
    let carrier = CarrierConfig::from_variables().await;
    report.delivery = deliver_due(store, &carrier, Deliverer::JobRunner, DELIVERY_BUDGET).await?;

    // Receipts that arrived before their message's submit answer.
    report.receipts_applied = store.receipts().apply_pending_receipts(RECEIPT_BATCH).await?;
    report.receipts_purged = store.receipts().purge_unmatched_receipts(UNMATCHED_RECEIPT_DAYS).await?;
    report.idempotency_keys_purged = store.purge_idempotency_keys(IDEMPOTENCY_PURGE_BATCH).await?;
    // Rate-limit counters of past seconds (a key-value outage only leaves them for later).
    report.rate_limit_counters_purged = crate::ratelimit::purge_counters().await.unwrap_or_else(|e| {
        eprintln!("rate-limit counters not purged: {e}");
        0
    });

    // Long inbound messages whose missing parts never came: processed with what arrived.
    report.inbound_settled = crate::app::inbound::settle_stale_parts(store, INBOUND_BATCH).await?;

    // Validity: no final status in time → Expired (refunded only if it never left us).
    // A message whose submit outcome is still unknown becomes Unknown (599), not refunded:
    // the carrier may have it (domain::carriers::submit).
    for (id, outcome_unknown) in store.messages().expired_messages(EXPIRY_BATCH).await? {
        let outcome = if outcome_unknown {
            store.queue().give_up_unknown(&id, "validity ended with the submit's outcome unknown; not refunded: the carrier may have it").await?
        } else {
            store.messages().change_status(&id, Status::Expired, "validity", Some("no final status within the validity period")).await?
        };
        report.expired += matches!(outcome, StatusOutcome::Applied { .. }) as usize;
    }

    // Subscriptions whose period is over: renewed once each, however many runners run.
    report.subscriptions = store.billing().renew_due_subscriptions(Utc::now(), RENEWAL_BATCH).await?;

    // Last month's invoices, once its month has ended in each account's time zone.
    report.invoices_issued = crate::app::invoices::issue_due(store, Utc::now(), INVOICE_BATCH).await?;

    // Status callbacks, batch after batch, until the call has run for its budget.
    let callbacks = callbacks::deliver_due(store, started + CALLBACK_BUDGET).await?;
    report.callbacks_delivered = callbacks.delivered;
    report.callbacks_retrying = callbacks.retrying;
    report.callbacks_failed = callbacks.failed;
    report.callbacks_blocked = callbacks.blocked;
    report.elapsed_ms = started.elapsed().as_millis();
    Ok(report)
}
