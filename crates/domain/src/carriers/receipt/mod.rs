//! Delivery receipts from carriers, mapped onto the seed-001 status codes.
//!
//! Our HTTP carrier protocol reports SMPP-style final states (`stat`) with a GSM MAP
//! error code (`err`), the vocabulary most SMSCs and aggregators use. The raw values are
//! kept beside the mapped status so nothing the carrier said is lost.
//!
//! Each built-in carrier speaks its own receipt dialect: its type reads a raw webhook body
//! into one [`ParsedReceipt`] (`carriers::builtin` makes it a `CarrierProtocol`).

mod http;
mod sinch;
mod vonage;

pub use http::HttpAdapter;
pub use sinch::SinchAdapter;
pub use vonage::VonageAdapter;

use crate::messaging::status::Status;
use sha2::{Digest, Sha256};
use std::fmt;

/// Why a receipt body cannot be read. Every variant is the sender's fault, so the
/// receipts endpoint answers 400 with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("{carrier} receipts must be {expected}, not '{content_type}'")]
    UnsupportedContentType { carrier: &'static str, expected: &'static str, content_type: String },
    #[error("the {carrier} receipt is not valid {format}: {reason}")]
    Malformed { carrier: &'static str, format: &'static str, reason: String },
    #[error("the {carrier} receipt has no '{field}'")]
    MissingField { carrier: &'static str, field: &'static str },
    #[error("the {carrier} receipt's '{field}' is invalid: {reason}")]
    InvalidField { carrier: &'static str, field: &'static str, reason: String },
    #[error("'{id}' is not a {encoding} carrier message id")]
    InvalidCarrierId { id: String, encoding: IdEncoding },
}

/// One segment of a concatenated (multipart) SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Part {
    /// 1-based position of this segment.
    pub index: u32,
    /// How many segments the message has (≥ index).
    pub total: u32,
}

/// Segments a concatenated SMS can have (the UDH counts them in one octet).
pub const MAX_PARTS: u32 = 255;

impl Part {
    /// Checks `1 ≤ index ≤ total ≤ 255`, so a `Part` always names a real slot.
    pub fn new(index: u32, total: u32) -> Option<Part> {
        (index >= 1 && index <= total && total <= MAX_PARTS).then_some(Part { index, total })
    }
}

/// What a carrier said in one receipt, in our terms, with its own words kept beside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReceipt {
    /// Canonical (see [`canonical_carrier_id`]): compare it with the canonical id stored
    /// from the submit response.
    pub carrier_message_id: String,
    /// The carrier's status word, trimmed, as sent.
    pub raw_status: String,
    /// The carrier's error / reason code, if it sent one.
    pub raw_error: Option<String>,
    /// The seed-001 status the receipt means.
    pub mapped: Status,
    /// Which segment this receipt is for, when the carrier reports segments one by one
    /// with a shared id. Carriers that give each segment its own id report `None`; the
    /// part then follows from which stored segment id matched.
    pub part: Option<Part>,
    /// The recipient as the carrier wrote it (not normalised), for logs and for carriers
    /// whose id names a batch rather than a message.
    pub recipient: Option<String>,
    /// Our reference (the message id the submit carried) when the carrier echoes it
    /// (http: `reference`; Vonage: `client-ref`; Sinch: `client_reference`): it matches
    /// the receipt to a message whose submit answer never came.
    pub reference: Option<String>,
}

/// How a carrier writes its message ids. Numeric ids are compared by value, so the hex
/// `0A1F` of an SMPP `submit_sm_resp` and the decimal `2591` of its receipt match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdEncoding {
    /// Opaque text: trimmed and lower-cased (what [`normalize_carrier_id`] does).
    Text,
    /// Decimal digits: leading zeros do not count.
    Decimal,
    /// Hexadecimal digits (an `0x` prefix is allowed): converted to the same decimal
    /// string as [`IdEncoding::Decimal`].
    Hex,
}

impl fmt::Display for IdEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdEncoding::Text => "text",
            IdEncoding::Decimal => "decimal",
            IdEncoding::Hex => "hexadecimal",
        })
    }
}

