//! SQL of the work that happens after a request: scheduled sends, expiry, customer
//! status callbacks with their delivery log, and the account settings they read.

use super::{InboundView, Store, StatusOutcome};
use crate::db::{int, opt_text, text, DbError, RowExt};
use domain::callbacks::twilio::CallbackFormat;
use domain::messaging::status::Status;
use crate::db::Value;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    Canceled { refunded: bool },
    /// It is not (or no longer) waiting to be sent.
    TooLate(Status),
    NotFound,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountSettings {
    pub time_zone: String,
    pub status_callback: Option<String>,
    pub webhook_secret_set: bool,
    pub webhook_secret_rotated_at: Option<String>,
}

/// A callback delivery the runner took, with everything needed to render and sign it.
#[derive(Debug, Clone)]
pub struct ClaimedCallback {
    pub delivery_id: i64,
    pub event_id: String,
    pub account_id: String,
    pub url: String,
    /// This attempt's number, from 1.
    pub attempt: u32,
    /// Current secret first; the previous one while a rotation is less than a day old.
    pub secrets: Vec<String>,
    /// Ours, or Twilio's (chosen when the event was queued).
    pub format: CallbackFormat,
    pub event: CallbackEvent,
}

#[derive(Debug, Clone)]
pub enum CallbackEvent {
    Status(StatusEventRow),
    Inbound(InboundView),
}

/// A message's status change, as the history has it.
#[derive(Debug, Clone)]
pub struct StatusEventRow {
    pub message_id: String,
    pub batch_id: String,
    pub client_reference: Option<String>,
    /// The sender as sent.
    pub from: String,
    pub to: String,
    /// It waits (or waited) for a send time.
    pub scheduled: bool,
    pub status: Status,
    pub previous_status: Option<Status>,
    pub at: String,
    pub price_minor: i64,
    pub currency: String,
    pub refunded: bool,
    /// What the carrier said, when a receipt caused this status.
    pub carrier_status: Option<String>,
    pub carrier_error: Option<String>,
}

fn stored_format(stored: &str) -> Result<CallbackFormat, DbError> {
    CallbackFormat::parse(stored).map_err(|e| DbError(format!("unreadable callback_deliveries.format: {e}")))
}

/// How an attempt ended, for the log and the next step.
pub enum AttemptResult {
    Delivered,
    RetryIn { seconds: u64 },
    GiveUp,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CallbackAttemptView {
    pub attempt: i64,
    pub at: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CallbackDeliveryView {
    pub id: i64,
    pub event_id: String,
    /// `message.status` or `message.inbound`.
    pub kind: String,
    pub message_id: Option<String>,
    pub inbound_id: Option<String>,
    /// The status the event reports (status events).
    pub status: Option<u16>,
    pub url: String,
    /// Ours (`json`) or Twilio's (`twilio`).
    pub format: CallbackFormat,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_http_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub attempt_log: Vec<CallbackAttemptView>,
}

impl super::Accounts<'_> {
    // ------------------------------------------------------------ account settings

    pub async fn account_settings(self, account_id: &str) -> Result<Option<AccountSettings>, DbError> {
        let rows = self.store.db.query(
            "SELECT time_zone, status_callback, webhook_secret IS NOT NULL AS webhook_secret_set, webhook_secret_rotated_at \
             FROM accounts WHERE id = ?",
            &[text(account_id)],
        ).await?;
        let Some(r) = rows.rows.first() else { return Ok(None) };
        Ok(Some(AccountSettings {
            time_zone: r.get("time_zone")?,
            status_callback: r.get("status_callback")?,
            webhook_secret_set: r.get("webhook_secret_set")?,
            webhook_secret_rotated_at: r.get("webhook_secret_rotated_at")?,
        }))
    }

    /// `status_callback`: None leaves it, Some(None) clears it.
    pub async fn update_account_settings(
        self,
        account_id: &str,
        time_zone: Option<&str>,
        status_callback: Option<Option<&str>>,
    ) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE accounts SET time_zone = COALESCE(?2, time_zone), \
             status_callback = CASE WHEN ?3 THEN ?4 ELSE status_callback END WHERE id = ?1",
            &[
                text(account_id),
                opt_text(time_zone),
                int(status_callback.is_some() as i64),
                opt_text(status_callback.flatten()),
            ],
        ).await
    }
}

/// Status callbacks: claiming and recording deliveries, their log and replays, the webhook secret: `store.callbacks()`.
#[derive(Clone, Copy)]
pub struct Callbacks<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn callbacks(&self) -> Callbacks<'_> {
        Callbacks { store: self }
    }
}

