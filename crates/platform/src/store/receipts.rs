//! Delivery receipts: every verified receipt is stored as the carrier sent it, matched
//! to its message (or to one part of it) by canonical carrier id, and applied through
//! the one status-change path (`Messages::change_status_in`), so the history, refunds and
//! callbacks follow on their own. A receipt for an id we do not know yet is kept
//! (outcome `unmatched`) and applied when the id appears: at once when the submit
//! response is recorded (`mark_many_submitted`), or by the job runner
//! ([`Receipts::apply_pending_receipts`]).
//!
//! Outcomes stored in `receipts.outcome`: `applied` (the message's status changed),
//! `recorded` (a part's status changed, the message's roll-up did not), `ignored` (stale,
//! the same status again, or parts that do not fit; `receipts.detail` says which),
//! `unmatched` (kept). A repeated body is a `Duplicate` and is not stored twice.

use super::{StatusOutcome, Store, SubmitRecorded};
use crate::db::{int, opt_text, text, Db, DbError, RowExt};
use domain::carriers::receipt::Part;
use domain::messaging::rollup::{apply_part, rollup};
use domain::messaging::status::{transition, IgnoreReason, Status, Transition};
use crate::db::Value;

/// A verified, parsed receipt, ready to store.
pub struct IncomingReceipt<'a> {
    pub carrier: &'a str,
    /// Canonical (`domain::carriers::receipt::canonical_carrier_id`), as stored at submit.
    pub carrier_message_id: &'a str,
    pub raw_status: &'a str,
    pub raw_error: Option<&'a str>,
    pub mapped: Status,
    /// The segment the receipt is for, when the carrier names it; `None`: the whole
    /// message (or, for carriers that give each part its own id, the part that id names).
    pub part: Option<Part>,
    /// Our reference, when the carrier echoed it (see `ParsedReceipt::reference`).
    pub reference: Option<&'a str>,
    pub dedupe_key: &'a str,
    pub body: &'a str,
}

/// What became of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// The message moved to `status` (for a part: the roll-up of its parts did).
    Applied { message_id: String, status: Status, refunded: bool },
    /// A part moved forward, but the message's roll-up is unchanged (e.g. part 1 of 2
    /// delivered): the message stays `current`.
    Recorded { message_id: String, part: Part, current: Status },
    /// Nothing changed: the status is stale, the same, or cannot apply; `reason` says which.
    Ignored { message_id: String, current: Status, reason: String },
    /// The same receipt was received before.
    Duplicate,
    /// No message has that carrier id (yet); the receipt is kept.
    Unmatched,
}

impl ReceiptOutcome {
    /// The word stored in `receipts.outcome` and answered to the carrier.
    pub fn label(&self) -> &'static str {
        match self {
            ReceiptOutcome::Applied { .. } => "applied",
            ReceiptOutcome::Recorded { .. } => "recorded",
            ReceiptOutcome::Ignored { .. } => "ignored",
            ReceiptOutcome::Duplicate => "duplicate",
            ReceiptOutcome::Unmatched => "unmatched",
        }
    }
}

/// A stored receipt's fields, whether it just arrived or was kept.
struct Fields {
    id: i64,
    carrier: String,
    carrier_message_id: String,
    raw_status: String,
    raw_error: Option<String>,
    mapped: Status,
    part: Option<Part>,
}

const KEPT_COLUMNS: &str = "id, carrier, carrier_message_id, raw_status, raw_error, mapped_status, part, parts";

fn fields_from_row(row: &crate::host::Row) -> Result<Fields, DbError> {
    // NULL `part` and `parts`: the receipt is for the whole message.
    let part = match (row.get::<Option<i64>>("part")?, row.get::<Option<i64>>("parts")?) {
        (Some(index), Some(total)) => u32::try_from(index).ok().zip(u32::try_from(total).ok()).and_then(|(i, t)| Part::new(i, t)),
        _ => None,
    };
    Ok(Fields {
        id: row.get("id")?,
        carrier: row.get("carrier")?,
        carrier_message_id: row.get("carrier_message_id")?,
        raw_status: row.get("raw_status")?,
        raw_error: row.get("raw_error")?,
        mapped: Status::from_code(row.get::<i64>("mapped_status")? as u16).unwrap_or(Status::Unknown),
        part,
    })
}

/// Kept receipts of one carrier for any of `ids`.
fn kept_sql(columns: &str, ids: &[String], tail: &str) -> String {
    let placeholders = vec!["?"; ids.len().max(1)].join(",");
    format!("SELECT {columns} FROM receipts WHERE outcome = 'unmatched' AND carrier = ? AND carrier_message_id IN ({placeholders}) {tail}")
}

