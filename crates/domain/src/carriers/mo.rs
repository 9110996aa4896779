//! Inbound (mobile-originated) SMS as carriers deliver them to our webhooks, one format
//! per carrier, read into one [`InboundSms`]. Each built-in carrier's type reads its receipts
//! (`carriers::receipt`) and its inbound messages (here); `carriers::builtin` makes it a
//! [`crate::carriers::adapter::CarrierProtocol`].
//!
//! - `http` (ours): JSON `{"message_id","from","to","text","concat"?:{"reference","part","parts"}}`.
//! - `vonage`: Vonage's inbound-message webhook, form-encoded or JSON: `messageId`,
//!   `msisdn` (the sender), `to` (our number), `text`, and for a part of a long message
//!   `concat=true`, `concat-ref`, `concat-part`, `concat-total`.
//! - `sinch`: Sinch's MO webhook, JSON `{"type":"mo_text","id","from","to","body"}`; Sinch
//!   joins long messages itself, so there are no parts.

use crate::inbound::sms::Part;
use crate::carriers::receipt::{is_json, media_type, HttpAdapter, SinchAdapter, VonageAdapter};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    #[error("{carrier} inbound messages must be {expected}, not '{content_type}'")]
    UnsupportedContentType { carrier: &'static str, expected: &'static str, content_type: String },
    #[error("the {carrier} inbound message is not valid JSON: {reason}")]
    Malformed { carrier: &'static str, reason: String },
    #[error("the {carrier} inbound message has no '{field}'")]
    MissingField { carrier: &'static str, field: &'static str },
    #[error("the {carrier} inbound message's concatenation fields are inconsistent")]
    BadConcat { carrier: &'static str },
}

/// An inbound SMS (or one part of one) as the carrier delivered it; numbers as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    pub carrier_message_id: String,
    pub from: String,
    pub to: String,
    pub text: String,
    /// Set for one part of a long message.
    pub concat: Option<Part>,
}

fn json_object(carrier: &'static str, body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, InboundError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(InboundError::Malformed { carrier, reason: "expected a JSON object".into() }),
        Err(e) => Err(InboundError::Malformed { carrier, reason: e.to_string() }),
    }
}

/// A JSON object body from a carrier that sends only JSON.
fn json_body(
    carrier: &'static str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, InboundError> {
    if !is_json(media_type(content_type).as_deref()) {
        return Err(InboundError::UnsupportedContentType {
            carrier,
            expected: "application/json",
            content_type: content_type.unwrap_or_default().to_owned(),
        });
    }
    json_object(carrier, body)
}

