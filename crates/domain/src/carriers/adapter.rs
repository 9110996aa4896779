//! The carrier adapter interface (wit/carrier-adapter.wit), as the platform calls it:
//! one trait whichever adapter a connection names — a built-in one, or an adapter
//! component installed in spin.toml. Everything here is pure; the platform does the I/O.
//!
//! The types mirror the WIT 1:1. What an adapter component returns is checked here
//! before the platform uses it ([`receipt_from_component`], [`extension_name`]).

use crate::carriers::mo::InboundSms;
use crate::carriers::receipt::{canonical_carrier_id, IdEncoding, ParsedReceipt, Part};
use crate::messaging::status::Status;

/// One message to submit (WIT `outgoing-message`).
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMessage<'a> {
    /// Our message id, the same on every resubmit.
    pub reference: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub text: &'a str,
    /// "GSM-7" or "UCS-2".
    pub encoding: &'a str,
    pub segments: u32,
}

/// The connection a message goes through (WIT `connection`): the credentials are opened
/// by the platform for the call.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionConfig<'a> {
    pub base_url: &'a str,
    pub credentials: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a carrier's answer means (WIT `submit-answer`; `domain::carriers::submit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitAnswer {
    /// Its id, or one id per part in part order.
    Accepted(Vec<String>),
    /// It surely does not have the message.
    Failed(String),
    /// It may have it.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitPlan {
    Request(HttpRequest),
    /// Known without asking anyone (the sandbox; a message the adapter cannot express).
    Settled(SubmitAnswer),
}

/// How a carrier signs its webhooks; the platform verifies (`carriers::signature`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureScheme {
    /// `X-Signature: t=…,v1=…` (`carriers::signature`).
    HmacSha256Timestamped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdEncodings {
    pub submit: IdEncoding,
    pub receipt: IdEncoding,
}

/// An inbound SMS as an adapter reads it (WIT `inbound-message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    pub carrier_message_id: String,
    pub sender: String,
    pub recipient: String,
    pub text: String,
    /// (reference, index, total) for one part of a long message.
    pub concat: Option<(String, u32, u32)>,
}

/// One carrier's protocol, without I/O (WIT `interface adapter`): the built-in adapters
/// (`carriers::builtin`) and an installed adapter component alike.
pub trait CarrierProtocol: Sync {
    fn name(&self) -> &str;
    fn ids(&self) -> IdEncodings;
    fn signature(&self) -> SignatureScheme;
    fn build_submit(&self, connection: ConnectionConfig, message: OutgoingMessage) -> SubmitPlan;
    /// Reads a 2xx answer (other statuses are decided by [`crate::carriers::submit`]).
    fn read_submit_answer(&self, status: u16, body: &[u8]) -> SubmitAnswer;
    /// A receipt in our terms, its id canonical; an error is the sender's fault (400).
    fn parse_receipt(&self, headers: &[(String, String)], body: &[u8]) -> Result<ParsedReceipt, String>;
    /// An inbound SMS, checked; an error is the sender's fault (400).
    fn parse_inbound(&self, headers: &[(String, String)], body: &[u8]) -> Result<InboundSms, String>;

    /// Whether the carrier calls our webhooks at all (the sandbox does not).
    fn takes_webhooks(&self) -> bool {
        true
    }

    /// One request carrying several messages, when the carrier takes batches (not part of
    /// the WIT interface: adapter components submit one message per request).
    fn build_batch_submit(&self, _connection: ConnectionConfig, _messages: &[OutgoingMessage]) -> Option<HttpRequest> {
        None
    }

    /// Reads a 2xx answer to [`Self::build_batch_submit`]: one answer per reference, in order.
    fn read_batch_answer(&self, _status: u16, _body: &[u8], references: &[&str]) -> Vec<SubmitAnswer> {
        references.iter().map(|_| SubmitAnswer::Unknown("the adapter reads no batch answers".into())).collect()
    }

    /// The form of a submit answer's id that receipts are matched on.
    fn canonical_submit_id(&self, raw: &str) -> Result<String, crate::carriers::receipt::ReceiptError> {
        canonical_carrier_id(raw, self.ids().submit)
    }
}

/// Names the built-in adapters take; an adapter component may take none of them.
pub const BUILT_IN: [&str; 4] = ["sandbox", "http", "vonage", "sinch"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    #[error("the adapter component's name '{0}' is not 1–32 of a–z, 0–9, '-', '_' starting with a letter, or is a built-in adapter's")]
    InvalidName(String),
    #[error("the adapter's receipt status {0} is not a status code")]
    UnknownStatus(u16),
    #[error("the adapter's receipt part {index}/{total} is not a part (1 ≤ index ≤ total ≤ 255)")]
    InvalidPart { index: u32, total: u32 },
    #[error("{0}")]
    InvalidId(String),
    #[error("the adapter's inbound message has no {0}")]
    MissingInboundField(&'static str),
    #[error("the adapter's inbound part is not a part: {0}")]
    InvalidInboundPart(String),
}

/// The name an adapter component declares, if it may be one: a connection name's shape
/// (what the table's CHECK holds) and no built-in's.
pub fn extension_name(declared: &str) -> Result<String, ExtensionError> {
    let fits = (1..=32).contains(&declared.len())
        && declared.starts_with(|c: char| c.is_ascii_lowercase())
        && declared.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !fits || BUILT_IN.contains(&declared) {
        return Err(ExtensionError::InvalidName(declared.to_owned()));
    }
    Ok(declared.to_owned())
}

/// A receipt as an adapter component reported it (WIT `receipt`), checked: its status a
/// real code, its part a real part, its id canonical by the adapter's receipt encoding.
#[allow(clippy::too_many_arguments)]
pub fn receipt_from_component(
    ids: IdEncodings,
    carrier_message_id: &str,
    reference: Option<String>,
    raw_status: String,
    raw_error: Option<String>,
    status: u16,
    part: Option<(u32, u32)>,
    recipient: Option<String>,
) -> Result<ParsedReceipt, ExtensionError> {
    let mapped = Status::from_code(status).ok_or(ExtensionError::UnknownStatus(status))?;
    let part = match part {
        Some((index, total)) => Some(Part::new(index, total).ok_or(ExtensionError::InvalidPart { index, total })?),
        None => None,
    };
    Ok(ParsedReceipt {
        carrier_message_id: canonical_carrier_id(carrier_message_id, ids.receipt).map_err(|e| ExtensionError::InvalidId(e.to_string()))?,
        raw_status: raw_status.trim().to_owned(),
        raw_error: raw_error.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()),
        mapped,
        part,
        recipient,
        reference: reference.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()),
    })
}

