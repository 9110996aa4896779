//! Idempotency-Key (IETF httpapi draft "The Idempotency-Key HTTP Header Field"; Stripe's
//! behaviour): a POST that creates messages or moves money, repeated with the same key
//! and the same request within 24 hours, gets the first answer again and has no second
//! effect. The same key with another request is refused (422 `IdempotencyKeyReused`).
//! Keys belong to an account: two accounts may use the same key.

use sha2::{Digest, Sha256};

/// How long a key's first answer is kept.
pub const KEY_LIFETIME_HOURS: i64 = 24;
const MAX_KEY_LENGTH: usize = 255;

/// The header's value: 1–255 visible ASCII characters (a UUID is the usual choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("Idempotency-Key is empty")]
    Empty,
    #[error("Idempotency-Key may be at most {MAX_KEY_LENGTH} characters")]
    TooLong,
    #[error("Idempotency-Key may hold only visible ASCII characters")]
    NotVisibleAscii,
}

impl IdempotencyKey {
    pub fn parse(value: &str) -> Result<IdempotencyKey, KeyError> {
        // The draft's examples quote the key (a structured-field string); both forms are taken.
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        if value.is_empty() {
            return Err(KeyError::Empty);
        }
        if value.len() > MAX_KEY_LENGTH {
            return Err(KeyError::TooLong);
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(KeyError::NotVisibleAscii);
        }
        Ok(IdempotencyKey(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A request under an Idempotency-Key: the key, and the fingerprint of what was asked
/// (method, path and body), which a reuse of the key must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    pub key: IdempotencyKey,
    pub fingerprint: String,
}

impl IdempotentRequest {
    pub fn new(key: IdempotencyKey, method: &str, path: &str, body: &[u8]) -> IdempotentRequest {
        let mut hash = Sha256::new();
        for part in [method.as_bytes(), path.as_bytes(), body] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        IdempotentRequest { key, fingerprint: hex::encode(hash.finalize()) }
    }

    /// Whether a kept answer with `fingerprint` answers this request.
    pub fn matches(&self, fingerprint: &str) -> bool {
        self.fingerprint == fingerprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert_eq!(IdempotencyKey::parse("8e03978e-40d5-43e8-bc93-6894a57f9324").unwrap().as_str(), "8e03978e-40d5-43e8-bc93-6894a57f9324");
        assert_eq!(IdempotencyKey::parse("\"abc\"").unwrap().as_str(), "abc");
        assert_eq!(IdempotencyKey::parse(""), Err(KeyError::Empty));
        assert_eq!(IdempotencyKey::parse("a b"), Err(KeyError::NotVisibleAscii));
        assert_eq!(IdempotencyKey::parse("å"), Err(KeyError::NotVisibleAscii));
        assert_eq!(IdempotencyKey::parse(&"k".repeat(256)), Err(KeyError::TooLong));
    }

    #[test]
    fn the_fingerprint_covers_method_path_and_body() {
        let key = || IdempotencyKey::parse("k1").unwrap();
        let a = IdempotentRequest::new(key(), "POST", "/v1/messages", b"{\"to\":\"+46701234567\"}");
        assert!(a.matches(&IdempotentRequest::new(key(), "POST", "/v1/messages", b"{\"to\":\"+46701234567\"}").fingerprint));
        assert!(!a.matches(&IdempotentRequest::new(key(), "POST", "/v1/messages", b"{\"to\":\"+46701234568\"}").fingerprint));
        assert!(!a.matches(&IdempotentRequest::new(key(), "POST", "/v1/topups", b"{\"to\":\"+46701234567\"}").fingerprint));
        // Boundaries are part of it: moving a byte from path to body is another request.
        assert_ne!(
            IdempotentRequest::new(key(), "POST", "/a", b"b").fingerprint,
            IdempotentRequest::new(key(), "POST", "/ab", b"").fingerprint
        );
    }
}