/// The form of a carrier message id we store and match on.
///
/// `Text` ids are trimmed and lower-cased. `Decimal` and `Hex` ids become the decimal
/// string of their value ("0A1F", "2591" and "0002591" are all "2591"), so one carrier may
/// use hex in submit responses and decimal in receipts. A numeric id beyond u128 (more
/// than about 3.4 × 10^38, or 32 significant hex digits) is not converted; it falls back
/// to its digits, lower-cased, without leading zeros (so such ids match only within one
/// encoding).
/// Empty ids, and digits that do not fit the declared encoding, are errors.
pub fn canonical_carrier_id(raw: &str, encoding: IdEncoding) -> Result<String, ReceiptError> {
    let invalid = || ReceiptError::InvalidCarrierId { id: raw.to_owned(), encoding };
    let trimmed = raw.trim();
    let (digits, radix) = match encoding {
        IdEncoding::Text if trimmed.is_empty() => return Err(invalid()),
        IdEncoding::Text => return Ok(normalize_carrier_id(trimmed)),
        IdEncoding::Decimal => (trimmed, 10),
        IdEncoding::Hex => {
            let digits = trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")).unwrap_or(trimmed);
            (digits, 16)
        }
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(invalid());
    }
    Ok(match u128::from_str_radix(digits, radix) {
        Ok(value) => value.to_string(),
        Err(_) => digits.trim_start_matches('0').to_ascii_lowercase(),
    })
}

/// The media type without parameters, lower-cased: "application/json; charset=utf-8"
/// is "application/json".
pub(crate) fn media_type(content_type: Option<&str>) -> Option<String> {
    content_type
        .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .filter(|ct| !ct.is_empty())
}

/// JSON unless the sender says otherwise: `application/json`, any `+json` type, or no
/// Content-Type at all.
pub(crate) fn is_json(media: Option<&str>) -> bool {
    media.is_none_or(|m| m == "application/json" || m.ends_with("+json"))
}

/// A JSON string or number as text (carriers disagree on which they send).
fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Maps a receipt's `stat` (case-insensitive) and optional `err` to our status.
/// Anything we cannot interpret becomes Unknown (599), exactly as seed 001 defines it.
pub fn map_receipt_status(stat: &str, err: Option<&str>) -> Status {
    match stat.trim().to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" => Status::DeliveredToHandset,
        "ENROUTE" | "BUFFERED" => Status::DeliveredToCarrier,
        "ACCEPTD" | "ACCEPTED" => Status::DeliveredToGsm,
        "EXPIRED" => Status::Expired,
        "DELETED" => Status::Canceled,
        "UNDELIV" | "UNDELIVERABLE" | "FAILED" => undeliverable(err),
        "REJECTD" | "REJECTED" => Status::GenericRejected,
        _ => Status::Unknown,
    }
}

/// GSM MAP error codes (3GPP TS 29.002) that say why a handset could not be reached.
fn undeliverable(err: Option<&str>) -> Status {
    let code = err.and_then(|e| e.trim().trim_start_matches('0').parse::<u32>().ok());
    match code {
        Some(1) | Some(5) => Status::UnknownSubscriber,          // unknown / unidentified subscriber
        Some(27) | Some(31) => Status::SubscriberUnreachable,     // absent subscriber, busy for MT SMS
        Some(11) => Status::MissingSmsSubscription,              // teleservice not provisioned
        Some(9) | Some(13) => Status::RecipientRejected,         // illegal subscriber, call barred
        Some(32) => Status::DeliveryToHandsetFailed,             // equipment / memory failure
        _ => Status::DeliveryToHandsetFailed,
    }
}

