//! What a send reads before it writes — the account's means, which recipients it has
//! blocked, the price rules and the operator's send rules that could apply, and the
//! account's registered senders and +1 campaigns — in one statement, and for a send made
//! with an API key, in the same statement as the key's caller: each statement is a host
//! call, and those calls are most of what a send costs.
//!
//! A small send with an API key reads none of it most of the time: the instance keeps what
//! it read for a key (the caller, the means, every price rule of the account) for a second,
//! and the message's INSERT names the version of the account's lookups it was decided on.
//! The database refuses that INSERT when the version moved (a key, a price, a setting
//! changed: migration 0022) or the recipient is blocked; the send is then made again from
//! lookups read afresh (`Sent::LookupsChanged`).

use super::carriers::CostColumns;
use super::prices::{RuleColumns, StoredPriceRule};
use domain::billing::pricing::{PriceList, PriceScope};
use domain::carriers::routing::{Route, RouteEntry, RouteMode};
use super::rules::RuleColumns as SendRuleColumns;
use domain::messaging::recipient::CountryCode;
use domain::messaging::rules::{SendRule, SendRules};
use super::{caller_from_key_row, timestamp, Caller, StoreError, CALLER_COLUMNS, KEY_COLUMNS};
use crate::db::{int, opt_text, text, DbError, RowExt, Value};
use crate::host::Row;
use chrono::{DateTime, Utc};
use domain::identity::access::KeyAccess;
use domain::billing::funds::Funds;
use domain::billing::pricing::PriceRule;
use domain::messaging::recipient::Recipient;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;

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
        let mut countries: Vec<String> = recipients.iter().map(|r| r.region().as_str().to_owned()).collect();
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
    /// Blocked recipients: number, reason, since (never listed by kept lookups).
    pub blocked: Vec<(String, String, String)>,
    /// Rules of the default list and the account's that could price the destinations in
    /// the account's currency at the moment asked (which one applies is domain::pricing's).
    pub rules: Vec<PriceRule>,
    /// The operator's send rules that could apply to the destinations, the destinations'
    /// countries that want registered senders, the account's registered senders there, and
    /// whether it has a +1 campaign (what they decide is domain::messaging::rules').
    pub send_rules: SendRules,
    /// Routes of the default table and the account's pool that could cover the
    /// destinations, with their connections (enabled or not) and, for least-cost routes,
    /// the connections' cost prices in the account's currency at the moment asked.
    pub routes: Vec<Route>,
    /// Kept lookups: the key they were kept for and the version of the account's lookups
    /// they were read at, which the send's INSERT names (see the module's comment).
    pub kept: Option<KeptFor>,
}

/// Which kept lookups a send was decided on.
#[derive(Debug, Clone)]
pub struct KeptFor {
    pub key_hash: String,
    pub version: i64,
}

/// Whether an API key's send may use the instance's kept lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookups {
    /// Kept ones if the instance has them (read and kept otherwise).
    Kept,
    /// Read for this send alone; what the instance kept for the key is forgotten. A send
    /// refused on kept lookups (or refused by the database for them) is made again so: a
    /// refusal is never decided on what an instance kept.
    Afresh,
}

/// What the instance keeps for a key.
#[derive(Clone)]
struct KeptLookups {
    caller: Caller,
    access: KeyAccess,
    key_id: String,
    funds: Funds,
    rules: Vec<PriceRule>,
    send_rules: SendRules,
    routes: Vec<Route>,
    version: i64,
    read_at_millis: i64,
}

/// How long kept lookups serve: it bounds how far behind the balance in a send's answer can
/// be (other instances' sends meanwhile; their own are counted), not correctness.
const KEPT_FOR_MILLIS: i64 = 1_000;
/// Keys kept at most (all are dropped past it: a second's reads to make again).
const KEPT_KEYS: usize = 1_000;

