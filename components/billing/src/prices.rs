//! `GET /v1/billing/prices`: the prices the account pays now, one rule per scope (its own
//! list beating the default list), and the changes scheduled for later.

use domain::access::Scope;
use domain::error::ApiError;
use platform::http::authenticate;
use platform::store::Store;
use spin_sdk::http::{Request, Response};

pub fn list(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let caller = authenticate(req, store, Scope::Account)?;
    platform::prices::effective_for_account(store, &caller.account_id, caller.currency)
}
