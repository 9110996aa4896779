//! Two-factor authentication: RFC 6238 time-based one-time passwords (SHA1, 6 digits,
//! 30-second steps: what every authenticator app understands) and single-use recovery codes.
//!
//! No clock: callers pass the Unix time. Secrets and recovery codes come from the
//! operating system's random source (`getrandom`).

use crate::identity::person::fill_random;
use constant_time_eq::constant_time_eq;
use sha2::{Digest, Sha256};
use std::fmt;
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per time step.
pub const STEP_SECONDS: u64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Bytes in a new secret: 160 bits, what RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// The shortest secret accepted at all: RFC 4226's 128-bit minimum.
const SECRET_MIN_BYTES: usize = 16;
/// Recovery codes handed out at once.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Crockford's base-32 alphabet, lowercase: no i, l, o or u, so nothing reads as another
/// character; 32 symbols make each character exactly 5 random bits.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A shared TOTP secret (raw bytes). Its Debug hides the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// 20 fresh random bytes.
    pub fn generate() -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_BYTES];
        fill_random(&mut bytes);
        TotpSecret(bytes)
    }

    /// Reads RFC 4648 base 32 as authenticator apps show it: case, spaces and `=` padding
    /// do not matter. `None` for anything else or a secret under 128 bits.
    pub fn from_base32(input: &str) -> Option<TotpSecret> {
        let cleaned: String =
            input.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
        if cleaned.is_empty() {
            return None;
        }
        let bytes = Secret::Encoded(cleaned).to_bytes().ok()?;
        (bytes.len() >= SECRET_MIN_BYTES).then_some(TotpSecret(bytes))
    }

    /// Unpadded uppercase RFC 4648 base 32 (what goes in the otpauth URI and is stored).
    pub fn to_base32(&self) -> String {
        match Secret::Raw(self.0.clone()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!("to_encoded always encodes"),
        }
    }

    fn totp(&self, issuer: Option<String>, account: String) -> TOTP {
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, self.0.clone(), issuer, account)
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// `otpauth://totp/Issuer:account?secret=...&issuer=Issuer` for a QR code. A `:` would
/// split the label, so it is dropped from issuer and account.
pub fn provisioning_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer = issuer.replace(':', "");
    let account = account.replace(':', "");
    secret.totp(Some(issuer), account).get_url()
}

/// The code for the step that contains `unix`.
pub fn code_at(secret: &TotpSecret, unix: u64) -> String {
    secret.totp(None, String::new()).generate(unix)
}

/// The time step that matches `code`, if any: the current one or one step either side
/// (clocks drift), whitespace ignored. A step at or before `last_used_step` is refused,
/// so a code (or an older one) cannot be used twice: store the returned step.
pub fn verify_code(secret: &TotpSecret, code: &str, now_unix: u64, last_used_step: Option<u64>) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now_unix / STEP_SECONDS;
    let totp = secret.totp(None, String::new());
    let mut matched = None;
    // Every candidate is compared (in constant time), newest match wins.
    for step in [current.saturating_sub(1), current, current.saturating_add(1)] {
        let expected = totp.generate(step.saturating_mul(STEP_SECONDS));
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && last_used_step.is_none_or(|last| step > last) {
            matched = Some(step);
        }
    }
    matched
}

