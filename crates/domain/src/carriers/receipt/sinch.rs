//! Sinch's SMS REST API recipient delivery report callback (JSON):
//! `{"type":"recipient_delivery_report_sms","batch_id","recipient","code","status","at",
//! "operator_status_at"?, "client_reference"?}`.
//!
//! Sinch identifies a message by its batch, and we submit one batch per message, so
//! `batch_id` is the carrier message id. `status` carries the meaning; the numeric `code`
//! (0 or Sinch's 4xx detail codes) is kept as the raw error. Only per-recipient reports
//! are read: batch summaries (`delivery_report_sms`) name no message.

use super::{
    canonical_carrier_id, is_json, json_text, media_type, IdEncoding, ParsedReceipt, ReceiptError,
};
use crate::carriers::adapter::IdEncodings;
use crate::messaging::status::Status;
use serde_json::{Map, Value};

const NAME: &str = "sinch";
const REPORT_TYPE: &str = "recipient_delivery_report_sms";

/// The `sinch` carrier: the batch `id` of the submit response is the `batch_id` of the
/// report, an opaque string (a ULID).
#[derive(Debug, Clone, Copy, Default)]
pub struct SinchAdapter;

impl SinchAdapter {
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
        let malformed = |reason: String| ReceiptError::Malformed { carrier: NAME, format: "JSON", reason };
        let object = match serde_json::from_slice::<Value>(body).map_err(|e| malformed(e.to_string()))? {
            Value::Object(object) => object,
            _ => return Err(malformed("expected an object".into())),
        };
        let report_type = text(&object, "type")?;
        if report_type != REPORT_TYPE {
            return Err(ReceiptError::InvalidField {
                carrier: NAME,
                field: "type",
                reason: format!("only {REPORT_TYPE} reports are read (set delivery_report to per_recipient), not '{report_type}'"),
            });
        }
        let batch_id = text(&object, "batch_id")?;
        let status = text(&object, "status")?;
        let code = match object.get("code") {
            None | Some(Value::Null) => return Err(ReceiptError::MissingField { carrier: NAME, field: "code" }),
            Some(v) => v.as_i64().ok_or_else(|| ReceiptError::InvalidField {
                carrier: NAME,
                field: "code",
                reason: "must be a whole number".into(),
            })?,
        };
        Ok(ParsedReceipt {
            carrier_message_id: canonical_carrier_id(&batch_id, Self::IDS.receipt)?,
            mapped: map_sinch_status(&status),
            raw_status: status,
            raw_error: Some(code.to_string()),
            part: None,
            recipient: object.get("recipient").and_then(json_text).filter(|r| !r.is_empty()),
            reference: object.get("client_reference").and_then(json_text).filter(|r| !r.is_empty()),
        })
    }
}

/// A required, non-empty string field.
fn text(object: &Map<String, Value>, field: &'static str) -> Result<String, ReceiptError> {
    match object.get(field) {
        None | Some(Value::Null) => Err(ReceiptError::MissingField { carrier: NAME, field }),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ReceiptError::MissingField { carrier: NAME, field }),
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(_) => Err(ReceiptError::InvalidField { carrier: NAME, field, reason: "must be a string".into() }),
    }
}

/// Sinch's delivery report status (case-insensitive) as a seed status. Sinch is our
/// gateway: Queued is queued there, Dispatched has reached the operator's SMSC, and
/// Aborted never left Sinch (a gateway error).
fn map_sinch_status(status: &str) -> Status {
    match status.trim().to_ascii_lowercase().as_str() {
        "delivered" => Status::DeliveredToHandset,
        "queued" => Status::QueuedAtGateway,
        "dispatched" => Status::DeliveredToCarrier,
        "expired" => Status::Expired,
        "cancelled" | "canceled" | "deleted" => Status::Canceled,
        "rejected" => Status::GenericRejected,
        "aborted" => Status::GatewayError,
        "failed" => Status::DeliveryToHandsetFailed,
        _ => Status::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: &str, code: i64) -> String {
        format!(
            r#"{{"type":"recipient_delivery_report_sms","batch_id":"01FC66621XXXXX119Z8PMV1QPQ",
                "recipient":"46701234567","code":{code},"status":"{status}",
                "at":"2022-08-30T08:16:08.930Z","operator_status_at":"2022-08-30T08:16:00Z"}}"#
        )
    }

    #[test]
    fn reads_a_recipient_report() {
        let r = SinchAdapter.read_receipt(Some("application/json"), report("Delivered", 0).as_bytes()).unwrap();
        assert_eq!(r.carrier_message_id, "01fc66621xxxxx119z8pmv1qpq");
        assert_eq!(r.raw_status, "Delivered");
        assert_eq!(r.raw_error.as_deref(), Some("0"));
        assert_eq!(r.mapped, Status::DeliveredToHandset);
        assert_eq!(r.recipient.as_deref(), Some("46701234567"));
    }

    #[test]
    fn statuses_map_to_seed_codes() {
        let cases = [
            ("Delivered", 0, 201),
            ("Queued", 400, 114),
            ("Dispatched", 401, 112),
            ("Aborted", 402, 516),
            ("Rejected", 408, 406),
            ("Failed", 0, 514),
            ("Expired", 406, 202),
            ("Cancelled", 407, 203),
            ("Deleted", 0, 203),
            ("Unknown", 0, 599),
            ("Teleported", 0, 599),
        ];
        for (status, code, seed) in cases {
            let r = SinchAdapter.read_receipt(None, report(status, code).as_bytes()).unwrap();
            assert_eq!(r.mapped.code(), seed, "{status}");
            assert_eq!(r.raw_error, Some(code.to_string()));
        }
    }

    #[test]
    fn batch_summaries_and_broken_reports_are_refused() {
        let summary = br#"{"type":"delivery_report_sms","batch_id":"01F","statuses":[]}"#;
        assert!(matches!(
            SinchAdapter.read_receipt(None, summary),
            Err(ReceiptError::InvalidField { field: "type", .. })
        ));
        let no_code = br#"{"type":"recipient_delivery_report_sms","batch_id":"01F","status":"Delivered"}"#;
        assert_eq!(
            SinchAdapter.read_receipt(None, no_code),
            Err(ReceiptError::MissingField { carrier: "sinch", field: "code" })
        );
        let text_code = br#"{"type":"recipient_delivery_report_sms","batch_id":"01F","status":"Delivered","code":"x"}"#;
        assert!(matches!(
            SinchAdapter.read_receipt(None, text_code),
            Err(ReceiptError::InvalidField { field: "code", .. })
        ));
        assert!(matches!(
            SinchAdapter.read_receipt(Some("application/x-www-form-urlencoded"), b"a=b"),
            Err(ReceiptError::UnsupportedContentType { .. })
        ));
        assert!(matches!(SinchAdapter.read_receipt(None, b"nope"), Err(ReceiptError::Malformed { .. })));
    }
}
