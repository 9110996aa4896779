//! SQL of usage reports and invoices (migration 0014).
//!
//! Usage counts the account's messages by when they were accepted (`messages.created_at`,
//! the moment their debit was written by the same statement). A message's charge is its
//! debit, which the `message_created` trigger writes as exactly `-price_minor` (no debit,
//! and `price_minor` 0, when SMS credits paid); its refund is the ledger's refund entry
//! that references it (at most one, found through the partial unique index on refunds).

use super::{timestamp, Store};
use crate::db::{int, opt_text, text, Db, DbError, RowExt, RowsExt};
use crate::ids::new_id;
use chrono::{DateTime, Datelike, Utc};
use domain::billing::invoice::{lines_from_ledger, totals, Buyer, Invoice, InvoiceLine, LedgerItem, PaymentReceived, Section, Seller, PAYMENT_KINDS};
use domain::billing::reports::{invoice_number, GroupBy, Period, TrafficGroup, UsageFigures, UsageGroup};
use crate::db::Value;

/// What to issue: one account's month, its local days and the UTC instants between which
/// its ledger entries are taken.
pub struct InvoiceRequest<'a> {
    pub account_id: &'a str,
    pub period: Period,
    pub time_zone: &'a str,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub seller: &'a Seller,
    pub now: DateTime<Utc>,
    /// The job runner's claim: issue only if this call is the first to look at the month.
    pub claim: bool,
}

#[derive(Debug)]
pub enum IssueOutcome {
    Issued(String),
    /// The month already has its invoice.
    Existing(String),
    /// Nothing but payments (or nothing at all) in the month: no invoice.
    NothingToInvoice,
    /// Another runner (or an earlier run) has looked at this month already.
    AlreadyClaimed,
    NoAccount,
}

/// An invoice in a listing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InvoiceSummary {
    pub id: String,
    pub number: String,
    pub account_id: String,
    pub period: String,
    pub currency: String,
    pub charges_minor: i64,
    pub credits_minor: i64,
    pub total_minor: i64,
    pub payments_received_minor: i64,
    pub issued_at: String,
}

const INVOICE_COLUMNS: &str = "id, number, account_id, period, currency, charges_minor, credits_minor, total_minor, \
     payments_received_minor, issued_at, period_start, period_end, time_zone, seller, buyer";

/// An issued invoice's row: its number and time of issue are set (the statements ask for
/// `issued_at IS NOT NULL`; a CHECK sets the number with it).
fn summary_from_row(r: &crate::host::Row) -> Result<InvoiceSummary, DbError> {
    Ok(InvoiceSummary {
        id: r.get("id")?,
        number: r.get("number")?,
        account_id: r.get("account_id")?,
        period: r.get("period")?,
        currency: r.get("currency")?,
        charges_minor: r.get("charges_minor")?,
        credits_minor: r.get("credits_minor")?,
        total_minor: r.get("total_minor")?,
        payments_received_minor: r.get("payments_received_minor")?,
        issued_at: r.get("issued_at")?,
    })
}

/// Usage reports and invoices: `store.reports()`.
#[derive(Clone, Copy)]
pub struct Reports<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn reports(&self) -> Reports<'_> {
        Reports { store: self }
    }
}

