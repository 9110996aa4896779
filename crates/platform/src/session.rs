//! Sessions of signed-in users, and the browsers they signed in on (known devices), in
//! Spin's key-value store (they are many, short-lived and read by key; nothing joins on
//! them). Only the SHA-256 of a cookie's token is a key, so a copy of the store signs no
//! one in. Expiry is domain::identity::session's rule, checked on every read.

use crate::host::{HostError, KeyValue};
use domain::identity::session::{token_digest, KnownDevice, Session, SESSION_ABSOLUTE_SECONDS};

/// How stale `last_seen_at` may get before a request writes it back: idle expiry is
/// hours, so a write per request would be waste.
const TOUCH_AFTER_SECONDS: i64 = 300;

fn key(token: &str) -> String {
    format!("session:{}", token_digest(token))
}

/// Stores a new session under a new token and returns the token (for the cookie).
pub async fn create(session: &Session) -> Result<String, HostError> {
    let token = domain::identity::session::new_secret_token();
    save(&token, session).await?;
    Ok(token)
}

pub async fn save(token: &str, session: &Session) -> Result<(), HostError> {
    let value = serde_json::to_vec(session).map_err(|e| HostError(format!("session: {e}")))?;
    KeyValue::open_default().await?.set(&key(token), &value).await
}

/// The live session of a token: `None` when unknown, unreadable or expired (an expired
/// one is deleted on the way). Touches it when its last use is a while ago.
pub async fn load(token: &str, now: i64) -> Result<Option<Session>, HostError> {
    let store = KeyValue::open_default().await?;
    let key = key(token);
    let session: Option<Session> = store.get(&key).await?.and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let Some(session) = session else { return Ok(None) };
    if session.is_expired(now) {
        let _ = store.delete(&key).await;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_AFTER_SECONDS {
        let touched = session.touched(now);
        let value = serde_json::to_vec(&touched).map_err(|e| HostError(format!("session: {e}")))?;
        store.set(&key, &value).await?;
        return Ok(Some(touched));
    }
    Ok(Some(session))
}

pub async fn delete(token: &str) -> Result<(), HostError> {
    KeyValue::open_default().await?.delete(&key(token)).await
}

/// Seconds a new session's cookie lives (the absolute limit).
pub const COOKIE_SECONDS: i64 = SESSION_ABSOLUTE_SECONDS;

fn device_key(token: &str) -> String {
    format!("device:{}", token_digest(token))
}

/// Stores a new known device under a new token and returns the token (for its cookie).
pub async fn create_device(device: &KnownDevice) -> Result<String, HostError> {
    let token = domain::identity::session::new_secret_token();
    let value = serde_json::to_vec(device).map_err(|e| HostError(format!("device: {e}")))?;
    KeyValue::open_default().await?.set(&device_key(&token), &value).await?;
    Ok(token)
}

/// The known device a cookie's token names, if any (whether it vouches for a user is
/// domain::identity::session's rule, for the caller to ask).
pub async fn load_device(token: &str) -> Result<Option<KnownDevice>, HostError> {
    let bytes = KeyValue::open_default().await?.get(&device_key(token)).await?;
    Ok(bytes.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

pub async fn delete_device(token: &str) -> Result<(), HostError> {
    KeyValue::open_default().await?.delete(&device_key(token)).await
}