/// Ten new recovery codes, each 10 characters of Crockford base 32 as `abcde-fghij`
/// (50 random bits each). Show them once; store only [`hash_recovery_code`] of each.
pub fn generate_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut bytes = [0u8; 10];
            fill_random(&mut bytes);
            // The low 5 bits of each byte: 256 is a multiple of 32, so every symbol is
            // equally likely.
            let chars: String = bytes.iter().map(|b| RECOVERY_ALPHABET[(b & 31) as usize] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// What is stored for a recovery code: SHA-256 (hex) of the code normalised as people
/// type it (lowercase; spaces and dashes dropped; Crockford's `o` = `0`, `i` and `l` = `1`).
///
/// A fast hash is right here, unlike for passwords: a code is 50 uniformly random bits
/// chosen by us, not by a person, so there is no dictionary to try, and 2^50 SHA-256 per
/// code is beyond an attacker with a stolen database for the codes' lifetime. A slow hash
/// would only make every login with a code slow.
pub fn hash_recovery_code(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret(b"12345678901234567890".to_vec())
    }

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B gives 8 digits (94287082 at T=59); 6 digits are the last six.
        let s = rfc_secret();
        assert_eq!(code_at(&s, 59), "287082");
        assert_eq!(code_at(&s, 1111111109), "081804");
        assert_eq!(code_at(&s, 1111111111), "050471");
        assert_eq!(code_at(&s, 1234567890), "005924");
        assert_eq!(code_at(&s, 2000000000), "279037");
        let eight = TOTP::new_unchecked(Algorithm::SHA1, 8, 1, 30, s.0.clone(), None, String::new());
        assert_eq!(eight.generate(59), "94287082");
    }

    #[test]
    fn codes_are_accepted_one_step_either_side() {
        let s = rfc_secret();
        let now = 1_111_111_111; // step 37037037
        let step = now / 30;
        assert_eq!(verify_code(&s, &code_at(&s, now), now, None), Some(step));
        assert_eq!(verify_code(&s, &code_at(&s, now - 30), now, None), Some(step - 1));
        assert_eq!(verify_code(&s, &code_at(&s, now + 30), now, None), Some(step + 1));
        assert_eq!(verify_code(&s, &code_at(&s, now - 60), now, None), None);
        assert_eq!(verify_code(&s, &code_at(&s, now + 60), now, None), None);
        let code = code_at(&s, now);
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(verify_code(&s, &spaced, now, None), Some(step));
        assert_eq!(verify_code(&s, "", now, None), None);
        assert_eq!(verify_code(&s, "12345", now, None), None);
        assert_eq!(verify_code(&s, "abcdef", now, None), None);
        assert_eq!(verify_code(&s, &format!("{code}0"), now, None), None);
        // At the epoch there is no step -1.
        assert_eq!(verify_code(&s, &code_at(&s, 0), 0, None), Some(0));
    }

    #[test]
    fn a_used_step_cannot_be_replayed() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let code = code_at(&s, now);
        let step = verify_code(&s, &code, now, None).unwrap();
        assert_eq!(verify_code(&s, &code, now, Some(step)), None);
        assert_eq!(verify_code(&s, &code, now + 10, Some(step)), None);
        // An older code after a newer one was used: refused too.
        assert_eq!(verify_code(&s, &code_at(&s, now - 30), now, Some(step)), None);
        // The next step's code is fine.
        assert_eq!(verify_code(&s, &code_at(&s, now + 30), now + 30, Some(step)), Some(step + 1));
    }

    #[test]
    fn secrets_round_trip_through_base32() {
        let s = TotpSecret::generate();
        assert_eq!(s.0.len(), 20);
        assert_ne!(s, TotpSecret::generate());
        let b32 = s.to_base32();
        assert_eq!(b32.len(), 32);
        assert_eq!(TotpSecret::from_base32(&b32), Some(s.clone()));
        let spaced_lower: String = b32.to_lowercase().chars().collect::<Vec<_>>().chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ");
        assert_eq!(TotpSecret::from_base32(&spaced_lower), Some(s));
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32(""), None);
        assert_eq!(TotpSecret::from_base32("not base 32!"), None);
        assert_eq!(TotpSecret::from_base32("GEZDGNBV"), None, "under 128 bits");
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(***)");
    }

    #[test]
    fn provisioning_uris() {
        let uri = provisioning_uri(&rfc_secret(), "smsedge", "anna@example.se");
        assert_eq!(uri, "otpauth://totp/smsedge:anna%40example.se?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=smsedge");
        let odd = provisioning_uri(&rfc_secret(), "sms: edge", "a b");
        assert!(odd.starts_with("otpauth://totp/sms%20edge:a%20b?"), "{odd}");
    }

    #[test]
    fn recovery_codes() {
        let codes = generate_recovery_codes();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            assert!(code.chars().filter(|c| *c != '-').all(|c| RECOVERY_ALPHABET.contains(&(c as u8))), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
    }

    #[test]
    fn recovery_codes_are_normalised_before_hashing() {
        let h = hash_recovery_code("abcde-fgh1j");
        assert_eq!(h.len(), 64);
        assert_eq!(h, hex::encode(Sha256::digest(b"abcdefgh1j")));
        for typed in ["ABCDE-FGH1J", "abcdefgh1j", " abcde fgh1j ", "ab-cd-ef-gh-1j", "abcde-fghij", "abcde-fghlj"] {
            assert_eq!(hash_recovery_code(typed), h, "{typed}");
        }
        assert_eq!(hash_recovery_code("0o0o0-00000"), hash_recovery_code("00000-00000"));
        assert_ne!(hash_recovery_code("abcde-fgh2j"), h);
    }
}
