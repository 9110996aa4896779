//! Opting out by unsubscribe link (seed 001: "an unsubscribe link appended to the SMS").
//!
//! **Scope.** An opt-out blocks the number for the whole account, whichever sender or
//! service the messages came from: seed 001 says all services share one blocklist, and a
//! person who says STOP does not care which of a company's sender names they got.
//!
//! **The token.** The link must name the account and the number, and nobody may make a
//! link for someone else's number or walk through numbers, so it carries its own
//! HMAC-SHA256 tag under a server secret: nothing is stored per message, and checking a
//! link needs no lookup. SMS space is scarce, so the token is binary, base64url without
//! padding:
//!
//! ```text
//! format (1) | account | number (7) | tag (10)
//! format 1: account "acc_" + 28 lowercase hex digits (our ids), packed to 14 bytes → 43 characters
//! format 2: any other account id: length (1) + UTF-8 (1–64 bytes)
//! number:   the E.164 digits as a 56-bit big-endian integer (E.164 has no leading 0)
//! tag:      the first 10 bytes of HMAC-SHA256(secret, "smsedge-unsubscribe-v1" ‖ everything before)
//! ```
//!
//! 80 bits of tag is far beyond what guessing over HTTP can reach; the format byte lets us
//! change any of this later without breaking links already sent.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of HMAC kept in a token.
pub const TAG_BYTES: usize = 10;
/// The shortest server secret we accept.
pub const MIN_SECRET_BYTES: usize = 32;
/// The path under the public base URL that unsubscribe links use.
pub const UNSUBSCRIBE_PATH: &str = "/u/";
/// What precedes the link in the SMS. "Stop" reads the same in English and Swedish and
/// matches the keyword recipients already know.
pub const LINK_LABEL: &str = "Stop: ";
/// Longest account id a token can carry.
pub const MAX_ACCOUNT_ID_BYTES: usize = 64;

const CONTEXT: &[u8] = b"smsedge-unsubscribe-v1";
const FORMAT_PACKED: u8 = 1;
const FORMAT_RAW: u8 = 2;
const PACKED_PREFIX: &str = "acc_";
const PACKED_BYTES: usize = 14;
const NUMBER_BYTES: usize = 7;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the unsubscribe secret must be at least {MIN_SECRET_BYTES} bytes; this one is {0}")]
    WeakSecret(usize),
    #[error("an account id in an unsubscribe link must be 1 to {MAX_ACCOUNT_ID_BYTES} bytes")]
    AccountId,
    #[error("'{0}' is not an E.164 number such as +46701234567")]
    NotE164(String),
    #[error("this unsubscribe link is incomplete or damaged; reply STOP to the message instead")]
    Malformed,
    #[error("this unsubscribe link was not issued by us; reply STOP to the message instead")]
    Forged,
}

/// The server's key for unsubscribe links. Its Debug output hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct UnsubscribeSecret(Vec<u8>);

impl UnsubscribeSecret {
    /// At least 32 bytes of key material, e.g. a long random Spin variable's bytes.
    pub fn new(key: &[u8]) -> Result<UnsubscribeSecret, TokenError> {
        if key.len() < MIN_SECRET_BYTES {
            return Err(TokenError::WeakSecret(key.len()));
        }
        Ok(UnsubscribeSecret(key.to_vec()))
    }

    fn tag(&self, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        mac.update(body);
        mac
    }
}

impl fmt::Debug for UnsubscribeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnsubscribeSecret(..)")
    }
}

/// Who a valid token unsubscribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscriber {
    pub account_id: String,
    /// `+46701234567`
    pub e164: String,
}

