//! The operator's carrier connections, their cost prices, the routing tables and the
//! margin report (docs/carriers.md "Connections", "Routing", "Margins"). Secrets are
//! sealed here with `secrets_key` before they are stored and never leave again: answers
//! show whether one is set and its hint.

use crate::http::internal;
use crate::store::{timestamp, ConnectionChange, MarginRow, NewConnection, RouteView, Store, StoredConnection, StoredCost, Subject};
use domain::api::error::{ApiError, ErrorName};
use domain::api::paging::PageRequest;
use domain::api::patch::Patched;
use domain::billing::money::Currency;
use domain::billing::pricing::{EffectivePeriod, PriceScope, UnitPrice};
use domain::carriers::adapter::CarrierProtocol;
use domain::carriers::connection::{parse_base_url, parse_secret, parse_throughput, secret_hint, ConnectionAdapter, ConnectionName};
use domain::carriers::routing::RouteSpec;
use domain::carriers::sealed::{purpose, SecretsKey};
use domain::identity::access::Actor;
use serde::{Deserialize, Serialize};

/// A connection as answers show it: never a secret, only whether it is set and its hint.
#[derive(Debug, Serialize)]
pub struct ConnectionView {
    pub name: String,
    pub adapter: String,
    pub base_url: String,
    pub credentials: SecretView,
    pub webhook_secret: SecretView,
    pub throughput_per_second: Option<i64>,
    pub enabled: bool,
    /// Where its carrier posts delivery receipts (signed with its webhook secret).
    pub receipts_path: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
pub struct SecretView {
    pub set: bool,
    pub hint: Option<String>,
}

impl From<StoredConnection> for ConnectionView {
    fn from(c: StoredConnection) -> Self {
        ConnectionView {
            receipts_path: format!("/v1/carriers/{}/receipts", c.name),
            name: c.name,
            adapter: c.adapter,
            base_url: c.base_url,
            credentials: SecretView { set: c.credentials_sealed.is_some(), hint: c.credentials_hint },
            webhook_secret: SecretView { set: c.webhook_secret_sealed.is_some(), hint: c.webhook_secret_hint },
            throughput_per_second: c.throughput_per_second,
            enabled: c.enabled,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The default connection, from the Spin variables (`carrier`, `carrier_base_url`, …): what
/// a message goes through when no route covers it. Changed by the variables, not the API.
#[derive(Debug, Serialize)]
pub struct DefaultConnectionView {
    pub name: String,
    pub adapter: String,
    pub base_url: String,
    pub credentials: SecretView,
    pub receipts_path: String,
}

pub async fn default_connection() -> DefaultConnectionView {
    let config = crate::carrier::CarrierConfig::from_variables().await;
    let credentials = SecretView { set: !config.api_key.is_empty(), hint: (!config.api_key.is_empty()).then(|| secret_hint(&config.api_key)) };
    DefaultConnectionView {
        receipts_path: format!("/v1/carriers/{}/receipts", config.name),
        adapter: config.name.clone(),
        name: config.name,
        base_url: config.base_url,
        credentials,
    }
}

/// A new connection as the operator writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConnectionBody {
    pub name: String,
    pub adapter: String,
    /// Required unless the adapter is `sandbox`.
    pub base_url: Option<String>,
    /// What the adapter authenticates with (`http`, `sinch`: a bearer token; `vonage`:
    /// `api_key:api_secret`).
    pub credentials: Option<String>,
    /// The key its carrier signs receipts with.
    pub webhook_secret: Option<String>,
    pub throughput_per_second: Option<i64>,
    pub enabled: Option<bool>,
}

/// A change to a connection: a field left out stays, `null` clears (secrets, limit).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionPatchBody {
    pub adapter: Option<String>,
    pub base_url: Option<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub credentials: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub webhook_secret: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub throughput_per_second: Patched<i64>,
    pub enabled: Option<bool>,
}

/// The key secrets are sealed with; 503 while `secrets_key` is not set (or not 32 bytes).
async fn secrets_key() -> Result<SecretsKey, ApiError> {
    crate::config::secrets_key().await.map_err(|e| ApiError::unavailable(e.to_string()))
}

/// `(sealed, hint)` of a secret given for `field` of connection `name`.
fn seal(key: &SecretsKey, name: &str, field: &'static str, secret: &str) -> Result<(String, String), ApiError> {
    let secret = parse_secret(secret, field)?;
    Ok((key.seal(&secret, &purpose(name, field)), secret_hint(&secret)))
}

/// The name of the adapter component installed in spin.toml, when this build has the slot.
fn installed_component() -> Option<String> {
    crate::carrier::extension::installed().map(|e| e.name().to_owned())
}

/// The base URL a connection of `adapter` needs (the sandbox needs none).
fn base_url_for(adapter: &ConnectionAdapter, base_url: Option<&str>) -> Result<String, ApiError> {
    match (adapter.is_remote(), base_url) {
        (_, Some(url)) => Ok(parse_base_url(url)?),
        (true, None) => Err(domain::carriers::connection::ConnectionError::BaseUrlRequired(adapter.as_str().to_owned()).into()),
        (false, None) => Ok(String::new()),
    }
}

pub async fn create_connection(store: &Store, body: &NewConnectionBody) -> Result<ConnectionView, ApiError> {
    let name = ConnectionName::parse(&body.name)?;
    let adapter = ConnectionAdapter::parse(&body.adapter, installed_component().as_deref())?;
    let base_url = base_url_for(&adapter, body.base_url.as_deref())?;
    let throughput = body.throughput_per_second.map(parse_throughput).transpose()?.map(|l| i64::from(l.per_second()));
    let secrets = body.credentials.is_some() || body.webhook_secret.is_some();
    let key = if secrets { Some(secrets_key().await?) } else { None };
    let sealed = |field, secret: &Option<String>| match (&key, secret) {
        (Some(key), Some(secret)) => seal(key, name.as_str(), field, secret).map(Some),
        _ => Ok(None),
    };
    let new = NewConnection {
        name: name.as_str(),
        adapter: adapter.as_str(),
        base_url: &base_url,
        credentials: sealed("credentials", &body.credentials)?,
        webhook_secret: sealed("webhook_secret", &body.webhook_secret)?,
        throughput_per_second: throughput,
        enabled: body.enabled.unwrap_or(true),
    };
    if !store.carriers().create_connection(&new).await? {
        return Err(ApiError::named(409, ErrorName::ConnectionExists, format!("a connection named '{}' exists", name.as_str())));
    }
    connection(store, name.as_str()).await
}

pub async fn connection(store: &Store, name: &str) -> Result<ConnectionView, ApiError> {
    let stored = store.carriers().connection(name).await?.ok_or_else(|| ApiError::not_found("no such carrier connection"))?;
    Ok(stored.into())
}

/// Connections by name, paged (the cursor is the last name).
pub async fn connections(store: &Store, page: &PageRequest) -> Result<(Vec<ConnectionView>, Option<String>), ApiError> {
    let after: Option<String> = page.after()?;
    let rows = store.carriers().connections(page.fetch(), after.as_deref()).await?;
    let page = page.page(rows, |c| c.name.clone());
    Ok((page.items.into_iter().map(ConnectionView::from).collect(), page.next_cursor))
}

pub async fn update_connection(store: &Store, name: &str, body: &ConnectionPatchBody) -> Result<ConnectionView, ApiError> {
    let current = store.carriers().connection(name).await?.ok_or_else(|| ApiError::not_found("no such carrier connection"))?;
    let adapter = ConnectionAdapter::parse(body.adapter.as_deref().unwrap_or(&current.adapter), installed_component().as_deref())?;
    let base_url = match &body.base_url {
        Some(url) => Some(parse_base_url(url)?),
        None if adapter.is_remote() && current.base_url.is_empty() => return Err(base_url_for(&adapter, None).unwrap_err()),
        None => None,
    };
    let key = if matches!(body.credentials, Some(Some(_))) || matches!(body.webhook_secret, Some(Some(_))) { Some(secrets_key().await?) } else { None };
    let sealed = |field, secret: &Patched<String>| -> Result<Patched<(String, String)>, ApiError> {
        match (secret, &key) {
            (None, _) => Ok(None),
            (Some(None), _) => Ok(Some(None)),
            (Some(Some(secret)), Some(key)) => Ok(Some(Some(seal(key, name, field, secret)?))),
            (Some(Some(_)), None) => Err(internal("a secret to seal without the key")),
        }
    };
    let change = ConnectionChange {
        adapter: body.adapter.as_ref().map(|_| adapter.as_str().to_owned()),
        base_url,
        credentials: sealed("credentials", &body.credentials)?,
        webhook_secret: sealed("webhook_secret", &body.webhook_secret)?,
        throughput_per_second: match body.throughput_per_second {
            Some(Some(n)) => Some(Some(i64::from(parse_throughput(n)?.per_second()))),
            Some(None) => Some(None),
            None => None,
        },
        enabled: body.enabled,
    };
    if !store.carriers().update_connection(name, &change).await? {
        return Err(ApiError::not_found("no such carrier connection"));
    }
    connection(store, name).await
}

// ------------------------------------------------------------ cost prices

/// A cost price as set: what the connection charges us per segment, written as price
/// rules are (`platform::prices`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostBody {
    pub currency: String,
    pub scope: String,
    pub per_segment_minor: serde_json::Number,
    pub effective_from: Option<String>,
    pub effective_to: Option<String>,
}

fn cost_json(cost: &StoredCost) -> serde_json::Value {
    let rule = &cost.rule;
    serde_json::json!({
        "id": cost.id,
        "connection": cost.connection,
        "currency": rule.per_segment.currency().code(),
        "scope": rule.scope.as_text(),
        "per_segment_minor": rule.per_segment.minor_number(),
        "effective_from": timestamp(rule.period.from),
        "effective_to": rule.period.to.map(timestamp),
        "created_at": cost.created_at,
    })
}

pub async fn costs(store: &Store, name: &str) -> Result<serde_json::Value, ApiError> {
    connection(store, name).await?;
    let costs = store.carriers().costs(name).await?;
    Ok(serde_json::json!({"connection": name, "costs": costs.iter().map(cost_json).collect::<Vec<_>>()}))
}

pub async fn set_cost(store: &Store, name: &str, body: &CostBody) -> Result<serde_json::Value, ApiError> {
    connection(store, name).await?;
    let currency = Currency::parse(&body.currency).map_err(|e| ApiError::malformed(e.to_string()))?;
    let scope = PriceScope::parse(&body.scope).ok_or_else(|| domain::billing::pricing::PriceError::InvalidScope(body.scope.clone()))?;
    let price = UnitPrice::parse_minor(&body.per_segment_minor.to_string(), currency)?;
    let period = EffectivePeriod::parse(body.effective_from.as_deref(), body.effective_to.as_deref(), chrono::Utc::now())?;
    let id = store.carriers().set_cost(name, &scope, price, period).await?;
    let costs = store.carriers().costs(name).await?;
    let cost = costs.iter().find(|c| c.id == id).ok_or_else(|| internal("the cost just set is missing"))?;
    Ok(cost_json(cost))
}

// ------------------------------------------------------------ routes

/// A route as the operator writes it: connections in order, weights for a split.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteBody {
    pub scope: String,
    /// `failover` (default), `weighted` or `least_cost`.
    pub mode: Option<String>,
    pub connections: Vec<RouteConnectionBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConnectionBody {
    pub name: String,
    pub weight: Option<i64>,
}

/// Sets the route for a scope in the default table (`account_id` None) or an account's pool
/// (recorded in the account's history as `actor`'s).
pub async fn set_route(store: &Store, account_id: Option<&str>, body: &RouteBody, actor: &Actor) -> Result<RouteView, ApiError> {
    if let Some(account) = account_id {
        store.accounts().account(account).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    }
    let connections: Vec<(String, Option<i64>)> = body.connections.iter().map(|c| (c.name.clone(), c.weight)).collect();
    let spec = RouteSpec::parse(&body.scope, body.mode.as_deref(), &connections)?;
    let set = match account_id {
        None => store.carriers().set_route(None, &spec).await?,
        Some(account) => {
            store
                .audit()
                .audited(account, actor, "routes.set", Subject::Routes(account), async |store| {
                    store.carriers().set_route(Some(account), &spec).await
                })
                .await?
        }
    };
    let id = set.map_err(|missing| ApiError::named(400, ErrorName::InvalidRoute, format!("no carrier connection is named '{missing}'")))?;
    let routes = store.carriers().routes(account_id, 1, Some(id - 1)).await?;
    routes.into_iter().find(|r| r.id == id).ok_or_else(|| internal("the route just set is missing"))
}

/// One table's routes, paged (the cursor is the last route's id).
pub async fn routes(store: &Store, account_id: Option<&str>, page: &PageRequest) -> Result<(Vec<RouteView>, Option<String>), ApiError> {
    if let Some(account) = account_id {
        store.accounts().account(account).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    }
    let after: Option<i64> = page.after()?;
    let rows = store.carriers().routes(account_id, page.fetch(), after).await?;
    let page = page.page(rows, |r| r.id);
    Ok((page.items, page.next_cursor))
}

pub async fn delete_route(store: &Store, account_id: Option<&str>, id: &str, actor: &Actor) -> Result<(), ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found("no such route"))?;
    let deleted = match account_id {
        None => store.carriers().delete_route(None, id).await?,
        Some(account) => {
            store
                .audit()
                .audited(account, actor, "routes.deleted", Subject::Routes(account), async |store| {
                    store.carriers().delete_route(Some(account), id).await
                })
                .await?
        }
    };
    if !deleted {
        return Err(ApiError::not_found("no such route in this table"));
    }
    Ok(())
}

