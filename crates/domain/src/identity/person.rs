//! Who a person is in the portal: e-mail, password, name, language and access level.
//!
//! Pure rules, no I/O and no clock. Randomness (password salts) comes from the operating
//! system through `getrandom`, which on `wasm32-wasip1` is WASI's `random_get`.

use crate::identity::access::{Scope, Scopes};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// The longest address SMTP can carry (RFC 5321 path limit less the angle brackets).
pub const EMAIL_MAX_LENGTH: usize = 254;
/// Seed 001: "at least 10 characters with at least one digit and one capital letter".
pub const PASSWORD_MIN_CHARS: usize = 10;
/// An upper bound so nobody makes the server hash a megabyte.
pub const PASSWORD_MAX_CHARS: usize = 256;
pub const NAME_MAX_CHARS: usize = 100;

/// Bad identity input: 400, with a stable [`IdentityError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("{0}")]
    InvalidEmail(&'static str),
    #[error("{0}")]
    InvalidName(&'static str),
    #[error("'{0}' is not a language; use sv or en")]
    InvalidLanguage(String),
    #[error("'{0}' is not an access level; use user, manager or admin")]
    InvalidAccessLevel(String),
}

impl IdentityError {
    /// Stable machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityError::InvalidEmail(_) => "invalid_email",
            IdentityError::InvalidName(_) => "invalid_name",
            IdentityError::InvalidLanguage(_) => "invalid_language",
            IdentityError::InvalidAccessLevel(_) => "invalid_access_level",
        }
    }
}

// ---------------------------------------------------------------------------------------
// E-mail

/// An e-mail address: trimmed, lowercased, RFC 5321/5322 syntax (no display name, no
/// `[ip]` domain literal, a domain with a dot), at most 254 bytes. Lowercasing the whole
/// address makes it usable as a unique login key; no real mailbox distinguishes case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, IdentityError> {
        let normalised = input.trim().to_lowercase();
        if normalised.is_empty() {
            return Err(IdentityError::InvalidEmail("the e-mail address is empty"));
        }
        if normalised.len() > EMAIL_MAX_LENGTH {
            return Err(IdentityError::InvalidEmail("an e-mail address has at most 254 characters"));
        }
        let options = Options::default().without_display_text().without_domain_literal().with_required_tld();
        EmailAddress::parse_with_options(&normalised, options)
            .map_err(|_| IdentityError::InvalidEmail("not an e-mail address (name@example.com)"))?;
        Ok(Email(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

// ---------------------------------------------------------------------------------------
// Password

/// One rule of the password policy a candidate failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordRule {
    TooShort,
    NoDigit,
    NoCapital,
    TooLong,
}

impl PasswordRule {
    /// Stable machine-readable name.
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordRule::TooShort => "too_short",
            PasswordRule::NoDigit => "no_digit",
            PasswordRule::NoCapital => "no_capital",
            PasswordRule::TooLong => "too_long",
        }
    }

    /// What a person reads.
    pub fn message(self) -> &'static str {
        match self {
            PasswordRule::TooShort => "the password needs at least 10 characters",
            PasswordRule::NoDigit => "the password needs at least one digit (0-9)",
            PasswordRule::NoCapital => "the password needs at least one capital letter",
            PasswordRule::TooLong => "the password may have at most 256 characters",
        }
    }
}

impl fmt::Display for PasswordRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Every rule the candidate failed, in policy order, so a form can show them all at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordError {
    pub failures: Vec<PasswordRule>,
}

impl PasswordError {
    /// The stable names of the failed rules.
    pub fn codes(&self) -> Vec<&'static str> {
        self.failures.iter().map(|r| r.as_str()).collect()
    }
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.failures.iter().map(|r| r.message()).collect();
        f.write_str(&messages.join("; "))
    }
}

impl std::error::Error for PasswordError {}

