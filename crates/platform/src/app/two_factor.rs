//! Two-factor authentication (TOTP): turning it on (a new secret, on from its first
//! code, with recovery codes), turning it off, new recovery codes; and the check of a
//! second factor that these and the login's second step make, under the throttle.

use super::password::check_current_password;
use super::throttle::{login_client, throttled_check};
use super::{actor, Client};
use crate::ids::now_seconds;
use crate::store::{Store, UserRecord};
use domain::api::error::{ApiError, ErrorName};
use domain::carriers::sealed::{at_rest, in_clear, is_sealed, user_purpose};
use domain::identity::totp::{generate_recovery_codes, hash_recovery_code, provisioning_uri, verify_code, TotpSecret};
use serde::Deserialize;

/// A second factor as sent: a code from the authenticator app or a recovery code, one of
/// them (checked with the factor, so a throttled client hears 429 first).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondFactor {
    pub code: Option<String>,
    pub recovery_code: Option<String>,
}

impl SecondFactor {
    fn code(code: &str) -> SecondFactor {
        SecondFactor { code: Some(code.to_owned()), recovery_code: None }
    }
}

/// A new TOTP secret, not on yet.
pub struct NewSecret {
    /// Base32, for typing in.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub provisioning_uri: String,
}

/// A new secret, not yet on: it is turned on by the first code from it. Needs the
/// current password.
pub async fn begin(store: &Store, client: &Client, user: &UserRecord, password: &str) -> Result<NewSecret, ApiError> {
    if user.totp_enabled_at.is_some() {
        return Err(ApiError::named(409, ErrorName::TwoFactorEnabled, "two-factor authentication is on already; turn it off first"));
    }
    check_current_password(store, client, user, password).await?;
    let secret = TotpSecret::generate();
    store.identity().begin_totp(&user.id, &totp_at_rest(&user.id, &secret).await).await?;
    let issuer = crate::config::get_or("totp_issuer", "smsedge").await;
    Ok(NewSecret { secret: secret.to_base32(), provisioning_uri: provisioning_uri(&secret, &issuer, &user.email) })
}

/// Turns two-factor on with the first code from the new secret; the answer is the
/// recovery codes, which exist only now.
pub async fn confirm(store: &Store, client: &Client, user: &UserRecord, code: &str) -> Result<Vec<String>, ApiError> {
    if user.totp_enabled_at.is_some() {
        return Err(ApiError::named(409, ErrorName::TwoFactorEnabled, "two-factor authentication is on already"));
    }
    if user.totp_secret.is_none() {
        return Err(ApiError::named(409, ErrorName::TwoFactorNotBegun, "begin with POST /v1/me/2fa"));
    }
    let wrong = ApiError::rejected(ErrorName::InvalidCode, "the code is wrong; check the authenticator app's clock");
    checked_second_factor(store, client, user, &SecondFactor::code(code), wrong).await?;
    let (codes, digests) = recovery_codes();
    store.audit().audited_user(&user.id, &actor(&user.id), "user.two_factor_enabled", async |store| store.identity().enable_totp(&user.id, &digests).await).await?;
    Ok(codes)
}

/// Turns two-factor off, with a code or a recovery code.
pub async fn disable(store: &Store, client: &Client, user: &UserRecord, factor: &SecondFactor) -> Result<(), ApiError> {
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(409, ErrorName::TwoFactorDisabled, "two-factor authentication is off"));
    }
    let wrong = ApiError::rejected(ErrorName::InvalidCode, "the code is wrong or was used already");
    checked_second_factor(store, client, user, factor, wrong).await?;
    store.audit().audited_user(&user.id, &actor(&user.id), "user.two_factor_disabled", async |store| store.identity().disable_totp(&user.id).await).await?;
    Ok(())
}

/// New recovery codes for a code from the app; the earlier ones stop working.
pub async fn new_recovery_codes(store: &Store, client: &Client, user: &UserRecord, code: &str) -> Result<Vec<String>, ApiError> {
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(409, ErrorName::TwoFactorDisabled, "two-factor authentication is off"));
    }
    let wrong = ApiError::rejected(ErrorName::InvalidCode, "the code is wrong or was used already");
    checked_second_factor(store, client, user, &SecondFactor::code(code), wrong).await?;
    let (codes, digests) = recovery_codes();
    store.identity().replace_recovery_codes(&user.id, &digests).await?;
    Ok(codes)
}

/// New recovery codes, and the digests of them that are stored.
fn recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes = generate_recovery_codes();
    let digests = codes.iter().map(|c| hash_recovery_code(c)).collect();
    (codes, digests)
}

/// A second factor of a signed-in (or half-signed-in) user, checked under the throttle:
/// the login's second step and every change that needs a code.
pub(super) async fn checked_second_factor(store: &Store, client: &Client, user: &UserRecord, factor: &SecondFactor, wrong: ApiError) -> Result<(), ApiError> {
    let counted = login_client(client, Some(user), &user.email).await?;
    throttled_check(store, &counted, wrong, async || second_factor_ok(store, user, factor).await).await
}

/// Checks a TOTP code (each time step once) or spends a recovery code.
async fn second_factor_ok(store: &Store, user: &UserRecord, factor: &SecondFactor) -> Result<bool, ApiError> {
    match (&factor.code, &factor.recovery_code) {
        (Some(code), None) => {
            let Some(secret) = totp_in_clear(store, user).await else { return Ok(false) };
            match verify_code(&secret, code, now_seconds() as u64, None) {
                Some(step) => Ok(store.identity().use_totp_step(&user.id, step).await?),
                None => Ok(false),
            }
        }
        (None, Some(code)) => Ok(store.identity().use_recovery_code(&user.id, &hash_recovery_code(code)).await?),
        _ => Err(ApiError::malformed("give either code (from the authenticator app) or recovery_code")),
    }
}

/// A TOTP secret as it is stored: sealed under `secrets_key`, bound to its user (as given
/// only where no key is set: development without one).
pub(crate) async fn totp_at_rest(user_id: &str, secret: &TotpSecret) -> String {
    at_rest(crate::config::secrets_key().await.ok().as_ref(), &secret.to_base32(), &user_purpose(user_id, "totp_secret"))
}

/// A user's TOTP secret in the clear; one stored before sealing is sealed now. `None`:
/// none begun, or it cannot be opened (another `secrets_key`: logged).
async fn totp_in_clear(store: &Store, user: &UserRecord) -> Option<TotpSecret> {
    let stored = user.totp_secret.as_deref()?;
    let key = crate::config::secrets_key().await.ok();
    let purpose = user_purpose(&user.id, "totp_secret");
    let base32 = match in_clear(key.as_ref(), stored, &purpose) {
        Ok(base32) => base32,
        Err(e) => {
            eprintln!("the two-factor secret of {} cannot be used: {e}", user.id);
            return None;
        }
    };
    if let (Some(key), false) = (&key, is_sealed(stored)) {
        if let Err(e) = store.identity().reseal_totp(&user.id, stored, &key.seal(&base32, &purpose)).await {
            eprintln!("the two-factor secret of {} stays unsealed for now: {e}", user.id);
        }
    }
    TotpSecret::from_base32(&base32)
}
