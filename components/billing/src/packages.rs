//! Packages and credits for the account (seed 002, 003): the catalogue in its currency, a
//! purchase paid from the balance, its subscriptions (cancelled at a period's end) and the
//! credit ledger. The operator's side of the catalogue is in the admin component; renewals
//! are the job runner's.

use domain::api::error::ErrorName;
use domain::identity::access::Scope;
use domain::api::error::ApiError;
use domain::billing::money::Money;
use domain::billing::package::{insufficient_funds, subscription_ended};
use platform::http::{authenticate, idempotent_json, page, internal, json, parse_body, Reply, Req};
use platform::store::{CancelSubscription, Store, StoreError};

/// `GET /v1/billing/packages`: the active packages in the account's currency.
pub async fn catalogue(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let packages = store.billing().packages(Some(caller.currency.code())).await?;
    Ok(json(200, &serde_json::json!({"packages": packages})))
}

/// `POST /v1/billing/packages/{id}/purchase`: paid from the balance within the credit
/// limit, its credits granted, and a recurring package's subscription started — at once.
/// How a purchase is paid: from the balance (the default; no body needed) or by card.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PurchaseBody {
    #[serde(default)]
    pay: PayWith,
}

#[derive(serde::Deserialize, Default, PartialEq)]
#[serde(rename_all = "lowercase")]
enum PayWith {
    #[default]
    Balance,
    Card,
}

/// `POST /v1/billing/packages/{id}/purchase`: from the balance at once (201 with the
/// purchase), or `{"pay": "card"}`: a Stripe Checkout for the package's cost (201 with the
/// page to pay on), bought when Stripe's signed webhook says it is paid.
pub async fn purchase(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let body: PurchaseBody = if req.body().is_empty() { PurchaseBody::default() } else { parse_body(&req)? };
    if body.pay == PayWith::Card {
        let package = store
            .billing().package(id)
            .await?
            .filter(|p| p.active && p.currency == caller.currency.code())
            .ok_or_else(|| ApiError::not_found(format!("no package {id} for sale in {}", caller.currency)))?;
        let amount = domain::billing::stripe::TopupAmount::parse(package.cost_minor, caller.currency)
            .map_err(|e| ApiError::named(400, ErrorName::InvalidTopupAmount, e.to_string()))?;
        let started = platform::app::topups::start_checkout(&store, &caller, amount, Some(&package), platform::http::idempotency(&req)?.as_ref()).await?;
        return platform::http::created_reply(started, |body| json(201, &body));
    }
    let buy = async || store.billing().purchase_package(&caller.account_id, id, &caller.actor, chrono::Utc::now()).await;
    idempotent_json(&req, &store, &caller.account_id, 201, buy, |e| match e {
        StoreError::NotFound => ApiError::not_found(format!("no package {id} for sale in {}", caller.currency)),
        StoreError::InsufficientFunds { balance, credit_limit, needed } => {
            let money = |minor| Money::new(minor, caller.currency);
            insufficient_funds(money(needed), money(balance), money(credit_limit))
        }
        other => internal(format!("{other:?}")),
    })
    .await
}

/// `GET /v1/billing/subscriptions`: newest first, ended ones included.
pub async fn subscriptions(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    Ok(json(200, &serde_json::json!({"subscriptions": store.billing().subscriptions(&caller.account_id).await?})))
}

/// `DELETE /v1/billing/subscriptions/{id}`: ends it when the period paid for ends.
pub async fn cancel(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    match store.billing().cancel_subscription(&caller.account_id, id, &caller.actor).await? {
        CancelSubscription::Canceling(view) => Ok(json(200, &view)),
        CancelSubscription::Ended(status) => Err(subscription_ended(&status)),
        CancelSubscription::NotFound => Err(ApiError::not_found(format!("no subscription {id} in this account"))),
    }
}

/// `GET /v1/billing/credits?limit=&cursor=`: the credits and their ledger, newest first.
pub async fn credits(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let page = page(&req)?;
    let balances = store.billing().credit_balances(&caller.account_id).await?;
    let entries = page.page(store.billing().credit_entries(&caller.account_id, page.fetch(), page.after()?).await?, |e| e.id);
    Ok(json(
        200,
        &serde_json::json!({"sms_credits": balances.sms, "voice_credits": balances.voice, "entries": entries.items, "next_cursor": entries.next_cursor}),
    ))
}

/// The account's credits, for the balance.
pub async fn balances(store: &Store, account_id: &str) -> Result<platform::store::CreditBalances, ApiError> {
    Ok(store.billing().credit_balances(account_id).await?)
}