impl Callbacks<'_> {
    /// Installs a new webhook secret; the old one keeps signing beside it for a day.
    pub async fn rotate_webhook_secret(self, account_id: &str, secret: &str) -> Result<(), DbError> {
        self.store.db.execute(
            &format!(
                "UPDATE accounts SET webhook_secret_previous = webhook_secret, webhook_secret = ?2, \
                 webhook_secret_rotated_at = {NOW} WHERE id = ?1"
            ),
            &[text(account_id), text(secret)],
        ).await
    }

    /// Replaces a webhook secret stored as `stored` (current or previous) by `sealed`, the
    /// same secret sealed: a no-op when a rotation replaced it meanwhile.
    pub async fn reseal_webhook_secret(self, account_id: &str, stored: &str, sealed: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE accounts SET \
               webhook_secret = CASE WHEN webhook_secret = ?2 THEN ?3 ELSE webhook_secret END, \
               webhook_secret_previous = CASE WHEN webhook_secret_previous = ?2 THEN ?3 ELSE webhook_secret_previous END \
             WHERE id = ?1 AND (webhook_secret = ?2 OR webhook_secret_previous = ?2)",
            &[text(account_id), text(stored), text(sealed)],
        ).await
    }
}

impl super::Messages<'_> {
    // ------------------------------------------------------------ scheduled sends

    /// Cancels a scheduled message that has not left yet: Canceled (203), refunded.
    pub async fn cancel_scheduled(self, account_id: &str, message_id: &str) -> Result<CancelOutcome, DbError> {
        self.store.db.transaction(async |db| {
            let rows = db.query(
                "SELECT status, send_at IS NOT NULL AS scheduled FROM messages WHERE id = ? AND account_id = ?",
                &[text(message_id), text(account_id)],
            ).await?;
            let Some(row) = rows.rows.first() else { return Ok(CancelOutcome::NotFound) };
            let status = Status::from_code(row.get::<i64>("status")? as u16).unwrap_or(Status::Unknown);
            if status != Status::Funded || !row.get::<bool>("scheduled")? {
                return Ok(CancelOutcome::TooLate(status));
            }
            match self.change_status_in(db, message_id, Status::Canceled, "api", Some("canceled before sending")).await? {
                StatusOutcome::Applied { refunded } => Ok(CancelOutcome::Canceled { refunded }),
                StatusOutcome::Ignored => Ok(CancelOutcome::TooLate(status)),
            }
        }).await
    }

    // ------------------------------------------------------------ validity

    /// Messages past their validity with no final status, up to `limit`: each id, and
    /// whether a submit of it had an unknown outcome.
    pub async fn expired_messages(self, limit: i64) -> Result<Vec<(String, bool)>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT id, submit_unknown_since IS NOT NULL AS outcome_unknown FROM messages \
                 WHERE status < 200 AND expires_at IS NOT NULL AND expires_at <= {NOW} ORDER BY expires_at LIMIT ?"
            ),
            &[int(limit)],
        ).await?;
        rows.rows.iter().map(|r| Ok((r.get("id")?, r.get("outcome_unknown")?))).collect()
    }
}

