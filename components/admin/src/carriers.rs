//! Carrier connections, routing and margins (docs/carriers.md "Connections", "Routing",
//! "Margins"): `/v1/admin/carriers…`, `/v1/admin/routes…` (the default table),
//! `/v1/admin/accounts/{id}/routes…` (an account's pool), `/v1/admin/reports/margins`.
//! Each parses, calls one workflow of `platform::app::carriers` and answers.

use domain::billing::reports::DateRange;
use domain::messaging::schedule::TimeZone;
use platform::app::carriers::{self as workflow, ConnectionPatchBody, CostBody, NewConnectionBody, RouteBody};
use platform::http::{json, page, parse_body, query, Reply, Req};
use platform::store::timestamp;

pub async fn list(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let (connections, next_cursor) = workflow::connections(&store, &page(&req)?).await?;
    let default = workflow::default_connection().await;
    Ok(json(200, &serde_json::json!({"default_connection": default, "connections": connections, "next_cursor": next_cursor})))
}

pub async fn create(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let body: NewConnectionBody = parse_body(&req)?;
    Ok(json(201, &workflow::create_connection(&store, &body).await?))
}

pub async fn get(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &workflow::connection(&store, req.param("name")?).await?))
}

pub async fn update(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let body: ConnectionPatchBody = parse_body(&req)?;
    Ok(json(200, &workflow::update_connection(&store, req.param("name")?, &body).await?))
}

pub async fn costs(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    Ok(json(200, &workflow::costs(&store, req.param("name")?).await?))
}

pub async fn set_cost(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let body: CostBody = parse_body(&req)?;
    Ok(json(200, &workflow::set_cost(&store, req.param("name")?, &body).await?))
}

async fn list_routes(req: &Req, account: Option<&str>) -> Reply {
    let (store, _) = crate::operator(req).await?;
    let (routes, next_cursor) = workflow::routes(&store, account, &page(req)?).await?;
    Ok(json(200, &serde_json::json!({"account_id": account, "routes": routes, "next_cursor": next_cursor})))
}

async fn set_route(req: &Req, account: Option<&str>) -> Reply {
    let (store, caller) = crate::operator(req).await?;
    let body: RouteBody = parse_body(req)?;
    Ok(json(200, &workflow::set_route(&store, account, &body, &caller.actor).await?))
}

async fn delete_route(req: &Req, account: Option<&str>) -> Reply {
    let (store, caller) = crate::operator(req).await?;
    let id = req.param("route_id")?;
    workflow::delete_route(&store, account, id, &caller.actor).await?;
    Ok(json(200, &serde_json::json!({"deleted": id})))
}

pub async fn default_routes(req: Req) -> Reply {
    list_routes(&req, None).await
}

pub async fn set_default_route(req: Req) -> Reply {
    set_route(&req, None).await
}

pub async fn delete_default_route(req: Req) -> Reply {
    delete_route(&req, None).await
}

pub async fn account_routes(req: Req) -> Reply {
    list_routes(&req, Some(req.param("id")?)).await
}

pub async fn set_account_route(req: Req) -> Reply {
    set_route(&req, Some(req.param("id")?)).await
}

pub async fn delete_account_route(req: Req) -> Reply {
    delete_route(&req, Some(req.param("id")?)).await
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days, inclusive), as the usage report takes them.
pub async fn margins(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let q = query(&req);
    let range = DateRange::parse(q.get("from").map(String::as_str), q.get("to").map(String::as_str))?;
    let utc = TimeZone::parse("UTC")?;
    let (from, to) = range.bounds(&utc);
    let lines = workflow::margins(&store, &timestamp(from), &timestamp(to)).await?;
    Ok(json(200, &serde_json::json!({"from": range.from().to_string(), "to": range.to().to_string(), "lines": lines})))
}