/// A new password that meets the policy of seed 001: at least 10 characters (characters,
/// not bytes), at least one ASCII digit, at least one uppercase letter (any script: `Å`
/// counts), at most 256 characters. Not trimmed: spaces are the user's choice. Its Debug
/// hides the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Password, PasswordError> {
        let chars = input.chars().count();
        let mut failures = Vec::new();
        if chars < PASSWORD_MIN_CHARS {
            failures.push(PasswordRule::TooShort);
        }
        if !input.chars().any(|c| c.is_ascii_digit()) {
            failures.push(PasswordRule::NoDigit);
        }
        if !input.chars().any(char::is_uppercase) {
            failures.push(PasswordRule::NoCapital);
        }
        if chars > PASSWORD_MAX_CHARS {
            failures.push(PasswordRule::TooLong);
        }
        if failures.is_empty() {
            Ok(Password(input.to_owned()))
        } else {
            Err(PasswordError { failures })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Argon2id memory cost in KiB (19 MiB).
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
/// Argon2id passes.
pub const ARGON2_ITERATIONS: u32 = 2;
/// Argon2id lanes.
pub const ARGON2_PARALLELISM: u32 = 1;

/// The hasher. Argon2id with OWASP's minimum recommended parameters (Password Storage
/// Cheat Sheet: m=19 MiB, t=2, p=1): argon2id resists both GPU cracking (memory-hard) and
/// side channels; the minimum keeps one hash to tens of milliseconds in a Wasm component,
/// which must answer a login within one request and has one thread (so p=1, and more lanes
/// would buy nothing). Parameters live in the PHC string, so raising them later still
/// verifies old hashes (see [`needs_rehash`]).
fn hasher() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) to store, with a fresh
/// 16-byte random salt.
pub fn hash_password(p: &Password) -> String {
    hash_secret(p.as_str())
}

/// Any secret a person types, hashed as passwords are: user passwords ([`hash_password`],
/// after the policy) and secrets the password policy does not fit (SMPP's 8 characters).
pub fn hash_secret(secret: &str) -> String {
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    hasher().hash_password(secret.as_bytes(), &salt).expect("argon2id hashing cannot fail for valid parameters").to_string()
}

/// Whether `candidate` is the password `phc` was made from. An unreadable hash is `false`.
/// Verification uses the parameters written in the hash, in constant time.
pub fn verify_password(candidate: &str, phc: &str) -> bool {
    verify_secret(candidate, phc)
}

/// Whether `candidate` is the secret `phc` was made from ([`hash_secret`]).
pub fn verify_secret(candidate: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default().verify_password(candidate.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// Whether a stored hash was made with other parameters than today's (hash again on the
/// next successful login).
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return true };
    let Ok(params) = Params::try_from(&hash) else { return true };
    hash.algorithm != Algorithm::Argon2id.ident()
        || params.m_cost() != ARGON2_MEMORY_KIB
        || params.t_cost() != ARGON2_ITERATIONS
        || params.p_cost() != ARGON2_PARALLELISM
}

/// A real hash made by [`hash_password`] with today's parameters, of a password nobody
/// uses (`Dummy-password-0000`).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$KV9i323DkC1o5yjmEAGWaw$eQ5cE/Bq8r9sJ8JpkowQdjXzF2Y6PGp0nmgRokC39ao";

/// One verification against a fixed hash, its answer thrown away: a login for an unknown
/// e-mail takes as long as one for a known e-mail, so timing does not tell which addresses
/// have accounts.
pub fn dummy_verify(candidate: &str) {
    let _ = verify_password(candidate, DUMMY_HASH);
}

/// Fills `buf` from the operating system's random source. There is nothing sensible to do
/// without randomness (no token or salt may be guessable), so failure is a panic.
pub(crate) fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source failed");
}

// ---------------------------------------------------------------------------------------
// Access level

