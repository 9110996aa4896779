//! A user's e-mail address: moving to a new one (it changes when the link sent there is
//! used), another confirmation link for the current one, and confirming by link.

use super::password::check_current_password;
use super::{actor, email_of, invalid_token, language_of, single_use_link, Client};
use crate::ids::now_seconds;
use crate::store::{IssuedToken, Store, UserRecord};
use domain::api::error::{ApiError, ErrorName};
use domain::identity::person::Email;
use domain::identity::onetime::{EmailMessage, Purpose};
use domain::identity::session::token_digest;

/// The new address gets a confirmation link; the user keeps the old one until it is
/// used. Needs the current password.
pub async fn change(store: &Store, client: &Client, user: &UserRecord, email: &Email, password: &str) -> Result<(), ApiError> {
    check_current_password(store, client, user, password).await?;
    if email.as_str() == user.email {
        return Err(ApiError::named(409, ErrorName::SameEmail, "that is your address already"));
    }
    // The same answer whether or not another user has the address (it must not tell who
    // has a user); a taken address gets no link, and a link can never take an address
    // from its user (confirming answers 409 EmailTaken to whoever holds the link).
    if store.identity().user_by_email(email.as_str()).await?.is_none() {
        send_confirmation(store, user, email).await?;
    }
    Ok(())
}

/// Seed 000's blue button: another confirmation e-mail for the current address.
pub async fn resend_confirmation(store: &Store, user: &UserRecord) -> Result<(), ApiError> {
    if user.email_confirmed_at.is_some() {
        return Err(ApiError::named(409, ErrorName::AlreadyConfirmed, "the address is confirmed already"));
    }
    send_confirmation(store, user, &email_of(user)?).await
}

/// Confirms the address a link's `token` was sent to (moving the user to it): the
/// address confirmed.
pub async fn confirm(store: &Store, token: &str) -> Result<String, ApiError> {
    let IssuedToken { user_id, email, .. } =
        store.identity().consume_token(&token_digest(token), Purpose::EmailConfirmation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    let email = email.ok_or_else(invalid_token)?;
    let moved = store
        .audit().audited_user(&user_id, &actor(&user_id), "user.email_confirmed", async |store| store.identity().confirm_email(&user_id, &email).await)
        .await?;
    if !moved {
        return Err(ApiError::named(409, ErrorName::EmailTaken, "another user has this address now"));
    }
    Ok(email)
}

/// Sends a confirmation link to `email` (the user's address, or the one they move to).
async fn send_confirmation(store: &Store, user: &UserRecord, email: &Email) -> Result<(), ApiError> {
    let link = single_use_link(store, Purpose::EmailConfirmation, &user.id, email, "/confirm-email").await?;
    let message = EmailMessage::email_confirmation(email, &link, language_of(user));
    Ok(crate::email::send(store, &message).await?)
}
