//! Money in by card: a top-up and its Stripe Checkout Session (under an Idempotency-Key,
//! resumable), and what Stripe's verified events do — credit a paid top-up exactly once and
//! buy the package it pays for (the rules: domain::billing::stripe).

use crate::config::get_or;
use crate::http::internal;
use crate::ids::new_id;
use crate::outbound::{post_all, Post};
use crate::store::{Caller, Created, Kept, PackageView, Store, StoreError, StoredAnswer, TopupSettled, IN_PROGRESS};
use domain::api::error::{ApiError, ErrorName};
use domain::api::idempotency::IdempotentRequest;
use domain::billing::money::Currency;
use domain::billing::stripe::{
    from_stripe_amount, settle, CheckoutRequest, CheckoutSession, Settlement, StripeError, StripeKey, StripeMode, TopupAmount,
    TopupEvent,
};
use domain::identity::access::Actor;
use std::time::Duration;

/// How long Stripe may take to make a Checkout Session.
const STRIPE_TIMEOUT: Duration = Duration::from_secs(10);

/// The Stripe configuration in force: the console's payment gateway when it has a secret
/// key, else the Spin variables (`stripe_mode`, `stripe_secret_key`, `stripe_webhook_secret`).
pub async fn stripe_config(store: &Store) -> Result<crate::app::reseller::StripeConfig, ApiError> {
    crate::app::reseller::stripe_config(store).await
}

/// The customer is told that card payments are not available, in their terms; what the
/// operator must set (a variable, a mode) goes to the log, not to the customer (issue 19).
fn config_error(e: StripeError) -> ApiError {
    eprintln!("card top-up refused: {e} (the operator's Settings → Payment gateway, or the stripe_* variables)");
    match e {
        StripeError::NotConfigured => ApiError::named(503, ErrorName::TopupsNotConfigured, "card payments are not available yet; contact your provider"),
        _ => ApiError::named(503, ErrorName::StripeMisconfigured, "card payments are not available right now; contact your provider"),
    }
}

/// A request under way with its Idempotency-Key is answered 409 for this long; after it,
/// it is taken to have died and is resumed (its top-up and Stripe's idempotency key reused).
const RESUME_AFTER_SECONDS: f64 = 60.0;

/// A pending top-up of `amount` and its Stripe Checkout Session (201 with the page to
/// pay on). With `package`, the payment buys it once credited (a package by card).
/// Under an Idempotency-Key, a repeat gets the first answer (errors from Stripe too) and
/// opens no second top-up.
pub async fn start_checkout(
    store: &Store,
    caller: &Caller,
    amount: TopupAmount,
    package: Option<&PackageView>,
    key: Option<&IdempotentRequest>,
) -> Result<Created<serde_json::Value>, ApiError> {
    let config = stripe_config(store).await?;
    let mode = config.mode;
    let stripe_key = StripeKey::parse(&config.secret_key, mode).map_err(config_error)?;
    let resumed = match key {
        None => None,
        Some(key) => match store.kept_answer(&caller.account_id, key).await? {
            Kept::Answer(answer) => return Ok(Created::Replayed(answer)),
            Kept::OtherRequest => return Ok(Created::KeyReused),
            Kept::InProgress { age_seconds, .. } if age_seconds < RESUME_AFTER_SECONDS => return Ok(Created::InProgress),
            Kept::InProgress { body, .. } => Some(body),
            Kept::Nothing => None,
        },
    };
    let id = match resumed {
        Some(id) => id,
        None => {
            let id = new_id("pay");
            // The top-up and the key's "under way" (naming the top-up) in one transaction.
            let under_way = |_: &()| StoredAnswer { status: IN_PROGRESS, body: id.clone() };
            let open = async || {
                store
                    .billing().create_topup(&id, &caller.account_id, amount.minor(), caller.currency.code(), mode.as_str(), &caller.actor,
                        package.map(|p| (p.id.as_str(), p.name.as_str())))
                    .await
            };
            match store.idempotent(&caller.account_id, key, under_way, open).await? {
                Created::New(()) => id,
                // Replayed, reused or under way: nothing was opened now.
                other => return Ok(other.map(|()| serde_json::Value::Null)),
            }
        }
    };
    let result = open_checkout(store, caller, amount, package, &id, mode, &stripe_key).await;
    if let Some(key) = key {
        // A 500 is ours, not Stripe's: the key stays under way, and a retry resumes.
        let answer = match &result {
            Ok(body) => Some(StoredAnswer { status: 201, body: body.to_string() }),
            Err(e) if e.http_status != 500 => Some(StoredAnswer { status: e.http_status, body: e.to_json() }),
            Err(_) => None,
        };
        if let Some(answer) = answer {
            store.finish_idempotent(&caller.account_id, key, &answer).await?;
        }
    }
    result.map(Created::New)
}

