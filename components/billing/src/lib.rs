//! The billing API under `/v1/billing` (seed 002, 003, 004): the account's balance and
//! ledger, and — each in a module of its own — top-ups and payments, packages and credits,
//! invoices and usage. Account endpoints need the `account` scope (an API key with it, or
//! a signed-in `admin` of the account); Stripe's webhook is verified by its signature.

use domain::identity::access::Scope;
use domain::api::error::ApiError;
use platform::http::{authenticate, json, Reply, Req, Routes};
use platform::store::Store;

mod packages;
mod prices;
mod quote;
mod reports;
mod topups;

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        .get("/v1/billing/balance", balance)
        .get("/v1/billing/ledger", ledger)
        .post("/v1/billing/topups", topups::create)
        .get("/v1/billing/payments", topups::log)
        .post("/v1/billing/stripe/webhook", topups::webhook)
        .get("/v1/billing/prices", prices::list)
        .post("/v1/billing/quote", quote::quote)
        .get("/v1/billing/packages", packages::catalogue)
        .post("/v1/billing/packages/{id}/purchase", packages::purchase)
        .get("/v1/billing/subscriptions", packages::subscriptions)
        .delete("/v1/billing/subscriptions/{id}", packages::cancel)
        .get("/v1/billing/credits", packages::credits)
        .get("/v1/billing/usage", reports::usage)
        .get("/v1/billing/invoices", reports::invoices)
        .get("/v1/billing/invoices/{id}", reports::invoice)
        .get("/v1/billing/invoices/{id}/document", reports::document)
}

/// Balance, credit limit and what may still be spent, in the account's currency; SMS and voice credits.
async fn balance(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let account = store.accounts().account(&caller.account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let credits = packages::balances(&store, &caller.account_id).await?;
    Ok(json(
        200,
        &serde_json::json!({
            "account_id": account.id,
            "currency": account.currency,
            "balance_minor": account.balance_minor,
            "credit_limit_minor": account.credit_limit_minor,
            "available_minor": account.balance_minor + account.credit_limit_minor,
            "sms_credits": credits.sms,
            "voice_credits": credits.voice,
        }),
    ))
}

/// The ledger, newest first: every entry with its kind, reason and reference.
async fn ledger(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let page = platform::http::page(&req)?;
    let entries = page.page(store.billing().ledger(&caller.account_id, page.fetch(), page.after()?).await?, |e| e.id);
    Ok(json(200, &serde_json::json!({"entries": entries.items, "next_cursor": entries.next_cursor})))
}
