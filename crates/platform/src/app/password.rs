//! Passwords: a reset by e-mailed link (asked for, then used), a change by the signed-in
//! user, and the check of the current password that changes of secrets need. A new
//! password ends every session of the user and is told to them by e-mail.

use super::sign_in::{start_session, StartedSession};
use super::throttle::{forget, login_client, throttled_check, wait_then_count};
use super::{actor, email_of, invalid_token, language_of, single_use_link, Client};
use crate::ids::now_seconds;
use crate::store::{IssuedToken, Store, UserRecord};
use domain::api::error::{ApiError, ErrorName};
use domain::identity::person::{hash_password, verify_password, Email, Password};
use domain::identity::onetime::{EmailMessage, Purpose};
use domain::identity::session::token_digest;
use domain::identity::throttle::ThrottleKey;

/// E-mails a reset link to `email` if a user has it; the caller answers the same either
/// way, so the answer tells nobody who has a user. Every request counts against the
/// address and the client's address (`client_address`), and waits when either must.
pub async fn request_reset(store: &Store, email: &Email, client_address: &str) -> Result<(), ApiError> {
    wait_then_count(store, &ThrottleKey::for_reset(email.as_str(), client_address)).await?;
    if let Some(user) = store.identity().user_by_email(email.as_str()).await? {
        let link = single_use_link(store, Purpose::PasswordReset, &user.id, email, "/reset").await?;
        let message = EmailMessage::password_reset(email, &link, language_of(&user));
        crate::email::send(store, &message).await?;
    }
    Ok(())
}

/// Sets the password from a reset link's `token`. Every session of the user ends; the
/// link is used up; the address counts as confirmed (the link reached it).
pub async fn reset(store: &Store, token: &str, password: &Password) -> Result<(), ApiError> {
    let hash = hash_password(password);
    let IssuedToken { user_id, email, .. } =
        store.identity().consume_token(&token_digest(token), Purpose::PasswordReset.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    store
        .audit().audited_user(&user_id, &actor(&user_id), "user.password_reset", async |store| {
            store.identity().set_password(&user_id, &hash).await?;
            match &email {
                Some(email) => store.identity().confirm_email(&user_id, email).await.map(|_| ()),
                None => Ok(()),
            }
        })
        .await?;
    let user = store.identity().user(&user_id).await?.ok_or_else(invalid_token)?;
    // The link reached the owner: a new browser need not wait out a stranger's failures.
    forget(store, (ThrottleKey::Account, &user.email)).await?;
    crate::email::send(store, &EmailMessage::password_changed(&email_of(&user)?, language_of(&user))).await?;
    Ok(())
}

/// Changes the password of the signed-in user, who gives the current one. Ends every
/// session of the user, `session_token`'s too; this browser goes on in a new one.
pub async fn change(store: &Store, client: &Client, session_token: &str, user: &UserRecord, current: &str, new: &Password) -> Result<StartedSession, ApiError> {
    check_current_password(store, client, user, current).await?;
    let hash = hash_password(new);
    store.audit().audited_user(&user.id, &actor(&user.id), "user.password_changed", async |store| store.identity().set_password(&user.id, &hash).await).await?;
    crate::session::delete(session_token).await?;
    crate::email::send(store, &EmailMessage::password_changed(&email_of(user)?, language_of(user))).await?;
    // This browser goes on, in the new epoch.
    let user = store.identity().user(&user.id).await?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    start_session(store, client, &user, false).await
}

/// The current password, checked under the same throttle as a login (a stolen session
/// must not become a way to guess it): 403 `WrongPassword`.
pub(super) async fn check_current_password(store: &Store, client: &Client, user: &UserRecord, candidate: &str) -> Result<(), ApiError> {
    let counted = login_client(client, Some(user), &user.email).await?;
    let wrong = ApiError::named(403, ErrorName::WrongPassword, "the current password is wrong");
    throttled_check(store, &counted, wrong, async || Ok(user.password_hash.as_deref().is_some_and(|hash| verify_password(candidate, hash)))).await
}
