//! The billing API under `/v1/billing` (seed 002, 003, 004): the account's balance and
//! ledger, and — each in a module of its own — top-ups and payments, packages and credits,
//! invoices and usage. Account endpoints need the `account` scope (an API key with it, or
//! a signed-in `admin` of the account); Stripe's webhook is verified by its signature.

use domain::access::Scope;
use domain::error::ApiError;
use platform::http::{authenticate, internal, json, respond, segments};
use platform::store::Store;
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

mod packages;
mod prices;
mod quote;
mod reports;
mod topups;

#[http_component]
fn handle(req: Request) -> Response {
    respond(route(&req))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = segments(req);
    let store = Store::open().map_err(internal)?;
    match (req.method(), path.as_slice()) {
        (Method::Get, ["v1", "billing", "balance"]) => balance(req, &store),
        (Method::Get, ["v1", "billing", "ledger"]) => ledger(req, &store),
        (_, ["v1", "billing", "balance" | "ledger"]) => Err(ApiError::method_not_allowed("GET")),
        (Method::Post, ["v1", "billing", "topups"]) => topups::create(req, &store),
        (Method::Get, ["v1", "billing", "payments"]) => topups::log(req, &store),
        (Method::Post, ["v1", "billing", "stripe", "webhook"]) => topups::webhook(req, &store),
        (_, ["v1", "billing", "topups"] | ["v1", "billing", "stripe", "webhook"]) => Err(ApiError::method_not_allowed("POST")),
        (_, ["v1", "billing", "payments"]) => Err(ApiError::method_not_allowed("GET")),
        (Method::Get, ["v1", "billing", "prices"]) => prices::list(req, &store),
        (Method::Post, ["v1", "billing", "quote"]) => quote::quote(req, &store),
        (_, ["v1", "billing", "prices"]) => Err(ApiError::method_not_allowed("GET")),
        (_, ["v1", "billing", "quote"]) => Err(ApiError::method_not_allowed("POST")),
        (Method::Get, ["v1", "billing", "packages"]) => packages::catalogue(req, &store),
        (Method::Post, ["v1", "billing", "packages", id, "purchase"]) => packages::purchase(req, &store, id),
        (Method::Get, ["v1", "billing", "subscriptions"]) => packages::subscriptions(req, &store),
        (Method::Delete, ["v1", "billing", "subscriptions", id]) => packages::cancel(req, &store, id),
        (Method::Get, ["v1", "billing", "credits"]) => packages::credits(req, &store),
        (_, ["v1", "billing", "packages" | "subscriptions" | "credits"]) => Err(ApiError::method_not_allowed("GET")),
        (_, ["v1", "billing", "packages", _, "purchase"]) => Err(ApiError::method_not_allowed("POST")),
        (_, ["v1", "billing", "subscriptions", _]) => Err(ApiError::method_not_allowed("DELETE")),
        (Method::Get, ["v1", "billing", "usage"]) => reports::usage(req, &store),
        (Method::Get, ["v1", "billing", "invoices"]) => reports::invoices(req, &store),
        (Method::Get, ["v1", "billing", "invoices", id]) => reports::invoice(req, &store, id),
        (Method::Get, ["v1", "billing", "invoices", id, "document"]) => reports::document(req, &store, id),
        (_, ["v1", "billing", "usage" | "invoices"] | ["v1", "billing", "invoices", _] | ["v1", "billing", "invoices", _, "document"]) => {
            Err(ApiError::method_not_allowed("GET"))
        }
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}

/// Balance, credit limit and what may still be spent, in the account's currency; SMS and voice credits.
fn balance(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let caller = authenticate(req, store, Scope::Account)?;
    let account = store.account(&caller.account_id).map_err(internal)?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let credits = packages::balances(store, &caller.account_id)?;
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
fn ledger(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let caller = authenticate(req, store, Scope::Account)?;
    let (limit, before) = platform::http::history_page(req)?;
    let entries = store.ledger(&caller.account_id, limit, before).map_err(internal)?;
    Ok(json(200, &serde_json::json!({"entries": entries})))
}
