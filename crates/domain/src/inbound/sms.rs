//! Inbound SMS: the number that received it, and putting multipart messages together.
//!
//! **Which text we process.** Always the user text as the carrier decoded it, never
//! header bytes. A long SMS arrives as parts; carriers tell us which part is which either
//! in fields (Vonage `concat-ref`/`concat-part`/`concat-total`: [`Part::from_fields`]) or
//! by handing over the User Data Header itself, hex-encoded, beside the text (Kannel and
//! Vonage `udh`: [`Part::from_udh_hex`]). A message without either is one part.
//!
//! Parts can arrive out of order and twice (carriers retry until we answer 2xx), so they
//! are stored as they come and [`settle`]d on each arrival and by the job runner:
//! - all parts there → the text in part order: classify keywords, store, forward;
//! - parts missing after [`REASSEMBLY_TIMEOUT_SECONDS`] → store and forward what we have,
//!   with a marker where each missing part belongs, but take **no keyword action**: a
//!   keyword is the whole message, and we do not have it.
//!
//! The stored text is exactly what was received; keyword matching normalises a copy.

use crate::messaging::recipient::{NumberContext, Recipient};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeMap;

/// How long after its first part a multipart message waits for the rest. The parts of
/// one message leave the phone together and normally arrive within seconds; ten minutes
/// covers a carrier's retries after a failed delivery to us without leaving a message
/// unread for long.
pub const REASSEMBLY_TIMEOUT_SECONDS: i64 = 600;
/// Longest concatenation reference we accept (carriers send an 8- or 16-bit number, some
/// their own id).
pub const MAX_REFERENCE_CHARS: usize = 64;
/// Longest short code we accept as a reception number.
pub const MAX_SHORT_CODE_DIGITS: usize = 8;

/// Why a part's concatenation data cannot be read: the carrier's mistake (answer 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartError {
    #[error("the concatenation reference is empty")]
    EmptyReference,
    #[error("the concatenation reference may be at most {MAX_REFERENCE_CHARS} characters")]
    ReferenceTooLong,
    #[error("the {field} '{value}' is not a whole number")]
    NotANumber { field: &'static str, value: String },
    #[error("part {index} of {total} is impossible: parts are numbered 1 to the total, and a message has at most 255")]
    PartOutOfRange { index: i64, total: i64 },
    #[error("the user data header is malformed: {0}")]
    MalformedUdh(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is neither a phone number in international form (+46731234567) nor a short code of 3 to {MAX_SHORT_CODE_DIGITS} digits")]
pub struct ReceptionNumberError(pub String);

/// The number an inbound SMS was sent to: one of our numbers, rented to one account. A
/// phone number is kept in E.164 (carriers write `46731234567`, `+46731234567`); a short
/// code as its digits. Looking up the account by [`as_str`](ReceptionNumber::as_str) is
/// therefore independent of how the carrier wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceptionNumber(String);

impl ReceptionNumber {
    pub fn parse(input: &str) -> Result<ReceptionNumber, ReceptionNumberError> {
        let trimmed = input.trim();
        if let Ok(number) = Recipient::parse(trimmed, NumberContext::Msisdn) {
            return Ok(ReceptionNumber(number.e164().to_owned()));
        }
        if (3..=MAX_SHORT_CODE_DIGITS).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(ReceptionNumber(trimmed.to_owned()));
        }
        Err(ReceptionNumberError(input.to_owned()))
    }

    /// `+46731234567` or `72456`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_short_code(&self) -> bool {
        !self.0.starts_with('+')
    }
}

/// Where one received part belongs: the carrier's concatenation reference and
/// `1 ≤ index ≤ total ≤ 255`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    reference: String,
    index: u8,
    total: u8,
}

impl Part {
    pub fn new(reference: &str, index: i64, total: i64) -> Result<Part, PartError> {
        let reference = reference.trim();
        if reference.is_empty() {
            return Err(PartError::EmptyReference);
        }
        if reference.chars().count() > MAX_REFERENCE_CHARS {
            return Err(PartError::ReferenceTooLong);
        }
        match (u8::try_from(index), u8::try_from(total)) {
            (Ok(i), Ok(t)) if 1 <= i && i <= t => Ok(Part { reference: reference.to_owned(), index: i, total: t }),
            _ => Err(PartError::PartOutOfRange { index, total }),
        }
    }