/// Carrier message ids are compared case-insensitively and without surrounding space;
/// ids that differ only that way are the same message.
pub fn normalize_carrier_id(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// What identifies a receipt: the carrier and its raw body. A carrier that resends the
/// same receipt (with a fresh signature) sends the same body, so it is applied once.
pub fn receipt_dedupe_key(carrier: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(carrier.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_map_to_seed_codes() {
        assert_eq!(map_receipt_status("DELIVRD", Some("000")).code(), 201);
        assert_eq!(map_receipt_status("delivrd", None).code(), 201);
        assert_eq!(map_receipt_status("EXPIRED", None).code(), 202);
        assert_eq!(map_receipt_status("UNDELIV", Some("001")).code(), 501);
        assert_eq!(map_receipt_status("UNDELIV", Some("27")).code(), 502);
        assert_eq!(map_receipt_status("UNDELIV", Some("011")).code(), 410);
        assert_eq!(map_receipt_status("UNDELIV", Some("999")).code(), 514);
        assert_eq!(map_receipt_status("UNDELIV", None).code(), 514);
        assert_eq!(map_receipt_status("REJECTD", None).code(), 406);
        assert_eq!(map_receipt_status("ENROUTE", None).code(), 112);
        assert_eq!(map_receipt_status("ACCEPTD", None).code(), 113);
    }

    #[test]
    fn uninterpretable_receipts_are_unknown() {
        assert_eq!(map_receipt_status("WHATEVER", None), Status::Unknown);
        assert_eq!(map_receipt_status("", None), Status::Unknown);
    }

    #[test]
    fn dedupe_key_depends_on_carrier_and_body() {
        let key = receipt_dedupe_key("http", b"{}");
        assert_eq!(key, receipt_dedupe_key("http", b"{}"));
        assert_ne!(key, receipt_dedupe_key("other", b"{}"));
        assert_ne!(key, receipt_dedupe_key("http", b"{ }"));
        assert_eq!(key.len(), 64);
    }

    #[test]
    fn carrier_ids_normalize() {
        assert_eq!(normalize_carrier_id(" AbC-12 "), "abc-12");
    }

    #[test]
    fn numeric_ids_compare_by_value_across_encodings() {
        let hex = canonical_carrier_id("0A1F", IdEncoding::Hex).unwrap();
        assert_eq!(hex, "2591");
        assert_eq!(canonical_carrier_id("2591", IdEncoding::Decimal).unwrap(), hex);
        assert_eq!(canonical_carrier_id(" 0002591 ", IdEncoding::Decimal).unwrap(), hex);
        assert_eq!(canonical_carrier_id("0x0a1f", IdEncoding::Hex).unwrap(), hex);
        assert_eq!(canonical_carrier_id("0", IdEncoding::Decimal).unwrap(), "0");
        assert_eq!(canonical_carrier_id("000", IdEncoding::Hex).unwrap(), "0");
        assert_eq!(canonical_carrier_id("ffffffffffffffffffffffffffffffff", IdEncoding::Hex).unwrap(), u128::MAX.to_string());
    }

    #[test]
    fn text_ids_are_what_normalize_carrier_id_gives() {
        // Ids stored before adapters existed went through normalize_carrier_id.
        for id in [" AbC-12 ", "0A1F", "msg_01"] {
            assert_eq!(canonical_carrier_id(id, IdEncoding::Text).unwrap(), normalize_carrier_id(id));
        }
        assert_ne!(canonical_carrier_id("0A1F", IdEncoding::Text).unwrap(), "2591");
    }

    #[test]
    fn ids_beyond_u128_fall_back_to_their_digits() {
        let long = format!("000{}", "9".repeat(45));
        assert_eq!(canonical_carrier_id(&long, IdEncoding::Decimal).unwrap(), "9".repeat(45));
        let long_hex = format!("00{}", "AB".repeat(20));
        assert_eq!(canonical_carrier_id(&long_hex, IdEncoding::Hex).unwrap(), "ab".repeat(20));
    }

    #[test]
    fn ids_must_fit_their_encoding() {
        for (id, encoding) in [
            ("", IdEncoding::Text),
            ("   ", IdEncoding::Text),
            ("", IdEncoding::Decimal),
            ("12a", IdEncoding::Decimal),
            ("-12", IdEncoding::Decimal),
            ("0x", IdEncoding::Hex),
            ("0A1G", IdEncoding::Hex),
            ("+1", IdEncoding::Hex),
        ] {
            let err = canonical_carrier_id(id, encoding).unwrap_err();
            assert_eq!(err, ReceiptError::InvalidCarrierId { id: id.into(), encoding }, "{id:?}");
        }
        assert_eq!(
            canonical_carrier_id("12a", IdEncoding::Decimal).unwrap_err().to_string(),
            "'12a' is not a decimal carrier message id"
        );
    }

    #[test]
    fn parts_are_checked() {
        assert_eq!(Part::new(1, 1), Some(Part { index: 1, total: 1 }));
        assert_eq!(Part::new(3, 3), Some(Part { index: 3, total: 3 }));
        assert_eq!(Part::new(0, 3), None);
        assert_eq!(Part::new(4, 3), None);
        assert_eq!(Part::new(1, MAX_PARTS + 1), None);
    }
}
