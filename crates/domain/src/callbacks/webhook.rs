//! Signing the callbacks we send to customers, by Standard Webhooks
//! (<https://www.standardwebhooks.com/>), so any of its libraries can verify them.
//!
//! Three headers travel with each callback: `webhook-id` (the event id, the same on every
//! retry, so receivers can de-duplicate), `webhook-timestamp` (unix seconds of this
//! attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` over
//! `"{id}.{timestamp}.{body}"`). Binding id and time into the MAC stops replays; the
//! signature header may hold several space-separated signatures, so a secret can be
//! rotated without a gap. Secrets are `whsec_` + base64 of 24–64 random bytes.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far a signed timestamp may be from the receiver's clock, either way.
pub const TOLERANCE_SECONDS: i64 = 300;
const PREFIX: &str = "whsec_";
/// The spec's bounds on secret size: at least 192 bits, at most 512.
pub const MIN_SECRET_BYTES: usize = 24;
pub const MAX_SECRET_BYTES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("a webhook secret is 'whsec_' followed by base64")]
    MalformedSecret,
    #[error("a webhook secret must be {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes; this one is {0}")]
    SecretLength(usize),
    #[error("the webhook-timestamp is more than {TOLERANCE_SECONDS} s from now")]
    Stale,
    #[error("the webhook-signature header holds no v1 signature")]
    NoSignature,
    #[error("no webhook signature matches the body")]
    Mismatch,
}

/// A customer's signing secret. Its Debug output hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Reads `whsec_<base64>`. The prefix may be left out, as the spec's libraries allow.
    pub fn parse(input: &str) -> Result<WebhookSecret, WebhookError> {
        let input = input.trim();
        let encoded = input.strip_prefix(PREFIX).unwrap_or(input);
        let key = STANDARD.decode(encoded).map_err(|_| WebhookError::MalformedSecret)?;
        WebhookSecret::from_random_bytes(&key)
    }

    /// A new secret from caller-supplied randomness (the domain does no I/O); 32 bytes
    /// is a good size.
    pub fn from_random_bytes(key: &[u8]) -> Result<WebhookSecret, WebhookError> {
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
            return Err(WebhookError::SecretLength(key.len()));
        }
        Ok(WebhookSecret(key.to_vec()))
    }

    fn mac(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// `whsec_<base64>`: the form shown to the customer and stored.
impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", STANDARD.encode(&self.0))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// The `webhook-signature` value: `v1,<base64 HMAC-SHA256(key, "{msg_id}.{timestamp}.{body}")>`.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1,{}", STANDARD.encode(secret.mac(msg_id, timestamp, body).finalize().into_bytes()))
}

