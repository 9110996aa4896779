//! What a send reads before it writes — the account's means, which recipients it has
//! blocked, and the price rules that could apply — in one statement, and for a send made
//! with an API key, in the same statement as the key's caller: each statement is a host
//! call, and those calls are most of what a send costs.

use super::carriers::CostColumns;
use super::prices::{RuleColumns, StoredPriceRule};
use domain::billing::pricing::{PriceList, PriceScope};
use domain::carriers::routing::{Route, RouteEntry, RouteMode};
use super::{caller_from_key_row, timestamp, Caller, StoreError, CALLER_COLUMNS, KEY_COLUMNS};
use crate::db::{int, opt_text, text, DbError, RowExt};
use crate::host::Row;
use chrono::{DateTime, Utc};
use domain::identity::access::KeyAccess;
use domain::billing::funds::Funds;
use domain::billing::pricing::PriceRule;
use domain::messaging::recipient::Recipient;
use serde::Deserialize;

/// Where a send's recipients go.
#[derive(Debug, Default)]
pub struct SendDestinations {
    /// E.164 numbers, checked against the blocklist (none: not checked).
    numbers: Vec<String>,
    /// Their countries, once each.
    countries: Vec<String>,
    /// Each number's digits, for prefix rules.
    digits: Vec<String>,
}

impl SendDestinations {
    /// The destinations of `recipients`; their numbers are checked against the blocklist
    /// unless `check_blocklist` is false.
    pub fn of(recipients: &[Recipient], check_blocklist: bool) -> SendDestinations {
        let mut countries: Vec<String> = recipients.iter().map(|r| r.country().as_str().to_owned()).collect();
        countries.sort_unstable();
        countries.dedup();
        SendDestinations {
            numbers: if check_blocklist { recipients.iter().map(|r| r.e164().to_owned()).collect() } else { Vec::new() },
            countries,
            digits: recipients.iter().map(|r| r.digits().to_owned()).collect(),
        }
    }
}

/// What a send looked up.
#[derive(Debug)]
pub struct SendLookups {
    pub funds: Funds,
    /// Blocked recipients: number, reason, since.
    pub blocked: Vec<(String, String, String)>,
    /// Rules of the default list and the account's that could price the destinations in
    /// the account's currency at the moment asked (which one applies is domain::pricing's).
    pub rules: Vec<PriceRule>,
    /// Routes of the default table and the account's pool that could cover the
    /// destinations, with their connections (enabled or not) and, for least-cost routes,
    /// the connections' cost prices in the account's currency at the moment asked.
    pub routes: Vec<Route>,
}

/// The lookups as columns of a statement over an account `a`: ?2 the numbers (JSON), ?3 the
/// moment, ?4 the countries (JSON), ?5 the one number's digits (or NULL), ?6 whether every
/// prefix rule is wanted (a batch, where the domain picks per number).
const LOOKUP_COLUMNS: &str = "\
    json_object('balance_minor', a.balance_minor, 'credit_limit_minor', a.credit_limit_minor, 'sms_credits', a.sms_credits) AS funds, \
    (SELECT json_group_array(json_object('number', number, 'reason', reason, 'since', created_at)) \
     FROM blocklist WHERE account_id = a.id AND removed_at IS NULL AND number IN (SELECT value FROM json_each(?2))) AS blocked_recipients, \
    (SELECT json_group_array(json_object('id', id, 'account_id', account_id, 'currency', currency, 'scope', scope, \
            'per_segment_milli', per_segment_milli, 'effective_from', effective_from, 'effective_to', effective_to, \
            'created_at', created_at)) \
     FROM price_rules p WHERE (p.account_id IS NULL OR p.account_id = a.id) AND p.currency = a.currency \
       AND p.effective_from <= ?3 AND (p.effective_to IS NULL OR p.effective_to > ?3) \
       AND (p.scope = '*' OR p.scope IN (SELECT value FROM json_each(?4)) \
            OR (p.scope GLOB '[0-9]*' AND (?6 OR substr(?5, 1, length(p.scope)) = p.scope)))) AS rules, \
    (SELECT json_group_array(json_object('id', r.id, 'account_id', r.account_id, 'scope', r.scope, 'mode', r.mode, 'entries', json( \
        (SELECT json_group_array(json_object('position', e.position, 'connection', c.name, 'weight', e.weight, 'enabled', c.enabled, 'costs', json( \
            (SELECT json_group_array(json_object('id', k.id, 'connection', k.connection, 'currency', k.currency, 'scope', k.scope, \
                    'per_segment_milli', k.per_segment_milli, 'effective_from', k.effective_from, 'effective_to', k.effective_to)) \
             FROM carrier_costs k WHERE r.mode = 'least_cost' AND k.connection = c.name AND k.currency = a.currency \
               AND k.effective_from <= ?3 AND (k.effective_to IS NULL OR k.effective_to > ?3))))) \
         FROM route_connections e JOIN carrier_connections c ON c.name = e.connection WHERE e.route_id = r.id)))) \
     FROM routes r WHERE (r.account_id IS NULL OR r.account_id = a.id) \
       AND (r.scope = '*' OR r.scope IN (SELECT value FROM json_each(?4)) \
            OR (r.scope GLOB '[0-9]*' AND (?6 OR substr(?5, 1, length(r.scope)) = r.scope)))) AS routes";

