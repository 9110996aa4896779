//! Sessions of signed-in users, in Spin's key-value store (they are many, short-lived and
//! read on every request; nothing joins on them). Only the SHA-256 of the cookie's token
//! is a key, so a copy of the store signs no one in. Expiry is domain::session's rule,
//! checked on every read.

use domain::session::{token_digest, Session, SESSION_ABSOLUTE_SECONDS};
use spin_sdk::key_value::Store as Kv;

/// How stale `last_seen_at` may get before a request writes it back: idle expiry is
/// hours, so a write per request would be waste.
const TOUCH_AFTER_SECONDS: i64 = 300;

fn key(token: &str) -> String {
    format!("session:{}", token_digest(token))
}

fn kv() -> Result<Kv, String> {
    Kv::open_default().map_err(|e| format!("key-value store: {e:?}"))
}

/// Stores a new session under a new token and returns the token (for the cookie).
pub fn create(session: &Session) -> Result<String, String> {
    let token = domain::session::new_secret_token();
    save(&token, session)?;
    Ok(token)
}

pub fn save(token: &str, session: &Session) -> Result<(), String> {
    kv()?.set_json(key(token), session).map_err(|e| format!("key-value store: {e:?}"))
}

/// The live session of a token: `None` when unknown, unreadable or expired (an expired
/// one is deleted on the way). Touches it when its last use is a while ago.
pub fn load(token: &str, now: i64) -> Result<Option<Session>, String> {
    let store = kv()?;
    let key = key(token);
    let session: Option<Session> = store.get_json(&key).unwrap_or(None);
    let Some(session) = session else { return Ok(None) };
    if session.is_expired(now) {
        let _ = store.delete(&key);
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_AFTER_SECONDS {
        let touched = session.touched(now);
        store.set_json(&key, &touched).map_err(|e| format!("key-value store: {e:?}"))?;
        return Ok(Some(touched));
    }
    Ok(Some(session))
}

pub fn delete(token: &str) -> Result<(), String> {
    kv()?.delete(&key(token)).map_err(|e| format!("key-value store: {e:?}"))
}

/// Seconds a new session's cookie lives (the absolute limit).
pub const COOKIE_SECONDS: i64 = SESSION_ABSOLUTE_SECONDS;