/// The token for `e164` (`+46701234567`) on `account_id`.
pub fn sign(secret: &UnsubscribeSecret, account_id: &str, e164: &str) -> Result<String, TokenError> {
    let number = e164_number(e164).ok_or_else(|| TokenError::NotE164(e164.to_owned()))?;
    let mut body = Vec::with_capacity(1 + PACKED_BYTES + NUMBER_BYTES + TAG_BYTES);
    match packed_account(account_id) {
        Some(packed) => {
            body.push(FORMAT_PACKED);
            body.extend_from_slice(&packed);
        }
        None => {
            if account_id.is_empty() || account_id.len() > MAX_ACCOUNT_ID_BYTES {
                return Err(TokenError::AccountId);
            }
            body.push(FORMAT_RAW);
            body.push(account_id.len() as u8);
            body.extend_from_slice(account_id.as_bytes());
        }
    }
    body.extend_from_slice(&number.to_be_bytes()[8 - NUMBER_BYTES..]);
    let tag = secret.tag(&body).finalize().into_bytes();
    body.extend_from_slice(&tag[..TAG_BYTES]);
    Ok(URL_SAFE_NO_PAD.encode(body))
}

/// Checks a token's tag (in constant time) and reads who it unsubscribes. During a secret
/// rotation, try the new secret, then the old.
pub fn verify(secret: &UnsubscribeSecret, token: &str) -> Result<Unsubscriber, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim().trim_end_matches('=')).map_err(|_| TokenError::Malformed)?;
    if bytes.len() < 1 + NUMBER_BYTES + TAG_BYTES + 1 {
        return Err(TokenError::Malformed);
    }
    let (body, tag) = bytes.split_at(bytes.len() - TAG_BYTES);
    secret.tag(body).verify_truncated_left(tag).map_err(|_| TokenError::Forged)?;
    // The tag is ours, so the layout is too; anything odd now is a format we do not know.
    let (format, rest) = body.split_first().ok_or(TokenError::Malformed)?;
    let (account, number) = rest.split_at(rest.len() - NUMBER_BYTES);
    let account_id = match *format {
        FORMAT_PACKED if account.len() == PACKED_BYTES => format!("{PACKED_PREFIX}{}", hex::encode(account)),
        FORMAT_RAW => match account.split_first() {
            Some((&len, id)) if usize::from(len) == id.len() => {
                String::from_utf8(id.to_vec()).map_err(|_| TokenError::Malformed)?
            }
            _ => return Err(TokenError::Malformed),
        },
        _ => return Err(TokenError::Malformed),
    };
    let mut digits = [0u8; 8];
    digits[8 - NUMBER_BYTES..].copy_from_slice(number);
    Ok(Unsubscriber { account_id, e164: format!("+{}", u64::from_be_bytes(digits)) })
}

/// `acc_` + 28 lowercase hex digits → 14 bytes. Uppercase hex would not round-trip, so
/// it takes the raw format.
fn packed_account(account_id: &str) -> Option<[u8; PACKED_BYTES]> {
    let digits = account_id.strip_prefix(PACKED_PREFIX)?;
    if digits.len() != PACKED_BYTES * 2 || !digits.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; PACKED_BYTES];
    hex::decode_to_slice(digits, &mut out).ok()?;
    Some(out)
}

