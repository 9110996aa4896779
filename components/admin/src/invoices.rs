//! The operator's invoices of an account: `GET /v1/admin/accounts/{id}/invoices` lists
//! them, `POST` with `{period: "YYYY-MM"}` issues a month that has ended on demand.
//! Issuing a month again is idempotent: 200 with the invoice issued before (201 when new).

use domain::error::ApiError;
use domain::reports::Period;
use platform::http::{internal, json, parse_body};
use platform::ids::now_utc;
use platform::reports::{issue as issue_month, Issue};
use platform::store::{IssueOutcome, Store};
use serde::Deserialize;
use spin_sdk::http::{Request, Response};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    period: String,
}

pub fn list(store: &Store, account_id: &str) -> Result<Response, ApiError> {
    if store.account(account_id).map_err(internal)?.is_none() {
        return Err(ApiError::not_found("no such account"));
    }
    let invoices = store.invoices(account_id).map_err(internal)?;
    Ok(json(200, &serde_json::json!({"invoices": invoices})))
}

pub fn issue(req: &Request, store: &Store, account_id: &str) -> Result<Response, ApiError> {
    let body: IssueBody = parse_body(req)?;
    let period = Period::parse(&body.period)?;
    let (status, id) = match issue_month(store, account_id, period, now_utc()).map_err(internal)? {
        Issue::NotEnded => {
            return Err(ApiError::named(409, "PeriodNotEnded", format!("{period} has not ended in the account's time zone")))
        }
        Issue::Done(IssueOutcome::Issued(id)) => (201, id),
        Issue::Done(IssueOutcome::Existing(id)) => (200, id),
        Issue::Done(IssueOutcome::NothingToInvoice | IssueOutcome::AlreadyClaimed) => {
            return Err(ApiError::named(409, "NothingToInvoice", format!("the account has no charges or credits in {period}")))
        }
        Issue::Done(IssueOutcome::NoAccount) => return Err(ApiError::not_found("no such account")),
    };
    let invoice = store.invoice(&id, Some(account_id)).map_err(internal)?.ok_or_else(|| internal("an issued invoice is missing"))?;
    Ok(json(status, &invoice))
}
