//! SQL of the price lists (migration 0011): the default list (`account_id` NULL) and each
//! account's own, every rule with its period. Which rule applies is domain::billing::pricing's.

use super::timestamp;
use crate::db::{int, opt_text, text, DbError, RowExt, RowsExt};
use chrono::{DateTime, Utc};
use domain::billing::money::Currency;
use domain::billing::pricing::{EffectivePeriod, PriceList, PriceRule, PriceScope, UnitPrice};
use crate::db::Value;

/// A stored rule of either list.
#[derive(Debug, Clone)]
pub struct StoredPriceRule {
    pub id: i64,
    pub rule: PriceRule,
    pub created_at: String,
}

/// What ending a rule did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceRuleEnd {
    /// It had not taken effect yet, so it is gone.
    Withdrawn,
    /// It was in effect and ends now.
    Ended,
    /// It had already ended.
    AlreadyEnded,
}

const COLUMNS: &str = "id, account_id, currency, scope, per_segment_milli, effective_from, effective_to, created_at";

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&Utc))
}

/// A stored rule's columns, as a row or a JSON object names them.
#[derive(Debug, serde::Deserialize)]
pub(super) struct RuleColumns {
    id: i64,
    account_id: Option<String>,
    currency: String,
    scope: String,
    per_segment_milli: i64,
    effective_from: String,
    effective_to: Option<String>,
    created_at: String,
}

impl RuleColumns {
    fn from_row(row: &crate::host::Row) -> Result<RuleColumns, DbError> {
        Ok(RuleColumns {
            id: row.get("id")?,
            account_id: row.get("account_id")?,
            currency: row.get("currency")?,
            scope: row.get("scope")?,
            per_segment_milli: row.get("per_segment_milli")?,
            effective_from: row.get("effective_from")?,
            effective_to: row.get("effective_to")?,
            created_at: row.get("created_at")?,
        })
    }

    /// The rule, or `None` for one the domain cannot read (skipped, as if absent).
    pub(super) fn into_rule(self) -> Option<StoredPriceRule> {
        let currency = Currency::parse(&self.currency).ok()?;
        Some(StoredPriceRule {
            id: self.id,
            rule: PriceRule {
                scope: PriceScope::parse(&self.scope)?,
                list: if self.account_id.is_some() { PriceList::Account } else { PriceList::Default },
                per_segment: UnitPrice::from_milli(self.per_segment_milli, currency).ok()?,
                period: EffectivePeriod { from: instant(&self.effective_from)?, to: self.effective_to.as_deref().and_then(instant) },
            },
            created_at: self.created_at,
        })
    }
}

/// The rule of a row: `Ok(None)` for one the domain cannot read (skipped), an error for
/// a row that is not a rule's.
fn rule_from_row(row: &crate::host::Row) -> Result<Option<StoredPriceRule>, DbError> {
    Ok(RuleColumns::from_row(row)?.into_rule())
}

fn rules_of(rows: &crate::host::Rows) -> Result<Vec<StoredPriceRule>, DbError> {
    Ok(rows.rows.iter().map(rule_from_row).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
}

impl super::Billing<'_> {
    /// Every rule of one list (`None`: the default list), past, present and scheduled,
    /// by currency, scope and start.
    pub async fn price_list(self, account_id: Option<&str>) -> Result<Vec<StoredPriceRule>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {COLUMNS} FROM price_rules WHERE account_id IS ?1 \
                 ORDER BY currency, length(scope) > 2, scope, effective_from"
            ),
            &[account_id.map(text).unwrap_or(Value::Null)],
        ).await?;
        rules_of(&rows)
    }

    /// The rules of both lists in the account's currency that are in effect at `at` or
    /// will be later: what prices the account's sends now and from now on.
    pub async fn account_price_rules(self, account_id: &str, currency: Currency, at: DateTime<Utc>) -> Result<Vec<StoredPriceRule>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {COLUMNS} FROM price_rules WHERE (account_id IS NULL OR account_id = ?) AND currency = ? \
                 AND (effective_to IS NULL OR effective_to > ?) ORDER BY length(scope) > 2, scope, effective_from"
            ),
            &[text(account_id), text(currency.code()), text(timestamp(at))],
        ).await?;
        rules_of(&rows)
    }

    /// Sets a rule of one list (`None`: the default list). A rule of the same list,
    /// currency, scope and start is replaced; any other stays, so a rule starting later
    /// is a scheduled change. One statement (callers may audit it in a transaction).
    /// Returns the rule's id.
    pub async fn set_price(
        self,
        account_id: Option<&str>,
        scope: &PriceScope,
        price: UnitPrice,
        period: EffectivePeriod,
    ) -> Result<i64, DbError> {
        let rows = self.store.db.query(
            "INSERT OR REPLACE INTO price_rules (account_id, currency, scope, effective_from, per_segment_milli, effective_to) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                account_id.map(text).unwrap_or(Value::Null),
                text(price.currency().code()),
                text(scope.as_text()),
                text(timestamp(period.from)),
                int(price.milli()),
                opt_text(period.to.map(timestamp).as_deref()),
            ],
        ).await?;
        rows.one()?.get("id")
    }

    /// Ends a rule of one list at `now`: one not yet in effect is withdrawn (deleted),
    /// one in effect gets `effective_to = now`, so what was charged keeps its rule.
    /// `None` when the list has no such rule.
    pub async fn end_price(self, account_id: Option<&str>, id: i64, now: DateTime<Utc>) -> Result<Option<PriceRuleEnd>, DbError> {
        let list = account_id.map(text).unwrap_or(Value::Null);
        let now = timestamp(now);
        let deleted = self.store.db.query(
            "DELETE FROM price_rules WHERE id = ? AND account_id IS ? AND effective_from >= ? RETURNING id",
            &[int(id), list.clone(), text(now.as_str())],
        ).await?;
        if !deleted.rows.is_empty() {
            return Ok(Some(PriceRuleEnd::Withdrawn));
        }
        let ended = self.store.db.query(
            "UPDATE price_rules SET effective_to = ?3 WHERE id = ?1 AND account_id IS ?2 \
             AND (effective_to IS NULL OR effective_to > ?3) RETURNING id",
            &[int(id), list.clone(), text(now.as_str())],
        ).await?;
        if !ended.rows.is_empty() {
            return Ok(Some(PriceRuleEnd::Ended));
        }
        let exists = self.store.db.query("SELECT 1 FROM price_rules WHERE id = ? AND account_id IS ?", &[int(id), list]).await?;
        Ok((!exists.rows.is_empty()).then_some(PriceRuleEnd::AlreadyEnded))
    }
}