fn text_field(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn require(carrier: &'static str, field: &'static str, value: Option<String>) -> Result<String, InboundError> {
    value.filter(|v| !v.trim().is_empty()).ok_or(InboundError::MissingField { carrier, field })
}

fn concat(carrier: &'static str, reference: Option<String>, part: Option<String>, parts: Option<String>) -> Result<Option<Part>, InboundError> {
    match (reference, part, parts) {
        (None, None, None) => Ok(None),
        (Some(reference), Some(part), Some(parts)) => match Part::from_fields(&reference, &part, &parts) {
            // A one-part "long" message is just a message.
            Ok(part) if part.total() == 1 => Ok(None),
            Ok(part) => Ok(Some(part)),
            Err(_) => Err(InboundError::BadConcat { carrier }),
        },
        _ => Err(InboundError::BadConcat { carrier }),
    }
}

impl HttpAdapter {
    /// Reads one inbound SMS (or part); `content_type` is the request's Content-Type.
    pub fn read_inbound(&self, content_type: Option<&str>, body: &[u8]) -> Result<InboundSms, InboundError> {
        const CARRIER: &str = "http";
        let map = json_body(CARRIER, content_type, body)?;
        let concat = match map.get("concat") {
            None | Some(serde_json::Value::Null) => None,
            Some(c) => concat(CARRIER, text_field(c.get("reference")), text_field(c.get("part")), text_field(c.get("parts")))?,
        };
        Ok(InboundSms {
            carrier_message_id: require(CARRIER, "message_id", text_field(map.get("message_id")))?,
            from: require(CARRIER, "from", text_field(map.get("from")))?,
            to: require(CARRIER, "to", text_field(map.get("to")))?,
            text: text_field(map.get("text")).unwrap_or_default(),
            concat,
        })
    }
}

impl VonageAdapter {
    /// Reads one inbound SMS (or part); `content_type` is the request's Content-Type.
    pub fn read_inbound(&self, content_type: Option<&str>, body: &[u8]) -> Result<InboundSms, InboundError> {
        const CARRIER: &str = "vonage";
        let media = media_type(content_type);
        let fields: HashMap<String, String> = match media.as_deref() {
            Some("application/x-www-form-urlencoded") => form_urlencoded::parse(body).into_owned().collect(),
            None if !body.trim_ascii_start().starts_with(b"{") => form_urlencoded::parse(body).into_owned().collect(),
            m if is_json(m) => json_object(CARRIER, body)?.iter().filter_map(|(k, v)| Some((k.clone(), text_field(Some(v))?))).collect(),
            _ => {
                return Err(InboundError::UnsupportedContentType {
                    carrier: CARRIER,
                    expected: "application/x-www-form-urlencoded or application/json",
                    content_type: content_type.unwrap_or_default().to_owned(),
                })
            }
        };
        let get = |k: &str| fields.get(k).cloned();
        let concat = if get("concat").is_some_and(|c| c.eq_ignore_ascii_case("true")) {
            concat(CARRIER, get("concat-ref"), get("concat-part"), get("concat-total"))?
        } else {
            None
        };
        Ok(InboundSms {
            carrier_message_id: require(CARRIER, "messageId", get("messageId"))?,
            from: require(CARRIER, "msisdn", get("msisdn"))?,
            to: require(CARRIER, "to", get("to"))?,
            text: get("text").unwrap_or_default(),
            concat,
        })
    }
}

impl SinchAdapter {
    /// Reads one inbound SMS (or part); `content_type` is the request's Content-Type.
    pub fn read_inbound(&self, content_type: Option<&str>, body: &[u8]) -> Result<InboundSms, InboundError> {
        const CARRIER: &str = "sinch";
        let map = json_body(CARRIER, content_type, body)?;
        if text_field(map.get("type")).is_some_and(|t| t != "mo_text") {
            return Err(InboundError::Malformed { carrier: CARRIER, reason: "only mo_text messages are read".into() });
        }
        Ok(InboundSms {
            carrier_message_id: require(CARRIER, "id", text_field(map.get("id")))?,
            from: require(CARRIER, "from", text_field(map.get("from")))?,
            to: require(CARRIER, "to", text_field(map.get("to")))?,
            text: text_field(map.get("body")).unwrap_or_default(),
            concat: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_json_with_and_without_parts() {
        let format = HttpAdapter;
        let one = format
            .read_inbound(Some("application/json"), br#"{"message_id":"m1","from":"+46701234567","to":"+46761000000","text":"STOP"}"#)
            .unwrap();
        assert_eq!((one.from.as_str(), one.text.as_str(), one.concat), ("+46701234567", "STOP", None));
        let part = format
            .read_inbound(None, br#"{"message_id":"m2","from":"+4670","to":"+4676","text":"a","concat":{"reference":"r7","part":2,"parts":3}}"#)
            .unwrap();
        assert_eq!(part.concat, Some(Part::new("r7", 2, 3).unwrap()));
    }

    #[test]
    fn vonage_form_with_concat() {
        let body = b"msisdn=46701234567&to=46761000000&messageId=0A000000123&text=Spara+%C3%85sa+Berg+kunder&type=text&concat=true&concat-ref=9&concat-total=2&concat-part=1";
        let sms = VonageAdapter.read_inbound(Some("application/x-www-form-urlencoded"), body).unwrap();
        assert_eq!(sms.text, "Spara Åsa Berg kunder");
        assert_eq!(sms.from, "46701234567");
        assert_eq!(sms.concat, Some(Part::new("9", 1, 2).unwrap()));
    }

    #[test]
    fn sinch_json() {
        let body = br#"{"type":"mo_text","id":"01FC66621VHDBN","from":"46701234567","to":"46761000000","body":"Hello","received_at":"2026-11-26T10:00:00Z"}"#;
        let sms = SinchAdapter.read_inbound(Some("application/json"), body).unwrap();
        assert_eq!((sms.carrier_message_id.as_str(), sms.text.as_str()), ("01FC66621VHDBN", "Hello"));
    }

    #[test]
    fn bad_input_is_explained() {
        let http = HttpAdapter;
        assert!(matches!(http.read_inbound(None, b"{}"), Err(InboundError::MissingField { field: "message_id", .. })));
        assert!(matches!(http.read_inbound(None, b"nope"), Err(InboundError::Malformed { .. })));
        assert!(matches!(
            http.read_inbound(None, br#"{"message_id":"m","from":"1","to":"2","concat":{"reference":"r","part":4,"parts":3}}"#),
            Err(InboundError::BadConcat { .. })
        ));
        assert!(matches!(http.read_inbound(Some("text/plain"), b"{}"), Err(InboundError::UnsupportedContentType { .. })));
    }
}