#[derive(Deserialize)]
struct RouteColumns {
    id: i64,
    account_id: Option<String>,
    scope: String,
    mode: String,
    entries: Vec<RouteEntryColumns>,
}

#[derive(Deserialize)]
struct RouteEntryColumns {
    position: i64,
    connection: String,
    weight: i64,
    enabled: i64,
    costs: Vec<CostColumns>,
}

impl RouteColumns {
    /// The route, or `None` for one the domain cannot read (skipped, as if absent).
    fn into_route(self) -> Option<Route> {
        let mut entries = self.entries;
        entries.sort_by_key(|e| e.position);
        Some(Route {
            id: self.id,
            scope: PriceScope::parse(&self.scope)?,
            list: if self.account_id.is_some() { PriceList::Account } else { PriceList::Default },
            mode: RouteMode::parse(&self.mode).ok()?,
            entries: entries
                .into_iter()
                .map(|e| RouteEntry {
                    connection: e.connection,
                    weight: u32::try_from(e.weight).unwrap_or(0),
                    enabled: e.enabled != 0,
                    costs: e.costs.into_iter().filter_map(CostColumns::into_cost).map(|c| c.rule).collect(),
                })
                .collect(),
        })
    }
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

/// ?2–?6 of [`LOOKUP_COLUMNS`].
fn lookup_params(to: &SendDestinations, at: DateTime<Utc>) -> Vec<crate::db::Value> {
    let json = |values: &[String]| serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
    let one_number = match to.digits.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    };
    vec![
        text(json(&to.numbers)),
        text(timestamp(at)),
        text(json(&to.countries)),
        opt_text(one_number),
        int(i64::from(one_number.is_none() && !to.digits.is_empty())),
    ]
}

fn lookups_from_row(row: &Row) -> Result<SendLookups, DbError> {
    let unreadable = |what: &str, e: serde_json::Error| DbError(format!("a send's {what} could not be read: {e}"));
    let funds: FundsColumns = serde_json::from_str(&row.get::<String>("funds")?).map_err(|e| unreadable("means", e))?;
    let blocked: Vec<BlockedColumns> = serde_json::from_str(&row.get::<String>("blocked_recipients")?).map_err(|e| unreadable("blocklist", e))?;
    let rules: Vec<RuleColumns> = serde_json::from_str(&row.get::<String>("rules")?).map_err(|e| unreadable("price rules", e))?;
    let routes: Vec<RouteColumns> = serde_json::from_str(&row.get::<String>("routes")?).map_err(|e| unreadable("routes", e))?;
    Ok(SendLookups {
        funds: Funds { balance_minor: funds.balance_minor, credit_limit_minor: funds.credit_limit_minor, sms_credits: funds.sms_credits },
        blocked: blocked.into_iter().map(|b| (b.number, b.reason, b.since)).collect(),
        rules: rules.into_iter().filter_map(RuleColumns::into_rule).map(|r: StoredPriceRule| r.rule).collect(),
        routes: routes.into_iter().filter_map(RouteColumns::into_route).collect(),
    })
}

impl super::Messages<'_> {
    /// The lookups of a send by `account_id` to `to`, with the rules in effect at `at`. One
    /// query for any number of recipients: the catch-all rule, the countries', and prefix
    /// rules (those matching the one number, or all of them for a batch).
    pub async fn send_lookups(self, account_id: &str, to: &SendDestinations, at: DateTime<Utc>) -> Result<SendLookups, StoreError> {
        let mut params = vec![text(account_id)];
        params.extend(lookup_params(to, at));
        let rows = self.store.db.query(&format!("SELECT {LOOKUP_COLUMNS} FROM accounts a WHERE a.id = ?1"), &params).await?;
        // No row: the account is gone.
        let row = rows.rows.first().ok_or(StoreError::NotFound)?;
        Ok(lookups_from_row(row)?)
    }

    /// As [`Identity::caller_by_key_hash`], with the send's lookups in the same query.
    pub async fn caller_by_key_hash_with_send_lookups(
        self,
        key_hash: &str,
        to: &SendDestinations,
        at: DateTime<Utc>,
    ) -> Result<Option<(Caller, KeyAccess, String, SendLookups)>, DbError> {
        let mut params = vec![text(key_hash)];
        params.extend(lookup_params(to, at));
        let rows = self.store.db.query(
            &format!(
                "SELECT {CALLER_COLUMNS}, {KEY_COLUMNS}, {LOOKUP_COLUMNS} \
                 FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"
            ),
            &params,
        ).await?;
        let Some(row) = rows.rows.first() else { return Ok(None) };
        let (caller, access, key_id) = caller_from_key_row(row)?;
        Ok(Some((caller, access, key_id, lookups_from_row(row)?)))
    }
}
