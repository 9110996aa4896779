//! The operator's invoices of an account: `GET /v1/admin/accounts/{id}/invoices` lists
//! them, `POST` with `{period: "YYYY-MM"}` issues a month that has ended on demand.
//! Issuing a month again is idempotent: 200 with the invoice issued before (201 when new).

use domain::api::error::ErrorName;
use domain::api::error::ApiError;
use domain::billing::reports::Period;
use platform::http::{internal, json, parse_body, Reply, Req};
use platform::ids::now_utc;
use platform::app::invoices::{issue as issue_month, Issue};
use platform::store::IssueOutcome;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    period: String,
}

pub async fn list(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let account_id = req.param("id")?;
    if store.accounts().account(account_id).await?.is_none() {
        return Err(ApiError::not_found("no such account"));
    }
    let invoices = store.reports().invoices(account_id).await?;
    Ok(json(200, &serde_json::json!({"invoices": invoices})))
}

pub async fn issue(req: Req) -> Reply {
    let (store, _) = crate::operator(&req).await?;
    let account_id = req.param("id")?;
    let body: IssueBody = parse_body(&req)?;
    let period = Period::parse(&body.period)?;
    let (status, id) = match issue_month(&store, account_id, period, now_utc()).await? {
        Issue::NotEnded => {
            return Err(ApiError::named(409, ErrorName::PeriodNotEnded, format!("{period} has not ended in the account's time zone")))
        }
        Issue::Done(IssueOutcome::Issued(id)) => (201, id),
        Issue::Done(IssueOutcome::Existing(id)) => (200, id),
        Issue::Done(IssueOutcome::NothingToInvoice | IssueOutcome::AlreadyClaimed) => {
            return Err(ApiError::named(409, ErrorName::NothingToInvoice, format!("the account has no charges or credits in {period}")))
        }
        Issue::Done(IssueOutcome::NoAccount) => return Err(ApiError::not_found("no such account")),
    };
    let invoice = store.reports().invoice(&id, Some(account_id)).await?.ok_or_else(|| internal("an issued invoice is missing"))?;
    Ok(json(status, &invoice))
}
