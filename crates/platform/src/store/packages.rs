//! SQL of credits and packages (seed 002, 003): the credit ledger (`credit_entries`, whose
//! trigger keeps `accounts.sms_credits`/`voice_credits` equal to its sums), the operator's
//! package catalogue, purchases paid from the balance, subscriptions and their renewals.
//! Spending credits on a send is the send's own triggers (migration 0013); giving them back
//! is [`Billing::refund_credits_in`], on the one status-change path.

use domain::identity::access::Actor;
use super::{timestamp, Store, StoreError};
use crate::db::{int, text, Db, DbError, RowExt, RowsExt};
use crate::ids::new_id;
use chrono::{DateTime, Utc};
use domain::billing::package::{Frequency, Package};
use domain::billing::funds::InsufficientFunds;
use serde::Serialize;
use crate::db::Value;

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CreditBalances {
    pub sms: i64,
    pub voice: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditEntry {
    pub id: i64,
    pub unit: String,
    pub amount: i64,
    pub balance_after: i64,
    pub kind: String,
    pub reference: String,
    pub reason: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageView {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub cost_minor: i64,
    pub sms_credits: i64,
    pub voice_credits: i64,
    pub numbers: i64,
    pub frequency: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionView {
    pub id: String,
    pub package_id: String,
    pub name: String,
    pub currency: String,
    pub cost_minor: i64,
    pub sms_credits: i64,
    pub voice_credits: i64,
    pub numbers: i64,
    pub frequency: String,
    pub status: String,
    pub cancel_at_period_end: bool,
    pub current_period_start: String,
    /// When the next period starts and is paid for (or the subscription ends).
    pub current_period_end: String,
    pub canceled_at: Option<String>,
    pub ended_at: Option<String>,
    pub created_at: String,
}

/// What a purchase did: its id (the ledger entry's reference), the new balance and credits,
/// and the subscription a recurring package starts.
#[derive(Debug, Clone, Serialize)]
pub struct Purchase {
    pub purchase_id: String,
    pub package_id: String,
    pub cost_minor: i64,
    pub currency: String,
    pub balance_minor: i64,
    pub credits: CreditBalances,
    pub subscription: Option<SubscriptionView>,
}

#[derive(Debug)]
pub enum CancelSubscription {
    /// Ends when its current period does (asking again changes nothing).
    Canceling(SubscriptionView),
    /// Already ended: canceled or past_due.
    Ended(String),
    NotFound,
}

/// A secondary-number allowance: how many the account's active number subscriptions allow
/// and how many secondary numbers it has besides the one being assigned.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NumberRoom {
    pub allowed: i64,
    pub used: i64,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct RenewalReport {
    pub renewed: usize,
    pub past_due: usize,
    pub ended: usize,
}

const PACKAGE_COLUMNS: &str =
    "id, name, currency, cost_minor, sms_credits, voice_credits, numbers, frequency, active, created_at, updated_at";

fn package_from_row(r: &crate::host::Row) -> Result<PackageView, DbError> {
    Ok(PackageView {
        id: r.get("id")?,
        name: r.get("name")?,
        currency: r.get("currency")?,
        cost_minor: r.get("cost_minor")?,
        sms_credits: r.get("sms_credits")?,
        voice_credits: r.get("voice_credits")?,
        numbers: r.get("numbers")?,
        frequency: r.get("frequency")?,
        active: r.get("active")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

const SUBSCRIPTION_COLUMNS: &str = "id, package_id, name, currency, cost_minor, sms_credits, voice_credits, numbers, frequency, \
     status, cancel_at_period_end, current_period_start, next_renewal_at AS current_period_end, canceled_at, ended_at, created_at";

fn subscription_from_row(r: &crate::host::Row) -> Result<SubscriptionView, DbError> {
    Ok(SubscriptionView {
        id: r.get("id")?,
        package_id: r.get("package_id")?,
        name: r.get("name")?,
        currency: r.get("currency")?,
        cost_minor: r.get("cost_minor")?,
        sms_credits: r.get("sms_credits")?,
        voice_credits: r.get("voice_credits")?,
        numbers: r.get("numbers")?,
        frequency: r.get("frequency")?,
        status: r.get("status")?,
        cancel_at_period_end: r.get("cancel_at_period_end")?,
        current_period_start: r.get("current_period_start")?,
        current_period_end: r.get("current_period_end")?,
        canceled_at: r.get("canceled_at")?,
        ended_at: r.get("ended_at")?,
        created_at: r.get("created_at")?,
    })
}

/// Grants a package's credits (each unit that has any) as entries of `kind`.
async fn grant_credits(db: &Db, account_id: &str, sms: i64, voice: i64, kind: &str, reference: &str, reason: &str) -> Result<(), DbError> {
    for (unit, amount) in [("sms", sms), ("voice", voice)] {
        if amount > 0 {
            db.execute(
                "INSERT INTO credit_entries (account_id, unit, amount, balance_after, kind, reference, reason) \
                 SELECT id, ?2, ?3, CASE ?2 WHEN 'sms' THEN sms_credits ELSE voice_credits END + ?3, ?4, ?5, ?6 \
                 FROM accounts WHERE id = ?1",
                &[text(account_id), text(unit), int(amount), text(kind), text(reference), text(reason)],
            ).await?;
        }
    }
    Ok(())
}

/// Spends `cost` from the account's balance if domain::billing::funds allows it: the
/// balance after, or why not (nothing written). Runs inside the caller's transaction, so
/// the means read are the means spent.
async fn pay(billing: Billing<'_>, db: &Db, account_id: &str, cost: i64, kind: &str, reference: &str, description: &str) -> Result<Result<i64, InsufficientFunds>, DbError> {
    let funds = match billing.funds_in(db, account_id).await {
        Ok(funds) => funds,
        Err(StoreError::Db(e)) => return Err(e),
        Err(_) => return Err(DbError(format!("account {account_id} is gone"))),
    };
    let left = match funds.spend(cost) {
        Ok(left) => left,
        Err(refused) => return Ok(Err(refused)),
    };
    db.execute(
        "INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description) \
         VALUES (?1, -?2, ?3, ?4, ?5, ?6)",
        &[text(account_id), int(cost), int(left.balance_minor), text(kind), text(reference), text(description)],
    ).await?;
    Ok(Ok(left.balance_minor))
}

fn parse_instant(stored: &str) -> Result<DateTime<Utc>, DbError> {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DbError(format!("unreadable instant '{stored}': {e}")))
}

/// Money and credits: the ledger, balances and means, packages and subscriptions (packages.rs), top-ups and payments (payments.rs), price lists (prices.rs): `store.billing()`.
#[derive(Clone, Copy)]
pub struct Billing<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn billing(&self) -> Billing<'_> {
        Billing { store: self }
    }
}

impl Billing<'_> {
    // ------------------------------------------------------------ credits

    pub async fn credit_balances(self, account_id: &str) -> Result<CreditBalances, DbError> {
        let rows = self.store.db.query("SELECT sms_credits, voice_credits FROM accounts WHERE id = ?", &[text(account_id)]).await?;
        // No such account: no credits.
        rows.rows
            .first()
            .map(|r| Ok(CreditBalances { sms: r.get("sms_credits")?, voice: r.get("voice_credits")? }))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// The credit ledger, newest first; `before` pages on from an entry id.
    pub async fn credit_entries(self, account_id: &str, limit: i64, before: Option<i64>) -> Result<Vec<CreditEntry>, DbError> {
        let rows = self.store.db.query(
            "SELECT id, unit, amount, balance_after, kind, reference, reason, created_at FROM credit_entries \
             WHERE account_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
            &[text(account_id), before.map(int).unwrap_or(Value::Null), int(limit)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(CreditEntry {
                    id: r.get("id")?,
                    unit: r.get("unit")?,
                    amount: r.get("amount")?,
                    balance_after: r.get("balance_after")?,
                    kind: r.get("kind")?,
                    reference: r.get("reference")?,
                    reason: r.get("reason")?,
                    created_at: r.get("created_at")?,
                })
            })
            .collect()
    }

    /// Gives back the SMS credits a refunded message was paid with, at most once (the
    /// unique index on credit refunds). Part of [`Messages::change_status`]'s transaction.
    pub(super) async fn refund_credits_in(self, db: &Db, account_id: &str, message_id: &str, credits: i64, reason: &str) -> Result<bool, DbError> {
        if credits <= 0 {
            return Ok(false);
        }
        let inserted = db.query(
            "INSERT INTO credit_entries (account_id, unit, amount, balance_after, kind, reference, reason) \
             SELECT id, 'sms', ?3, sms_credits + ?3, 'refund', ?2, ?4 FROM accounts WHERE id = ?1 \
             ON CONFLICT DO NOTHING RETURNING id",
            &[text(account_id), text(message_id), int(credits), text(reason)],
        ).await?;
        Ok(!inserted.rows.is_empty())
    }

    // ------------------------------------------------------------ the catalogue

    pub async fn create_package(self, package: &Package) -> Result<PackageView, DbError> {
        let rows = self.store.db.query(
            &format!(
                "INSERT INTO packages (id, name, currency, cost_minor, sms_credits, voice_credits, numbers, frequency, active) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {PACKAGE_COLUMNS}"
            ),
            &[
                text(new_id("pkg")),
                text(package.name.as_str()),
                text(package.cost.currency().code()),
                int(package.cost.minor()),
                int(package.sms_credits),
                int(package.voice_credits),
                int(package.numbers),
                text(package.frequency.as_str()),
                int(package.active as i64),
            ],
        ).await?;
        rows.rows.first().map(package_from_row).ok_or_else(|| DbError("the package was not stored".into()))?
    }

    pub async fn update_package(self, id: &str, package: &Package) -> Result<Option<PackageView>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE packages SET name = ?2, cost_minor = ?3, sms_credits = ?4, voice_credits = ?5, numbers = ?6, \
                 frequency = ?7, active = ?8, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
                 WHERE id = ?1 RETURNING {PACKAGE_COLUMNS}"
            ),
            &[
                text(id),
                text(package.name.as_str()),
                int(package.cost.minor()),
                int(package.sms_credits),
                int(package.voice_credits),
                int(package.numbers),
                text(package.frequency.as_str()),
                int(package.active as i64),
            ],
        ).await?;
        rows.rows.first().map(package_from_row).transpose()
    }

    pub async fn package(self, id: &str) -> Result<Option<PackageView>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {PACKAGE_COLUMNS} FROM packages WHERE id = ?"), &[text(id)]).await?;
        rows.rows.first().map(package_from_row).transpose()
    }

    /// The catalogue: every package for the operator; an account sees the active ones in
    /// its currency (`currency`).
    pub async fn packages(self, currency: Option<&str>) -> Result<Vec<PackageView>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {PACKAGE_COLUMNS} FROM packages WHERE ?1 IS NULL OR (currency = ?1 AND active = 1) \
                 ORDER BY currency, cost_minor, name"
            ),
            &[currency.map(text).unwrap_or(Value::Null)],
        ).await?;
        rows.rows.iter().map(package_from_row).collect()
    }

    // ------------------------------------------------------------ purchases and subscriptions

    /// Buys an active package in the account's currency, paid from the balance within the
    /// credit limit: the ledger entry (`package_purchase`), the credits, the subscription a
    /// recurring package starts and the account's history line — one transaction, all or
    /// nothing. `Err(NotFound)` for a package the account cannot buy.
    pub async fn purchase_package(self, account_id: &str, package_id: &str, actor: &Actor, now: DateTime<Utc>) -> Result<Purchase, StoreError> {
        self.store.db.transaction(async |db| {
            let rows = db.query(
                &format!(
                    "SELECT {PACKAGE_COLUMNS} FROM packages p WHERE id = ?1 AND active = 1 \
                     AND currency = (SELECT currency FROM accounts WHERE id = ?2)"
                ),
                &[text(package_id), text(account_id)],
            ).await?;
            let package = rows.rows.first().map(package_from_row).ok_or(StoreError::NotFound)??;
            let purchase_id = new_id("pur");
            let description = format!("package {}", package.name);
            let balance = pay(self, db, account_id, package.cost_minor, "package_purchase", &purchase_id, &description).await??;
            grant_credits(db, account_id, package.sms_credits, package.voice_credits, "package_purchase", &purchase_id, &description).await?;
            let frequency = Frequency::parse(&package.frequency).map_err(DbError)?;
            let subscription = match frequency.period_end(now, 0) {
                None => None,
                Some(end) => {
                    let rows = db.query(
                        &format!(
                            "INSERT INTO subscriptions (id, account_id, package_id, name, currency, cost_minor, sms_credits, \
                             voice_credits, numbers, frequency, anchor_at, current_period_start, next_renewal_at) \
                             SELECT ?1, ?2, id, name, currency, cost_minor, sms_credits, voice_credits, numbers, frequency, ?3, ?3, ?4 \
                             FROM packages WHERE id = ?5 RETURNING {SUBSCRIPTION_COLUMNS}"
                        ),
                        &[text(new_id("sub")), text(account_id), text(timestamp(now)), text(timestamp(end)), text(package_id)],
                    ).await?;
                    rows.rows.first().map(subscription_from_row).transpose()?
                }
            };
            db.execute(
                "INSERT INTO package_purchases (id, account_id, package_id, subscription_id, cost_minor, currency) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    text(purchase_id.as_str()),
                    text(account_id),
                    text(package_id),
                    subscription.as_ref().map(|s| text(s.id.as_str())).unwrap_or(Value::Null),
                    int(package.cost_minor),
                    text(package.currency.as_str()),
                ],
            ).await?;
            let credits = self.credit_balances(account_id).await?;
            db.execute(
                "INSERT INTO audit_events (account_id, actor, action, target, before, after) \
                 VALUES (?1, ?2, 'package.purchased', ?3, json_object('balance_minor', ?4 + ?5), \
                 json_object('balance_minor', ?4, 'package_id', ?6, 'subscription_id', ?7, 'sms_credits', ?8, 'voice_credits', ?9))",
                &[
                    text(account_id),
                    text(actor),
                    text(purchase_id.as_str()),
                    int(balance),
                    int(package.cost_minor),
                    text(package_id),
                    subscription.as_ref().map(|s| text(s.id.as_str())).unwrap_or(Value::Null),
                    int(credits.sms),
                    int(credits.voice),
                ],
            ).await?;
            Ok(Purchase {
                purchase_id,
                package_id: package.id,
                cost_minor: package.cost_minor,
                currency: package.currency,
                balance_minor: balance,
                credits,
                subscription,
            })
        }).await
    }

    /// The account's subscriptions, newest first.
    pub async fn subscriptions(self, account_id: &str) -> Result<Vec<SubscriptionView>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE account_id = ? ORDER BY created_at DESC, id"),
            &[text(account_id)],
        ).await?;
        rows.rows.iter().map(subscription_from_row).collect()
    }

    /// Cancels at the end of the current period (what was paid for runs its course).
    pub async fn cancel_subscription(self, account_id: &str, id: &str, actor: &Actor) -> Result<CancelSubscription, DbError> {
        self.store.db.transaction(async |db| {
            let rows = db.query(
                "SELECT status, cancel_at_period_end FROM subscriptions WHERE id = ? AND account_id = ?",
                &[text(id), text(account_id)],
            ).await?;
            let Some(row) = rows.rows.first() else { return Ok(CancelSubscription::NotFound) };
            let status: String = row.get("status")?;
            if status != "active" {
                return Ok(CancelSubscription::Ended(status));
            }
            let first = !row.get::<bool>("cancel_at_period_end")?;
            let rows = db.query(
                &format!(
                    "UPDATE subscriptions SET cancel_at_period_end = 1, \
                     canceled_at = COALESCE(canceled_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
                     WHERE id = ? RETURNING {SUBSCRIPTION_COLUMNS}"
                ),
                &[text(id)],
            ).await?;
            let view = rows.rows.first().map(subscription_from_row).ok_or_else(|| DbError(format!("subscription {id} vanished")))??;
            if first {
                db.execute(
                    "INSERT INTO audit_events (account_id, actor, action, target, before, after) \
                     VALUES (?, ?, 'subscription.canceled', ?, json_object('cancel_at_period_end', json('false')), \
                     json_object('cancel_at_period_end', json('true'), 'ends_at', ?))",
                    &[text(account_id), text(actor), text(id), text(view.current_period_end.as_str())],
                ).await?;
            }
            Ok(CancelSubscription::Canceling(view))
        }).await
    }

    /// Renews (or ends) up to `limit` subscriptions whose period is over, each in its own
    /// transaction. Each is claimed by one UPDATE that matches the period it saw, so a
    /// second runner — at the same time or later — finds nothing to do; the unique
    /// (subscription, period) of the renewals backs that up. A renewal the balance
    /// cannot pay leaves the subscription past_due (recorded; never retried); one cancelled
    /// ends. Periods are renewed one per call, so a runner that was down catches up.
    pub async fn renew_due_subscriptions(self, now: DateTime<Utc>, limit: i64) -> Result<RenewalReport, DbError> {
        let now_text = timestamp(now);
        let rows = self.store.db.query(
            "SELECT id, anchor_at, period_index, frequency, next_renewal_at FROM subscriptions \
             WHERE status = 'active' AND next_renewal_at <= ? ORDER BY next_renewal_at LIMIT ?",
            &[text(now_text.as_str()), int(limit)],
        ).await?;
        let mut report = RenewalReport::default();
        for r in &rows.rows {
            let (id, index, seen): (String, i64, String) = (r.get("id")?, r.get("period_index")?, r.get("next_renewal_at")?);
            let frequency = Frequency::parse(&r.get::<String>("frequency")?).map_err(DbError)?;
            let next_index = u32::try_from(index + 1).map_err(|e| DbError(e.to_string()))?;
            let end = frequency
                .period_end(parse_instant(&r.get::<String>("anchor_at")?)?, next_index)
                .ok_or_else(|| DbError(format!("subscription {id}: period {next_index} is out of range")))?;
            match self.renew_one(&id, index, &seen, &timestamp(end), &now_text).await? {
                Some("renewed") => report.renewed += 1,
                Some("past_due") => report.past_due += 1,
                Some(_) => report.ended += 1,
                None => {}
            }
        }
        Ok(report)
    }

    /// One subscription's period boundary; `None` when another runner got there first.
    async fn renew_one(self, id: &str, index: i64, seen: &str, new_end: &str, now: &str) -> Result<Option<&'static str>, DbError> {
        // Renewed when not cancelled and the balance can pay; the claim decides and moves the
        // period in one statement.
        const RENEW: &str = "(s.cancel_at_period_end = 0 AND a.balance_minor - s.cost_minor >= -a.credit_limit_minor)";
        self.store.db.transaction(async |db| {
            let claimed = db.query(
                &format!(
                    "UPDATE subscriptions AS s SET \
                     status = CASE WHEN {RENEW} THEN 'active' WHEN s.cancel_at_period_end = 1 THEN 'canceled' ELSE 'past_due' END, \
                     period_index = CASE WHEN {RENEW} THEN s.period_index + 1 ELSE s.period_index END, \
                     current_period_start = CASE WHEN {RENEW} THEN s.next_renewal_at ELSE s.current_period_start END, \
                     next_renewal_at = CASE WHEN {RENEW} THEN ?4 ELSE s.next_renewal_at END, \
                     ended_at = CASE WHEN {RENEW} THEN NULL ELSE ?5 END \
                     FROM accounts AS a \
                     WHERE a.id = s.account_id AND s.id = ?1 AND s.status = 'active' AND s.period_index = ?2 \
                     AND s.next_renewal_at = ?3 AND s.next_renewal_at <= ?5 \
                     RETURNING status, account_id, cost_minor, sms_credits, voice_credits, name"
                ),
                &[text(id), int(index), text(seen), text(new_end), text(now)],
            ).await?;
            let Some(row) = claimed.rows.first() else { return Ok(None) };
            let (status, account_id, name): (String, String, String) = (row.get("status")?, row.get("account_id")?, row.get("name")?);
            let (cost, sms, voice): (i64, i64, i64) = (row.get("cost_minor")?, row.get("sms_credits")?, row.get("voice_credits")?);
            let renewal_id = new_id("ren");
            let outcome = match status.as_str() {
                "active" => {
                    let description = format!("subscription {name}, period from {seen}");
                    if pay(self, db, &account_id, cost, "subscription_renewal", &renewal_id, &description).await?.is_err() {
                        return Err(DbError(format!("subscription {id}: the renewal the claim found covered was not")));
                    }
                    grant_credits(db, &account_id, sms, voice, "subscription_renewal", &renewal_id, &description).await?;
                    "renewed"
                }
                "past_due" => "past_due",
                _ => "ended",
            };
            db.execute(
                "INSERT INTO subscription_renewals (id, subscription_id, account_id, period_index, period_start, period_end, outcome, cost_minor) \
                 VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?7 = 'renewed' THEN ?6 END, ?7, ?8)",
                &[
                    text(renewal_id.as_str()),
                    text(id),
                    text(account_id.as_str()),
                    int(index + 1),
                    text(seen),
                    text(new_end),
                    text(outcome),
                    int(cost),
                ],
            ).await?;
            db.execute(
                "INSERT INTO audit_events (account_id, actor, action, target, before, after) \
                 VALUES (?, 'system', 'subscription.' || ?, ?, json_object('period_end', ?), json_object('status', ?, 'renewal', ?))",
                &[text(account_id.as_str()), text(outcome), text(id), text(seen), text(status.as_str()), text(renewal_id.as_str())],
            ).await?;
            Ok(Some(outcome))
        }).await
    }

    // ------------------------------------------------------------ number subscriptions

    /// Room for `number` as a secondary number of the account: what its active number
    /// subscriptions allow, and the secondary numbers it has other than this one.
    pub async fn number_room(self, account_id: &str, number: &str) -> Result<NumberRoom, DbError> {
        let rows = self.store.db.query(
            "SELECT (SELECT COALESCE(SUM(numbers), 0) FROM subscriptions WHERE account_id = ?1 AND status = 'active') AS allowed, \
                    (SELECT COUNT(*) FROM numbers WHERE account_id = ?1 AND role = 'secondary' AND number <> ?2) AS used",
            &[text(account_id), text(number)],
        ).await?;
        let row = rows.one()?;
        Ok(NumberRoom { allowed: row.get("allowed")?, used: row.get("used")? })
    }
}

