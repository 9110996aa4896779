//! Price lists over HTTP: the one implementation behind the operator's default list
//! (`/v1/admin/prices`), an account's own list (`/v1/admin/accounts/{id}/prices`, in the
//! account's history) and the account's view of what it pays (`/v1/billing/prices`).
//! The rules themselves are domain::billing::pricing's.

use domain::identity::access::Actor;
use domain::api::error::ErrorName;
use crate::http::{internal, json, parse_body};
use crate::store::{timestamp, PriceRuleEnd, Store, StoredPriceRule, Subject};
use domain::api::error::ApiError;
use domain::billing::money::Currency;
use domain::billing::pricing::{effective_rules, EffectivePeriod, PriceError, PriceScope, UnitPrice};
use serde::Deserialize;
use crate::http::{Req, Response};

/// A rule as set: the price in minor units (up to three decimals), from when (default
/// now, never the past) and until when (default for good).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceBody {
    /// The default list's rules name their currency; an account's are in its currency.
    currency: Option<String>,
    /// `*`, a country (`SE`) or leading digits of E.164 numbers (`4670`).
    scope: String,
    /// A JSON number, read exactly (see UnitPrice::parse_minor).
    per_segment_minor: serde_json::Number,
    effective_from: Option<String>,
    effective_to: Option<String>,
}

fn rule_json(stored: &StoredPriceRule) -> serde_json::Value {
    let rule = &stored.rule;
    serde_json::json!({
        "id": stored.id,
        "list": rule.list.as_str(),
        "currency": rule.per_segment.currency().code(),
        "scope": rule.scope.as_text(),
        "per_segment_minor": rule.per_segment.minor_number(),
        "per_segment": rule.per_segment.decimal(),
        "effective_from": timestamp(rule.period.from),
        "effective_to": rule.period.to.map(timestamp),
        "created_at": stored.created_at,
    })
}

/// The rule of `body` in `currency`, or the error that refuses it; nothing is stored.
fn parse_rule(body: &PriceBody, currency: Currency) -> Result<(PriceScope, UnitPrice, EffectivePeriod), ApiError> {
    let scope = PriceScope::parse(&body.scope).ok_or_else(|| PriceError::InvalidScope(body.scope.clone()))?;
    let price = UnitPrice::parse_minor(&body.per_segment_minor.to_string(), currency)?;
    let period = EffectivePeriod::parse(body.effective_from.as_deref(), body.effective_to.as_deref(), chrono::Utc::now())?;
    Ok((scope, price, period))
}

async fn stored_rule(store: &Store, account_id: Option<&str>, id: i64) -> Result<Response, ApiError> {
    let list = store.billing().price_list(account_id).await?;
    let rule = list.iter().find(|r| r.id == id).ok_or_else(|| internal("the rule just set is missing"))?;
    Ok(json(200, &rule_json(rule)))
}

fn end_json(id: i64, end: Option<PriceRuleEnd>) -> Result<Response, ApiError> {
    let result = match end.ok_or_else(|| ApiError::not_found("no such price rule in this list"))? {
        PriceRuleEnd::Withdrawn => "withdrawn",
        PriceRuleEnd::Ended => "ended",
        PriceRuleEnd::AlreadyEnded => "already_ended",
    };
    Ok(json(200, &serde_json::json!({"id": id, "result": result})))
}

fn rule_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::not_found("no such price rule"))
}

// ------------------------------------------------------------ the default list

pub async fn default_list(store: &Store) -> Result<Response, ApiError> {
    let rules = store.billing().price_list(None).await?;
    Ok(json(200, &serde_json::json!({"prices": rules.iter().map(rule_json).collect::<Vec<_>>()})))
}

pub async fn set_default(req: &Req, store: &Store) -> Result<Response, ApiError> {
    let body: PriceBody = parse_body(req)?;
    let currency = body.currency.as_deref().ok_or_else(|| ApiError::malformed("currency is required for the default list"))?;
    let currency = Currency::parse(currency).map_err(|e| ApiError::malformed(e.to_string()))?;
    let (scope, price, period) = parse_rule(&body, currency)?;
    let id = store.billing().set_price(None, &scope, price, period).await?;
    stored_rule(store, None, id).await
}

pub async fn end_default(store: &Store, id: &str) -> Result<Response, ApiError> {
    let id = rule_id(id)?;
    end_json(id, store.billing().end_price(None, id, chrono::Utc::now()).await?)
}

// ------------------------------------------------------------ an account's own list

async fn account_currency(store: &Store, account_id: &str) -> Result<Currency, ApiError> {
    let account = store.accounts().account(account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    Currency::parse(&account.currency).map_err(internal)
}

pub async fn account_list(store: &Store, account_id: &str) -> Result<Response, ApiError> {
    let currency = account_currency(store, account_id).await?;
    let rules = store.billing().price_list(Some(account_id)).await?;
    Ok(json(
        200,
        &serde_json::json!({
            "account_id": account_id,
            "currency": currency.code(),
            "prices": rules.iter().map(rule_json).collect::<Vec<_>>(),
        }),
    ))
}

pub async fn set_account(req: &Req, store: &Store, account_id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let body: PriceBody = parse_body(req)?;
    let currency = account_currency(store, account_id).await?;
    if body.currency.as_deref().is_some_and(|c| Currency::parse(c) != Ok(currency)) {
        return Err(ApiError::named(400, ErrorName::InvalidPrice, format!("an account's prices are in its currency, {currency}")));
    }
    let (scope, price, period) = parse_rule(&body, currency)?;
    let id = store
        .audit().audited(account_id, actor, "prices.set", Subject::Prices(account_id), async |store| {
            store.billing().set_price(Some(account_id), &scope, price, period).await
        })
        .await?;
    stored_rule(store, Some(account_id), id).await
}

pub async fn end_account(store: &Store, account_id: &str, id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let id = rule_id(id)?;
    let end = store
        .audit().audited(account_id, actor, "prices.ended", Subject::Prices(account_id), async |store| {
            store.billing().end_price(Some(account_id), id, chrono::Utc::now()).await
        })
        .await?;
    end_json(id, end)
}

/// What the account pays now, one rule per scope (its own beating the default list's),
/// and the changes scheduled for later. For a number, the most specific scope applies.
pub async fn effective_for_account(store: &Store, account_id: &str, currency: Currency) -> Result<Response, ApiError> {
    let now = chrono::Utc::now();
    let stored = store.billing().account_price_rules(account_id, currency, now).await?;
    let rules: Vec<_> = stored.iter().map(|s| s.rule.clone()).collect();
    let in_effect: Vec<serde_json::Value> = effective_rules(&rules, now)
        .into_iter()
        .filter_map(|rule| stored.iter().find(|s| &s.rule == rule))
        .map(rule_json)
        .collect();
    let scheduled: Vec<serde_json::Value> = stored.iter().filter(|s| s.rule.period.from > now).map(rule_json).collect();
    Ok(json(
        200,
        &serde_json::json!({"account_id": account_id, "currency": currency.code(), "at": timestamp(now), "prices": in_effect, "scheduled": scheduled}),
    ))
}