impl Callbacks<'_> {
    // ------------------------------------------------------------ callbacks

    /// Takes up to `limit` due callback deliveries for `lease_seconds`. Only the oldest
    /// pending event of each message is taken, so a message's events arrive in order.
    pub async fn claim_callbacks(self, limit: i64, lease_seconds: i64) -> Result<Vec<ClaimedCallback>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE callback_deliveries SET attempts = attempts + 1, \
                 lease_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ?2 || ' seconds') \
                 WHERE id IN ( \
                   SELECT d.id FROM callback_deliveries d \
                   WHERE d.state = 'pending' AND d.next_attempt_at <= {NOW} \
                     AND (d.lease_until IS NULL OR d.lease_until <= {NOW}) \
                     AND NOT EXISTS (SELECT 1 FROM callback_deliveries e \
                                     WHERE e.message_id = d.message_id AND e.id < d.id AND e.state = 'pending') \
                   ORDER BY d.id LIMIT ?1) \
                 RETURNING id"
            ),
            &[int(limit), int(lease_seconds)],
        ).await?;
        let ids = rows.rows.iter().map(|r| Ok(int(r.get("id")?))).collect::<Result<Vec<Value>, DbError>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = vec!["?"; ids.len()].join(",");
        // The delivery and its account's signing secrets, whatever the kind.
        let common = self.store.db.query(
            &format!(
                "SELECT d.id, d.event_id, d.account_id, d.url, d.attempts, d.kind, d.message_event_id, d.inbound_id, d.format, \
                        a.webhook_secret, \
                        CASE WHEN a.webhook_secret_rotated_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') \
                             THEN a.webhook_secret_previous END AS previous_secret \
                 FROM callback_deliveries d JOIN accounts a ON a.id = d.account_id \
                 WHERE d.id IN ({placeholders}) ORDER BY d.id"
            ),
            &ids,
        ).await?;
        let mut claimed = Vec::with_capacity(common.rows.len());
        for r in &common.rows {
            // The source of an event is the one its kind names (the other column is NULL).
            let event = match r.get::<String>("kind")?.as_str() {
                "message.inbound" => match r.get::<Option<String>>("inbound_id")? {
                    Some(id) => self.store.inbound().inbound_message_by_id(&id).await?.map(CallbackEvent::Inbound),
                    None => None,
                },
                _ => match r.get::<Option<i64>>("message_event_id")? {
                    Some(id) => self.status_event_row(id).await?.map(CallbackEvent::Status),
                    None => None,
                },
            };
            // A source row that is gone (or never named) cannot be rendered; the lease lapses
            // and the log shows it pending.
            let Some(event) = event else { continue };
            // NULL: no such secret (none set yet, or no rotation within the day).
            let secrets: [Option<String>; 2] = [r.get("webhook_secret")?, r.get("previous_secret")?];
            let format = stored_format(&r.get::<String>("format")?)?;
            claimed.push(ClaimedCallback {
                delivery_id: r.get("id")?,
                event_id: r.get("event_id")?,
                account_id: r.get("account_id")?,
                url: r.get("url")?,
                attempt: r.get::<i64>("attempts")? as u32,
                secrets: secrets.into_iter().flatten().collect(),
                format,
                event,
            });
        }
        Ok(claimed)
    }

    async fn status_event_row(self, message_event_id: i64) -> Result<Option<StatusEventRow>, DbError> {
        let rows = self.store.db.query(
            "SELECT m.id AS message_id, m.batch_id, m.client_reference, m.sender, m.recipient, m.send_at IS NOT NULL AS scheduled, e.status, \
                    (SELECT p.status FROM message_events p WHERE p.message_id = e.message_id \
                     AND p.id < e.id ORDER BY p.id DESC LIMIT 1) AS previous_status, \
                    e.at, m.price_minor, m.currency, \
                    EXISTS (SELECT 1 FROM ledger_entries l WHERE l.reference = m.id AND l.kind = 'refund') \
                    OR EXISTS (SELECT 1 FROM credit_entries c WHERE c.reference = m.id AND c.kind = 'refund') AS refunded, \
                    r.raw_status, r.raw_error \
             FROM message_events e JOIN messages m ON m.id = e.message_id \
             LEFT JOIN receipts r ON r.id = (SELECT id FROM receipts WHERE message_id = m.id \
                 AND outcome = 'applied' AND mapped_status = e.status ORDER BY id DESC LIMIT 1) \
             WHERE e.id = ?",
            &[int(message_event_id)],
        ).await?;
        let Some(r) = rows.rows.first() else { return Ok(None) };
        // No earlier event (the first one): no previous status.
        let previous_status: Option<i64> = r.get("previous_status")?;
        Ok(Some(StatusEventRow {
            message_id: r.get("message_id")?,
            batch_id: r.get("batch_id")?,
            client_reference: r.get("client_reference")?,
            from: r.get("sender")?,
            to: r.get("recipient")?,
            scheduled: r.get("scheduled")?,
            status: Status::from_code(r.get::<i64>("status")? as u16).unwrap_or(Status::Unknown),
            previous_status: previous_status.and_then(|code| u16::try_from(code).ok()).and_then(Status::from_code),
            at: r.get("at")?,
            price_minor: r.get("price_minor")?,
            currency: r.get("currency")?,
            refunded: r.get("refunded")?,
            // NULL when no applied receipt caused this status (the LEFT JOIN found none).
            carrier_status: r.get("raw_status")?,
            carrier_error: r.get("raw_error")?,
        }))
    }

    /// Logs one attempt and moves the delivery on: delivered, due again later, or given up.
    pub async fn record_callback_attempt(
        self,
        delivery_id: i64,
        attempt: u32,
        http_status: Option<u16>,
        error: Option<&str>,
        duration_ms: i64,
        result: AttemptResult,
    ) -> Result<(), DbError> {
        self.store.db.transaction(async |db| {
            db.execute(
                "INSERT INTO callback_attempts (delivery_id, attempt, http_status, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
                &[int(delivery_id), int(attempt as i64), http_status.map(|s| int(s as i64)).unwrap_or(Value::Null), opt_text(error), int(duration_ms)],
            ).await?;
            let (state, retry_in) = match result {
                AttemptResult::Delivered => ("delivered", None),
                AttemptResult::RetryIn { seconds } => ("pending", Some(seconds)),
                AttemptResult::GiveUp => ("failed", None),
            };
            db.execute(
                &format!(
                    "UPDATE callback_deliveries SET state = ?2, lease_until = NULL, last_http_status = ?3, last_error = ?4, \
                     next_attempt_at = CASE WHEN ?5 IS NULL THEN next_attempt_at \
                                            ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ?5 || ' seconds') END, \
                     finished_at = CASE WHEN ?2 = 'pending' THEN NULL ELSE {NOW} END WHERE id = ?1"
                ),
                &[
                    int(delivery_id),
                    text(state),
                    http_status.map(|s| int(s as i64)).unwrap_or(Value::Null),
                    opt_text(error),
                    retry_in.map(|s| int(s as i64)).unwrap_or(Value::Null),
                ],
            ).await
        }).await
    }

    /// The account's callback deliveries, newest first, with every attempt; `limit` of them
    /// from before the id `before`.
    pub async fn callback_log(self, account_id: &str, state: Option<&str>, limit: i64, before: Option<i64>) -> Result<Vec<CallbackDeliveryView>, DbError> {
        let rows = self.store.db.query(
            "SELECT d.id, d.event_id, d.message_id, e.status, d.url, d.state, d.attempts, \
                    CASE WHEN d.state = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.last_http_status, d.last_error, \
                    d.created_at, d.finished_at, d.kind, d.inbound_id, d.format \
             FROM callback_deliveries d LEFT JOIN message_events e ON e.id = d.message_event_id \
             WHERE d.account_id = ?1 AND (?2 IS NULL OR d.state = ?2) AND (?4 IS NULL OR d.id < ?4) ORDER BY d.id DESC LIMIT ?3",
            &[text(account_id), opt_text(state), int(limit), before.map(int).unwrap_or(Value::Null)],
        ).await?;
        let mut deliveries = rows
            .rows
            .iter()
            .map(|r| {
                // `status` is NULL for inbound events (no message event to join).
                let status: Option<i64> = r.get("status")?;
                Ok(CallbackDeliveryView {
                    id: r.get("id")?,
                    event_id: r.get("event_id")?,
                    kind: r.get("kind")?,
                    message_id: r.get("message_id")?,
                    inbound_id: r.get("inbound_id")?,
                    status: status.and_then(|code| u16::try_from(code).ok()),
                    url: r.get("url")?,
                    format: stored_format(&r.get::<String>("format")?)?,
                    state: r.get("state")?,
                    attempts: r.get("attempts")?,
                    next_attempt_at: r.get("next_attempt_at")?,
                    last_http_status: r.get("last_http_status")?,
                    last_error: r.get("last_error")?,
                    created_at: r.get("created_at")?,
                    finished_at: r.get("finished_at")?,
                    attempt_log: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        if deliveries.is_empty() {
            return Ok(deliveries);
        }
        let placeholders = vec!["?"; deliveries.len()].join(",");
        let attempts = self.store.db.query(
            &format!(
                "SELECT delivery_id, attempt, at, http_status, error, duration_ms FROM callback_attempts \
                 WHERE delivery_id IN ({placeholders}) ORDER BY id"
            ),
            &deliveries.iter().map(|d| int(d.id)).collect::<Vec<Value>>(),
        ).await?;
        for r in &attempts.rows {
            let delivery_id: i64 = r.get("delivery_id")?;
            if let Some(d) = deliveries.iter_mut().find(|d| d.id == delivery_id) {
                d.attempt_log.push(CallbackAttemptView {
                    attempt: r.get("attempt")?,
                    at: r.get("at")?,
                    http_status: r.get("http_status")?,
                    error: r.get("error")?,
                    duration_ms: r.get("duration_ms")?,
                });
            }
        }
        Ok(deliveries)
    }

    /// Puts a finished delivery back in the queue, due now, with a fresh retry schedule.
    /// Returns false when the account has no such delivery.
    pub async fn replay_callback(self, account_id: &str, event_id: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE callback_deliveries SET state = 'pending', attempts = 0, next_attempt_at = {NOW}, \
                 lease_until = NULL, finished_at = NULL WHERE event_id = ? AND account_id = ? RETURNING id"
            ),
            &[text(event_id), text(account_id)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }
}
