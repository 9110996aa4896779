//! SQL of the price lists (migration 0011): the default list (`account_id` NULL) and each
//! account's own, every rule with its period. Which rule applies is domain::pricing's.

use super::{timestamp, Store};
use crate::db::{int, opt_text, text, DbError, RowExt};
use chrono::{DateTime, Utc};
use domain::money::Currency;
use domain::pricing::{EffectivePeriod, PriceList, PriceRule, PriceScope, UnitPrice};
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

fn rule_from_row(row: &crate::host::Row) -> Option<StoredPriceRule> {
    let currency = Currency::parse(&row.text(2)).ok()?;
    Some(StoredPriceRule {
        id: row.int(0),
        rule: PriceRule {
            scope: PriceScope::parse(&row.text(3))?,
            list: if row.opt_text(1).is_some() { PriceList::Account } else { PriceList::Default },
            per_segment: UnitPrice::from_milli(row.int(4), currency).ok()?,
            period: EffectivePeriod { from: instant(&row.text(5))?, to: row.opt_text(6).as_deref().and_then(instant) },
        },
        created_at: row.text(7),
    })
}

impl Store {
    /// The rules of the default list and of the account that could price these
    /// destinations in `currency` at `at`. One query for any number of recipients: the
    /// catch-all, the countries, and prefixes of the numbers.
    pub async fn price_rules(
        &self,
        account_id: &str,
        currency: Currency,
        countries: &[&str],
        digits: &[&str],
        at: DateTime<Utc>,
    ) -> Result<Vec<PriceRule>, DbError> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM price_rules WHERE (account_id IS NULL OR account_id = ?) AND currency = ? \
             AND effective_from <= ? AND (effective_to IS NULL OR effective_to > ?) AND (scope = '*'"
        );
        let at = timestamp(at);
        let mut params = vec![text(account_id), text(currency.code()), text(at.as_str()), text(at.as_str())];
        if !countries.is_empty() {
            sql.push_str(" OR scope IN (");
            sql.push_str(&vec!["?"; countries.len()].join(","));
            sql.push(')');
            params.extend(countries.iter().map(|c| text(*c)));
        }
        if digits.len() == 1 {
            sql.push_str(" OR (length(scope) > 2 AND substr(?, 1, length(scope)) = scope)");
            params.push(text(digits[0]));
        } else if !digits.is_empty() {
            // Large batches: every prefix rule; the domain picks per number.
            sql.push_str(" OR scope GLOB '[0-9]*'");
        }
        sql.push(')');
        let rows = self.db.query(&sql, &params).await?;
        Ok(rows.rows.iter().filter_map(rule_from_row).map(|r| r.rule).collect())
    }

    /// Every rule of one list (`None`: the default list), past, present and scheduled,
    /// by currency, scope and start.
    pub async fn price_list(&self, account_id: Option<&str>) -> Result<Vec<StoredPriceRule>, DbError> {
        let rows = self.db.query(
            &format!(
                "SELECT {COLUMNS} FROM price_rules WHERE account_id IS ?1 \
                 ORDER BY currency, length(scope) > 2, scope, effective_from"
            ),
            &[account_id.map(text).unwrap_or(Value::Null)],
        ).await?;
        Ok(rows.rows.iter().filter_map(rule_from_row).collect())
    }

    /// The rules of both lists in the account's currency that are in effect at `at` or
    /// will be later: what prices the account's sends now and from now on.
    pub async fn account_price_rules(&self, account_id: &str, currency: Currency, at: DateTime<Utc>) -> Result<Vec<StoredPriceRule>, DbError> {
        let rows = self.db.query(
            &format!(
                "SELECT {COLUMNS} FROM price_rules WHERE (account_id IS NULL OR account_id = ?) AND currency = ? \
                 AND (effective_to IS NULL OR effective_to > ?) ORDER BY length(scope) > 2, scope, effective_from"
            ),
            &[text(account_id), text(currency.code()), text(timestamp(at))],
        ).await?;
        Ok(rows.rows.iter().filter_map(rule_from_row).collect())
    }

    /// Sets a rule of one list (`None`: the default list). A rule of the same list,
    /// currency, scope and start is replaced; any other stays, so a rule starting later
    /// is a scheduled change. One statement (callers may audit it in a transaction).
    /// Returns the rule's id.
    pub async fn set_price(
        &self,
        account_id: Option<&str>,
        scope: &PriceScope,
        price: UnitPrice,
        period: EffectivePeriod,
    ) -> Result<i64, DbError> {
        let rows = self.db.query(
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
        Ok(rows.rows.first().map(|r| r.int(0)).unwrap_or_default())
    }

    /// Ends a rule of one list at `now`: one not yet in effect is withdrawn (deleted),
    /// one in effect gets `effective_to = now`, so what was charged keeps its rule.
    /// `None` when the list has no such rule.
    pub async fn end_price(&self, account_id: Option<&str>, id: i64, now: DateTime<Utc>) -> Result<Option<PriceRuleEnd>, DbError> {
        let list = account_id.map(text).unwrap_or(Value::Null);
        let now = timestamp(now);
        let deleted = self.db.query(
            "DELETE FROM price_rules WHERE id = ? AND account_id IS ? AND effective_from >= ? RETURNING id",
            &[int(id), list.clone(), text(now.as_str())],
        ).await?;
        if !deleted.rows.is_empty() {
            return Ok(Some(PriceRuleEnd::Withdrawn));
        }
        let ended = self.db.query(
            "UPDATE price_rules SET effective_to = ?3 WHERE id = ?1 AND account_id IS ?2 \
             AND (effective_to IS NULL OR effective_to > ?3) RETURNING id",
            &[int(id), list.clone(), text(now.as_str())],
        ).await?;
        if !ended.rows.is_empty() {
            return Ok(Some(PriceRuleEnd::Ended));
        }
        let exists = self.db.query("SELECT 1 FROM price_rules WHERE id = ? AND account_id IS ?", &[int(id), list]).await?;
        Ok((!exists.rows.is_empty()).then_some(PriceRuleEnd::AlreadyEnded))
    }
}
