//! SQL of carrier connections, their cost prices, the routing tables and the margin
//! report (migration 0020). Which route applies is domain::carriers::routing's; secrets
//! arrive here sealed and leave sealed.

use super::timestamp;
use crate::db::{int, opt_text, text, DbError, RowExt, RowsExt, Value};
use chrono::{DateTime, Utc};
use domain::billing::money::Currency;
use domain::billing::pricing::{EffectivePeriod, PriceList, PriceRule, PriceScope, UnitPrice};
use domain::carriers::routing::RouteSpec;

/// A connection as stored (secrets sealed).
#[derive(Debug, Clone)]
pub struct StoredConnection {
    pub name: String,
    pub adapter: String,
    pub base_url: String,
    pub credentials_sealed: Option<String>,
    pub credentials_hint: Option<String>,
    pub webhook_secret_sealed: Option<String>,
    pub webhook_secret_hint: Option<String>,
    pub throughput_per_second: Option<i64>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A connection to store, its secrets sealed already.
pub struct NewConnection<'a> {
    pub name: &'a str,
    pub adapter: &'a str,
    pub base_url: &'a str,
    /// (sealed, hint)
    pub credentials: Option<(String, String)>,
    pub webhook_secret: Option<(String, String)>,
    pub throughput_per_second: Option<i64>,
    pub enabled: bool,
}

/// A change to a connection; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct ConnectionChange {
    pub adapter: Option<String>,
    pub base_url: Option<String>,
    pub credentials: Option<Option<(String, String)>>,
    pub webhook_secret: Option<Option<(String, String)>>,
    pub throughput_per_second: Option<Option<i64>>,
    pub enabled: Option<bool>,
}

/// A cost price of a connection.
#[derive(Debug, Clone)]
pub struct StoredCost {
    pub id: i64,
    pub connection: String,
    pub rule: PriceRule,
    pub created_at: String,
}

/// A route as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RouteView {
    pub id: i64,
    pub account_id: Option<String>,
    pub scope: String,
    pub mode: String,
    pub connections: Vec<RouteConnectionView>,
    pub updated_at: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RouteConnectionView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
}

/// One line of the margin report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MarginRow {
    pub country: String,
    pub connection: String,
    pub currency: String,
    pub messages: i64,
    pub segments: i64,
    pub revenue_milli: i64,
    pub cost_milli: i64,
    /// Messages that connection took with no cost price known (counted at zero cost).
    pub without_cost: i64,
}

const CONNECTION_COLUMNS: &str = "name, adapter, base_url, credentials_sealed, credentials_hint, webhook_secret_sealed, \
     webhook_secret_hint, throughput_per_second, enabled, created_at, updated_at";

fn connection_from_row(row: &crate::host::Row) -> Result<StoredConnection, DbError> {
    Ok(StoredConnection {
        name: row.get("name")?,
        adapter: row.get("adapter")?,
        base_url: row.get("base_url")?,
        credentials_sealed: row.get("credentials_sealed")?,
        credentials_hint: row.get("credentials_hint")?,
        webhook_secret_sealed: row.get("webhook_secret_sealed")?,
        webhook_secret_hint: row.get("webhook_secret_hint")?,
        throughput_per_second: row.get("throughput_per_second")?,
        enabled: row.get("enabled")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&Utc))
}

/// A cost rule's columns, as a row or a JSON object names them; `None` when the domain
/// cannot read it (skipped).
#[derive(Debug, serde::Deserialize)]
pub(super) struct CostColumns {
    pub(super) id: i64,
    pub(super) connection: String,
    pub(super) currency: String,
    pub(super) scope: String,
    pub(super) per_segment_milli: i64,
    pub(super) effective_from: String,
    pub(super) effective_to: Option<String>,
    #[serde(default)]
    pub(super) created_at: String,
}

impl CostColumns {
    fn from_row(row: &crate::host::Row) -> Result<CostColumns, DbError> {
        Ok(CostColumns {
            id: row.get("id")?,
            connection: row.get("connection")?,
            currency: row.get("currency")?,
            scope: row.get("scope")?,
            per_segment_milli: row.get("per_segment_milli")?,
            effective_from: row.get("effective_from")?,
            effective_to: row.get("effective_to")?,
            created_at: row.get("created_at")?,
        })
    }

