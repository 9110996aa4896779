//! SQL of the delivery queue: the messages table itself, by `due_at` (migration 0016).
//! A message is in the queue while it is Funded (103) or Sending (110) with no carrier id
//! and a `due_at`; a delivery takes it by moving `due_at` on by its lease, so two
//! deliveries never hold it at once, and one that crashed loses it when the lease ends.

use super::{Store, StatusOutcome};
use crate::db::{int, text, DbError, RowExt, RowsExt};
use domain::messaging::status::Status;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// A message a delivery took to submit now (already moved to Sending, 110).
#[derive(Debug, Clone)]
pub struct DueMessage {
    pub id: String,
    pub account_id: String,
    pub sender: String,
    pub recipient: String,
    pub body: String,
    pub encoding: String,
    pub segments: u32,
    /// Submits before this one (resubmits carry the same reference).
    pub attempts: u32,
    /// Earlier submits whose outcome was unknown.
    pub unknown_submits: u32,
    /// The connection it goes to now (a managed connection's name, or the default's).
    pub carrier: String,
    /// Its route plan (connection names in order), or `None`: the default connection.
    pub route_plan: Option<Vec<String>>,
    /// A submit to this connection ended with an unknown outcome: it may have it.
    pub was_unknown: bool,
    /// The currency it was priced in (its cost price is read in the same).
    pub currency: String,
}

/// How much a delivery round may take: `limit` messages of connections without a
/// throughput limit, and of each limited connection only what it was granted this second.
pub struct Claim<'a> {
    /// The default connection's name: messages without a route plan not yet submitted go to it.
    pub default_carrier: &'a str,
    pub limit: i64,
    pub lease_seconds: i64,
    /// Messages sent now are taken only once due this long (scheduled ones at once).
    pub due_for_seconds: i64,
    /// Limited connections and how many each may take in this round (0: none).
    pub throttled: &'a [(String, i64)],
}

/// The queue as the operator sees it: how many messages wait in each state, and since when.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct QueueState {
    /// Funded and due: waiting for a delivery to take them.
    pub waiting: i64,
    pub oldest_waiting_seconds: Option<f64>,
    /// Funded with a send time still ahead.
    pub scheduled: i64,
    /// Taken by a delivery whose lease has not run out.
    pub submitting: i64,
    /// Taken by a delivery whose lease ran out (it crashed): due again.
    pub lease_expired: i64,
    /// Submitted once or more without a known outcome, waiting to be resubmitted.
    pub outcome_unknown: i64,
    pub oldest_unknown_seconds: Option<f64>,
}

/// The delivery queue: claiming due messages, submits of unknown outcome, the queue's state: `store.queue()`.
#[derive(Clone, Copy)]
pub struct Queue<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn queue(&self) -> Queue<'_> {
        Queue { store: self }
    }
}

