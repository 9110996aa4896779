//! The contact book and the blocklist: what a name, a group and a note may be, and why a
//! number is blocked.
//!
//! Text is stored NFC-normalised, so "Åsa" typed on a phone (composed) and pasted from
//! elsewhere (A + combining ring) is one name. Case is kept as written; groups are matched
//! without regard to case ("Kunder" and "kunder" are one group, seed 001: a group that
//! does not exist yet is created), by [`GroupName::key`].

use crate::messaging::text::caseless_key;
use std::fmt;
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_GROUP_CHARS: usize = 64;
pub const MAX_NOTE_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("the {field} is empty")]
    Empty { field: &'static str },
    #[error("the {field} may be at most {max} characters; it has {len}")]
    TooLong { field: &'static str, max: usize, len: usize },
    #[error("the {field} contains the control character {ch:?}; remove it")]
    ControlCharacter { field: &'static str, ch: char },
}

impl ContactError {
    /// Which field is wrong, in words (`first name`, `group name`, `note`).
    pub fn field(&self) -> &'static str {
        match self {
            ContactError::Empty { field }
            | ContactError::TooLong { field, .. }
            | ContactError::ControlCharacter { field, .. } => field,
        }
    }
}

/// Trimmed, NFC, 1..=max characters, and no control characters unless `allow_lines`
/// (a note may have line breaks and tabs, a name may not).
fn checked(input: &str, field: &'static str, max: usize, allow_lines: bool) -> Result<String, ContactError> {
    let text: String = input.trim().nfc().collect();
    if text.is_empty() {
        return Err(ContactError::Empty { field });
    }
    let len = text.chars().count();
    if len > max {
        return Err(ContactError::TooLong { field, max, len });
    }
    let allowed = |c: char| allow_lines && matches!(c, '\n' | '\r' | '\t');
    if let Some(ch) = text.chars().find(|&c| c.is_control() && !allowed(c)) {
        return Err(ContactError::ControlCharacter { field, ch });
    }
    Ok(text)
}

/// A contact's first and last name, each 1–64 characters, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactName {
    first: String,
    last: String,
}

impl ContactName {
    pub fn new(first: &str, last: &str) -> Result<ContactName, ContactError> {
        Ok(ContactName {
            first: checked(first, "first name", MAX_NAME_CHARS, false)?,
            last: checked(last, "last name", MAX_NAME_CHARS, false)?,
        })
    }

    pub fn first(&self) -> &str {
        &self.first
    }

    pub fn last(&self) -> &str {
        &self.last
    }
}

impl fmt::Display for ContactName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.first, self.last)
    }
}

/// A contact group, 1–64 characters, shown as first written. Two names are the same
/// group when their [`key`](GroupName::key)s are equal, which is also what `==` compares.
#[derive(Debug, Clone)]
pub struct GroupName {
    name: String,
    key: String,
}

