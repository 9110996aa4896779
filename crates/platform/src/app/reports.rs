//! The operator's traffic and money report (issue 18 "Traffic and money"): every
//! account's messages (or one account's) over UTC days, shaped by
//! domain::billing::reports::TrafficReport.

use crate::store::Store;
use domain::api::error::ApiError;
use domain::billing::reports::{DateRange, TrafficReport};
use domain::messaging::schedule::TimeZone;

/// Messages accepted on the range's UTC days, by day, status class, connection,
/// destination and currency.
pub async fn traffic(store: &Store, range: &DateRange, account_id: Option<&str>) -> Result<TrafficReport, ApiError> {
    let (from, until) = range.bounds(&TimeZone::parse("UTC")?);
    let groups = store.reports().traffic(from, until, account_id).await?;
    Ok(TrafficReport::new(range, account_id, &groups))
}