// An instance's requests run on one thread: no lock, and no borrow across an await.
thread_local! {
    static KEPT: RefCell<HashMap<String, KeptLookups>> = RefCell::new(HashMap::new());
}

/// The lookups as columns of a statement over an account `a`: ?2 the numbers to check
/// against the blocklist (JSON), ?3 the moment, ?4 the countries (JSON), ?5 the one number's
/// digits (or NULL), ?6 whether every prefix rule is wanted (a batch, where the domain picks
/// per number), ?7 whether every rule is wanted whatever its scope and start (what an
/// instance keeps for a key, for any small send to come: the domain picks by destination
/// and moment). Also the version of the account's lookups, which kept ones carry.
const LOOKUP_COLUMNS: &str = "\
    json_object('balance_minor', a.balance_minor, 'credit_limit_minor', a.credit_limit_minor, 'sms_credits', a.sms_credits) AS funds, \
    a.lookups_version, \
    (SELECT json_group_array(json_object('number', number, 'reason', reason, 'since', created_at)) \
     FROM blocklist WHERE account_id = a.id AND removed_at IS NULL AND number IN (SELECT value FROM json_each(?2))) AS blocked_recipients, \
    (SELECT json_group_array(json_object('id', id, 'account_id', account_id, 'currency', currency, 'scope', scope, \
            'per_segment_milli', per_segment_milli, 'effective_from', effective_from, 'effective_to', effective_to, \
            'created_at', created_at)) \
     FROM price_rules p WHERE (p.account_id IS NULL OR p.account_id = a.id) AND p.currency = a.currency \
       AND (?7 OR p.effective_from <= ?3) AND (p.effective_to IS NULL OR p.effective_to > ?3) \
       AND (?7 OR p.scope = '*' OR p.scope IN (SELECT value FROM json_each(?4)) \
            OR (p.scope GLOB '[0-9]*' AND (?6 OR substr(?5, 1, length(p.scope)) = p.scope)))) AS rules, \
    (SELECT json_group_array(json_object('id', id, 'account_id', account_id, 'kind', kind, 'name', name, 'scope', scope, \
            'from_sender', from_sender, 'from_kind', from_kind, 'pattern', pattern, 'pattern_kind', pattern_kind, \
            'case_sensitive', json(CASE WHEN case_sensitive THEN 'true' ELSE 'false' END), 'replacement', replacement)) \
     FROM send_rules r WHERE (r.account_id IS NULL OR r.account_id = a.id) \
       AND (?7 OR r.scope = '*' OR r.scope IN (SELECT value FROM json_each(?4)) \
            OR (r.scope GLOB '[0-9]*' AND (?6 OR substr(?5, 1, length(r.scope)) = r.scope)))) AS send_rules, \
    (SELECT json_group_array(country) FROM sender_registration_countries \
     WHERE ?7 OR country IN (SELECT value FROM json_each(?4))) AS registration_countries, \
    (SELECT json_group_array(json_object('sender', sender, 'country', country)) FROM registered_senders \
     WHERE account_id = a.id AND (?7 OR country IN (SELECT value FROM json_each(?4)))) AS registered_senders, \
    EXISTS (SELECT 1 FROM campaigns WHERE account_id = a.id AND ended_at IS NULL) AS has_campaign, \
    (SELECT json_group_array(json_object('id', r.id, 'account_id', r.account_id, 'scope', r.scope, 'mode', r.mode, 'entries', json( \
        (SELECT json_group_array(json_object('position', e.position, 'connection', c.name, 'weight', e.weight, 'enabled', c.enabled, 'costs', json( \
            (SELECT json_group_array(json_object('id', k.id, 'connection', k.connection, 'currency', k.currency, 'scope', k.scope, \
                    'per_segment_milli', k.per_segment_milli, 'effective_from', k.effective_from, 'effective_to', k.effective_to)) \
             FROM carrier_costs k WHERE r.mode = 'least_cost' AND k.connection = c.name AND k.currency = a.currency \
               AND (?7 OR k.effective_from <= ?3) AND (k.effective_to IS NULL OR k.effective_to > ?3))))) \
         FROM route_connections e JOIN carrier_connections c ON c.name = e.connection WHERE e.route_id = r.id)))) \
     FROM routes r WHERE (r.account_id IS NULL OR r.account_id = a.id) \
       AND (?7 OR r.scope = '*' OR r.scope IN (SELECT value FROM json_each(?4)) \
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
struct RegisteredColumns {
    sender: String,
    country: String,
}

