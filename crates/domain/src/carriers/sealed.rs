//! Secrets at rest: carrier credentials and webhook secrets are stored sealed with
//! XChaCha20-Poly1305 under the operator's `secrets_key` (32 bytes, base64), a random
//! 24-byte nonce each, and bound to what they belong to (associated data, e.g.
//! `connection:tele2:credentials`), so a sealed value copied to another row or field does
//! not open. Stored form: `v1.` + base64(nonce ‖ ciphertext).

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const VERSION: &str = "v1.";
const NONCE_LEN: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("secrets_key is not set: carrier credentials cannot be stored or read")]
    NoKey,
    #[error("secrets_key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")]
    InvalidKey,
    #[error("a sealed secret could not be opened (another secrets_key, or not ours)")]
    CannotOpen,
}

/// The key secrets are sealed with.
#[derive(Clone)]
pub struct SecretsKey(XChaCha20Poly1305);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(…)")
    }
}

impl SecretsKey {
    /// The `secrets_key` variable: empty is [`SealError::NoKey`].
    pub fn parse(base64_text: &str) -> Result<SecretsKey, SealError> {
        let text = base64_text.trim();
        if text.is_empty() {
            return Err(SealError::NoKey);
        }
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| SealError::InvalidKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::InvalidKey)?;
        Ok(SecretsKey(XChaCha20Poly1305::new(&key.into())))
    }

    /// Seals `secret` for `purpose` with a fresh random nonce.
    pub fn seal(&self, secret: &str, purpose: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        crate::identity::person::fill_random(&mut nonce);
        self.seal_with_nonce(secret, purpose, nonce)
    }

    fn seal_with_nonce(&self, secret: &str, purpose: &str, nonce: [u8; NONCE_LEN]) -> String {
        let sealed = self
            .0
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: purpose.as_bytes() })
            .expect("XChaCha20-Poly1305 seals any length we store");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{VERSION}{}", base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Opens what [`SecretsKey::seal`] sealed for the same `purpose`.
    pub fn open(&self, stored: &str, purpose: &str) -> Result<String, SealError> {
        let encoded = stored.strip_prefix(VERSION).ok_or(SealError::CannotOpen)?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| SealError::CannotOpen)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::CannotOpen);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let opened = self
            .0
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: purpose.as_bytes() })
            .map_err(|_| SealError::CannotOpen)?;
        String::from_utf8(opened).map_err(|_| SealError::CannotOpen)
    }
}

/// What a connection's secret is sealed for: its name and which secret it is.
pub fn purpose(connection: &str, field: &str) -> String {
    format!("connection:{connection}:{field}")
}

/// What an account's secret is sealed for (e.g. `account:acc_…:webhook_secret`).
pub fn account_purpose(account_id: &str, field: &str) -> String {
    format!("account:{account_id}:{field}")
}

/// What a user's secret is sealed for (e.g. `user:usr_…:totp_secret`).
pub fn user_purpose(user_id: &str, field: &str) -> String {
    format!("user:{user_id}:{field}")
}

/// A secret the platform must use again (to sign with), as it is stored: sealed under
/// `key`, or — only where no `secrets_key` is set (development without one) — as given.
pub fn at_rest(key: Option<&SecretsKey>, secret: &str, purpose: &str) -> String {
    match key {
        Some(key) => key.seal(secret, purpose),
        None => secret.to_owned(),
    }
}

/// Whether a stored secret is sealed (else it predates sealing, or no key was set).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(VERSION)
}

/// A stored secret in the clear: opened when sealed, as stored when it is not.
pub fn in_clear(key: Option<&SecretsKey>, stored: &str, purpose: &str) -> Result<String, SealError> {
    match (is_sealed(stored), key) {
        (false, _) => Ok(stored.to_owned()),
        (true, Some(key)) => key.open(stored, purpose),
        (true, None) => Err(SealError::NoKey),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes

    #[test]
    fn an_accounts_secret_is_stored_sealed_when_there_is_a_key_and_read_back_either_way() {
        let key = SecretsKey::parse(KEY).unwrap();
        let purpose = account_purpose("acc_1", "webhook_secret");
        let stored = at_rest(Some(&key), "whsec_abc", &purpose);
        assert!(is_sealed(&stored) && !stored.contains("whsec_abc"));
        assert_eq!(in_clear(Some(&key), &stored, &purpose).unwrap(), "whsec_abc");
        assert_eq!(in_clear(Some(&key), &stored, &account_purpose("acc_2", "webhook_secret")), Err(SealError::CannotOpen));
        assert_eq!(in_clear(None, &stored, &purpose), Err(SealError::NoKey));
        // Stored before sealing (or without a key): read as it is.
        assert_eq!(at_rest(None, "whsec_abc", &purpose), "whsec_abc");
        assert_eq!(in_clear(Some(&key), "whsec_abc", &purpose).unwrap(), "whsec_abc");
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_purpose() {
        let key = SecretsKey::parse(KEY).unwrap();
        let sealed = key.seal("key:secret", "connection:a:credentials");
        assert!(sealed.starts_with("v1.") && !sealed.contains("secret"));
        assert_eq!(key.open(&sealed, "connection:a:credentials").unwrap(), "key:secret");
        assert_eq!(key.open(&sealed, "connection:b:credentials"), Err(SealError::CannotOpen));
        let other = SecretsKey::parse("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=").unwrap();
        assert_eq!(other.open(&sealed, "connection:a:credentials"), Err(SealError::CannotOpen));
        assert_eq!(key.open("v1.AAAA", "x"), Err(SealError::CannotOpen));
        assert_eq!(key.open("plain", "x"), Err(SealError::CannotOpen));
    }

    #[test]
    fn every_seal_takes_a_fresh_nonce() {
        let key = SecretsKey::parse(KEY).unwrap();
        assert_ne!(key.seal("same", "p"), key.seal("same", "p"));
        // The same nonce gives the same text: the nonce is all that differs.
        assert_eq!(key.seal_with_nonce("same", "p", [7; 24]), key.seal_with_nonce("same", "p", [7; 24]));
    }

    #[test]
    fn keys_are_32_bytes_of_base64() {
        assert_eq!(SecretsKey::parse("").unwrap_err(), SealError::NoKey);
        assert_eq!(SecretsKey::parse("c2hvcnQ=").unwrap_err(), SealError::InvalidKey);
        assert_eq!(SecretsKey::parse("not base64!").unwrap_err(), SealError::InvalidKey);
    }
}