fn kept_params(carrier: &str, ids: &[String]) -> Vec<Value> {
    let mut params = vec![text(carrier)];
    params.extend(ids.iter().map(|id| text(id.as_str())));
    if ids.is_empty() {
        params.push(Value::Null);
    }
    params
}

fn reason(why: IgnoreReason) -> &'static str {
    match why {
        IgnoreReason::Same => "it has this status already",
        IgnoreReason::CurrentIsFinal => "its status is final",
        IgnoreReason::Regression => "the status is behind its current one (a late or out-of-order receipt)",
        IgnoreReason::Annotation => "the status is an annotation, never a current status",
    }
}

/// Delivery receipts: applying them, those kept for a carrier id, multipart roll-up: `store.receipts()`.
#[derive(Clone, Copy)]
pub struct Receipts<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn receipts(&self) -> Receipts<'_> {
        Receipts { store: self }
    }
}

impl Receipts<'_> {
    /// Records a verified receipt and applies it to its message, once. A body received
    /// before is a [`ReceiptOutcome::Duplicate`] and changes nothing.
    pub async fn apply_receipt(self, receipt: &IncomingReceipt<'_>) -> Result<ReceiptOutcome, DbError> {
        self.store.db.transaction(async |db| {
            let inserted = db.query(
                "INSERT INTO receipts (carrier, carrier_message_id, dedupe_key, raw_status, raw_error, mapped_status, \
                 part, parts, outcome, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) \
                 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                &[
                    text(receipt.carrier),
                    text(receipt.carrier_message_id),
                    text(receipt.dedupe_key),
                    text(receipt.raw_status),
                    opt_text(receipt.raw_error),
                    int(receipt.mapped.code() as i64),
                    receipt.part.map(|p| int(p.index as i64)).unwrap_or(Value::Null),
                    receipt.part.map(|p| int(p.total as i64)).unwrap_or(Value::Null),
                    text(receipt.body),
                ],
            ).await?;
            let Some(id) = inserted.rows.first().map(|r| r.get("id")).transpose()? else {
                return Ok(ReceiptOutcome::Duplicate);
            };
            if let Some(reference) = receipt.reference {
                self.adopt_carrier_id_in(db, receipt.carrier, receipt.carrier_message_id, reference).await?;
            }
            self.settle_in(
                db,
                &Fields {
                    id,
                    carrier: receipt.carrier.to_owned(),
                    carrier_message_id: receipt.carrier_message_id.to_owned(),
                    raw_status: receipt.raw_status.to_owned(),
                    raw_error: receipt.raw_error.map(str::to_owned),
                    mapped: receipt.mapped,
                    part: receipt.part,
                },
            ).await
        }).await
    }

    /// A receipt naming our reference for a message that has no carrier id yet (its submit
    /// answer never came: a timeout, a crash): the message takes the receipt's id, as if
    /// the submit had answered with it, so this receipt and later ones match. Only the
    /// message of that carrier, and only while no other message has that id.
    async fn adopt_carrier_id_in(self, db: &Db, carrier: &str, carrier_message_id: &str, reference: &str) -> Result<(), DbError> {
        db.execute(
            &format!(
                "UPDATE messages SET carrier_message_id = ?2, \
                 status = CASE WHEN status IN ({funded}, {sending}) THEN {at_gateway} ELSE status END, \
                 status_source = CASE WHEN status IN ({funded}, {sending}) THEN ?3 ELSE status_source END, \
                 status_detail = CASE WHEN status IN ({funded}, {sending}) THEN 'matched by our reference in a receipt' ELSE status_detail END, \
                 status_at = CASE WHEN status IN ({funded}, {sending}) THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE status_at END \
                 WHERE id = ?1 AND carrier = ?3 AND carrier_message_id IS NULL AND submit_attempts > 0 \
                 AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.carrier = ?3 AND o.carrier_message_id = ?2)",
                funded = Status::Funded.code(),
                sending = Status::Sending.code(),
                at_gateway = Status::DeliveredToGateway.code(),
            ),
            &[text(reference), text(carrier_message_id), text(carrier)],
        ).await
    }

    /// Applies kept receipts whose message has appeared since (oldest first, at most
    /// `limit`), for the job runner. Returns how many found their message.
    pub async fn apply_pending_receipts(self, limit: i64) -> Result<usize, DbError> {
        self.store.db.transaction(async |db| {
            let rows = db.query(
                &format!(
                    "SELECT {KEPT_COLUMNS} FROM receipts r WHERE r.outcome = 'unmatched' AND (\
                     EXISTS (SELECT 1 FROM messages m WHERE m.carrier = r.carrier AND m.carrier_message_id = r.carrier_message_id) \
                     OR EXISTS (SELECT 1 FROM message_parts p WHERE p.carrier = r.carrier AND p.carrier_message_id = r.carrier_message_id)) \
                     ORDER BY r.received_at, r.id LIMIT ?"
                ),
                &[int(limit.max(0))],
            ).await?;
            let mut matched = 0;
            for row in &rows.rows {
                if self.settle_in(db, &fields_from_row(row)?).await? != ReceiptOutcome::Unmatched {
                    matched += 1;
                }
            }
            Ok(matched)
        }).await
    }

    /// Deletes kept receipts that found no message within `older_than_days` days.
    /// Returns how many.
    pub async fn purge_unmatched_receipts(self, older_than_days: i64) -> Result<usize, DbError> {
        let rows = self.store.db.query(
            "DELETE FROM receipts WHERE outcome = 'unmatched' \
             AND received_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?) RETURNING id",
            &[text(format!("-{} days", older_than_days.max(0)))],
        ).await?;
        Ok(rows.rows.len())
    }

    /// Applies the receipts kept for these canonical ids of `carrier` (just recorded as
    /// `message_id`'s), in arrival order, inside the caller's transaction. Returns where
    /// the message stands.
    pub(super) async fn apply_kept_for_in(self, db: &Db, message_id: &str, carrier: &str, ids: &[String]) -> Result<SubmitRecorded, DbError> {
        let rows = db.query(&kept_sql(KEPT_COLUMNS, ids, "ORDER BY id"), &kept_params(carrier, ids)).await?;
        let mut recorded = SubmitRecorded { status: Status::Unknown, refunded: false, kept_receipts: 0 };
        for row in &rows.rows {
            match self.settle_in(db, &fields_from_row(row)?).await? {
                ReceiptOutcome::Unmatched => {}
                outcome => {
                    recorded.kept_receipts += 1;
                    recorded.refunded |= matches!(outcome, ReceiptOutcome::Applied { refunded: true, .. });
                }
            }
        }
        recorded.status = self.current_status(db, message_id).await?;
        Ok(recorded)
    }

    /// Matches a stored receipt to its message and applies it; records the outcome on
    /// the receipt row.
    async fn settle_in(self, db: &Db, receipt: &Fields) -> Result<ReceiptOutcome, DbError> {
        let Some((message_id, part)) = self.receipt_target(db, receipt).await? else {
            db.execute("UPDATE receipts SET outcome = 'unmatched' WHERE id = ?", &[int(receipt.id)]).await?;
            return Ok(ReceiptOutcome::Unmatched);
        };
        let said = match &receipt.raw_error {
            Some(err) => format!("{} err={err}", receipt.raw_status),
            None => receipt.raw_status.clone(),
        };
        let outcome = match part {
            None => self.apply_whole_in(db, &message_id, receipt, &said).await?,
            Some(part) => self.apply_part_in(db, &message_id, part, receipt, &said).await?,
        };
        let detail = match &outcome {
            ReceiptOutcome::Ignored { reason, .. } => Some(reason.clone()),
            _ => None,
        };
        db.execute(
            "UPDATE receipts SET outcome = ?, message_id = ?, part = ?, parts = ?, detail = ? WHERE id = ?",
            &[
                text(outcome.label()),
                text(message_id),
                part.map(|p| int(p.index as i64)).unwrap_or(Value::Null),
                part.map(|p| int(p.total as i64)).unwrap_or(Value::Null),
                opt_text(detail),
                int(receipt.id),
            ],
        ).await?;
        Ok(outcome)
    }

    /// The message (and part) a receipt is for. An id that names one part of a message
    /// (carriers that give each part its own id) is looked up first; otherwise the
    /// message's id, with the part the receipt names, if any.
    async fn receipt_target(self, db: &Db, receipt: &Fields) -> Result<Option<(String, Option<Part>)>, DbError> {
        let key = [text(receipt.carrier.as_str()), text(receipt.carrier_message_id.as_str())];
        let parts = db.query("SELECT message_id, part, parts FROM message_parts WHERE carrier = ? AND carrier_message_id = ?", &key).await?;
        if let Some(row) = parts.rows.first() {
            let (part, parts) = (row.get::<i64>("part")? as u32, row.get::<i64>("parts")? as u32);
            return Ok(Some((row.get("message_id")?, Part::new(part, parts))));
        }
        let messages = db.query("SELECT id FROM messages WHERE carrier = ? AND carrier_message_id = ?", &key).await?;
        messages.rows.first().map(|row| Ok((row.get("id")?, receipt.part))).transpose()
    }

    async fn current_status(self, db: &Db, message_id: &str) -> Result<Status, DbError> {
        let rows = db.query("SELECT status FROM messages WHERE id = ?", &[text(message_id)]).await?;
        // No such message, or a code this build does not know: Unknown.
        let Some(row) = rows.rows.first() else { return Ok(Status::Unknown) };
        Ok(Status::from_code(row.get::<i64>("status")? as u16).unwrap_or(Status::Unknown))
    }

    /// A receipt for the whole message.
    async fn apply_whole_in(self, db: &Db, message_id: &str, receipt: &Fields, said: &str) -> Result<ReceiptOutcome, DbError> {
        let current = self.current_status(db, message_id).await?;
        Ok(match self.store.messages().change_status_in(db, message_id, receipt.mapped, &receipt.carrier, Some(said)).await? {
            StatusOutcome::Applied { refunded } => {
                ReceiptOutcome::Applied { message_id: message_id.to_owned(), status: receipt.mapped, refunded }
            }
            StatusOutcome::Ignored => {
                let why = match transition(current, receipt.mapped) {
                    Transition::Ignore(why) => reason(why),
                    Transition::Apply => "the message could not be changed",
                };
                ReceiptOutcome::Ignored { message_id: message_id.to_owned(), current, reason: format!("message: {why}") }
            }
        })
    }

    /// A receipt for one part: the part's slot moves by the transition rule, then the
    /// message takes the roll-up of all its parts (domain::messaging::rollup) through the usual
    /// status change, which refuses to move it backwards.
    async fn apply_part_in(self, db: &Db, message_id: &str, part: Part, receipt: &Fields, said: &str) -> Result<ReceiptOutcome, DbError> {
        let current = self.current_status(db, message_id).await?;
        let ignored = |reason: String| ReceiptOutcome::Ignored { message_id: message_id.to_owned(), current, reason };
        let rows = db.query("SELECT part, parts, status FROM message_parts WHERE message_id = ? ORDER BY part", &[text(message_id)]).await?;
        // The first part receipt fixes how many parts there are; later ones must agree.
        let total = match rows.rows.first() {
            Some(first) => first.get::<i64>("parts")? as usize,
            None => part.total as usize,
        };
        let mut slots: Vec<Option<Status>> = vec![None; total];
        for row in &rows.rows {
            // A part without a status yet (its submit recorded its carrier id only) leaves its slot empty.
            let index = (row.get::<i64>("part")? as usize).wrapping_sub(1);
            if let (Some(slot), Some(code)) = (slots.get_mut(index), row.get::<Option<i64>>("status")?) {
                *slot = Status::from_code(code as u16);
            }
        }
        match apply_part(&mut slots, part, receipt.mapped) {
            Err(mismatch) => return Ok(ignored(mismatch.to_string())),
            Ok(Transition::Ignore(why)) => return Ok(ignored(format!("part {}/{}: {}", part.index, part.total, reason(why)))),
            Ok(Transition::Apply) => {}
        }
        db.execute(
            "INSERT INTO message_parts (message_id, part, parts, carrier, status, status_at) \
             VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             ON CONFLICT (message_id, part) DO UPDATE SET status = excluded.status, status_at = excluded.status_at",
            &[
                text(message_id),
                int(part.index as i64),
                int(part.total as i64),
                text(receipt.carrier.as_str()),
                int(receipt.mapped.code() as i64),
            ],
        ).await?;
        let recorded = ReceiptOutcome::Recorded { message_id: message_id.to_owned(), part, current };
        let Some(rolled) = rollup(&slots) else { return Ok(recorded) };
        let detail = format!("part {}/{}: {said}", part.index, part.total);
        Ok(match self.store.messages().change_status_in(db, message_id, rolled, &receipt.carrier, Some(&detail)).await? {
            StatusOutcome::Applied { refunded } => {
                ReceiptOutcome::Applied { message_id: message_id.to_owned(), status: rolled, refunded }
            }
            StatusOutcome::Ignored => recorded,
        })
    }
}