impl GroupName {
    pub fn parse(input: &str) -> Result<GroupName, ContactError> {
        let name = checked(input, "group name", MAX_GROUP_CHARS, false)?;
        let key = caseless_key(&name);
        Ok(GroupName { name, key })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The caseless form to store in a unique index beside the name, so "Kunder" finds
    /// the group "kunder".
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl PartialEq for GroupName {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for GroupName {}

impl std::hash::Hash for GroupName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A free-text note on a contact: up to 1,000 characters, line breaks allowed. An empty
/// note is no note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    /// `None` for blank input (clearing the note).
    pub fn parse(input: &str) -> Result<Option<Note>, ContactError> {
        match checked(input, "note", MAX_NOTE_CHARS, true) {
            Ok(text) => Ok(Some(Note(text))),
            Err(ContactError::Empty { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a number is on an account's blocklist. Its [`Display`](fmt::Display) form is what
/// we store and [`FromStr`] reads it back; both are stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockReason {
    /// The number texted an opt-out keyword (the canonical word, e.g. `STOPP`):
    /// `keyword:STOPP`.
    Keyword { word: String },
    /// The recipient followed the unsubscribe link in an SMS: `unsubscribe_link`.
    UnsubscribeLink,
    /// Someone blocked it by hand in the portal or as an operator (their user id or
    /// e-mail): `manual:<by>`.
    Manual { by: String },
    /// The customer's own system blocked it through the API: `api`.
    Api,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a stored block reason")]
pub struct UnknownBlockReason(pub String);

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockReason::Keyword { word } => write!(f, "keyword:{word}"),
            BlockReason::UnsubscribeLink => f.write_str("unsubscribe_link"),
            BlockReason::Manual { by } => write!(f, "manual:{by}"),
            BlockReason::Api => f.write_str("api"),
        }
    }
}

impl FromStr for BlockReason {
    type Err = UnknownBlockReason;

    fn from_str(s: &str) -> Result<BlockReason, UnknownBlockReason> {
        let reason = match s.split_once(':') {
            None if s == "unsubscribe_link" => BlockReason::UnsubscribeLink,
            None if s == "api" => BlockReason::Api,
            Some(("keyword", word)) if !word.is_empty() => BlockReason::Keyword { word: word.to_owned() },
            Some(("manual", by)) if !by.is_empty() => BlockReason::Manual { by: by.to_owned() },
            _ => return Err(UnknownBlockReason(s.to_owned())),
        };
        Ok(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_nfc_and_kept_as_written() {
        let n = ContactName::new("  A\u{30A}sa ", "McDonald").unwrap();
        assert_eq!((n.first(), n.last()), ("Åsa", "McDonald"));
        assert_eq!(n.to_string(), "Åsa McDonald");
        assert!(ContactName::new(&"ö".repeat(64), "x").is_ok());
        assert_eq!(
            ContactName::new(&"ö".repeat(65), "x"),
            Err(ContactError::TooLong { field: "first name", max: 64, len: 65 })
        );
        assert_eq!(ContactName::new("Niklas", " "), Err(ContactError::Empty { field: "last name" }));
        let err = ContactName::new("Nik\nlas", "N").unwrap_err();
        assert_eq!(err, ContactError::ControlCharacter { field: "first name", ch: '\n' });
        assert_eq!(err.field(), "first name");
        assert!(err.to_string().starts_with("the first name contains the control character"));
    }

    #[test]
    fn groups_match_without_case() {
        let a = GroupName::parse(" Kunder ").unwrap();
        let b = GroupName::parse("KUNDER").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.key(), b.key());
        assert_eq!((a.as_str(), b.as_str()), ("Kunder", "KUNDER"));
        assert_eq!(GroupName::parse("Vip-Kunder").unwrap().key(), "vip-kunder");
        assert_eq!(GroupName::parse("ÅÄÖ").unwrap(), GroupName::parse("a\u{30A}a\u{308}o\u{308}").unwrap());
        assert_ne!(GroupName::parse("kunder").unwrap(), GroupName::parse("kund").unwrap());
        assert_eq!(GroupName::parse(""), Err(ContactError::Empty { field: "group name" }));
        assert!(matches!(GroupName::parse(&"g".repeat(65)), Err(ContactError::TooLong { .. })));
        let set: std::collections::HashSet<GroupName> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn notes() {
        assert_eq!(Note::parse("  "), Ok(None));
        assert_eq!(
            Note::parse("Ring efter 17\r\n\tbara vardagar").unwrap().unwrap().as_str(),
            "Ring efter 17\r\n\tbara vardagar"
        );
        assert!(Note::parse(&"x".repeat(1000)).unwrap().is_some());
        assert_eq!(Note::parse(&"x".repeat(1001)), Err(ContactError::TooLong { field: "note", max: 1000, len: 1001 }));
        assert_eq!(Note::parse("a\u{0}b"), Err(ContactError::ControlCharacter { field: "note", ch: '\u{0}' }));
    }

    #[test]
    fn block_reasons_round_trip() {
        for (reason, stored) in [
            (BlockReason::Keyword { word: "STOPP".into() }, "keyword:STOPP"),
            (BlockReason::UnsubscribeLink, "unsubscribe_link"),
            (BlockReason::Manual { by: "usr_1:ops@example.se".into() }, "manual:usr_1:ops@example.se"),
            (BlockReason::Api, "api"),
        ] {
            assert_eq!(reason.to_string(), stored);
            assert_eq!(stored.parse::<BlockReason>(), Ok(reason));
        }
        for bad in ["", "keyword:", "manual:", "stop", "Api", "keyword"] {
            assert_eq!(bad.parse::<BlockReason>(), Err(UnknownBlockReason(bad.into())), "{bad}");
        }
    }
}
