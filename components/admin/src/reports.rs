//! `GET /v1/admin/reports/traffic?from=&to=[&account_id=][&format=json|csv]` (or
//! `Accept: text/csv`): traffic and money over UTC days (docs/console.md "Reports").
//! Parses, calls platform::app::reports::traffic and answers JSON or CSV.

use domain::billing::reports::{DateRange, ReportFormat};
use platform::app::reports as workflow;
use platform::http::{json, query, respond_with, Reply, Req};

pub async fn traffic(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let q = query(&req);
    let range = DateRange::parse(q.get("from").map(String::as_str), q.get("to").map(String::as_str))?;
    let format = ReportFormat::negotiate(q.get("format").map(String::as_str), req.header("accept"))?;
    let account_id = q.get("account_id").map(|a| a.trim()).filter(|a| !a.is_empty());
    let report = workflow::traffic(&store, &range, account_id).await?;
    Ok(match format {
        ReportFormat::Json => json(200, &report),
        ReportFormat::Csv => respond_with(
            200,
            &[
                ("content-type", "text/csv; charset=utf-8"),
                ("content-disposition", &format!("attachment; filename=\"{}\"", report.csv_filename())),
                ("cache-control", "no-store"),
            ],
            report.to_csv(),
        ),
    })
}
