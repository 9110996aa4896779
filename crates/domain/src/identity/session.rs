//! Portal sessions: the cookie, random tokens and the expiry rules.
//!
//! The browser holds a random token; the server stores only its SHA-256 digest
//! ([`token_digest`]), so a leaked sessions table logs nobody in. A session ends after
//! 12 hours without a request or 7 days after sign-in, whichever comes first.

use crate::identity::person::fill_random;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "smsedge_session";
/// A session unused this long is over.
pub const SESSION_IDLE_SECONDS: i64 = 12 * 3600;
/// No session lives longer than this from sign-in, however busy.
pub const SESSION_ABSOLUTE_SECONDS: i64 = 7 * 24 * 3600;

/// 32 random bytes (256 bits), base64url without padding (43 characters): session, CSRF,
/// password-reset, invitation and confirmation tokens.
pub fn new_secret_token() -> String {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored instead of a token: SHA-256, lowercase hex. A fast hash is enough for
/// 256 random bits; looking a token up is then one indexed equality.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A signed-in browser.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    /// Sent back in forms and `X-CSRF-Token` on every state-changing request.
    pub csrf_token: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last request.
    pub last_seen_at: i64,
    /// Password accepted, TOTP code not yet: the session may only finish the second step.
    pub two_factor_pending: bool,
    /// The user's session epoch at sign-in: a password change or reset moves the
    /// user's epoch on, which ends every session begun before it.
    #[serde(default)]
    pub epoch: i64,
}

impl Session {
    /// A session that has just signed in.
    pub fn new(user_id: impl Into<String>, csrf_token: impl Into<String>, now: i64, two_factor_pending: bool) -> Session {
        Session { user_id: user_id.into(), csrf_token: csrf_token.into(), created_at: now, last_seen_at: now, two_factor_pending, epoch: 0 }
    }

    /// The same session, of the user's session epoch `epoch`.
    pub fn in_epoch(self, epoch: i64) -> Session {
        Session { epoch, ..self }
    }

    /// Over: idle for [`SESSION_IDLE_SECONDS`] or older than [`SESSION_ABSOLUTE_SECONDS`].
    pub fn is_expired(&self, now: i64) -> bool {
        now.saturating_sub(self.last_seen_at) >= SESSION_IDLE_SECONDS
            || now.saturating_sub(self.created_at) >= SESSION_ABSOLUTE_SECONDS
    }

    /// The session as seen at `now` (a clock that went backwards does not move it back).
    pub fn touched(&self, now: i64) -> Session {
        Session { last_seen_at: now.max(self.last_seen_at), ..self.clone() }
    }

    /// When it ends if no further request comes (Unix seconds).
    pub fn expires_at(&self) -> i64 {
        (self.last_seen_at + SESSION_IDLE_SECONDS).min(self.created_at + SESSION_ABSOLUTE_SECONDS)
    }
}

/// `Set-Cookie` for a new session: not readable by scripts, sent on top-level navigations
/// from other sites but not their forms or fetches (Lax), for the absolute lifetime.
/// `secure` adds `Secure` (HTTPS deployments; plain-HTTP localhost needs it off).
pub fn set_cookie(token: &str, secure: bool) -> String {
    let mut cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_ABSOLUTE_SECONDS}");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// `Set-Cookie` that deletes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let mut cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The cookie that marks a browser a user has signed in on before (see [`KnownDevice`]).
pub const DEVICE_COOKIE: &str = "smsedge_device";
/// A known device is forgotten this long after its last sign-in (each one renews it).
pub const KNOWN_DEVICE_SECONDS: i64 = 90 * 24 * 3600;

/// A browser a user has fully signed in on (password and, when on, the second factor). It
/// holds a random token in [`DEVICE_COOKIE`]; the server keeps this record under the
/// token's digest. Its holder's failed sign-ins for that user are counted on their own
/// (domain::identity::throttle), so a stranger's failures elsewhere do not keep the owner out.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct KnownDevice {
    pub user_id: String,
    /// The user's session epoch at sign-in: a password change or reset forgets every
    /// device, as it ends every session.
    pub epoch: i64,
    /// Unix seconds of the sign-in that made it.
    pub created_at: i64,
}

impl KnownDevice {
    pub fn new(user_id: impl Into<String>, epoch: i64, now: i64) -> KnownDevice {
        KnownDevice { user_id: user_id.into(), epoch, created_at: now }
    }

    /// Whether the holder counts as this user's own device at `now`: the same user, no
    /// password change or reset since, and not older than [`KNOWN_DEVICE_SECONDS`].
    pub fn vouches_for(&self, user_id: &str, epoch: i64, now: i64) -> bool {
        self.user_id == user_id && self.epoch == epoch && now.saturating_sub(self.created_at) < KNOWN_DEVICE_SECONDS
    }
}

