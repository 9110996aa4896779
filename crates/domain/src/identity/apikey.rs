//! API keys: random secrets shown once; only their SHA-256 is stored.
//!
//! A fast hash is right here (unlike passwords): keys carry 192 bits of randomness, so
//! there is nothing to brute-force, and every API request must look one up.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

const PREFIX: &str = "sk_";
/// Random bytes in a key.
pub const KEY_BYTES: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// Shown to the operator once, never stored.
    pub secret: String,
    pub hash: String,
    /// The first characters, stored so people can tell keys apart in lists.
    pub hint: String,
}

/// Builds a key from caller-supplied randomness (the domain does no I/O).
pub fn new_api_key(random: [u8; KEY_BYTES]) -> NewApiKey {
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
    NewApiKey { hash: hash_api_key(&secret), hint: secret[..PREFIX.len() + 6].to_owned(), secret }
}

pub fn hash_api_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The key in `Authorization: Bearer <key>`, if the header has that shape.
pub fn bearer_token(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_hashed() {
        let a = new_api_key([1; KEY_BYTES]);
        let b = new_api_key([2; KEY_BYTES]);
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with("sk_"));
        assert_eq!(a.secret.len(), 3 + 32);
        assert_eq!(a.hash, hash_api_key(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.secret));
        assert!(a.secret.starts_with(&a.hint));
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(Some("Bearer sk_abc")), Some("sk_abc"));
        assert_eq!(bearer_token(Some("bearer  sk_abc ")), Some("sk_abc"));
        assert_eq!(bearer_token(Some("Basic xyz")), None);
        assert_eq!(bearer_token(Some("Bearer")), None);
        assert_eq!(bearer_token(None), None);
    }
}
