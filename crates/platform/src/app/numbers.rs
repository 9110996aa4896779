//! A customer's own numbers (seed 002 "Get a new number"): searching the operator's free
//! inventory, taking a number from it (the first, primary, one comes with the account;
//! further ones need room in a number subscription package), and releasing one back to the
//! inventory. The renting itself is the operator's workflow (app::operator), so the rules
//! (roles, room, another account's number) are one.

use super::operator::{self, NumberAssignment};
use crate::store::{Caller, InventoryNumberView, NumberRoom, Store};
use domain::api::error::{ApiError, ErrorName};
use domain::api::paging::PageRequest;
use domain::inbound::inventory::InventoryFilter;
use domain::inbound::sms::ReceptionNumber;

/// A free number as a customer sees it: no operator notes, who added it or other accounts.
#[derive(Debug, serde::Serialize)]
pub struct AvailableNumber {
    pub number: String,
    pub country: String,
    pub kind: String,
    pub area_code: Option<String>,
    pub region: Option<String>,
    /// The monthly price the operator set for it, if any (minor units of `currency`).
    pub monthly_price_minor: Option<i64>,
    pub currency: Option<String>,
}

impl From<InventoryNumberView> for AvailableNumber {
    fn from(n: InventoryNumberView) -> AvailableNumber {
        AvailableNumber {
            number: n.number,
            country: n.country,
            kind: n.kind,
            area_code: n.area_code,
            region: n.region,
            monthly_price_minor: n.monthly_price_minor,
            currency: n.currency,
        }
    }
}

/// A page of the free numbers matching a customer's search, and how many match.
pub async fn available(store: &Store, filter: &InventoryFilter, page: &PageRequest) -> Result<(Vec<AvailableNumber>, i64, Option<String>), ApiError> {
    let after: Option<String> = page.after()?;
    let (rows, total) = store.inbound().inventory(filter, page.fetch(), after.as_deref()).await?;
    let page = page.page(rows, |n| n.number.clone());
    Ok((page.items.into_iter().map(AvailableNumber::from).collect(), total, page.next_cursor))
}

/// How many extra (secondary) numbers the account's number subscriptions allow and use.
pub async fn room(store: &Store, account_id: &str) -> Result<NumberRoom, ApiError> {
    Ok(store.billing().number_room(account_id, "").await?)
}

/// Takes a free number of the inventory for the caller's account: primary when the account
/// has none, else secondary, which needs room in a number subscription (402
/// `NumberSubscriptionRequired`). A number the inventory does not offer free is 404
/// `NumberNotAvailable` (whoever rents it: a customer learns nothing of other accounts).
pub async fn take(store: &Store, caller: &Caller, number: &str) -> Result<(), ApiError> {
    let number = ReceptionNumber::parse(number).map_err(|e| ApiError::named(400, ErrorName::InvalidReceptionNumber, e.to_string()))?;
    let not_available = || ApiError::named(404, ErrorName::NumberNotAvailable, format!("{} is not free to take; search the available numbers again", number.as_str()));
    let held = store.inbound().inventory_number(number.as_str()).await?.ok_or_else(not_available)?;
    if held.account_id.is_some() {
        return Err(not_available());
    }
    let assignment = NumberAssignment { number: number.as_str(), account_id: &caller.account_id, kind: Some(&held.kind), role: None, country: Some(&held.country) };
    // Taken by another account meanwhile: the assignment refuses it (NumberAssigned), said
    // to the customer as not available.
    operator::assign_number(store, &assignment, &caller.actor).await.map_err(|e| if e.name == ErrorName::NumberAssigned.as_str() { not_available() } else { e })
}

/// Releases one of the caller's numbers back to the inventory (404 for a number the account
/// does not have).
pub async fn release(store: &Store, caller: &Caller, number: &str) -> Result<ReceptionNumber, ApiError> {
    let parsed = ReceptionNumber::parse(number).map_err(|e| ApiError::named(400, ErrorName::InvalidReceptionNumber, e.to_string()))?;
    let owner = store.inbound().number_account(parsed.as_str()).await?;
    if owner.as_deref() != Some(caller.account_id.as_str()) {
        return Err(ApiError::not_found(format!("{} is not a number of this account", parsed.as_str())));
    }
    operator::release_number(store, parsed.as_str(), &caller.actor).await
}
