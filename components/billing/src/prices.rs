//! `GET /v1/billing/prices`: the prices the account pays now, one rule per scope (its own
//! list beating the default list), and the changes scheduled for later.

use domain::identity::access::Scope;
use platform::http::{authenticate, Reply, Req};
use platform::store::Store;

pub async fn list(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    platform::prices::effective_for_account(&store, &caller.account_id, caller.currency).await
}
