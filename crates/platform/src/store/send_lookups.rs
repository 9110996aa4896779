//! What a send reads before it writes — the account's means, which recipients it has
//! blocked, and the price rules that could apply — in one statement: each statement is a
//! host call, and those calls are most of what a send costs.

use super::prices::{RuleColumns, StoredPriceRule};
use super::{timestamp, Store, StoreError};
use crate::db::{int, opt_text, text, RowExt, RowsExt};
use chrono::{DateTime, Utc};
use domain::billing::funds::Funds;
use domain::billing::money::Currency;
use domain::billing::pricing::PriceRule;
use serde::Deserialize;

/// Where a send's recipients go: the numbers, their countries, and their digits.
pub struct SendDestinations<'a> {
    /// E.164 numbers, checked against the blocklist (none: not checked).
    pub numbers: &'a [&'a str],
    pub countries: &'a [&'a str],
    /// Each number's digits, for prefix rules.
    pub digits: &'a [&'a str],
}

/// What a send looked up.
#[derive(Debug)]
pub struct SendLookups {
    pub funds: Funds,
    /// Blocked recipients: number, reason, since.
    pub blocked: Vec<(String, String, String)>,
    /// Rules of the default list and the account's that could price the destinations
    /// at the moment asked (which one applies is domain::billing::pricing's).
    pub rules: Vec<PriceRule>,
}

#[derive(Deserialize)]
struct FundsColumns {
    balance_minor: i64,
    credit_limit_minor: i64,
    sms_credits: i64,
}

#[derive(Deserialize)]
struct BlockedColumns {
    number: String,
    reason: String,
    since: String,
}

impl Store {
    /// The lookups of a send by `account_id` in `currency` to `to`, with the rules in
    /// effect at `at`. One query for any number of recipients: the catch-all rule, the
    /// countries', and prefix rules (those matching the one number, or all of them for a
    /// batch, where the domain picks per number).
    pub async fn send_lookups(
        &self,
        account_id: &str,
        currency: Currency,
        to: &SendDestinations<'_>,
        at: DateTime<Utc>,
    ) -> Result<SendLookups, StoreError> {
        let json = |values: &[&str]| serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
        let one_number = match to.digits {
            [one] => Some(*one),
            _ => None,
        };
        let rows = self.db.query(
            "SELECT \
               (SELECT json_object('balance_minor', balance_minor, 'credit_limit_minor', credit_limit_minor, 'sms_credits', sms_credits) \
                FROM accounts WHERE id = ?1) AS funds, \
               (SELECT json_group_array(json_object('number', number, 'reason', reason, 'since', created_at)) \
                FROM blocklist WHERE account_id = ?1 AND removed_at IS NULL AND number IN (SELECT value FROM json_each(?2))) AS blocked, \
               (SELECT json_group_array(json_object('id', id, 'account_id', account_id, 'currency', currency, 'scope', scope, \
                       'per_segment_milli', per_segment_milli, 'effective_from', effective_from, 'effective_to', effective_to, \
                       'created_at', created_at)) \
                FROM price_rules WHERE (account_id IS NULL OR account_id = ?1) AND currency = ?3 \
                  AND effective_from <= ?4 AND (effective_to IS NULL OR effective_to > ?4) \
                  AND (scope = '*' OR scope IN (SELECT value FROM json_each(?5)) \
                       OR (scope GLOB '[0-9]*' AND (?7 OR substr(?6, 1, length(scope)) = scope)))) AS rules",
            &[
                text(account_id),
                text(json(to.numbers)),
                text(currency.code()),
                text(timestamp(at)),
                text(json(to.countries)),
                opt_text(one_number),
                int(i64::from(one_number.is_none() && !to.digits.is_empty())),
            ],
        ).await?;
        let row = rows.one()?;
        let unreadable = |what: &str, e: serde_json::Error| StoreError::Db(crate::db::DbError(format!("a send's {what} could not be read: {e}")));
        // No account row (funds NULL): the account is gone.
        let Some(funds) = row.get::<Option<String>>("funds")? else { return Err(StoreError::NotFound) };
        let funds: FundsColumns = serde_json::from_str(&funds).map_err(|e| unreadable("means", e))?;
        // json_group_array gives '[]' for no rows, never NULL.
        let blocked: Vec<BlockedColumns> = serde_json::from_str(&row.get::<String>("blocked")?).map_err(|e| unreadable("blocklist", e))?;
        let rules: Vec<RuleColumns> = serde_json::from_str(&row.get::<String>("rules")?).map_err(|e| unreadable("price rules", e))?;
        Ok(SendLookups {
            funds: Funds {
                balance_minor: funds.balance_minor,
                credit_limit_minor: funds.credit_limit_minor,
                sms_credits: funds.sms_credits,
            },
            blocked: blocked.into_iter().map(|b| (b.number, b.reason, b.since)).collect(),
            rules: rules.into_iter().filter_map(RuleColumns::into_rule).map(|r: StoredPriceRule| r.rule).collect(),
        })
    }
}
