//! Our own HTTP carrier protocol (docs/carriers.md "Carrier protocol"):
//! `{"message_id", "status", "error_code"?, "part"?, "parts"?}` in JSON, with SMPP final
//! states in `status` and a GSM MAP error in `error_code`.

use super::{
    canonical_carrier_id, is_json, json_text, map_receipt_status, media_type, IdEncoding,
    ParsedReceipt, Part, ReceiptError, MAX_PARTS,
};
use crate::carriers::adapter::IdEncodings;
use serde_json::{Map, Value};

const NAME: &str = "http";

/// The `http` carrier: ids are opaque text in submit responses and receipts alike.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpAdapter;

impl HttpAdapter {
    pub const NAME: &'static str = NAME;
    /// How ids are written in submit answers and in receipts.
    pub const IDS: IdEncodings = IdEncodings { submit: IdEncoding::Text, receipt: IdEncoding::Text };

    /// Reads one receipt; `content_type` is the request's Content-Type, if any.
    pub fn read_receipt(&self, content_type: Option<&str>, body: &[u8]) -> Result<ParsedReceipt, ReceiptError> {
        let media = media_type(content_type);
        if !is_json(media.as_deref()) {
            return Err(ReceiptError::UnsupportedContentType {
                carrier: NAME,
                expected: "application/json",
                content_type: media.unwrap_or_default(),
            });
        }
        let object = parse_object(body)?;
        let message_id = required_text(&object, "message_id")?;
        let status = required_text(&object, "status")?;
        let error = object.get("error_code").filter(|v| !v.is_null());
        let raw_error = match error {
            Some(v) => Some(json_text(v).ok_or_else(|| invalid("error_code", "must be a string or a number"))?),
            None => None,
        }
        .filter(|e| !e.is_empty());
        Ok(ParsedReceipt {
            carrier_message_id: canonical_carrier_id(&message_id, Self::IDS.receipt)?,
            mapped: map_receipt_status(&status, raw_error.as_deref()),
            raw_status: status,
            raw_error,
            part: part(&object)?,
            recipient: None,
            reference: object.get("reference").and_then(json_text).filter(|r| !r.is_empty()),
        })
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ReceiptError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ReceiptError::Malformed { carrier: NAME, format: "JSON", reason: "expected an object".into() }),
        Err(e) => Err(ReceiptError::Malformed { carrier: NAME, format: "JSON", reason: e.to_string() }),
    }
}

fn invalid(field: &'static str, reason: &str) -> ReceiptError {
    ReceiptError::InvalidField { carrier: NAME, field, reason: reason.into() }
}

/// A field that must be a non-empty string (or a number, for ids).
fn required_text(object: &Map<String, Value>, field: &'static str) -> Result<String, ReceiptError> {
    let value = object
        .get(field)
        .filter(|v| !v.is_null())
        .ok_or(ReceiptError::MissingField { carrier: NAME, field })?;
    let text = json_text(value).ok_or_else(|| invalid(field, "must be a string"))?;
    if text.is_empty() {
        return Err(ReceiptError::MissingField { carrier: NAME, field });
    }
    Ok(text)
}

/// `part` (1-based) and `parts` come together or not at all.
fn part(object: &Map<String, Value>) -> Result<Option<Part>, ReceiptError> {
    let number = |field: &'static str| -> Result<Option<u32>, ReceiptError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| invalid(field, "must be a positive whole number")),
        }
    };
    match (number("part")?, number("parts")?) {
        (None, None) => Ok(None),
        (Some(index), Some(total)) => Part::new(index, total).map(Some).ok_or_else(|| {
            invalid("part", &format!("must be between 1 and parts (at most {MAX_PARTS}); got {index} of {total}"))
        }),
        (Some(_), None) => Err(ReceiptError::MissingField { carrier: NAME, field: "parts" }),
        (None, Some(_)) => Err(ReceiptError::MissingField { carrier: NAME, field: "part" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
use crate::messaging::status::Status;

    fn parse(body: &str) -> Result<ParsedReceipt, ReceiptError> {
        HttpAdapter.read_receipt(Some("application/json"), body.as_bytes())
    }

    #[test]
    fn reads_our_receipt() {
        let r = parse(r#"{"message_id":" ABC-1 ","status":"UNDELIV","error_code":"027"}"#).unwrap();
        assert_eq!(r.carrier_message_id, "abc-1");
        assert_eq!(r.raw_status, "UNDELIV");
        assert_eq!(r.raw_error.as_deref(), Some("027"));
        assert_eq!(r.mapped, Status::SubscriberUnreachable);
        assert_eq!(r.part, None);
    }

    #[test]
    fn numbers_and_parts_are_accepted() {
        let r = parse(r#"{"message_id":12,"status":"DELIVRD","error_code":0,"part":2,"parts":3}"#).unwrap();
        assert_eq!(r.carrier_message_id, "12");
        assert_eq!(r.raw_error.as_deref(), Some("0"));
        assert_eq!(r.mapped, Status::DeliveredToHandset);
        assert_eq!(r.part, Some(Part { index: 2, total: 3 }));
        // No Content-Type is taken as JSON; charset parameters are fine.
        assert!(HttpAdapter.read_receipt(None, br#"{"message_id":"a","status":"DELIVRD"}"#).is_ok());
        assert!(HttpAdapter
            .read_receipt(Some("Application/JSON; charset=utf-8"), br#"{"message_id":"a","status":"DELIVRD"}"#)
            .is_ok());
    }

    #[test]
    fn malformed_receipts_are_refused_with_a_reason() {
        assert!(matches!(parse("not json"), Err(ReceiptError::Malformed { .. })));
        assert!(matches!(parse("[]"), Err(ReceiptError::Malformed { .. })));
        assert_eq!(
            parse(r#"{"status":"DELIVRD"}"#),
            Err(ReceiptError::MissingField { carrier: "http", field: "message_id" })
        );
        assert_eq!(
            parse(r#"{"message_id":"  ","status":"DELIVRD"}"#),
            Err(ReceiptError::MissingField { carrier: "http", field: "message_id" })
        );
        assert!(matches!(parse(r#"{"message_id":"a"}"#), Err(ReceiptError::MissingField { field: "status", .. })));
        assert!(matches!(
            parse(r#"{"message_id":"a","status":true}"#),
            Err(ReceiptError::InvalidField { field: "status", .. })
        ));
        assert!(matches!(
            parse(r#"{"message_id":"a","status":"DELIVRD","part":1}"#),
            Err(ReceiptError::MissingField { field: "parts", .. })
        ));
        for bad in [r#""part":0,"parts":2"#, r#""part":3,"parts":2"#, r#""part":1,"parts":256"#, r#""part":-1,"parts":2"#] {
            let body = format!(r#"{{"message_id":"a","status":"DELIVRD",{bad}}}"#);
            assert!(matches!(parse(&body), Err(ReceiptError::InvalidField { .. })), "{bad}");
        }
        let err = HttpAdapter.read_receipt(Some("text/plain"), b"{}").unwrap_err();
        assert_eq!(err.to_string(), "http receipts must be application/json, not 'text/plain'");
    }
}