impl Reports<'_> {
    /// The account's messages accepted in `[from, until)`, grouped. By day, a message's
    /// local date is its UTC instant plus the offset in force then: `offsets` lists each
    /// offset (seconds) from the instant it starts (domain::billing::reports::offset_segments).
    pub async fn usage(
        self,
        account_id: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        offsets: &[(DateTime<Utc>, i32)],
        group_by: GroupBy,
    ) -> Result<Vec<UsageGroup>, DbError> {
        let mut params = vec![text(account_id), text(timestamp(from)), text(timestamp(until))];
        let key = match group_by {
            GroupBy::Status => "CAST(m.status AS TEXT)".to_owned(),
            GroupBy::Destination => "m.country".to_owned(),
            GroupBy::Day => {
                // date(t, '+3600 seconds') per offset segment: exact across DST changes.
                let modifier = |offset: i32| text(format!("{offset:+} seconds"));
                let mut case = String::from("date(m.created_at, ");
                if offsets.len() > 1 {
                    case.push_str("CASE");
                    for window in offsets.windows(2) {
                        params.push(text(timestamp(window[1].0)));
                        params.push(modifier(window[0].1));
                        case.push_str(&format!(" WHEN m.created_at < ?{} THEN ?{}", params.len() - 1, params.len()));
                    }
                    case.push_str(" ELSE ");
                }
                params.push(modifier(offsets.last().map(|o| o.1).unwrap_or(0)));
                case.push_str(&format!("?{}", params.len()));
                case.push_str(if offsets.len() > 1 { " END)" } else { ")" });
                case
            }
        };
        let rows = self.store.db.query(
            &format!(
                "SELECT {key} AS k, COUNT(*) AS messages, COALESCE(SUM(m.segments), 0) AS segments, \
                        COALESCE(SUM(m.price_minor), 0) AS charged_minor, \
                        COALESCE(SUM((SELECT r.amount_minor FROM ledger_entries r WHERE r.reference = m.id AND r.kind = 'refund')), 0) \
                            AS refunded_minor \
                 FROM messages m WHERE m.account_id = ?1 AND m.created_at >= ?2 AND m.created_at < ?3 \
                 GROUP BY k ORDER BY k"
            ),
            &params,
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                let figures = UsageFigures::new(r.get("messages")?, r.get("segments")?, r.get("charged_minor")?, r.get("refunded_minor")?);
                Ok(UsageGroup { key: r.get("k")?, figures })
            })
            .collect()
    }

    /// The operator's traffic: every account's messages (or `account_id`'s) accepted in
    /// `[from, until)`, by UTC day, current status, carrier connection, destination and
    /// currency. Revenue is what they were charged (`price_minor`) less their refunds; cost
    /// what the connection's cost price said when it took them (`cost_milli`, none before).
    pub async fn traffic(self, from: DateTime<Utc>, until: DateTime<Utc>, account_id: Option<&str>) -> Result<Vec<TrafficGroup>, DbError> {
        let rows = self.store.db.query(
            "SELECT date(m.created_at) AS day, m.status, m.carrier, m.country, m.currency, COUNT(*) AS messages, \
                    COALESCE(SUM(m.price_minor), 0) \
                      - COALESCE(SUM((SELECT r.amount_minor FROM ledger_entries r WHERE r.reference = m.id AND r.kind = 'refund')), 0) \
                      AS revenue_minor, \
                    COALESCE(SUM(m.cost_milli), 0) AS cost_milli, SUM(m.cost_milli IS NULL) AS without_cost \
             FROM messages m WHERE m.created_at >= ?1 AND m.created_at < ?2 AND (?3 IS NULL OR m.account_id = ?3) \
             GROUP BY day, m.status, m.carrier, m.country, m.currency ORDER BY day",
            &[text(timestamp(from)), text(timestamp(until)), opt_text(account_id)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(TrafficGroup {
                    date: r.get("day")?,
                    status: r.get("status")?,
                    connection: r.get("carrier")?,
                    country: r.get("country")?,
                    currency: r.get("currency")?,
                    messages: r.get("messages")?,
                    revenue_minor: r.get("revenue_minor")?,
                    cost_milli: r.get("cost_milli")?,
                    without_cost: r.get("without_cost")?,
                })
            })
            .collect()
    }

    // ------------------------------------------------------------ invoices

    /// Issues the month's invoice in one write transaction: the ledger entries of the
    /// month become lines, the number is the next of the platform's sequence, and the
    /// issued invoice can no longer change (triggers). A month that has its invoice
    /// already gives that one.
    pub async fn issue_invoice(self, req: &InvoiceRequest<'_>) -> Result<IssueOutcome, DbError> {
        self.store.db.transaction(async |db| {
            if req.claim {
                let claimed = db.query(
                    "INSERT INTO invoice_claims (account_id, period) SELECT id, ?2 FROM accounts WHERE id = ?1 \
                     ON CONFLICT DO NOTHING RETURNING 1",
                    &[text(req.account_id), text(req.period.to_string())],
                ).await?;
                if claimed.rows.is_empty() {
                    return Ok(IssueOutcome::AlreadyClaimed);
                }
            }
            let outcome = issue_in(db, req).await?;
            let invoice_id = match &outcome {
                IssueOutcome::Issued(id) | IssueOutcome::Existing(id) => Value::Text(id.clone()),
                _ => Value::Null,
            };
            if !matches!(outcome, IssueOutcome::NoAccount) {
                // Remembered either way, so the job runner looks at the month once.
                db.execute(
                    "INSERT INTO invoice_claims (account_id, period, invoice_id) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (account_id, period) DO UPDATE SET invoice_id = COALESCE(excluded.invoice_id, invoice_id)",
                    &[text(req.account_id), text(req.period.to_string()), invoice_id],
                ).await?;
            }
            Ok(outcome)
        }).await
    }

    /// Accounts whose month `period` no runner has looked at yet, among those in `zones`
    /// (where the month has ended).
    pub async fn accounts_to_invoice(self, period: Period, zones: &[String], limit: i64) -> Result<Vec<(String, String)>, DbError> {
        if zones.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![text(period.to_string()), int(limit)];
        params.extend(zones.iter().map(|z| text(z.as_str())));
        let placeholders = (3..3 + zones.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
        let rows = self.store.db.query(
            &format!(
                "SELECT a.id, a.time_zone FROM accounts a WHERE a.time_zone IN ({placeholders}) \
                 AND NOT EXISTS (SELECT 1 FROM invoice_claims c WHERE c.account_id = a.id AND c.period = ?1) \
                 ORDER BY a.id LIMIT ?2"
            ),
            &params,
        ).await?;
        rows.rows.iter().map(|r| Ok((r.get("id")?, r.get("time_zone")?))).collect()
    }

    /// Every time zone accounts are in.
    pub async fn account_time_zones(self) -> Result<Vec<String>, DbError> {
        let rows = self.store.db.query("SELECT DISTINCT time_zone FROM accounts", &[]).await?;
        rows.rows.iter().map(|r| r.get("time_zone")).collect()
    }

    /// The account's issued invoices, newest month first.
    pub async fn invoices(self, account_id: &str) -> Result<Vec<InvoiceSummary>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE account_id = ? AND issued_at IS NOT NULL ORDER BY period DESC"),
            &[text(account_id)],
        ).await?;
        rows.rows.iter().map(summary_from_row).collect()
    }

    /// An issued invoice with its lines; `account_id` limits it to that account's.
    pub async fn invoice(self, id: &str, account_id: Option<&str>) -> Result<Option<Invoice>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = ?1 AND (?2 IS NULL OR account_id = ?2) AND issued_at IS NOT NULL"),
            &[text(id), opt_text(account_id)],
        ).await?;
        let Some(r) = rows.rows.first() else { return Ok(None) };
        let s = summary_from_row(r)?;
        let seller: Seller =
            serde_json::from_str(&r.get::<String>("seller")?).map_err(|e| DbError(format!("invoice {id}: unreadable seller: {e}")))?;
        let buyer: Buyer =
            serde_json::from_str(&r.get::<String>("buyer")?).map_err(|e| DbError(format!("invoice {id}: unreadable buyer: {e}")))?;
        let lines = self.store.db.query(
            "SELECT section, kind, description, country, messages, segments, reference, at, amount_minor \
             FROM invoice_lines WHERE invoice_id = ? ORDER BY id",
            &[text(id)],
        ).await?;
        let (mut items, mut payments) = (Vec::new(), Vec::new());
        for l in &lines.rows {
            let section: String = l.get("section")?;
            if section == "payments" {
                // A payment's line always has its reference and time (issue_in writes them).
                payments.push(PaymentReceived {
                    kind: l.get("kind")?,
                    description: l.get("description")?,
                    reference: l.get("reference")?,
                    received_at: l.get("at")?,
                    amount_minor: l.get("amount_minor")?,
                });
            } else {
                items.push(InvoiceLine {
                    section: Section::from_stored(&section),
                    kind: l.get("kind")?,
                    description: l.get("description")?,
                    country: l.get("country")?,
                    messages: l.get("messages")?,
                    segments: l.get("segments")?,
                    reference: l.get("reference")?,
                    amount_minor: l.get("amount_minor")?,
                });
            }
        }
        Ok(Some(Invoice {
            id: s.id,
            number: s.number,
            account_id: s.account_id,
            period: s.period,
            period_start: r.get("period_start")?,
            period_end: r.get("period_end")?,
            time_zone: r.get("time_zone")?,
            currency: s.currency,
            issued_at: s.issued_at,
            seller,
            buyer,
            lines: items,
            payments,
            charges_minor: s.charges_minor,
            credits_minor: s.credits_minor,
            total_minor: s.total_minor,
            payments_received_minor: s.payments_received_minor,
        }))
    }
}