/// The three headers for one delivery attempt, signed with every given secret (two
/// during a rotation, so receivers on either secret accept).
pub fn headers(secrets: &[&WebhookSecret], msg_id: &str, timestamp: i64, body: &[u8]) -> [(&'static str, String); 3] {
    let signatures: Vec<String> = secrets.iter().map(|s| sign(s, msg_id, timestamp, body)).collect();
    [
        (HEADER_ID, msg_id.to_owned()),
        (HEADER_TIMESTAMP, timestamp.to_string()),
        (HEADER_SIGNATURE, signatures.join(" ")),
    ]
}

/// Checks a callback as a receiver would: the timestamp within `tolerance_seconds` of
/// `now`, and any one `v1,` signature in the space-separated header matching (compared
/// in constant time). Signatures of other versions are skipped, as the spec asks.
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    signature_header: &str,
    now: i64,
    tolerance_seconds: i64,
) -> Result<(), WebhookError> {
    if now.abs_diff(timestamp) > tolerance_seconds.unsigned_abs() {
        return Err(WebhookError::Stale);
    }
    let candidates: Vec<Vec<u8>> = signature_header
        .split_whitespace()
        .filter_map(|sig| sig.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .collect();
    if candidates.is_empty() {
        return Err(WebhookError::NoSignature);
    }
    let expected = secret.mac(msg_id, timestamp, body);
    if candidates.iter().any(|tag| expected.clone().verify_slice(tag).is_ok()) {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector of the Standard Webhooks reference libraries.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn secret() -> WebhookSecret {
        WebhookSecret::parse(SECRET).unwrap()
    }

    #[test]
    fn official_test_vector() {
        assert_eq!(sign(&secret(), MSG_ID, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(verify(&secret(), MSG_ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP, TOLERANCE_SECONDS), Ok(()));
    }

    #[test]
    fn secrets_round_trip_and_hide_in_debug() {
        assert_eq!(secret().to_string(), SECRET);
        assert_eq!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(), secret());
        let fresh = WebhookSecret::from_random_bytes(&[7; 32]).unwrap();
        assert!(fresh.to_string().starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(&fresh.to_string()).unwrap(), fresh);
        assert_eq!(format!("{fresh:?}"), "WebhookSecret(..)");
    }

    #[test]
    fn bad_secrets_are_refused() {
        assert_eq!(WebhookSecret::parse("whsec_not base64!"), Err(WebhookError::MalformedSecret));
        assert_eq!(WebhookSecret::parse("whsec_c2hvcnQ="), Err(WebhookError::SecretLength(5)));
        assert_eq!(WebhookSecret::from_random_bytes(&[0; 23]), Err(WebhookError::SecretLength(23)));
        assert_eq!(WebhookSecret::from_random_bytes(&[0; 65]), Err(WebhookError::SecretLength(65)));
        assert!(WebhookSecret::from_random_bytes(&[0; 64]).is_ok());
    }

    #[test]
    fn tampering_and_staleness_are_caught() {
        let s = secret();
        let check = |id: &str, ts: i64, body: &[u8], header: &str, now: i64| {
            verify(&s, id, ts, body, header, now, TOLERANCE_SECONDS)
        };
        assert_eq!(check(MSG_ID, TIMESTAMP, b"{}", SIGNATURE, TIMESTAMP), Err(WebhookError::Mismatch));
        assert_eq!(check("msg_other", TIMESTAMP, BODY, SIGNATURE, TIMESTAMP), Err(WebhookError::Mismatch));
        assert_eq!(check(MSG_ID, TIMESTAMP + 1, BODY, SIGNATURE, TIMESTAMP), Err(WebhookError::Mismatch));
        assert_eq!(check(MSG_ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP + 301), Err(WebhookError::Stale));
        assert_eq!(check(MSG_ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP - 301), Err(WebhookError::Stale));
        assert_eq!(check(MSG_ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP + 300), Ok(()));
        assert_eq!(check(MSG_ID, TIMESTAMP, BODY, "", TIMESTAMP), Err(WebhookError::NoSignature));
        assert_eq!(check(MSG_ID, TIMESTAMP, BODY, "v1a,abc v2,xyz", TIMESTAMP), Err(WebhookError::NoSignature));
        let other = WebhookSecret::from_random_bytes(&[1; 32]).unwrap();
        assert_eq!(
            verify(&other, MSG_ID, TIMESTAMP, BODY, SIGNATURE, TIMESTAMP, TOLERANCE_SECONDS),
            Err(WebhookError::Mismatch)
        );
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let old = secret();
        let new = WebhookSecret::from_random_bytes(&[9; 32]).unwrap();
        let [id, ts, sig] = headers(&[&new, &old], MSG_ID, TIMESTAMP, BODY);
        assert_eq!(id, (HEADER_ID, MSG_ID.to_owned()));
        assert_eq!(ts, (HEADER_TIMESTAMP, TIMESTAMP.to_string()));
        assert_eq!(sig.0, HEADER_SIGNATURE);
        assert!(sig.1.ends_with(&format!(" {SIGNATURE}")));
        for s in [&old, &new] {
            assert_eq!(verify(s, MSG_ID, TIMESTAMP, BODY, &sig.1, TIMESTAMP, TOLERANCE_SECONDS), Ok(()));
        }
        let header = format!("v1a,ignored v1,!!notbase64 {SIGNATURE}");
        assert_eq!(verify(&old, MSG_ID, TIMESTAMP, BODY, &header, TIMESTAMP, TOLERANCE_SECONDS), Ok(()));
    }
}