impl Queue<'_> {
    /// Takes due messages — of those sent now, only ones due for at least
    /// `due_for_seconds`; scheduled ones as soon as due — for `lease_seconds`, oldest due
    /// first, moving them to Sending (110) in one statement: up to `limit` of connections
    /// without a throughput limit, and of each limited connection what it may take. A
    /// message keeps the connection it was routed to (a resubmit must reach the carrier
    /// that may have it); one without a route plan never submitted goes to the default
    /// connection, and one submitted before through another default is left alone.
    pub async fn claim_due_messages(self, claim: &Claim<'_>) -> Result<Vec<DueMessage>, DbError> {
        let due = format!(
            "due_at IS NOT NULL AND due_at <= {NOW} \
             AND (send_at IS NOT NULL OR due_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ?4 || ' seconds')) \
             AND status IN ({funded}, {sending}) AND carrier_message_id IS NULL \
             AND (route_plan IS NOT NULL OR submit_attempts = 0 OR carrier = ?1)",
            funded = Status::Funded.code(),
            sending = Status::Sending.code(),
        );
        let throttled_names: Vec<&str> = claim.throttled.iter().map(|(name, _)| name.as_str()).collect();
        let mut params = vec![
            text(claim.default_carrier),
            int(claim.limit),
            int(claim.lease_seconds),
            int(claim.due_for_seconds),
            text(serde_json::to_string(&throttled_names).unwrap_or_else(|_| "[]".into())),
        ];
        let mut chosen = format!(
            "SELECT id FROM (SELECT id FROM messages WHERE {due} AND carrier NOT IN (SELECT value FROM json_each(?5)) ORDER BY due_at LIMIT ?2)"
        );
        for (name, allowed) in claim.throttled.iter().filter(|(_, allowed)| *allowed > 0) {
            params.push(text(name.as_str()));
            params.push(int(*allowed));
            chosen.push_str(&format!(
                " UNION ALL SELECT id FROM (SELECT id FROM messages WHERE {due} AND carrier = ?{} ORDER BY due_at LIMIT ?{})",
                params.len() - 1,
                params.len()
            ));
        }
        let rows = self.store.db.query(
            &format!(
                "UPDATE messages SET status = {sending}, \
                 status_source = CASE WHEN status = {sending} THEN status_source ELSE 'router' END, \
                 status_at = CASE WHEN status = {sending} THEN status_at ELSE {NOW} END, \
                 carrier = CASE WHEN submit_attempts = 0 AND route_plan IS NULL THEN ?1 ELSE carrier END, \
                 submit_attempts = submit_attempts + 1, \
                 due_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ?3 || ' seconds') \
                 WHERE id IN ({chosen}) \
                 RETURNING id, account_id, sender, recipient, body, encoding, segments, submit_attempts, carrier, route_plan, currency, \
                           submit_unknown_since IS NOT NULL AS was_unknown, \
                           (SELECT COUNT(*) FROM message_events e WHERE e.message_id = messages.id AND e.source = 'submit-unknown') AS unknown_submits",
                sending = Status::Sending.code(),
            ),
            &params,
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                let plan: Option<String> = r.get("route_plan")?;
                Ok(DueMessage {
                    id: r.get("id")?,
                    account_id: r.get("account_id")?,
                    sender: r.get("sender")?,
                    recipient: r.get("recipient")?,
                    body: r.get("body")?,
                    encoding: r.get("encoding")?,
                    segments: r.get::<i64>("segments")? as u32,
                    attempts: (r.get::<i64>("submit_attempts")? - 1).max(0) as u32,
                    unknown_submits: r.get::<i64>("unknown_submits")? as u32,
                    carrier: r.get("carrier")?,
                    route_plan: plan.map(|p| serde_json::from_str(&p)).transpose().map_err(|e| DbError(format!("a route plan: {e}")))?,
                    was_unknown: r.get("was_unknown")?,
                    currency: r.get("currency")?,
                })
            })
            .collect()
    }

    /// A submit to `from` failed for sure: the message goes to connection `to` at once
    /// (it stays Sending, its submits to `to` counted from zero), and its history says
    /// which connection failed, why, and where it went.
    pub async fn fail_over(self, message_id: &str, from: &str, to: &str, detail: &str) -> Result<bool, DbError> {
        self.store.db.transaction(async |db| {
            let moved = db.query(
                &format!(
                    "UPDATE messages SET carrier = ?2, submit_attempts = 0, status_detail = ?3, due_at = {NOW} \
                     WHERE id = ?1 AND status = {sending} AND carrier_message_id IS NULL RETURNING id",
                    sending = Status::Sending.code()
                ),
                &[text(message_id), text(to), text(detail)],
            ).await?;
            if moved.rows.is_empty() {
                return Ok(false);
            }
            // Same status, so the trigger writes no event: this one is the attempt's.
            db.execute(
                &format!("INSERT INTO message_events (message_id, status, at, source, detail) VALUES (?1, {sending}, {NOW}, ?2, ?3)",
                    sending = Status::Sending.code()),
                &[text(message_id), text(from), text(detail)],
            ).await?;
            Ok(true)
        }).await
    }

    /// A submit of a message we hold ended with an unknown outcome: it stays Sending, is
    /// due again after `resubmit_in_seconds`, and the history says so.
    pub async fn submit_outcome_unknown(self, message_id: &str, detail: &str, resubmit_in_seconds: i64) -> Result<(), DbError> {
        self.store.db.transaction(async |db| {
            let updated = db.query(
                &format!(
                    "UPDATE messages SET status_detail = ?2, submit_unknown_since = COALESCE(submit_unknown_since, {NOW}), \
                     due_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ?3 || ' seconds') \
                     WHERE id = ?1 AND status = {sending} AND carrier_message_id IS NULL RETURNING id",
                    sending = Status::Sending.code()
                ),
                &[text(message_id), text(detail), int(resubmit_in_seconds)],
            ).await?;
            if !updated.rows.is_empty() {
                // Same status, so the trigger writes no event: this one counts the unknown submits.
                db.execute(
                    &format!("INSERT INTO message_events (message_id, status, at, source, detail) VALUES (?1, {sending}, {NOW}, 'submit-unknown', ?2)",
                        sending = Status::Sending.code()),
                    &[text(message_id), text(detail)],
                ).await?;
            }
            Ok(())
        }).await
    }

    /// Gives up on a message whose submits all had unknown outcomes: Unknown (599), not
    /// refunded (the carrier may have it).
    pub async fn give_up_unknown(self, message_id: &str, detail: &str) -> Result<StatusOutcome, DbError> {
        self.store.messages().change_status(message_id, Status::Unknown, "router", Some(detail)).await
    }

    /// Counts by state and the oldest ages, for the operator.
    pub async fn queue_state(self) -> Result<QueueState, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT \
                   COALESCE(SUM(status = {funded} AND due_at <= {NOW}), 0) AS waiting, \
                   MAX(CASE WHEN status = {funded} AND due_at <= {NOW} THEN (julianday('now') - julianday(due_at)) * 86400 END) AS oldest_waiting, \
                   COALESCE(SUM(status = {funded} AND due_at > {NOW}), 0) AS scheduled, \
                   COALESCE(SUM(status = {sending} AND submit_unknown_since IS NULL AND due_at > {NOW}), 0) AS submitting, \
                   COALESCE(SUM(status = {sending} AND submit_unknown_since IS NULL AND due_at <= {NOW}), 0) AS lease_expired, \
                   COALESCE(SUM(status = {sending} AND submit_unknown_since IS NOT NULL), 0) AS outcome_unknown, \
                   MAX(CASE WHEN submit_unknown_since IS NOT NULL THEN (julianday('now') - julianday(submit_unknown_since)) * 86400 END) AS oldest_unknown \
                 FROM messages WHERE due_at IS NOT NULL",
                funded = Status::Funded.code(),
                sending = Status::Sending.code(),
            ),
            &[],
        ).await?;
        // Aggregates without GROUP BY: always one row. The counts are COALESCEd to 0 (SUM
        // over no messages is NULL); the oldest ages are NULL when nothing waits.
        let r = rows.one()?;
        Ok(QueueState {
            waiting: r.get("waiting")?,
            oldest_waiting_seconds: r.get::<Option<f64>>("oldest_waiting")?.map(round_ms),
            scheduled: r.get("scheduled")?,
            submitting: r.get("submitting")?,
            lease_expired: r.get("lease_expired")?,
            outcome_unknown: r.get("outcome_unknown")?,
            oldest_unknown_seconds: r.get::<Option<f64>>("oldest_unknown")?.map(round_ms),
        })
    }
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