/// Inside the issuing transaction: the existing invoice, or a new one from the ledger.
async fn issue_in(db: &Db, req: &InvoiceRequest<'_>) -> Result<IssueOutcome, DbError> {
    let period = req.period.to_string();
    let existing = db.query("SELECT id FROM invoices WHERE account_id = ? AND period = ?", &[text(req.account_id), text(&period)]).await?;
    if let Some(r) = existing.rows.first() {
        return Ok(IssueOutcome::Existing(r.get("id")?));
    }
    let account = db.query(
        "SELECT name, currency, company_name, organisation_number, vat_number, address_line1, address_line2, postal_code, city, \
                country, contact_name, invoice_email FROM accounts WHERE id = ?",
        &[text(req.account_id)],
    ).await?;
    let Some(a) = account.rows.first() else { return Ok(IssueOutcome::NoAccount) };
    let company_name: Option<String> = a.get("company_name")?;
    let buyer = Buyer {
        // The account's own name when it gave no company name.
        name: match company_name {
            Some(name) => name,
            None => a.get("name")?,
        },
        organisation_number: a.get("organisation_number")?,
        vat_number: a.get("vat_number")?,
        address_line1: a.get("address_line1")?,
        address_line2: a.get("address_line2")?,
        postal_code: a.get("postal_code")?,
        city: a.get("city")?,
        country: a.get("country")?,
        contact_name: a.get("contact_name")?,
        invoice_email: a.get("invoice_email")?,
    };
    let currency: String = a.get("currency")?;
    let window = [text(req.account_id), text(timestamp(req.from)), text(timestamp(req.until))];
    // Messages' debits and refunds, by destination.
    let sms = db.query(
        "SELECT l.kind = 'refund' AS refund, m.country, COUNT(*) AS messages, COALESCE(SUM(m.segments), 0) AS segments, \
                SUM(l.amount_minor) AS amount_minor \
         FROM ledger_entries l JOIN messages m ON m.id = l.reference AND m.account_id = l.account_id \
         WHERE l.account_id = ?1 AND l.created_at >= ?2 AND l.created_at < ?3 AND l.kind IN ('debit', 'refund') \
         GROUP BY 1, 2 ORDER BY 1, 2",
        &window,
    ).await?;
    let mut items = sms
        .rows
        .iter()
        .map(|r| {
            Ok(LedgerItem::Sms {
                refund: r.get("refund")?,
                country: r.get("country")?,
                messages: r.get("messages")?,
                segments: r.get("segments")?,
                amount_minor: r.get("amount_minor")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    // Every other entry, one by one.
    let others = db.query(
        "SELECT l.kind, l.reference, l.description, l.amount_minor, l.created_at FROM ledger_entries l \
         WHERE l.account_id = ?1 AND l.created_at >= ?2 AND l.created_at < ?3 \
         AND NOT (l.kind IN ('debit', 'refund') AND EXISTS (SELECT 1 FROM messages m WHERE m.id = l.reference AND m.account_id = l.account_id)) \
         ORDER BY l.id",
        &window,
    ).await?;
    let mut payments = Vec::new();
    for r in &others.rows {
        let kind: String = r.get("kind")?;
        let (reference, description, amount_minor) = (r.get("reference")?, r.get("description")?, r.get("amount_minor")?);
        if PAYMENT_KINDS.contains(&kind.as_str()) {
            payments.push(PaymentReceived { kind, reference, description, received_at: r.get("created_at")?, amount_minor });
        } else {
            items.push(LedgerItem::Entry { kind, reference, description, amount_minor });
        }
    }
    let lines = lines_from_ledger(&items);
    if lines.is_empty() {
        return Ok(IssueOutcome::NothingToInvoice);
    }
    let (charges, credits, total) = totals(&lines);
    let received: i64 = payments.iter().map(|p| p.amount_minor).sum();
    let id = new_id("inv");
    let json = |v: serde_json::Result<String>| v.map_err(|e| DbError(format!("invoice party: {e}")));
    // A draft first: lines may be added only while it is not issued (triggers).
    db.execute(
        "INSERT INTO invoices (id, account_id, period, period_start, period_end, time_zone, period_from, period_until, currency, seller, buyer) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            text(&id),
            text(req.account_id),
            text(&period),
            text(req.period.first_day().to_string()),
            text(req.period.last_day().to_string()),
            text(req.time_zone),
            text(timestamp(req.from)),
            text(timestamp(req.until)),
            text(&currency),
            text(json(serde_json::to_string(req.seller))?),
            text(json(serde_json::to_string(&buyer))?),
        ],
    ).await?;
    for l in &lines {
        db.execute(
            "INSERT INTO invoice_lines (invoice_id, section, kind, description, country, messages, segments, reference, amount_minor) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                text(&id),
                text(l.section.as_str()),
                text(&l.kind),
                text(&l.description),
                opt_text(l.country.as_deref()),
                l.messages.map(int).unwrap_or(Value::Null),
                l.segments.map(int).unwrap_or(Value::Null),
                opt_text(l.reference.as_deref()),
                int(l.amount_minor),
            ],
        ).await?;
    }
    for p in &payments {
        db.execute(
            "INSERT INTO invoice_lines (invoice_id, section, kind, description, reference, at, amount_minor) VALUES (?, 'payments', ?, ?, ?, ?, ?)",
            &[text(&id), text(&p.kind), text(&p.description), text(&p.reference), text(&p.received_at), int(p.amount_minor)],
        ).await?;
    }
    // The number last, under the write lock this transaction holds: gapless, and rolled
    // back with everything else if anything failed.
    let next = db.query("SELECT COALESCE(MAX(sequence), 0) + 1 AS next_sequence FROM invoices", &[]).await?;
    let sequence: i64 = next.one()?.get("next_sequence")?;
    db.execute(
        "UPDATE invoices SET sequence = ?2, number = ?3, issued_at = ?4, charges_minor = ?5, credits_minor = ?6, total_minor = ?7, \
         payments_received_minor = ?8 WHERE id = ?1",
        &[
            text(&id),
            int(sequence),
            text(invoice_number(req.now.year(), sequence)),
            text(timestamp(req.now)),
            int(charges),
            int(credits),
            int(total),
            int(received),
        ],
    ).await?;
    Ok(IssueOutcome::Issued(id))
}