/// What a person may do in an account. Ordered: `User < Manager < Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    User,
    Manager,
    Admin,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 3] = [AccessLevel::User, AccessLevel::Manager, AccessLevel::Admin];

    /// Exactly one of the stable strings ("user", "manager", "admin").
    pub fn parse(input: &str) -> Option<AccessLevel> {
        AccessLevel::ALL.into_iter().find(|l| l.as_str() == input)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::User => "user",
            AccessLevel::Manager => "manager",
            AccessLevel::Admin => "admin",
        }
    }

    /// The API scopes the level carries: a user sends and reads messages; a manager also
    /// keeps the contact book and inbound SMS; an admin may do everything.
    pub fn scopes(self) -> Scopes {
        let user = Scopes::none().with(Scope::MessagesSend).with(Scope::MessagesRead);
        match self {
            AccessLevel::User => user,
            AccessLevel::Manager => user.with(Scope::Contacts).with(Scope::Inbound),
            AccessLevel::Admin => Scopes::all(),
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for AccessLevel {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccessLevel::parse(s).ok_or_else(|| IdentityError::InvalidAccessLevel(s.to_owned()))
    }
}

// ---------------------------------------------------------------------------------------
// Name

/// A person's name: trimmed, NFC, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, IdentityError> {
        let name: String = input.trim().nfc().collect();
        if name.is_empty() {
            return Err(IdentityError::InvalidName("the name is empty"));
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(IdentityError::InvalidName("a name has at most 100 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(IdentityError::InvalidName("a name may not contain control characters"));
        }
        Ok(PersonName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PersonName::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.0
    }
}

impl From<crate::identity::language::UnknownLanguage> for IdentityError {
    fn from(e: crate::identity::language::UnknownLanguage) -> Self {
        IdentityError::InvalidLanguage(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_hashed_with_argon2id_like_passwords() {
        let hash = hash_secret("Ab3dEf7h");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_secret("Ab3dEf7h", &hash));
        assert!(!verify_secret("Ab3dEf7i", &hash));
        assert!(!verify_secret("Ab3dEf7h", "not a hash"));
        assert_ne!(hash_secret("Ab3dEf7h"), hash, "a fresh salt each time");
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_validated() {
        let email = Email::parse("  Anna.Svensson@Example.SE ").unwrap();
        assert_eq!(email.as_str(), "anna.svensson@example.se");
        assert_eq!(email.to_string(), "anna.svensson@example.se");
        assert_eq!(serde_json::to_value(&email).unwrap(), "anna.svensson@example.se");
        let back: Email = serde_json::from_str("\"A@B.CO\"").unwrap();
        assert_eq!(back.as_str(), "a@b.co");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
        assert!(Email::parse("first+tag@sub.example.com").is_ok());
        for bad in ["", "   ", "anna", "anna@", "@example.com", "anna@localhost", "Anna <anna@example.com>", "anna@[127.0.0.1]", "an na@example.com", "anna@@example.com"] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_email", "{bad}");
        }
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(190));
        assert!(long.len() > EMAIL_MAX_LENGTH);
        assert_eq!(Email::parse(&long).unwrap_err(), IdentityError::InvalidEmail("an e-mail address has at most 254 characters"));
    }

    #[test]
    fn password_policy_lists_every_failure() {
        assert!(Password::parse("Sommar2024!").is_ok());
        assert!(Password::parse("åäöåäöÅäö1").is_ok(), "ten characters in twenty bytes, Unicode capital");
        let err = Password::parse("short").unwrap_err();
        assert_eq!(err.failures, vec![PasswordRule::TooShort, PasswordRule::NoDigit, PasswordRule::NoCapital]);
        assert_eq!(err.codes(), ["too_short", "no_digit", "no_capital"]);
        assert_eq!(
            err.to_string(),
            "the password needs at least 10 characters; the password needs at least one digit (0-9); the password needs at least one capital letter"
        );
        assert_eq!(Password::parse("åäöåäöåäö1").unwrap_err().failures, vec![PasswordRule::NoCapital]);
        assert_eq!(Password::parse("Abcdefghij").unwrap_err().failures, vec![PasswordRule::NoDigit]);
        assert_eq!(Password::parse("Abcdefgh1").unwrap_err().failures, vec![PasswordRule::TooShort]);
        let long = format!("A1{}", "x".repeat(255));
        assert_eq!(Password::parse(&long).unwrap_err().failures, vec![PasswordRule::TooLong]);
        assert!(Password::parse(&long[..256]).is_ok());
        let all_lower_long = "x".repeat(300);
        assert_eq!(Password::parse(&all_lower_long).unwrap_err().codes(), ["no_digit", "no_capital", "too_long"]);
        assert_eq!(format!("{:?}", Password::parse("Sommar2024!").unwrap()), "Password(***)");
    }

    #[test]
    fn hash_and_verify_round_trip() {
        // Two hashes and a few verifies: argon2 is slow in a debug build.
        let password = Password::parse("Sommar2024!").unwrap();
        let phc = hash_password(&password);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("Sommar2024!", &phc));
        assert!(!verify_password("sommar2024!", &phc));
        assert!(!needs_rehash(&phc));
        let again = hash_password(&password);
        assert_ne!(phc, again, "each hash has its own salt");
        assert!(!verify_password("Sommar2024!", "not a hash"));
        assert!(!verify_password("Sommar2024!", ""));
        assert!(needs_rehash("not a hash"));
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$ZHVtbXlzYWx0ZHVtbXlzYWx0$qv3d0GsLTBWpf9WwOjZzYmGOfu+2xg+1aLFuF6HyGvI"));
    }

    #[test]
    fn the_dummy_hash_is_real_and_current() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!needs_rehash(DUMMY_HASH), "the dummy costs what a real verify costs");
        assert!(verify_password("Dummy-password-0000", DUMMY_HASH));
        dummy_verify("anything");
    }

    #[test]
    fn access_levels_order_parse_and_scope() {
        assert!(AccessLevel::User < AccessLevel::Manager && AccessLevel::Manager < AccessLevel::Admin);
        for level in AccessLevel::ALL {
            assert_eq!(AccessLevel::parse(level.as_str()), Some(level));
            assert_eq!(serde_json::to_value(level).unwrap(), level.as_str());
        }
        assert_eq!(AccessLevel::parse("Admin"), None);
        assert_eq!(AccessLevel::parse("owner"), None);
        assert_eq!("boss".parse::<AccessLevel>().unwrap_err().code(), "invalid_access_level");
        assert_eq!(AccessLevel::User.scopes().names(), ["messages:send", "messages:read"]);
        assert_eq!(AccessLevel::Manager.scopes().names(), ["messages:send", "messages:read", "contacts", "inbound"]);
        assert_eq!(AccessLevel::Admin.scopes(), Scopes::all());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Åsa Öberg ").unwrap().as_str(), "Åsa Öberg");
        // NFC: A + combining ring is stored as Å.
        assert_eq!(PersonName::parse("A\u{30a}sa").unwrap().as_str(), "Åsa");
        assert!(PersonName::parse(&"ö".repeat(100)).is_ok());
        assert_eq!(PersonName::parse(&"ö".repeat(101)).unwrap_err().code(), "invalid_name");
        assert_eq!(PersonName::parse("   ").unwrap_err(), IdentityError::InvalidName("the name is empty"));
        assert!(PersonName::parse("Anna\nSvensson").is_err());
        assert!(PersonName::parse("Anna\u{7}").is_err());
    }

    #[test]
    fn languages() {
        let err = IdentityError::from(crate::identity::language::Language::parse("de").unwrap_err());
        assert_eq!(err.code(), "invalid_language");
        assert_eq!(err.to_string(), "'de' is not a language; use sv or en");
    }
}