/// `+` and 1–15 digits, the first not 0.
fn e164_number(e164: &str) -> Option<u64> {
    let digits = e164.strip_prefix('+')?;
    let valid =
        (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    valid.then(|| digits.parse().ok()).flatten()
}

/// `https://host/u/<token>`; `base_url` is the public origin (a path prefix is allowed),
/// with or without a trailing slash.
pub fn unsubscribe_url(base_url: &str, token: &str) -> String {
    format!("{}{UNSUBSCRIBE_PATH}{token}", base_url.trim_end_matches('/'))
}

/// The text actually sent when the account appends unsubscribe links: the message
/// without trailing white space, a line break, and `Stop: <link>`. Every character of the
/// addition is in the GSM-7 alphabet, so it never forces a message into UCS-2; count
/// segments (and price) on the result.
pub fn append_unsubscribe_link(text: &str, base_url: &str, token: &str) -> String {
    format!("{}\n{LINK_LABEL}{}", text.trim_end(), unsubscribe_url(base_url, token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::text::{Encoding, MessageText, SegmentLimits};

    const ACCOUNT: &str = "acc_019a2b3c4d5e0123456789abcdef";

    fn secret() -> UnsubscribeSecret {
        UnsubscribeSecret::new(&[7; 32]).unwrap()
    }

    #[test]
    fn tokens_round_trip_and_are_short() {
        let token = sign(&secret(), ACCOUNT, "+46701234567").unwrap();
        assert_eq!(token.len(), 43);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let who = verify(&secret(), &token).unwrap();
        assert_eq!(who, Unsubscriber { account_id: ACCOUNT.into(), e164: "+46701234567".into() });
        // Same input, same token: links can be made at send time without storing them.
        assert_eq!(sign(&secret(), ACCOUNT, "+46701234567").unwrap(), token);
        assert_ne!(sign(&secret(), ACCOUNT, "+46701234568").unwrap(), token);
    }

    #[test]
    fn other_account_ids_and_extreme_numbers_round_trip() {
        for (account, e164) in [
            ("acc_1", "+1"),
            ("ACC_019A2B3C4D5E0123456789ABCDEF", "+999999999999999"),
            ("kund-42", "+12125550100"),
            (&*"å".repeat(32), "+4790012345"),
        ] {
            let token = sign(&secret(), account, e164).unwrap();
            assert_eq!(
                verify(&secret(), &token).unwrap(),
                Unsubscriber { account_id: account.into(), e164: e164.into() }
            );
        }
        assert_eq!(sign(&secret(), "", "+46701234567"), Err(TokenError::AccountId));
        assert_eq!(sign(&secret(), &"a".repeat(65), "+46701234567"), Err(TokenError::AccountId));
        for bad in ["46701234567", "+", "+0701234567", "+4670123456789012", "+46 70 123", "+4670x"] {
            assert_eq!(sign(&secret(), ACCOUNT, bad), Err(TokenError::NotE164(bad.into())), "{bad}");
        }
    }

    #[test]
    fn forged_and_damaged_tokens_are_refused() {
        let token = sign(&secret(), ACCOUNT, "+46701234567").unwrap();
        let other = UnsubscribeSecret::new(&[8; 32]).unwrap();
        assert_eq!(verify(&other, &token), Err(TokenError::Forged));
        // Flip one bit anywhere: never a different valid unsubscriber.
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 1;
            assert_eq!(verify(&secret(), &URL_SAFE_NO_PAD.encode(&changed)), Err(TokenError::Forged), "byte {i}");
        }
        for junk in ["", "abc", "!!!!", "not a token at all", &token[..20], &token[..token.len() - 1]] {
            assert!(matches!(verify(&secret(), junk), Err(TokenError::Malformed | TokenError::Forged)), "{junk}");
        }
        // A token with a valid tag but a format we do not know.
        let mut body = vec![9u8; 1 + 14 + 7];
        let tag = secret().tag(&body).finalize().into_bytes();
        body.extend_from_slice(&tag[..TAG_BYTES]);
        assert_eq!(verify(&secret(), &URL_SAFE_NO_PAD.encode(body)), Err(TokenError::Malformed));
    }

    #[test]
    fn secrets_are_long_and_hidden() {
        assert_eq!(UnsubscribeSecret::new(&[0; 31]), Err(TokenError::WeakSecret(31)));
        assert_eq!(format!("{:?}", secret()), "UnsubscribeSecret(..)");
    }

    #[test]
    fn the_link_is_appended_in_gsm7() {
        let token = sign(&secret(), ACCOUNT, "+46701234567").unwrap();
        assert_eq!(unsubscribe_url("https://sms.example.se/", &token), format!("https://sms.example.se/u/{token}"));
        let sent = append_unsubscribe_link("Rea på allt i helgen! \n", "https://sms.example.se", &token);
        assert_eq!(sent, format!("Rea på allt i helgen!\nStop: https://sms.example.se/u/{token}"));
        let text = MessageText::parse(&sent, SegmentLimits::default()).unwrap();
        assert_eq!(text.encoding(), Encoding::Gsm7);
        assert_eq!(text.segments(), 1);
        assert_eq!(sent.chars().count(), 21 + 1 + 6 + 22 + 3 + 43);
    }
}