// ------------------------------------------------------------ margins

/// One line of the margin report, in minor units (three decimals kept).
#[derive(Debug, Serialize)]
pub struct MarginLine {
    pub country: String,
    pub connection: String,
    pub currency: String,
    pub messages: i64,
    pub segments: i64,
    pub revenue_minor: serde_json::Number,
    pub cost_minor: serde_json::Number,
    pub margin_minor: serde_json::Number,
    pub without_cost: i64,
}

/// Thousandths of a minor unit as a number of minor units (three decimals at most).
fn minor(milli: i64) -> serde_json::Number {
    serde_json::Number::from_f64(milli as f64 / 1000.0).unwrap_or_else(|| 0.into())
}

/// Per destination country and connection, messages the carriers took whose send was
/// in [from, to): how many, segments, revenue, cost and margin.
pub async fn margins(store: &Store, from: &str, to: &str) -> Result<Vec<MarginLine>, ApiError> {
    let rows: Vec<MarginRow> = store.carriers().margins(from, to).await?;
    Ok(rows
        .into_iter()
        .map(|r| MarginLine {
            revenue_minor: minor(r.revenue_milli),
            cost_minor: minor(r.cost_milli),
            margin_minor: minor(r.revenue_milli - r.cost_milli),
            country: r.country,
            connection: r.connection,
            currency: r.currency,
            messages: r.messages,
            segments: r.segments,
            without_cost: r.without_cost,
        })
        .collect())
}