    /// From text fields, as form-encoded carrier webhooks send them.
    pub fn from_fields(reference: &str, index: &str, total: &str) -> Result<Part, PartError> {
        let number = |field: &'static str, value: &str| {
            value.trim().parse::<i64>().map_err(|_| PartError::NotANumber { field, value: value.to_owned() })
        };
        Part::new(reference, number("part number", index)?, number("part total", total)?)
    }

    /// From a User Data Header (its length octet first, 3GPP TS 23.040 §9.2.3.24): the
    /// concatenation element with an 8-bit (IEI 0x00) or 16-bit (IEI 0x08) reference.
    /// `None` when there is none, or when it is one the spec says to ignore (total 0,
    /// number 0 or above the total): the text is then a message of its own.
    pub fn from_udh(udh: &[u8]) -> Result<Option<Part>, PartError> {
        let (&length, mut elements) = udh.split_first().ok_or(PartError::MalformedUdh("it is empty"))?;
        if usize::from(length) != elements.len() {
            return Err(PartError::MalformedUdh("its length octet does not match its size"));
        }
        let mut found = None;
        while let [iei, len, rest @ ..] = elements {
            let len = usize::from(*len);
            if rest.len() < len {
                return Err(PartError::MalformedUdh("an element runs past its end"));
            }
            let (data, next) = rest.split_at(len);
            found = match (iei, data) {
                (0x00, &[reference, total, index]) => Some((u16::from(reference), total, index)),
                (0x08, &[hi, lo, total, index]) => Some((u16::from_be_bytes([hi, lo]), total, index)),
                _ => found,
            };
            elements = next;
        }
        if !elements.is_empty() {
            return Err(PartError::MalformedUdh("an element runs past its end"));
        }
        Ok(found.and_then(|(reference, total, index)| {
            (index >= 1 && index <= total).then(|| Part { reference: reference.to_string(), index, total })
        }))
    }

    /// [`Part::from_udh`] on the hex form carriers put in their webhooks (`050003CC0201`).
    pub fn from_udh_hex(udh: &str) -> Result<Option<Part>, PartError> {
        let bytes = hex::decode(udh.trim()).map_err(|_| PartError::MalformedUdh("it is not hexadecimal"))?;
        Part::from_udh(&bytes)
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }

    pub fn index(&self) -> u8 {
        self.index
    }

    pub fn total(&self) -> u8 {
        self.total
    }

    /// A "multipart" message of one part needs no waiting.
    pub fn is_single(&self) -> bool {
        self.total == 1
    }

    /// What the parts of one message share. A reference is only unique per sending
    /// phone (it is the phone's counter, often 8 bits), so the key holds the sender, our
    /// receiving number, the reference and the total (a reused reference with another
    /// total is another message).
    pub fn group_key(&self, from: &str, to: &str) -> String {
        format!("{from}|{to}|{}|{}", self.reference, self.total)
    }
}

/// The parts received so far, put together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assembly {
    /// Every part, in part order.
    Complete(String),
    /// These part numbers have not arrived yet, ascending.
    Incomplete { missing: Vec<u8> },
}

/// One text per part number, the first received kept (a carrier's retry repeats it);
/// numbers outside `1..=total` are ignored.
fn by_index(parts: &[(u8, String)], total: u8) -> BTreeMap<u8, &str> {
    let mut out = BTreeMap::new();
    for (index, text) in parts {
        if (1..=total).contains(index) {
            out.entry(*index).or_insert(text.as_str());
        }
    }
    out
}

fn missing(found: &BTreeMap<u8, &str>, total: u8) -> Vec<u8> {
    (1..=total).filter(|i| !found.contains_key(i)).collect()
}

/// `parts` are `(part number, text)` in any order, duplicates allowed.
pub fn assemble(parts: &[(u8, String)], total: u8) -> Assembly {
    let found = by_index(parts, total);
    let missing = missing(&found, total);
    if missing.is_empty() {
        Assembly::Complete(found.into_values().collect())
    } else {
        Assembly::Incomplete { missing }
    }
}

/// The marker that stands where part `index` of `total` never arrived.
pub fn missing_part_marker(index: u8, total: u8) -> String {
    format!("[part {index} of {total} missing]")
}

/// What arrived, in part order, with [`missing_part_marker`] in each gap; used once the
/// timeout has passed.
pub fn assemble_partial(parts: &[(u8, String)], total: u8) -> String {
    let found = by_index(parts, total);
    (1..=total).map(|i| found.get(&i).map_or_else(|| missing_part_marker(i, total), |t| (*t).to_owned())).collect()
}

/// What to do with a multipart message now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Every part is here: process this text like a single SMS.
    Complete(String),
    /// Keep waiting, at most until `until` (then settle again).
    Waiting { missing: Vec<u8>, until: DateTime<Utc> },
    /// Gave up waiting: store and forward this text, marked incomplete; no keywords.
    TimedOut { text: String, missing: Vec<u8> },
}

impl Settled {
    /// The text to classify for keywords: only a complete message has one.
    pub fn keyword_text(&self) -> Option<&str> {
        match self {
            Settled::Complete(text) => Some(text),
            _ => None,
        }
    }
}

