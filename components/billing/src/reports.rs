//! Usage and invoices (seed 003, 004), for the account:
//! - `GET /v1/billing/usage?from=&to=&group_by=day|status|destination&format=json|csv`
//!   (or `Accept: text/csv`): messages, segments and spend over local days;
//! - `GET /v1/billing/invoices`, `GET /v1/billing/invoices/{id}` and
//!   `GET /v1/billing/invoices/{id}/document` (printable HTML).

use domain::identity::access::Scope;
use domain::api::error::ApiError;
use domain::billing::invoice::render_html;
use domain::billing::money::{Currency, Money};
use domain::billing::reports::{offset_segments, DateRange, GroupBy, ReportFormat, UsageReport};
use platform::http::{authenticate, json, query, respond_with, Reply, Req, Response};
use platform::app::invoices::zone_of;
use platform::store::Store;

fn file(content_type: &str, disposition: &str, body: String) -> Response {
    respond_with(200, &[("content-type", content_type), ("content-disposition", disposition), ("cache-control", "no-store")], body)
}

pub async fn usage(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let q = query(&req);
    let range = DateRange::parse(q.get("from").map(String::as_str), q.get("to").map(String::as_str))?;
    let group_by = GroupBy::parse(q.get("group_by").map(String::as_str))?;
    let accept = req.header("accept");
    let format = ReportFormat::negotiate(q.get("format").map(String::as_str), accept)?;
    let zone = zone_of(&caller.time_zone);
    let (from, until) = range.bounds(&zone);
    let offsets = offset_segments(&zone, from, until);
    let groups = store.reports().usage(&caller.account_id, from, until, &offsets, group_by).await?;
    let currency: Currency = caller.currency;
    let report = UsageReport::new(&range, &zone, group_by, currency.code(), groups);
    Ok(match format {
        ReportFormat::Json => json(200, &report),
        ReportFormat::Csv => file(
            "text/csv; charset=utf-8",
            &format!("attachment; filename=\"{}\"", report.csv_filename()),
            report.to_csv(|minor| Money::new(minor, currency)),
        ),
    })
}

pub async fn invoices(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let invoices = store.reports().invoices(&caller.account_id).await?;
    Ok(json(200, &serde_json::json!({"invoices": invoices})))
}

pub async fn invoice(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let invoice = store.reports().invoice(id, Some(&caller.account_id)).await?.ok_or_else(|| ApiError::not_found("no such invoice"))?;
    Ok(json(200, &invoice))
}

pub async fn document(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let invoice = store.reports().invoice(id, Some(&caller.account_id)).await?.ok_or_else(|| ApiError::not_found("no such invoice"))?;
    // The number is ours (INV-YYYY-NNNNNN), safe in a header.
    Ok(file("text/html; charset=utf-8", &format!("inline; filename=\"{}.html\"", invoice.number), render_html(&invoice)))
}
