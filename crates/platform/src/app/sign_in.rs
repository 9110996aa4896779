//! Signing in: the password (`login`), then the second factor when two-factor is on
//! (`second_step`); the sessions they start, and the known device a full sign-in makes of
//! the browser; the login alert; the user behind a session; signing out.
//!
//! Failures make the next attempt wait (domain::identity::throttle: capped at 15 minutes, forgotten
//! after a day), counted per client: a browser the user has signed in on before by its
//! own failures, anyone else per e-mail address and client address. So guessing is slow,
//! and a stranger's failures never keep the owner out of their own browser.

use super::profile::{profile, Profile};
use super::throttle::{forget, login_client, throttled_check};
use super::two_factor::{checked_second_factor, SecondFactor};
use super::{email_of, language_of, Client};
use crate::http::internal;
use crate::ids::now_seconds;
use crate::store::{Store, UserRecord};
use domain::api::error::{ApiError, ErrorName};
use domain::identity::person::{dummy_verify, verify_password, Email};
use domain::identity::onetime::EmailMessage;
use domain::identity::session::{new_secret_token, KnownDevice, Session};

/// A session just started, for the component to set in cookies and answer with.
pub struct StartedSession {
    /// The session cookie's token.
    pub token: String,
    /// The client sends it back on every state-changing request.
    pub csrf_token: String,
    /// The password was right and only the second step may follow.
    pub two_factor_pending: bool,
    /// The user's profile, once fully signed in.
    pub profile: Option<Profile>,
    /// Once fully signed in: the token of the browser's new known-device cookie (the
    /// device it held before is forgotten).
    pub device_token: Option<String>,
}

/// Password first; with two-factor on, the session can only finish the second step.
pub async fn login(store: &Store, client: &Client, email: &Email, password: &str) -> Result<StartedSession, ApiError> {
    let user = store.identity().user_by_email(email.as_str()).await?;
    let counted = login_client(client, user.as_ref(), email.as_str()).await?;
    let invalid = ApiError::named(401, ErrorName::InvalidCredentials, "the e-mail address or the password is wrong");
    let check = async || {
        Ok(match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(hash) => verify_password(password, hash),
            None => {
                // The same work as a real check, so timing does not tell who has a user.
                dummy_verify(password);
                false
            }
        })
    };
    throttled_check(store, &counted, invalid, check).await?;
    let user = user.ok_or_else(|| internal("a password was accepted without a user"))?;
    let two_factor = user.totp_enabled_at.is_some();
    if !two_factor {
        forget(store, counted.forgotten_on_success()).await?;
        login_alert(store, client, &user).await?;
    }
    start_session(store, client, &user, two_factor).await
}

/// The user of a session half-way through sign-in (`token` is its cookie's): 409 when it
/// is signed in already, and 401 once a password change or reset since the first step
/// ended it as it ends every other (the session is then deleted).
pub async fn awaiting_second_factor(store: &Store, token: &str, session: &Session) -> Result<UserRecord, ApiError> {
    if !session.two_factor_pending {
        return Err(ApiError::named(409, ErrorName::AlreadySignedIn, "this session is already signed in"));
    }
    match session_user(store, session).await {
        Ok(user) => Ok(user),
        Err(ended) => {
            crate::session::delete(token).await?;
            Err(ended)
        }
    }
}

/// The login's second step, for the user of a half-signed-in session (`token`).
pub async fn second_step(store: &Store, client: &Client, token: &str, user: &UserRecord, factor: &SecondFactor) -> Result<StartedSession, ApiError> {
    let wrong = ApiError::named(401, ErrorName::InvalidCode, "the code is wrong or was used already");
    checked_second_factor(store, client, user, factor, wrong).await?;
    // A new token for the signed-in session: the half-signed-in one is never promoted.
    crate::session::delete(token).await?;
    let counted = login_client(client, Some(user), &user.email).await?;
    forget(store, counted.forgotten_on_success()).await?;
    login_alert(store, client, user).await?;
    start_session(store, client, user, false).await
}

/// Ends the session of the cookie's `token` (the browser stays a known device).
pub async fn sign_out(token: &str) -> Result<(), ApiError> {
    Ok(crate::session::delete(token).await?)
}

/// The user of a session, signed in or half-way through two-factor: 401 once a password
/// change or reset has ended it (its epoch is not the user's).
pub async fn session_user(store: &Store, session: &Session) -> Result<UserRecord, ApiError> {
    let ended = || ApiError::unauthorized("the session has ended; sign in again");
    let user = store.identity().user(&session.user_id).await?.ok_or_else(ended)?;
    if session.epoch != user.session_epoch {
        return Err(ended());
    }
    Ok(user)
}

/// A new session for the user, with the CSRF token the client sends back on every
/// state-changing request. A full sign-in also makes the browser a known device of the
/// user (a new one, replacing the one it held).
pub(super) async fn start_session(store: &Store, client: &Client, user: &UserRecord, two_factor_pending: bool) -> Result<StartedSession, ApiError> {
    let now = now_seconds();
    let csrf_token = new_secret_token();
    let session = Session::new(&user.id, &csrf_token, now, two_factor_pending).in_epoch(user.session_epoch);
    let token = crate::session::create(&session).await?;
    let mut started = StartedSession { token, csrf_token, two_factor_pending, profile: None, device_token: None };
    if two_factor_pending {
        return Ok(started);
    }
    started.profile = Some(profile(store, user).await?);
    if let Some(old) = &client.device_token {
        crate::session::delete_device(old).await?;
    }
    started.device_token = Some(crate::session::create_device(&KnownDevice::new(&user.id, user.session_epoch, now)).await?);
    Ok(started)
}

/// The e-mail a user who asked for it gets at every sign-in.
async fn login_alert(store: &Store, client: &Client, user: &UserRecord) -> Result<(), ApiError> {
    if !user.login_alerts {
        return Ok(());
    }
    let email = email_of(user)?;
    let at = crate::store::timestamp(crate::ids::now_utc());
    let message = EmailMessage::login_alert(&email, &email, &client.address, &at, language_of(user));
    Ok(crate::email::send(store, &message).await?)
}