/// The Stripe Checkout Session of top-up `id`: the answer's body, or why there is none
/// (the top-up is then marked failed).
async fn open_checkout(
    store: &Store,
    caller: &Caller,
    amount: TopupAmount,
    package: Option<&PackageView>,
    id: &str,
    mode: StripeMode,
    key: &StripeKey,
) -> Result<serde_json::Value, ApiError> {
    let id = id.to_owned();
    let base = get_or("public_base_url", "http://127.0.0.1:3000").await;
    let base = base.trim_end_matches('/');
    let (success_url, cancel_url) =
        (format!("{base}/billing/topups/{id}?result=success"), format!("{base}/billing/topups/{id}?result=cancel"));
    let form = CheckoutRequest {
        topup_id: &id,
        account_id: &caller.account_id,
        amount,
        product_name: package.map_or("SMS account top-up", |p| p.name.as_str()),
        success_url: &success_url,
        cancel_url: &cancel_url,
    }
    .form();
    let url = format!("{}/v1/checkout/sessions", get_or("stripe_api_base", "https://api.stripe.com").await.trim_end_matches('/'));
    let post = Post {
        url: &url,
        headers: vec![
            ("authorization".into(), format!("Bearer {}", key.expose())),
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
            // A retried request (ours, or the network's) makes one session, not two.
            ("idempotency-key".into(), id.clone()),
        ],
        body: form,
        timeout: STRIPE_TIMEOUT,
    };
    let outcome = post_all(&[post], 1).await.remove(0);
    let session = match outcome.result {
        Ok(answer) if (200..300).contains(&answer.status) => serde_json::from_slice::<CheckoutSession>(&answer.body)
            .map_err(|e| format!("Stripe's answer was not a Checkout Session: {e}")),
        Ok(answer) => {
            let said: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            let message = said["error"]["message"].as_str().unwrap_or("no message").to_owned();
            let detail = format!("Stripe refused the Checkout Session (HTTP {}): {message}", answer.status);
            store.billing().topup_failed(&id, &detail).await?;
            // 4xx from Stripe is about what we asked (an amount below its minimum…);
            // anything else is Stripe being unavailable.
            return Err(if (400..500).contains(&answer.status) && answer.status != 401 && answer.status != 429 {
                ApiError::named(422, ErrorName::StripeRefused, detail)
            } else {
                ApiError::named(502, ErrorName::StripeUnavailable, detail)
            });
        }
        Err(e) => Err(format!("Stripe could not be reached: {e}")),
    };
    let session = match session {
        Ok(session) => session,
        Err(detail) => {
            store.billing().topup_failed(&id, &detail).await?;
            return Err(ApiError::named(502, ErrorName::StripeUnavailable, detail));
        }
    };
    store.billing().topup_session_opened(&id, &session.id).await?;
    Ok(serde_json::json!({
        "id": id,
        "status": "pending",
        "amount_minor": amount.minor(),
        "currency": caller.currency.code(),
        "stripe_mode": mode.as_str(),
        "checkout_session_id": session.id,
        "checkout_url": session.url,
        "package_id": package.map(|p| p.id.as_str()),
    }))
}