#[derive(Deserialize)]
struct BlockedColumns {
    number: String,
    reason: String,
    since: String,
}

/// ?2–?7 of [`LOOKUP_COLUMNS`]: the rules for `to` (`None`: every rule, for kept lookups).
fn lookup_params(to: Option<&SendDestinations>, at: DateTime<Utc>) -> Vec<crate::db::Value> {
    let json = |values: &[String]| serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
    let Some(to) = to else {
        return vec![text("[]"), text(timestamp(at)), text("[]"), Value::Null, int(0), int(1)];
    };
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
        int(0),
    ]
}

fn unreadable(what: &str, e: serde_json::Error) -> DbError {
    DbError(format!("a send's {what} could not be read: {e}"))
}

fn funds_from_row(row: &Row) -> Result<Funds, DbError> {
    let funds: FundsColumns = serde_json::from_str(&row.get::<String>("funds")?).map_err(|e| unreadable("means", e))?;
    Ok(Funds { balance_minor: funds.balance_minor, credit_limit_minor: funds.credit_limit_minor, sms_credits: funds.sms_credits })
}

fn rules_from_row(row: &Row) -> Result<Vec<PriceRule>, DbError> {
    let rules: Vec<RuleColumns> = serde_json::from_str(&row.get::<String>("rules")?).map_err(|e| unreadable("price rules", e))?;
    Ok(rules.into_iter().filter_map(RuleColumns::into_rule).map(|r: StoredPriceRule| r.rule).collect())
}

fn send_rules_from_row(row: &Row) -> Result<SendRules, DbError> {
    let send_rules: Vec<SendRuleColumns> = serde_json::from_str(&row.get::<String>("send_rules")?).map_err(|e| unreadable("send rules", e))?;
    let countries: Vec<String> =
        serde_json::from_str(&row.get::<String>("registration_countries")?).map_err(|e| unreadable("registration countries", e))?;
    let registered: Vec<RegisteredColumns> =
        serde_json::from_str(&row.get::<String>("registered_senders")?).map_err(|e| unreadable("registered senders", e))?;
    Ok(SendRules {
        rules: send_rules
            .into_iter()
            .map(|columns| {
                let (id, account) = (columns.id, columns.account_id.is_some());
                SendRule::parse(id, account, &columns.fields()).map_err(|e| DbError(format!("send rule {id} unreadable: {e}")))
            })
            .collect::<Result<_, _>>()?,
        registration_countries: countries.iter().filter_map(|c| CountryCode::parse(c)).collect(),
        registered_senders: registered.into_iter().filter_map(|r| Some((r.sender, CountryCode::parse(&r.country)?))).collect(),
        has_campaign: row.get("has_campaign")?,
    })
}

fn routes_from_row(row: &Row) -> Result<Vec<Route>, DbError> {
    let routes: Vec<RouteColumns> = serde_json::from_str(&row.get::<String>("routes")?).map_err(|e| unreadable("routes", e))?;
    Ok(routes.into_iter().filter_map(RouteColumns::into_route).collect())
}

fn lookups_from_row(row: &Row) -> Result<SendLookups, DbError> {
    let blocked: Vec<BlockedColumns> = serde_json::from_str(&row.get::<String>("blocked_recipients")?).map_err(|e| unreadable("blocklist", e))?;
    Ok(SendLookups {
        funds: funds_from_row(row)?,
        blocked: blocked.into_iter().map(|b| (b.number, b.reason, b.since)).collect(),
        rules: rules_from_row(row)?,
        send_rules: send_rules_from_row(row)?,
        routes: routes_from_row(row)?,
        kept: None,
    })
}