/// An inbound SMS as an adapter component reported it (WIT `inbound-message`), checked
/// as the built-in formats check theirs (`carriers::mo`): an id, a sender and a recipient
/// present, a part a real part; a "long" message of one part is just a message.
pub fn inbound_from_component(message: InboundMessage) -> Result<InboundSms, ExtensionError> {
    let present = |value: String, field: &'static str| {
        let value = value.trim().to_owned();
        if value.is_empty() { Err(ExtensionError::MissingInboundField(field)) } else { Ok(value) }
    };
    let concat = match message.concat {
        None => None,
        Some((reference, index, total)) => {
            let part = crate::inbound::sms::Part::new(&reference, i64::from(index), i64::from(total))
                .map_err(|e| ExtensionError::InvalidInboundPart(e.to_string()))?;
            (part.total() > 1).then_some(part)
        }
    };
    Ok(InboundSms {
        carrier_message_id: present(message.carrier_message_id, "carrier-message-id")?,
        from: present(message.sender, "sender")?,
        to: present(message.recipient, "recipient")?,
        text: message.text,
        concat,
    })
}

/// The Content-Type of a webhook's headers (names compared case-insensitively).
pub fn content_type(headers: &[(String, String)]) -> Option<&str> {
    headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("content-type")).map(|(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: IdEncodings = IdEncodings { submit: IdEncoding::Text, receipt: IdEncoding::Text };

    #[test]
    fn a_component_name_has_a_connection_names_shape_and_is_no_built_in() {
        assert_eq!(extension_name("textmesh").unwrap(), "textmesh");
        for bad in ["", "http", "sandbox", "Text", "2mesh", "a b", &"x".repeat(33)] {
            assert!(extension_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_component_receipt_is_checked_and_canonical() {
        let r = receipt_from_component(TEXT, " TM-1 ", Some("m1".into()), "delivered".into(), Some(" ".into()), 201, None, None).unwrap();
        assert_eq!((r.carrier_message_id.as_str(), r.mapped, r.raw_error, r.reference.as_deref()), ("tm-1", Status::DeliveredToHandset, None, Some("m1")));
        assert_eq!(receipt_from_component(TEXT, "x", None, "?".into(), None, 777, None, None), Err(ExtensionError::UnknownStatus(777)));
        assert!(matches!(receipt_from_component(TEXT, "x", None, "?".into(), None, 201, Some((3, 2)), None), Err(ExtensionError::InvalidPart { .. })));
        assert!(matches!(receipt_from_component(TEXT, " ", None, "?".into(), None, 201, None, None), Err(ExtensionError::InvalidId(_))));
    }

    fn inbound(concat: Option<(&str, u32, u32)>) -> InboundMessage {
        InboundMessage {
            carrier_message_id: " TM-9 ".into(),
            sender: "46701234567".into(),
            recipient: "46700000000".into(),
            text: "STOP".into(),
            concat: concat.map(|(r, i, t)| (r.to_owned(), i, t)),
        }
    }

    #[test]
    fn a_component_inbound_message_is_checked() {
        let sms = inbound_from_component(inbound(None)).unwrap();
        assert_eq!((sms.carrier_message_id.as_str(), sms.from.as_str(), sms.to.as_str(), sms.text.as_str(), sms.concat), ("TM-9", "46701234567", "46700000000", "STOP", None));
        let part = inbound_from_component(inbound(Some(("r1", 2, 3)))).unwrap().concat.unwrap();
        assert_eq!((part.reference(), part.index(), part.total()), ("r1", 2, 3));
        assert_eq!(inbound_from_component(inbound(Some(("r1", 1, 1)))).unwrap().concat, None, "one part is a whole message");
        for bad in [("r1", 0, 3), ("r1", 4, 3), ("r1", 1, 256), (" ", 1, 2)] {
            assert!(matches!(inbound_from_component(inbound(Some(bad))), Err(ExtensionError::InvalidInboundPart(_))), "{bad:?}");
        }
        let mut no_sender = inbound(None);
        no_sender.sender = "  ".into();
        assert_eq!(inbound_from_component(no_sender), Err(ExtensionError::MissingInboundField("sender")));
        let mut no_id = inbound(None);
        no_id.carrier_message_id = String::new();
        assert_eq!(inbound_from_component(no_id), Err(ExtensionError::MissingInboundField("carrier-message-id")));
    }

    #[test]
    fn content_type_is_found_by_any_case() {
        let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        assert_eq!(content_type(&headers), Some("application/json"));
        assert_eq!(content_type(&[]), None);
    }
}
