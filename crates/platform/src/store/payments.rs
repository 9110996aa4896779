//! SQL of money in: Stripe top-ups (pending until the signed webhook settles them exactly
//! once), an operator's payments, credit notes and corrections, and the payments log.
//! Each credit is its ledger entry, its payments row and its history line in one
//! transaction.

use domain::identity::access::Actor;
use crate::db::{int, opt_text, text, Db, DbError, RowExt};
use crate::db::Value;

#[derive(Debug, Clone, serde::Serialize)]
pub struct PaymentView {
    /// Its place in the log: `before` pages on from it.
    pub seq: i64,
    pub id: String,
    pub account_id: String,
    /// `stripe_topup`, `topup`, `payment`, `credit_note` or `correction`.
    pub kind: String,
    /// `pending`, `paid`, `failed`, `mismatch` (Stripe top-ups) or `recorded`.
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reference: String,
    pub corrects: Option<String>,
    pub description: String,
    pub stripe_mode: Option<String>,
    pub stripe_session: Option<String>,
    pub stripe_payment: Option<String>,
    pub paid_minor: Option<i64>,
    pub paid_currency: Option<String>,
    pub detail: Option<String>,
    pub ledger_entry_id: Option<i64>,
    /// The package a card payment buys once it is credited.
    pub package_id: Option<String>,
    pub actor: String,
    pub created_at: String,
    pub settled_at: Option<String>,
}

const PAYMENT_COLUMNS: &str = "id, account_id, kind, status, amount_minor, currency, reference, corrects, description, \
     stripe_mode, stripe_session, stripe_payment, paid_minor, paid_currency, detail, ledger_entry_id, actor, created_at, settled_at, seq, \
     package_id";

fn payment_from_row(r: &crate::host::Row) -> Result<PaymentView, DbError> {
    Ok(PaymentView {
        seq: r.get("seq")?,
        package_id: r.get("package_id")?,
        id: r.get("id")?,
        account_id: r.get("account_id")?,
        kind: r.get("kind")?,
        status: r.get("status")?,
        amount_minor: r.get("amount_minor")?,
        currency: r.get("currency")?,
        reference: r.get("reference")?,
        corrects: r.get("corrects")?,
        description: r.get("description")?,
        stripe_mode: r.get("stripe_mode")?,
        stripe_session: r.get("stripe_session")?,
        stripe_payment: r.get("stripe_payment")?,
        paid_minor: r.get("paid_minor")?,
        paid_currency: r.get("paid_currency")?,
        detail: r.get("detail")?,
        ledger_entry_id: r.get("ledger_entry_id")?,
        actor: r.get("actor")?,
        created_at: r.get("created_at")?,
        settled_at: r.get("settled_at")?,
    })
}

/// What a paid Stripe event did to its top-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopupSettled {
    /// Credited now; the balance after it.
    Credited { account_id: String, balance_minor: i64 },
    /// Recorded as paid-but-wrong; nothing credited.
    Mismatch,
    /// Settled before (a replay, or another event of the same payment): nothing done.
    AlreadySettled(String),
    /// This payment already credited another top-up: nothing done.
    PaymentAlreadyUsed,
    NotFound,
}

/// An operator's credit: a top-up, a bank-transfer payment, a credit note or a correction.
#[derive(Debug, Clone)]
pub struct ManualCredit<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub amount_minor: i64,
    pub reference: &'a str,
    /// A correction of a payment or top-up: its id in the payments log.
    pub corrects: Option<&'a str>,
    pub description: &'a str,
    pub actor: &'a Actor,
}

/// What an operator's credit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRecorded {
    pub balance_minor: i64,
    /// The ledger entry's reference (for a correction, that of what it corrects).
    pub reference: String,
}

#[derive(Debug)]
pub enum ManualCreditError {
    Db(DbError),
    AccountNotFound,
    /// A payment's bank reference or a credit note's number is already recorded.
    DuplicateReference,
    /// What a correction names is not a credited payment or top-up of this account.
    NothingToCorrect,
    /// A correction would deduct more than is left of what it corrects.
    CorrectionTooLarge { remaining_minor: i64 },
}

impl From<DbError> for ManualCreditError {
    fn from(e: DbError) -> Self {
        ManualCreditError::Db(e)
    }
}