impl KeptLookups {
    fn for_send(&self, key_hash: &str) -> (Caller, KeyAccess, String, SendLookups) {
        let lookups = SendLookups {
            funds: self.funds,
            blocked: Vec::new(),
            rules: self.rules.clone(),
            send_rules: self.send_rules.clone(),
            routes: self.routes.clone(),
            kept: Some(KeptFor { key_hash: key_hash.to_owned(), version: self.version }),
        };
        (self.caller.clone(), self.access.clone(), self.key_id.clone(), lookups)
    }
}

/// The kept lookups of a key, if still fresh at `now_millis`.
fn kept(key_hash: &str, now_millis: i64) -> Option<KeptLookups> {
    KEPT.with(|kept| kept.borrow().get(key_hash).filter(|k| now_millis - k.read_at_millis < KEPT_FOR_MILLIS).cloned())
}

/// A send decided on kept lookups was stored: the means it left are the kept means now.
pub fn kept_lookups_paid(kept_for: &KeptFor, left: Funds) {
    KEPT.with(|kept| {
        if let Some(k) = kept.borrow_mut().get_mut(&kept_for.key_hash).filter(|k| k.version == kept_for.version) {
            k.funds = left;
        }
    });
}

/// Forgets what the instance keeps for a key (found out of date, or not to be trusted with
/// a refusal: see `Lookups::Afresh`).
pub fn forget_kept_lookups(key_hash: &str) {
    KEPT.with(|kept| kept.borrow_mut().remove(key_hash));
}

impl super::Messages<'_> {
    /// The lookups of a send by `account_id` to `to`, with the rules in effect at `at`. One
    /// query for any number of recipients: the catch-all rule, the countries', and prefix
    /// rules (those matching the one number, or all of them for a batch).
    pub async fn send_lookups(self, account_id: &str, to: &SendDestinations, at: DateTime<Utc>) -> Result<SendLookups, StoreError> {
        let mut params = vec![text(account_id)];
        params.extend(lookup_params(Some(to), at));
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
        params.extend(lookup_params(Some(to), at));
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

    /// As [`Self::caller_by_key_hash_with_send_lookups`] for a small send, from the lookups
    /// the instance keeps for the key (read and kept when it has none fresh): no query
    /// most of the time.
    pub async fn caller_by_key_hash_with_kept_lookups(
        self,
        key_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<(Caller, KeyAccess, String, SendLookups)>, DbError> {
        let now = crate::ids::now_millis() as i64;
        if let Some(kept) = kept(key_hash, now) {
            return Ok(Some(kept.for_send(key_hash)));
        }
        let rows = self.store.db.query(
            &format!(
                "SELECT {CALLER_COLUMNS}, {KEY_COLUMNS}, {LOOKUP_COLUMNS} \
                 FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"
            ),
            &[vec![text(key_hash)], lookup_params(None, at)].concat(),
        ).await?;
        let Some(row) = rows.rows.first() else { return Ok(None) };
        let (caller, access, key_id) = caller_from_key_row(row)?;
        let read = KeptLookups {
            caller,
            access,
            key_id,
            funds: funds_from_row(row)?,
            rules: rules_from_row(row)?,
            send_rules: send_rules_from_row(row)?,
            routes: routes_from_row(row)?,
            version: row.get("lookups_version")?,
            read_at_millis: now,
        };
        let found = read.for_send(key_hash);
        KEPT.with(|kept| {
            let mut kept = kept.borrow_mut();
            if kept.len() >= KEPT_KEYS {
                kept.clear();
            }
            kept.insert(key_hash.to_owned(), read);
        });
        Ok(Some(found))
    }
}
