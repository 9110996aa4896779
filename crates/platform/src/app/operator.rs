//! The operator's workflows that change more than one thing at once: opening an account
//! (the account, its opening balance and its callback signing secret, all or nothing),
//! renting a reception number to one (its role, and room in a number subscription for a
//! secondary one, checked in the assignment's transaction), and the number inventory:
//! adding numbers (all or nothing, duplicates named), releasing one back to it, removing
//! a free one.

use crate::http::internal;
use crate::ids::{new_id, random_bytes};
use crate::store::{AccountView, Assignment, NumberRoom, Removal, Store, StoreError, Subject};
use crate::db::DbError;
use domain::accounts::account::{account_name, AccountKind};
use domain::api::error::{ApiError, ErrorDetail, ErrorName};
use domain::billing::money::{Currency, MAX_AMOUNT_MINOR};
use domain::billing::package::number_subscription_required;
use domain::callbacks::webhook::WebhookSecret;
use domain::identity::access::Actor;
use domain::inbound::inventory::{number_country, parse_list, repeats, HoldingTerms, InventoryError, NumberKind};
use domain::inbound::sms::ReceptionNumber;

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

/// Rents a reception number to an account: inbound SMS to it land in that account. A
/// number of the inventory is taken from it (its country, and its kind unless one is
/// given); one the platform does not hold yet comes into it with the assignment. One that
/// another account rents is 409 `NumberAssigned` (released first, that account's history
/// says so); the account's own number again changes its role.
pub async fn assign_number(store: &Store, assignment: &NumberAssignment<'_>, actor: &Actor) -> Result<(), ApiError> {
    let number = ReceptionNumber::parse(assignment.number).map_err(|e| ApiError::malformed(e.to_string()))?;
    let held = store.inbound().inventory_number(number.as_str()).await?;
    let country = match &held {
        Some(held) => held.country.clone(),
        // As before the inventory: a given country counts for a short code only.
        None => number_country(&number, assignment.country.filter(|_| number.is_short_code())).map_err(|e| match e {
            InventoryError::ShortCodeCountry | InventoryError::Country(_) => ApiError::malformed("a short code needs its two-letter country"),
            other => ApiError::from(other),
        })?,
    };
    let kind = match (assignment.kind, &held) {
        (Some(kind), _) => NumberKind::parse(kind).map_err(|_| ApiError::malformed("kind is one of virtual, shortcode, mobile, landline"))?.as_str(),
        (None, Some(held)) => NumberKind::parse(&held.kind).map_err(internal)?.as_str(),
        (None, None) => NumberKind::default_for(&number).as_str(),
    };
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
        .audit().audited(account_id, actor, "number.assigned", Subject::Number(number.as_str()), async |store| -> Result<Result<Assignment, NumberRoom>, DbError> {
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
        Ok(Assignment::NoAccount) => Err(ApiError::not_found("no such account")),
        Ok(Assignment::RentedByAnother) => Err(ApiError::named(
            409,
            ErrorName::NumberAssigned,
            format!("{} is assigned to another account; release it first", number.as_str()),
        )),
        Ok(Assignment::Assigned) => Ok(()),
    }
}

/// Takes a number back from its account, with a history line there; it stays in the
/// inventory, free. 404 when no account rents it.
pub async fn release_number(store: &Store, number: &str, actor: &Actor) -> Result<ReceptionNumber, ApiError> {
    let number = ReceptionNumber::parse(number).map_err(|e| ApiError::malformed(e.to_string()))?;
    let account = store.inbound().number_account(number.as_str()).await?.ok_or_else(|| ApiError::not_found("no account has that number"))?;
    let released = store
        .audit().audited(&account, actor, "number.released", Subject::Number(number.as_str()), async |store| store.inbound().release_number(number.as_str()).await)
        .await?;
    if !released {
        return Err(ApiError::not_found("no account has that number"));
    }
    Ok(number)
}

/// Puts numbers in the inventory, free, with the same terms, all or nothing: a bad entry
/// is 400 (every one listed with its place), a number the platform holds already or one
/// given twice is 409 `DuplicateNumber` (every one listed, with why). Who added them is
/// kept with them. Answers the numbers as stored, in the order given.
pub async fn add_numbers(store: &Store, numbers: &[&str], terms: &HoldingTerms<'_>, actor: &Actor) -> Result<Vec<String>, ApiError> {
    let held = parse_list(numbers, terms)?;
    let added: Vec<&str> = held.iter().map(|n| n.number.as_str()).collect();
    let mut duplicates: Vec<ErrorDetail> = repeats(&held)
        .into_iter()
        .map(|index| ErrorDetail { index: Some(index), value: Some(numbers[index].to_owned()), message: format!("{} is given twice", added[index]) })
        .collect();
    // The check and the insert in one transaction, so a concurrent add cannot slip between.
    store
        .transaction(async || -> Result<(), ApiError> {
            for (number, assigned) in store.inbound().held(&added).await? {
                let index = added.iter().position(|n| *n == number).unwrap_or_default();
                let why = if assigned { "is assigned to an account" } else { "is in the inventory already" };
                duplicates.push(ErrorDetail { index: Some(index), value: Some(numbers[index].to_owned()), message: format!("{number} {why}") });
            }
            if !duplicates.is_empty() {
                duplicates.sort_by_key(|d| d.index);
                let message = format!("{} of the numbers are held already or given twice; nothing was added", duplicates.len());
                return Err(ApiError::named(409, ErrorName::DuplicateNumber, message).with_details(std::mem::take(&mut duplicates)));
            }
            store.inbound().add_to_inventory(&held, actor).await?;
            Ok(())
        })
        .await?;
    Ok(added.into_iter().map(str::to_owned).collect())
}

/// Takes a free number out of the inventory: 409 `NumberAssigned` while an account rents
/// it (release it first), 404 when the platform does not hold it.
pub async fn remove_number(store: &Store, number: &str) -> Result<ReceptionNumber, ApiError> {
    let number = ReceptionNumber::parse(number).map_err(|e| ApiError::named(400, ErrorName::InvalidReceptionNumber, e.to_string()))?;
    match store.inbound().remove_free_number(number.as_str()).await? {
        Removal::Removed => Ok(number),
        Removal::Assigned => Err(ApiError::named(
            409,
            ErrorName::NumberAssigned,
            format!("{} is assigned to an account; release it before removing it from the inventory", number.as_str()),
        )),
        Removal::NotHeld => Err(ApiError::not_found(format!("{} is not in the inventory", number.as_str()))),
    }
}