/// `Set-Cookie` for a known device: scripts cannot read it, and no other site's request
/// carries it (Strict: it is only needed on the portal's own sign-in calls).
pub fn set_device_cookie(token: &str, secure: bool) -> String {
    let mut cookie = format!("{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={KNOWN_DEVICE_SECONDS}");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The value of cookie `name` in a `Cookie` request header (`a=1; b=2`), the first if it
/// appears twice; surrounding spaces and RFC 6265 double quotes removed. Pairs without `=`
/// are skipped; an empty value is `None`.
pub fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        if key.trim() != name {
            return None;
        }
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        (!value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_base64url_and_digested() {
        let a = new_secret_token();
        let b = new_secret_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{a}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(token_digest(&a).len(), 64);
    }

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let s = Session::new("u1", "csrf", 1_000, false);
        assert!(!s.is_expired(1_000));
        assert!(!s.is_expired(1_000 + SESSION_IDLE_SECONDS - 1));
        assert!(s.is_expired(1_000 + SESSION_IDLE_SECONDS));
        assert_eq!(s.expires_at(), 1_000 + SESSION_IDLE_SECONDS);
        // Busy all week: still over after seven days.
        let mut busy = s.clone();
        let mut now = 1_000;
        while now < 1_000 + SESSION_ABSOLUTE_SECONDS - 3600 {
            now += 3600;
            assert!(!busy.is_expired(now), "{now}");
            busy = busy.touched(now);
        }
        assert!(busy.is_expired(1_000 + SESSION_ABSOLUTE_SECONDS));
        assert_eq!(busy.expires_at(), 1_000 + SESSION_ABSOLUTE_SECONDS);
        assert_eq!(busy.created_at, 1_000);
        assert_eq!(s.touched(500).last_seen_at, 1_000, "the clock went back");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), s);
    }

    #[test]
    fn cookies_are_set_and_cleared() {
        assert_eq!(set_cookie("tok", false), "smsedge_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800");
        assert_eq!(set_cookie("tok", true), "smsedge_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800; Secure");
        assert_eq!(clear_cookie(false), "smsedge_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        assert!(clear_cookie(true).ends_with("; Max-Age=0; Secure"));
    }

    #[test]
    fn a_known_device_vouches_for_its_user_in_its_epoch_for_ninety_days() {
        let device = KnownDevice::new("u1", 3, 1_000);
        assert!(device.vouches_for("u1", 3, 1_000));
        assert!(device.vouches_for("u1", 3, 1_000 + KNOWN_DEVICE_SECONDS - 1));
        assert!(!device.vouches_for("u1", 3, 1_000 + KNOWN_DEVICE_SECONDS), "too old");
        assert!(!device.vouches_for("u2", 3, 1_000), "another user's device");
        assert!(!device.vouches_for("u1", 4, 1_000), "a password change or reset since");
        let json = serde_json::to_string(&device).unwrap();
        assert_eq!(serde_json::from_str::<KnownDevice>(&json).unwrap(), device);
        assert_eq!(set_device_cookie("tok", false), "smsedge_device=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=7776000");
        assert!(set_device_cookie("tok", true).ends_with("; Secure"));
        assert_eq!(cookie_value("smsedge_session=s; smsedge_device=d", DEVICE_COOKIE), Some("d"));
    }

    #[test]
    fn cookie_headers_are_read() {
        assert_eq!(cookie_value("smsedge_session=abc", SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value("a=1; smsedge_session=abc; b=2", SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value("a=1;smsedge_session=abc;b=2", SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value("  smsedge_session = abc  ;", SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value("smsedge_session=\"abc\"", SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value("smsedge_session=a=b", SESSION_COOKIE), Some("a=b"), "base64 padding would be kept");
        assert_eq!(cookie_value("smsedge_session=first; smsedge_session=second", SESSION_COOKIE), Some("first"));
        assert_eq!(cookie_value("x_smsedge_session=abc", SESSION_COOKIE), None);
        assert_eq!(cookie_value("smsedge_sessionx=abc", SESSION_COOKIE), None);
        assert_eq!(cookie_value("smsedge_session=", SESSION_COOKIE), None);
        assert_eq!(cookie_value("smsedge_session", SESSION_COOKIE), None);
        assert_eq!(cookie_value("", SESSION_COOKIE), None);
        assert_eq!(cookie_value(";;; ;", SESSION_COOKIE), None);
        assert_eq!(cookie_value("garbage; smsedge_session=ok", SESSION_COOKIE), Some("ok"));
        assert_eq!(cookie_value("csrf=x; smsedge_session=abc", "csrf"), Some("x"));
    }
}