/// What a verified Stripe event of `mode` does: a paid top-up credited once (and the package
/// it pays for bought), a failed one marked; the outcome in words and the top-up it names.
pub async fn settle_stripe_event(store: &Store, mode: StripeMode, event: TopupEvent) -> Result<(String, Option<String>), ApiError> {
    let paid = match event {
        TopupEvent::Ignored(why) => return Ok((format!("ignored: {why}"), None)),
        TopupEvent::Failed { topup_id, reason } => {
            let failed = store.billing().topup_failed(&topup_id, &reason).await?;
            let outcome = if failed { "failed" } else { "ignored: the top-up is not pending" };
            return Ok((outcome.to_owned(), Some(topup_id)));
        }
        TopupEvent::Paid(paid) => paid,
    };
    // A test-mode event never pays in live mode, nor the other way round.
    if !mode.matches(paid.livemode) {
        return Ok(("ignored: the event is not of this Stripe mode".to_owned(), Some(paid.topup_id)));
    }
    let Some(topup) = store.billing().topup(&paid.topup_id).await? else {
        return Ok(("ignored: no such top-up".to_owned(), Some(paid.topup_id)));
    };
    let currency = Currency::parse(&topup.currency).map_err(internal)?;
    let credit = match settle(topup.amount_minor, currency, paid.amount, &paid.currency) {
        Settlement::Credit(minor) => Some(minor),
        // Paid, but not what the top-up asked for (a changed session, a partial capture, a
        // bug): crediting either amount could be wrong, so nothing is credited and the
        // mismatch is recorded for an operator (refund in Stripe or record it by hand).
        // Still 200: a retry would bring the same facts, for days.
        Settlement::Mismatch => {
            eprintln!(
                "stripe: top-up {} asked {} {} but event {} reports {} {}; not credited",
                topup.id, topup.amount_minor, topup.currency, paid.event_id, paid.amount, paid.currency
            );
            None
        }
    };
    let paid_minor = Currency::parse(&paid.currency).ok().and_then(|c| from_stripe_amount(c, paid.amount)).unwrap_or(paid.amount);
    let settled = store
        .billing().settle_topup(&topup.id, &paid.payment_id, paid_minor, &paid.currency, credit, &paid.event_id)
        .await?;
    let outcome = match settled {
        TopupSettled::Credited { ref account_id, .. } => match &topup.package_id {
            None => "credited".to_owned(),
            // The purchase is the act of whoever started the payment, as the payment records it.
            Some(package_id) => buy_paid_package(&store, account_id, package_id, &Actor::parse(&topup.actor).unwrap_or(Actor::System)).await,
        },
        TopupSettled::Mismatch => "mismatch: recorded, not credited".to_owned(),
        TopupSettled::AlreadySettled(status) => format!("already settled ({status})"),
        TopupSettled::PaymentAlreadyUsed => "ignored: this payment already credited another top-up".to_owned(),
        TopupSettled::NotFound => "ignored: no such top-up".to_owned(),
    };
    Ok((outcome, Some(topup.id)))
}

/// A card payment for a package was credited: buy the package from the balance it just
/// filled. This runs once, because only the webhook that settles the top-up gets here; if
/// the package can no longer be bought (withdrawn meanwhile), the money stays on the
/// balance and the outcome says so.
async fn buy_paid_package(store: &Store, account_id: &str, package_id: &str, actor: &Actor) -> String {
    match store.billing().purchase_package(account_id, package_id, actor, chrono::Utc::now()).await {
        Ok(purchase) => format!("credited; package bought ({})", purchase.purchase_id),
        Err(StoreError::NotFound) => "credited; the package is no longer for sale, so the amount stays on the balance".to_owned(),
        Err(StoreError::InsufficientFunds { .. }) => "credited; the balance could not pay the package, so the amount stays on it".to_owned(),
        Err(e) => {
            eprintln!("stripe: package {package_id} for {account_id} not bought after its payment: {e:?}");
            "credited; the package could not be bought, so the amount stays on the balance".to_owned()
        }
    }
}