/// One ledger entry and its history line (as `Billing::credit` writes them); returns the
/// entry id and the balance after it; None when there is no such account.
async fn ledger_credit(db: &Db, account_id: &str, amount: i64, kind: &str, reference: &str, description: &str, actor: &Actor) -> Result<Option<(i64, i64)>, DbError> {
    let rows = db.query(
        "INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description) \
         SELECT id, ?2, balance_minor + ?2, ?3, ?4, ?5 FROM accounts WHERE id = ?1 \
         RETURNING id, balance_after_minor",
        &[text(account_id), int(amount), text(kind), text(reference), text(description)],
    ).await?;
    let Some(row) = rows.rows.first() else { return Ok(None) };
    let (entry, balance): (i64, i64) = (row.get("id")?, row.get("balance_after_minor")?);
    db.execute(
        "INSERT INTO audit_events (account_id, actor, action, target, before, after) \
         VALUES (?1, ?2, 'balance.' || ?3, ?4, json_object('balance_minor', ?5 - ?6), json_object('balance_minor', ?5))",
        &[text(account_id), text(actor), text(kind), text(reference), int(balance), int(amount)],
    ).await?;
    Ok(Some((entry, balance)))
}

impl super::Billing<'_> {
    /// A Stripe top-up waiting for its payment; with `package`, the card payment for that
    /// package (bought once the top-up is credited).
    pub async fn create_topup(
        self,
        id: &str,
        account_id: &str,
        amount_minor: i64,
        currency: &str,
        mode: &str,
        actor: &Actor,
        package: Option<(&str, &str)>,
    ) -> Result<(), DbError> {
        let description = match package {
            None => "Top-up by card (Stripe Checkout)".to_owned(),
            Some((_, name)) => format!("Package {name} by card (Stripe Checkout)"),
        };
        self.store.db.execute(
            "INSERT INTO payments (id, account_id, kind, status, amount_minor, currency, reference, description, stripe_mode, actor, package_id) \
             VALUES (?1, ?2, 'stripe_topup', 'pending', ?3, ?4, ?1, ?5, ?6, ?7, ?8)",
            &[
                text(id),
                text(account_id),
                int(amount_minor),
                text(currency),
                text(description),
                text(mode),
                text(actor),
                opt_text(package.map(|(id, _)| id)),
            ],
        ).await
    }

    /// Stripe made the top-up's Checkout Session.
    pub async fn topup_session_opened(self, id: &str, session_id: &str) -> Result<(), DbError> {
        self.store.db.execute("UPDATE payments SET stripe_session = ? WHERE id = ? AND kind = 'stripe_topup'", &[text(session_id), text(id)]).await
    }

    /// A pending top-up that will not be paid (Stripe refused the session, it expired, a
    /// delayed payment failed); false when it was not pending.
    pub async fn topup_failed(self, id: &str, detail: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE payments SET status = 'failed', detail = ?2, settled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             WHERE id = ?1 AND kind = 'stripe_topup' AND status = 'pending' RETURNING id",
            &[text(id), text(detail)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    pub async fn topup(self, id: &str) -> Result<Option<PaymentView>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ? AND kind = 'stripe_topup'"), &[text(id)]).await?;
        rows.rows.first().map(payment_from_row).transpose()
    }

    /// Settles a pending top-up with a paid event, exactly once: the claim is one UPDATE of
    /// a `pending` row (a replay, or a concurrent delivery, finds it settled), and the
    /// PaymentIntent is UNIQUE (one payment never credits twice). `credit` is the amount
    /// to credit, or None for a mismatch (recorded, nothing credited). One transaction
    /// with the ledger entry and its history line.
    pub async fn settle_topup(
        self,
        id: &str,
        payment_id: &str,
        paid_minor: i64,
        paid_currency: &str,
        credit: Option<i64>,
        event_id: &str,
    ) -> Result<TopupSettled, DbError> {
        self.store.db.transaction(async |db| {
            let status = if credit.is_some() { "paid" } else { "mismatch" };
            // OR IGNORE: a payment id already on another row skips the update (no row
            // back) instead of failing the transaction.
            let rows = db.query(
                "UPDATE OR IGNORE payments SET status = ?2, stripe_payment = ?3, paid_minor = ?4, paid_currency = ?5, detail = ?6, \
                 settled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
                 WHERE id = ?1 AND kind = 'stripe_topup' AND status = 'pending' RETURNING account_id",
                &[text(id), text(status), text(payment_id), int(paid_minor), text(paid_currency), text(format!("event {event_id}"))],
            ).await?;
            let Some(account_id) = rows.rows.first().map(|r| r.get::<String>("account_id")).transpose()? else {
                let current = db.query("SELECT status FROM payments WHERE id = ? AND kind = 'stripe_topup'", &[text(id)]).await?;
                return Ok(match current.rows.first().map(|r| r.get::<String>("status")).transpose()? {
                    None => TopupSettled::NotFound,
                    Some(s) if s == "pending" => TopupSettled::PaymentAlreadyUsed,
                    Some(s) => TopupSettled::AlreadySettled(s),
                });
            };
            let Some(amount) = credit else { return Ok(TopupSettled::Mismatch) };
            let description = format!("Top-up by card, Stripe payment {payment_id}");
            let (entry, balance) = ledger_credit(db, &account_id, amount, "topup", id, &description, &Actor::Stripe(event_id.to_owned())).await?
                .ok_or_else(|| DbError(format!("top-up {id} names account {account_id}, which does not exist")))?;
            db.execute("UPDATE payments SET ledger_entry_id = ? WHERE id = ?", &[int(entry), text(id)]).await?;
            Ok(TopupSettled::Credited { account_id, balance_minor: balance })
        }).await
    }

    /// An operator's credit with its payments row, ledger entry and history line, in one
    /// transaction. A correction that names what it
    /// corrects deducts at most what is left of it (checked in the same transaction, so
    /// two corrections at once cannot both take the last of it).
    pub async fn record_credit(self, account_id: &str, credit: &ManualCredit<'_>) -> Result<CreditRecorded, ManualCreditError> {
        self.store.db.transaction(async |db| {
            let currency = db.query("SELECT currency FROM accounts WHERE id = ?", &[text(account_id)]).await?;
            let Some(row) = currency.rows.first() else { return Err(ManualCreditError::AccountNotFound) };
            let currency: String = row.get("currency")?;
            let mut reference = credit.reference.to_owned();
            if let Some(corrected) = credit.corrects {
                let rows = db.query(
                    "SELECT p.reference, COALESCE(p.paid_minor, p.amount_minor) \
                            + (SELECT COALESCE(SUM(c.amount_minor), 0) FROM payments c WHERE c.corrects = p.id) AS remaining \
                     FROM payments p WHERE p.id = ?1 AND p.account_id = ?2 \
                       AND p.kind IN ('stripe_topup', 'topup', 'payment', 'credit_note') AND p.ledger_entry_id IS NOT NULL",
                    &[text(corrected), text(account_id)],
                ).await?;
                let Some(row) = rows.rows.first() else { return Err(ManualCreditError::NothingToCorrect) };
                let (corrected_reference, remaining): (String, i64) = (row.get("reference")?, row.get("remaining")?);
                if remaining + credit.amount_minor < 0 {
                    return Err(ManualCreditError::CorrectionTooLarge { remaining_minor: remaining });
                }
                reference = corrected_reference;
            }
            let (entry, balance) = ledger_credit(db, account_id, credit.amount_minor, credit.kind, &reference, credit.description, credit.actor).await?
                .ok_or(ManualCreditError::AccountNotFound)?;
            let inserted = db.query(
                "INSERT INTO payments (id, account_id, kind, status, amount_minor, currency, reference, corrects, description, \
                                       ledger_entry_id, actor, settled_at) \
                 VALUES (?1, ?2, ?3, 'recorded', ?4, ?5, ?6, ?7, ?8, ?9, ?10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
                 ON CONFLICT DO NOTHING RETURNING id",
                &[
                    text(credit.id),
                    text(account_id),
                    text(credit.kind),
                    int(credit.amount_minor),
                    text(currency),
                    text(&reference),
                    opt_text(credit.corrects),
                    text(credit.description),
                    int(entry),
                    text(credit.actor),
                ],
            ).await?;
            if inserted.rows.is_empty() {
                // Rolls the ledger entry back with it.
                return Err(ManualCreditError::DuplicateReference);
            }
            Ok(CreditRecorded { balance_minor: balance, reference })
        }).await
    }

    /// The account's payments log, newest first; `before` pages on from a row's `seq`.
    pub async fn payments(self, account_id: &str, limit: i64, before: Option<i64>) -> Result<Vec<PaymentView>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE account_id = ?1 AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3"
            ),
            &[text(account_id), before.map(int).unwrap_or(Value::Null), int(limit)],
        ).await?;
        rows.rows.iter().map(payment_from_row).collect()
    }
}
