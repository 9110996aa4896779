//! Issuing invoices, shared by the operator's on-demand issue (admin) and the job runner
//! (dispatch): the account's month in its time zone, our own details (the console's company
//! settings, else the `seller_*` variables) as they are at the time of issue.

use crate::db::DbError;
use crate::store::{InvoiceRequest, IssueOutcome, Store};
use chrono::{DateTime, Utc};
use domain::billing::invoice::Seller;
use domain::billing::reports::Period;
use domain::messaging::schedule::TimeZone;

/// Our details on every invoice: the company the operator set in the console's Settings,
/// else `seller_name`, `seller_address` and `seller_vat` (app::reseller::seller).
pub async fn seller(store: &Store) -> Result<Seller, DbError> {
    crate::app::reseller::seller(store).await
}

/// The account's zone, UTC if what is stored is not one (it is checked when set).
pub fn zone_of(name: &str) -> TimeZone {
    TimeZone::parse(name).unwrap_or(TimeZone::UTC)
}

#[derive(Debug)]
pub enum Issue {
    Done(IssueOutcome),
    /// The month has not ended in the account's time zone.
    NotEnded,
}

/// Issues an account's invoice for `period` (or finds the one issued before).
pub async fn issue(store: &Store, account_id: &str, period: Period, now: DateTime<Utc>) -> Result<Issue, DbError> {
    let Some(caller) = store.identity().caller_for_account(account_id).await? else { return Ok(Issue::Done(IssueOutcome::NoAccount)) };
    let zone = zone_of(&caller.time_zone);
    if !period.has_ended(now, &zone) {
        return Ok(Issue::NotEnded);
    }
    let (from, until) = period.bounds(&zone);
    let seller = seller(store).await?;
    let req = InvoiceRequest { account_id, period, time_zone: zone.name(), from, until, seller: &seller, now, claim: false };
    Ok(Issue::Done(store.reports().issue_invoice(&req).await?))
}

/// The job runner's part: last month's invoices (the month before the current UTC one)
/// for up to `limit` accounts whose month has ended in their own zone and that no runner
/// has looked at yet. Each account's month is claimed by one insert, so two runners at
/// once issue each invoice once. Returns how many were issued.
pub async fn issue_due(store: &Store, now: DateTime<Utc>, limit: i64) -> Result<usize, DbError> {
    let period = Period::of(now, &TimeZone::UTC).previous();
    let zones: Vec<String> =
        store.reports().account_time_zones().await?.into_iter().filter(|z| period.has_ended(now, &zone_of(z))).collect();
    let seller = seller(store).await?;
    let mut issued = 0;
    for (account_id, zone_name) in store.reports().accounts_to_invoice(period, &zones, limit).await? {
        let zone = zone_of(&zone_name);
        let (from, until) = period.bounds(&zone);
        let req = InvoiceRequest { account_id: &account_id, period, time_zone: zone.name(), from, until, seller: &seller, now, claim: true };
        issued += matches!(store.reports().issue_invoice(&req).await?, IssueOutcome::Issued(_)) as usize;
    }
    Ok(issued)
}
