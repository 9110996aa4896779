//! The operator's workflows that change more than one thing at once: opening an account
//! (the account, its opening balance and its callback signing secret, all or nothing) and
//! renting a reception number to one (its role, and room in a number subscription for a
//! secondary one, checked in the assignment's transaction).

use crate::http::internal;
use crate::ids::{new_id, random_bytes};
use crate::store::{AccountView, NumberRoom, Store, StoreError, Subject};
use crate::db::DbError;
use domain::accounts::account::{account_name, AccountKind};
use domain::api::error::ApiError;
use domain::billing::money::{Currency, MAX_AMOUNT_MINOR};
use domain::billing::package::number_subscription_required;
use domain::callbacks::webhook::WebhookSecret;
use domain::identity::access::Actor;
use domain::inbound::sms::ReceptionNumber;
use domain::messaging::recipient::{NumberContext, Recipient};

/// A new account as the operator asked for it.
pub struct OpeningAccount<'a> {
    pub name: &'a str,
    pub currency: Currency,
    /// `swedish` or `international` (seed 000); a SEK account is Swedish unless told.
    pub kind: Option<&'a str>,
    pub credit_limit_minor: i64,
    /// An opening top-up, recorded as a ledger entry like any other.
    pub initial_balance_minor: i64,
}

/// Opens an account: the account, its opening balance and its Standard Webhooks signing
/// secret for status callbacks, all or nothing. The secret is returned this once (the
/// account can rotate it: POST /v1/account/webhook-secret).
pub async fn open_account(store: &Store, opening: &OpeningAccount<'_>, actor: &Actor) -> Result<(AccountView, String), ApiError> {
    let name = account_name(opening.name)?;
    if opening.credit_limit_minor < 0 || opening.initial_balance_minor < 0 {
        return Err(ApiError::malformed("credit_limit_minor and initial_balance_minor must not be negative"));
    }
    if opening.credit_limit_minor > MAX_AMOUNT_MINOR || opening.initial_balance_minor > MAX_AMOUNT_MINOR {
        return Err(ApiError::malformed(format!("credit_limit_minor and initial_balance_minor may be at most {MAX_AMOUNT_MINOR}")));
    }
    let kind = match opening.kind {
        None => AccountKind::default_for(opening.currency.code()),
        Some(k) => AccountKind::parse(k)?,
    }
    .as_str();
    let secret = WebhookSecret::from_random_bytes(&random_bytes::<32>()).map_err(internal)?.to_string();
    let id = store
        .transaction(async || -> Result<String, ApiError> {
            let id = store.accounts().create_account(&name, kind, opening.currency, opening.credit_limit_minor).await?;
            if opening.initial_balance_minor > 0 {
                store
                    .billing().credit(&id, opening.initial_balance_minor, "topup", &new_id("top"), "opening balance", actor)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => ApiError::not_found("no such account"),
                        StoreError::InsufficientFunds { .. } => ApiError::conflict("the change would pass the credit limit"),
                        StoreError::Db(e) => internal(e),
                        StoreError::StaleLookups => internal("a credit was refused for a send's lookups"),
                    })?;
            }
            let stored_secret = crate::app::callbacks::secret_at_rest(&id, &secret).await;
            store.callbacks().rotate_webhook_secret(&id, &stored_secret).await?;
            Ok(id)
        })
        .await?;
    let view = store.accounts().account(&id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    Ok((view, secret))
}

/// A reception number to rent, as the operator asked.
pub struct NumberAssignment<'a> {
    pub number: &'a str,
    pub account_id: &'a str,
    /// virtual (default; shortcode for a short code), shortcode, mobile or landline.
    pub kind: Option<&'a str>,
    /// primary or secondary; a new primary demotes the old one. Absent: primary when the
    /// account has none, else secondary. A secondary number needs a number subscription.
    pub role: Option<&'a str>,
    /// Needed for short codes; phone numbers carry their country.
    pub country: Option<&'a str>,
}

/// Rents a reception number to an account: inbound SMS to it land in that account.
pub async fn assign_number(store: &Store, assignment: &NumberAssignment<'_>, actor: &Actor) -> Result<(), ApiError> {
    let number = ReceptionNumber::parse(assignment.number).map_err(|e| ApiError::malformed(e.to_string()))?;
    let country = match (Recipient::parse(number.as_str(), NumberContext::Msisdn), assignment.country) {
        (Ok(phone), _) => phone.region().as_str().to_owned(),
        (Err(_), Some(country)) if country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic()) => country.to_ascii_uppercase(),
        (Err(_), _) => return Err(ApiError::malformed("a short code needs its two-letter country")),
    };
    let kind = assignment.kind.unwrap_or(if number.is_short_code() { "shortcode" } else { "virtual" });
    if !["virtual", "shortcode", "mobile", "landline"].contains(&kind) {
        return Err(ApiError::malformed("kind is one of virtual, shortcode, mobile, landline"));
    }
    let account_id = assignment.account_id;
    if store.accounts().account(account_id).await?.is_none() {
        return Err(ApiError::not_found("no such account"));
    }
    // Seed 002: the primary number comes with the account; more are secondary.
    let role = match assignment.role {
        Some(role) => role,
        None => {
            let numbers = store.inbound().numbers(account_id).await?;
            if numbers.iter().any(|n| n.role == "primary" && n.number != number.as_str()) {
                "secondary"
            } else {
                "primary"
            }
        }
    };
    if !["primary", "secondary"].contains(&role) {
        return Err(ApiError::malformed("role is primary or secondary"));
    }
    // A secondary number takes room in an active number subscription; checked in the same
    // transaction as the assignment, so two assignments cannot both take the last place.
    let assigned = store
        .audit().audited(account_id, actor, "number.assigned", Subject::Number(number.as_str()), async |store| -> Result<Result<bool, NumberRoom>, DbError> {
            if role == "secondary" {
                let room = store.billing().number_room(account_id, number.as_str()).await?;
                if room.used >= room.allowed {
                    return Ok(Err(room));
                }
            }
            store.inbound().assign_number(number.as_str(), &country, kind, account_id, role).await.map(Ok)
        })
        .await?;
    match assigned {
        Err(room) => Err(number_subscription_required(room.allowed, room.used)),
        Ok(false) => Err(ApiError::not_found("no such account")),
        Ok(true) => Ok(()),
    }
}