/// Decides a multipart message's fate from its parts so far and when its first part
/// arrived (`first_seen`).
pub fn settle(parts: &[(u8, String)], total: u8, first_seen: DateTime<Utc>, now: DateTime<Utc>) -> Settled {
    let until = first_seen + TimeDelta::seconds(REASSEMBLY_TIMEOUT_SECONDS);
    match assemble(parts, total) {
        Assembly::Complete(text) => Settled::Complete(text),
        Assembly::Incomplete { missing } if now < until => Settled::Waiting { missing, until },
        Assembly::Incomplete { missing } => Settled::TimedOut { text: assemble_partial(parts, total), missing },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(list: &[(u8, &str)]) -> Vec<(u8, String)> {
        list.iter().map(|(i, t)| (*i, (*t).to_owned())).collect()
    }

    #[test]
    fn reception_numbers_are_normalised() {
        for input in ["46731234567", "+46731234567", " +46 73-123 45 67 ", "0046731234567"] {
            let n = ReceptionNumber::parse(input).unwrap();
            assert_eq!(n.as_str(), "+46731234567", "{input}");
            assert!(!n.is_short_code());
        }
        let short = ReceptionNumber::parse(" 72456 ").unwrap();
        assert_eq!(short.as_str(), "72456");
        assert!(short.is_short_code());
        for bad in ["", "12", "123456789", "ACME", "+46 12", "0731234567"] {
            assert_eq!(ReceptionNumber::parse(bad), Err(ReceptionNumberError(bad.into())), "{bad}");
        }
    }

    #[test]
    fn parts_are_checked() {
        let p = Part::new(" 42 ", 2, 3).unwrap();
        assert_eq!((p.reference(), p.index(), p.total(), p.is_single()), ("42", 2, 3, false));
        assert!(Part::new("1", 1, 1).unwrap().is_single());
        assert!(Part::new("1", 255, 255).is_ok());
        for (index, total) in [(0, 3), (4, 3), (1, 0), (1, 256), (-1, 2), (256, 256)] {
            assert_eq!(Part::new("1", index, total), Err(PartError::PartOutOfRange { index, total }));
        }
        assert_eq!(Part::new(" ", 1, 2), Err(PartError::EmptyReference));
        assert_eq!(Part::new(&"r".repeat(65), 1, 2), Err(PartError::ReferenceTooLong));
        assert_eq!(Part::from_fields("CC", "2", " 3"), Part::new("CC", 2, 3));
        assert_eq!(
            Part::from_fields("CC", "two", "3"),
            Err(PartError::NotANumber { field: "part number", value: "two".into() })
        );
        assert_eq!(
            Part::new("7", 1, 2).unwrap().group_key("+46701234567", "+46731234567"),
            "+46701234567|+46731234567|7|2"
        );
    }

    #[test]
    fn parts_come_from_user_data_headers() {
        // 8-bit reference 0xCC, part 2 of 3.
        assert_eq!(Part::from_udh_hex("050003CC0302"), Ok(Some(Part::new("204", 2, 3).unwrap())));
        // 16-bit reference 0x1234, part 1 of 2, after an unrelated element (port numbers).
        assert_eq!(Part::from_udh_hex("0c05040b8423f0080412340201"), Ok(Some(Part::new("4660", 1, 2).unwrap())));
        assert_eq!(
            Part::from_udh_hex("0d05040b8423f0080412340201"),
            Err(PartError::MalformedUdh("its length octet does not match its size"))
        );
        // No concatenation element, or one the spec says to ignore.
        assert_eq!(Part::from_udh_hex("0605040b8423f0"), Ok(None));
        assert_eq!(Part::from_udh_hex("050003CC0000"), Ok(None));
        assert_eq!(Part::from_udh_hex("050003CC0304"), Ok(None));
        assert_eq!(Part::from_udh_hex("00"), Ok(None));
        for bad in ["", "zz", "0500", "050003CC03", "0400040102"] {
            assert!(matches!(Part::from_udh_hex(bad), Err(PartError::MalformedUdh(_))), "{bad}");
        }
    }

    #[test]
    fn assembly_orders_and_deduplicates() {
        let got = parts(&[(3, "world"), (1, "Hello, "), (3, "WORLD"), (2, "big "), (9, "stray")]);
        assert_eq!(assemble(&got, 3), Assembly::Complete("Hello, big world".into()));
        let got = parts(&[(3, "c"), (1, "a")]);
        assert_eq!(assemble(&got, 5), Assembly::Incomplete { missing: vec![2, 4, 5] });
        assert_eq!(assemble_partial(&got, 5), "a[part 2 of 5 missing]c[part 4 of 5 missing][part 5 of 5 missing]");
        assert_eq!(assemble(&parts(&[(1, "one")]), 1), Assembly::Complete("one".into()));
    }

    #[test]
    fn settling_waits_then_gives_up_without_keywords() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-15T12:00:00Z").unwrap().with_timezone(&Utc);
        let later = |s: i64| t0 + TimeDelta::seconds(s);
        let half = parts(&[(1, "STO")]);
        assert_eq!(settle(&half, 2, t0, later(599)), Settled::Waiting { missing: vec![2], until: later(600) });
        let timed_out = settle(&half, 2, t0, later(600));
        assert_eq!(timed_out, Settled::TimedOut { text: "STO[part 2 of 2 missing]".into(), missing: vec![2] });
        assert_eq!(timed_out.keyword_text(), None);
        let whole = settle(&parts(&[(2, "P"), (1, "STO")]), 2, t0, later(9999));
        assert_eq!(whole.keyword_text(), Some("STOP"));
    }
}