    pub(super) fn into_cost(self) -> Option<StoredCost> {
        let currency = Currency::parse(&self.currency).ok()?;
        Some(StoredCost {
            id: self.id,
            connection: self.connection,
            rule: PriceRule {
                scope: PriceScope::parse(&self.scope)?,
                list: PriceList::Default,
                per_segment: UnitPrice::from_milli(self.per_segment_milli, currency).ok()?,
                period: EffectivePeriod { from: instant(&self.effective_from)?, to: self.effective_to.as_deref().and_then(instant) },
            },
            created_at: self.created_at,
        })
    }
}

const COST_COLUMNS: &str = "id, connection, currency, scope, per_segment_milli, effective_from, effective_to, created_at";

/// Carrier connections, cost prices, routes and margins: `store.carriers()`.
#[derive(Clone, Copy)]
pub struct Carriers<'a> {
    pub(super) store: &'a super::Store,
}

impl super::Store {
    pub fn carriers(&self) -> Carriers<'_> {
        Carriers { store: self }
    }
}

impl Carriers<'_> {
    /// Stores a new connection; `false` when one of that name exists.
    pub async fn create_connection(self, new: &NewConnection<'_>) -> Result<bool, DbError> {
        let (credentials, credentials_hint) = split(new.credentials.as_ref());
        let (webhook, webhook_hint) = split(new.webhook_secret.as_ref());
        let rows = self.store.db.query(
            "INSERT INTO carrier_connections (name, adapter, base_url, credentials_sealed, credentials_hint, \
             webhook_secret_sealed, webhook_secret_hint, throughput_per_second, enabled) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING name",
            &[
                text(new.name),
                text(new.adapter),
                text(new.base_url),
                opt_text(credentials),
                opt_text(credentials_hint),
                opt_text(webhook),
                opt_text(webhook_hint),
                new.throughput_per_second.map(int).unwrap_or(Value::Null),
                int(i64::from(new.enabled)),
            ],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    pub async fn connection(self, name: &str) -> Result<Option<StoredConnection>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {CONNECTION_COLUMNS} FROM carrier_connections WHERE name = ?"), &[text(name)]).await?;
        rows.rows.first().map(connection_from_row).transpose()
    }

    /// Connections by name, `limit` after the name `after`.
    pub async fn connections(self, limit: i64, after: Option<&str>) -> Result<Vec<StoredConnection>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {CONNECTION_COLUMNS} FROM carrier_connections WHERE ?1 IS NULL OR name > ?1 ORDER BY name LIMIT ?2"),
            &[opt_text(after), int(limit)],
        ).await?;
        rows.rows.iter().map(connection_from_row).collect()
    }

    /// Every connection and every cost price in effect at `at` or later: what delivery
    /// needs to submit and to price what it submitted.
    pub async fn delivery_view(self, at: DateTime<Utc>) -> Result<(Vec<StoredConnection>, Vec<StoredCost>), DbError> {
        let connections = self.store.db.query(&format!("SELECT {CONNECTION_COLUMNS} FROM carrier_connections"), &[]).await?;
        let connections = connections.rows.iter().map(connection_from_row).collect::<Result<Vec<_>, _>>()?;
        if connections.is_empty() {
            return Ok((connections, Vec::new()));
        }
        let costs = self.store.db.query(
            &format!("SELECT {COST_COLUMNS} FROM carrier_costs WHERE effective_to IS NULL OR effective_to > ?"),
            &[text(timestamp(at))],
        ).await?;
        let costs = costs.rows.iter().map(CostColumns::from_row).collect::<Result<Vec<_>, _>>()?;
        Ok((connections, costs.into_iter().filter_map(CostColumns::into_cost).collect()))
    }

    /// Applies `change`; `false` when there is no such connection.
    pub async fn update_connection(self, name: &str, change: &ConnectionChange) -> Result<bool, DbError> {
        let mut sets = vec!["updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')".to_owned()];
        let mut params = vec![text(name)];
        let mut set = |column: &str, value: Value| {
            params.push(value);
            sets.push(format!("{column} = ?{}", params.len()));
        };
        if let Some(adapter) = &change.adapter {
            set("adapter", text(adapter.as_str()));
        }
        if let Some(url) = &change.base_url {
            set("base_url", text(url.as_str()));
        }
        if let Some(credentials) = &change.credentials {
            let (sealed, hint) = split(credentials.as_ref());
            set("credentials_sealed", opt_text(sealed));
            set("credentials_hint", opt_text(hint));
        }
        if let Some(secret) = &change.webhook_secret {
            let (sealed, hint) = split(secret.as_ref());
            set("webhook_secret_sealed", opt_text(sealed));
            set("webhook_secret_hint", opt_text(hint));
        }
        if let Some(limit) = change.throughput_per_second {
            set("throughput_per_second", limit.map(int).unwrap_or(Value::Null));
        }
        if let Some(enabled) = change.enabled {
            set("enabled", int(i64::from(enabled)));
        }
        let rows = self.store.db.query(
            &format!("UPDATE carrier_connections SET {} WHERE name = ?1 RETURNING name", sets.join(", ")),
            &params,
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    // ------------------------------------------------------------ cost prices

    /// A connection's cost prices, past, present and scheduled.
    pub async fn costs(self, connection: &str) -> Result<Vec<StoredCost>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {COST_COLUMNS} FROM carrier_costs WHERE connection = ? ORDER BY currency, length(scope) > 2, scope, effective_from"),
            &[text(connection)],
        ).await?;
        let columns = rows.rows.iter().map(CostColumns::from_row).collect::<Result<Vec<_>, _>>()?;
        Ok(columns.into_iter().filter_map(CostColumns::into_cost).collect())
    }

    /// Sets a cost price (one of the same currency, scope and start is replaced); its id.
    pub async fn set_cost(self, connection: &str, scope: &PriceScope, price: UnitPrice, period: EffectivePeriod) -> Result<i64, DbError> {
        let rows = self.store.db.query(
            "INSERT OR REPLACE INTO carrier_costs (connection, currency, scope, effective_from, per_segment_milli, effective_to) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                text(connection),
                text(price.currency().code()),
                text(scope.as_text()),
                text(timestamp(period.from)),
                int(price.milli()),
                opt_text(period.to.map(timestamp).as_deref()),
            ],
        ).await?;
        rows.one()?.get("id")
    }

    // ------------------------------------------------------------ routes

    /// Sets the route of `scope` in one table (`None`: the default table), replacing the
    /// one there was, with its connections in order; its id. Connections must exist:
    /// `Err(name)` names the first that does not, and nothing changes.
    pub async fn set_route(self, account_id: Option<&str>, spec: &RouteSpec) -> Result<Result<i64, String>, DbError> {
        self.store.db.transaction(async |db| {
            for (name, _) in &spec.connections {
                let found = db.query("SELECT 1 FROM carrier_connections WHERE name = ?", &[text(name.as_str())]).await?;
                if found.rows.is_empty() {
                    return Ok(Err(name.as_str().to_owned()));
                }
            }
            let list = account_id.map(text).unwrap_or(Value::Null);
            let rows = db.query(
                "INSERT INTO routes (account_id, scope, mode) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (coalesce(account_id, ''), scope) DO UPDATE SET mode = excluded.mode, \
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') RETURNING id",
                &[list, text(spec.scope.as_text()), text(spec.mode.as_str())],
            ).await?;
            let id: i64 = rows.one()?.get("id")?;
            db.execute("DELETE FROM route_connections WHERE route_id = ?", &[int(id)]).await?;
            for (position, (name, weight)) in spec.connections.iter().enumerate() {
                db.execute(
                    "INSERT INTO route_connections (route_id, position, connection, weight) VALUES (?, ?, ?, ?)",
                    &[int(id), int(position as i64), text(name.as_str()), int(i64::from(*weight))],
                ).await?;
            }
            Ok(Ok(id))
        }).await
    }

    /// One table's routes (`None`: the default table) by id, `limit` after id `after`.
    pub async fn routes(self, account_id: Option<&str>, limit: i64, after: Option<i64>) -> Result<Vec<RouteView>, DbError> {
        let rows = self.store.db.query(
            "SELECT r.id, r.account_id, r.scope, r.mode, r.updated_at, \
             (SELECT json_group_array(json_object('name', c.connection, 'weight', CASE WHEN r.mode = 'weighted' THEN c.weight END)) \
              FROM (SELECT * FROM route_connections WHERE route_id = r.id ORDER BY position) c) AS connections \
             FROM routes r WHERE r.account_id IS ?1 AND (?2 IS NULL OR r.id > ?2) ORDER BY r.id LIMIT ?3",
            &[account_id.map(text).unwrap_or(Value::Null), after.map(int).unwrap_or(Value::Null), int(limit)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                let connections: String = r.get("connections")?;
                Ok(RouteView {
                    id: r.get("id")?,
                    account_id: r.get("account_id")?,
                    scope: r.get("scope")?,
                    mode: r.get("mode")?,
                    connections: serde_json::from_str(&connections).map_err(|e| DbError(format!("a route's connections: {e}")))?,
                    updated_at: r.get("updated_at")?,
                })
            })
            .collect()
    }

    /// Deletes a route of one table; `false` when that table has no such route.
    pub async fn delete_route(self, account_id: Option<&str>, id: i64) -> Result<bool, DbError> {
        self.store.db.transaction(async |db| {
            // Its connections first: they refer to it.
            db.execute(
                "DELETE FROM route_connections WHERE route_id = (SELECT id FROM routes WHERE id = ?1 AND account_id IS ?2)",
                &[int(id), account_id.map(text).unwrap_or(Value::Null)],
            ).await?;
            let deleted = db.query(
                "DELETE FROM routes WHERE id = ? AND account_id IS ? RETURNING id",
                &[int(id), account_id.map(text).unwrap_or(Value::Null)],
            ).await?;
            Ok(!deleted.rows.is_empty())
        }).await
    }

    // ------------------------------------------------------------ margins

    /// Messages a carrier took (they have its id) created in [from, to), by destination
    /// country, connection and currency: revenue is what they were charged in money less
    /// refunds, cost what the connection's cost price said when it took them.
    pub async fn margins(self, from: &str, to: &str) -> Result<Vec<MarginRow>, DbError> {
        let rows = self.store.db.query(
            "SELECT m.country, m.carrier, m.currency, COUNT(*) AS messages, SUM(m.segments) AS segments, \
             SUM(m.price_minor * 1000) - COALESCE(SUM((SELECT SUM(l.amount_minor) FROM ledger_entries l \
                 WHERE l.kind = 'refund' AND l.reference = m.id) * 1000), 0) AS revenue_milli, \
             COALESCE(SUM(m.cost_milli), 0) AS cost_milli, SUM(m.cost_milli IS NULL) AS without_cost \
             FROM messages m WHERE m.carrier_message_id IS NOT NULL AND m.created_at >= ?1 AND m.created_at < ?2 \
             GROUP BY m.country, m.carrier, m.currency ORDER BY m.country, m.carrier, m.currency",
            &[text(from), text(to)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(MarginRow {
                    country: r.get("country")?,
                    connection: r.get("carrier")?,
                    currency: r.get("currency")?,
                    messages: r.get("messages")?,
                    segments: r.get("segments")?,
                    revenue_milli: r.get("revenue_milli")?,
                    cost_milli: r.get("cost_milli")?,
                    without_cost: r.get("without_cost")?,
                })
            })
            .collect()
    }
}

fn split(sealed: Option<&(String, String)>) -> (Option<&str>, Option<&str>) {
    match sealed {
        Some((sealed, hint)) => (Some(sealed.as_str()), Some(hint.as_str())),
        None => (None, None),
    }
}
