//! The throttle on guessing and on what costs us (domain::identity::throttle's rules, its counts in
//! the store): every check of a user's secret (password, TOTP or recovery code) waits out
//! earlier failures and counts its own, and invitations and phone codes are rationed. A
//! client that must wait is answered 429 `TooManyAttempts` with `Retry-After`.

use super::Client;
use crate::ids::now_seconds;
use crate::store::{Store, UserRecord};
use domain::api::error::ApiError;
use domain::identity::session::token_digest;
use domain::identity::throttle::{admit, after_failure, retry_after, LoginClient, ThrottleKey};

/// 429 with `Retry-After`, for a throttled key.
fn too_many_attempts(wait: i64) -> ApiError {
    let seconds = wait.max(1) as u64;
    ApiError::too_many_attempts(format!("too many attempts; try again in {seconds} seconds")).with_retry_after(seconds)
}

/// How long the longest of the counted keys still has to wait, if any.
async fn wait_for(store: &Store, counted: &[(ThrottleKey, &str)]) -> Result<Option<i64>, ApiError> {
    let now = now_seconds();
    let mut wait = None;
    for (kind, subject) in counted {
        if let Some(state) = store.identity().login_failures(&kind.key(subject)).await? {
            wait = wait.max(retry_after(*kind, &state, now));
        }
    }
    Ok(wait)
}

/// The 429 when one of the counted keys must still wait; else each counts one more.
pub(super) async fn wait_then_count(store: &Store, counted: &[(ThrottleKey, &str)]) -> Result<(), ApiError> {
    if let Some(wait) = wait_for(store, counted).await? {
        return Err(too_many_attempts(wait));
    }
    count(store, counted).await
}

async fn count(store: &Store, counted: &[(ThrottleKey, &str)]) -> Result<(), ApiError> {
    let keys: Vec<String> = counted.iter().map(|(kind, subject)| kind.key(subject)).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    Ok(store.identity().record_login_failure(&keys, now_seconds(), after_failure).await?)
}

pub(super) async fn forget(store: &Store, (kind, subject): (ThrottleKey, &str)) -> Result<(), ApiError> {
    Ok(store.identity().clear_login_failures(&kind.key(subject)).await?)
}

/// Counts one more request against every key (domain::identity::throttle::admit): the 429 when one
/// of them must wait first, and then nothing is counted.
pub(super) async fn ration(store: &Store, keys: &[(ThrottleKey, &str)]) -> Result<(), ApiError> {
    store.identity().ration(keys, now_seconds(), admit).await?.map_err(too_many_attempts)
}

/// Who is checking a secret of `user` (or of whoever has the address `email`), for the
/// throttle: the holder of a known-device cookie that vouches for the user, or a client
/// known only by its address (domain::identity::throttle).
pub(super) async fn login_client(client: &Client, user: Option<&UserRecord>, email: &str) -> Result<LoginClient, ApiError> {
    if let (Some(user), Some(token)) = (user, client.device_token.as_deref()) {
        let device = crate::session::load_device(token).await?;
        if device.is_some_and(|d| d.vouches_for(&user.id, user.session_epoch, now_seconds())) {
            return Ok(LoginClient::KnownDevice(token_digest(token)));
        }
    }
    Ok(LoginClient::Unknown { email: email.to_owned(), address: client.address.clone() })
}

/// Every check of a user's secret goes through here: while the client must wait it is
/// not made (429 with `Retry-After`); a failed check counts against the client and is
/// `wrong`.
pub(super) async fn throttled_check(store: &Store, client: &LoginClient, wrong: ApiError, check: impl AsyncFnOnce() -> Result<bool, ApiError>) -> Result<(), ApiError> {
    let keys = client.keys();
    if let Some(wait) = wait_for(store, &keys).await? {
        return Err(too_many_attempts(wait));
    }
    if !check().await? {
        count(store, &keys).await?;
        return Err(wrong);
    }
    Ok(())
}
