//! Vonage's SMS API delivery receipt (DLR) webhook: form-encoded (or JSON, when the
//! account is set to POST-JSON) fields `messageId`, `status`, `err-code`, `msisdn`
//! (the recipient), `to` (the sender), `scts` and more we do not need.
//!
//! `status` is one of delivered, expired, failed, rejected, accepted, buffered, unknown.
//! `err-code` says why a message failed ("0" = no error); its table is Vonage's published
//! DLR error-code list, mapped here onto the seed statuses. A long message is sent as
//! separate parts with separate ids, so every receipt is for one whole part (`part` is
//! `None`; the matched part id tells which).

use super::{
    canonical_carrier_id, is_json, json_text, media_type, IdEncoding, ParsedReceipt, ReceiptError,
};
use crate::carriers::adapter::IdEncodings;
use crate::messaging::status::Status;
use std::collections::HashMap;

const NAME: &str = "vonage";

/// The `vonage` carrier: `messageId` is the same opaque string in the submit response
/// (`message-id`) and the receipt.
#[derive(Debug, Clone, Copy, Default)]
pub struct VonageAdapter;

impl VonageAdapter {
    pub const NAME: &'static str = NAME;
    /// How ids are written in submit answers and in receipts.
    pub const IDS: IdEncodings = IdEncodings { submit: IdEncoding::Text, receipt: IdEncoding::Text };

    /// Form-encoded bodies (`application/x-www-form-urlencoded`, or a GET query string
    /// passed as the body) and JSON bodies are both read; without a Content-Type, a body
    /// that starts with `{` is JSON.
    /// Reads one receipt; `content_type` is the request's Content-Type, if any.
    pub fn read_receipt(&self, content_type: Option<&str>, body: &[u8]) -> Result<ParsedReceipt, ReceiptError> {
        let fields = match media_type(content_type).as_deref() {
            Some("application/x-www-form-urlencoded") => form_fields(body),
            None if !body.trim_ascii_start().starts_with(b"{") => form_fields(body),
            media if is_json(media) => json_fields(body)?,
            other => {
                return Err(ReceiptError::UnsupportedContentType {
                    carrier: NAME,
                    expected: "application/x-www-form-urlencoded or application/json",
                    content_type: other.unwrap_or_default().to_owned(),
                })
            }
        };
        let required = |field: &'static str| {
            fields
                .get(field)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or(ReceiptError::MissingField { carrier: NAME, field })
        };
        let message_id = required("messageId")?;
        let status = required("status")?;
        let raw_error = fields.get("err-code").filter(|e| !e.is_empty()).cloned();
        Ok(ParsedReceipt {
            carrier_message_id: canonical_carrier_id(&message_id, Self::IDS.receipt)?,
            mapped: map_vonage_status(&status, raw_error.as_deref()),
            raw_status: status,
            raw_error,
            part: None,
            recipient: fields.get("msisdn").filter(|m| !m.is_empty()).cloned(),
            reference: fields.get("client-ref").filter(|r| !r.is_empty()).cloned(),
        })
    }
}

/// Each field once (the first wins), values trimmed.
fn form_fields(body: &[u8]) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        fields.entry(key.into_owned()).or_insert_with(|| value.trim().to_owned());
    }
    fields
}

fn json_fields(body: &[u8]) -> Result<HashMap<String, String>, ReceiptError> {
    let malformed = |reason: String| ReceiptError::Malformed { carrier: NAME, format: "JSON", reason };
    match serde_json::from_slice::<serde_json::Value>(body).map_err(|e| malformed(e.to_string()))? {
        serde_json::Value::Object(object) => {
            Ok(object.iter().filter_map(|(k, v)| json_text(v).map(|v| (k.clone(), v))).collect())
        }
        _ => Err(malformed("expected an object".into())),
    }
}

/// Vonage's `status` (case-insensitive) and `err-code` as a seed status.
fn map_vonage_status(status: &str, err: Option<&str>) -> Status {
    let code = err.and_then(|e| e.trim().parse::<u32>().ok()).filter(|&c| c != 0);
    match status.trim().to_ascii_lowercase().as_str() {
        "delivered" => Status::DeliveredToHandset,
        "expired" => Status::Expired,
        "failed" => code.map_or(Status::DeliveryToHandsetFailed, failure),
        "rejected" => code.map_or(Status::GenericRejected, failure),
        "accepted" => Status::DeliveredToGsm,
        "buffered" => Status::DeliveredToCarrier,
        _ => Status::Unknown,
    }
}

/// Vonage DLR `err-code` → seed status. Codes we do not know (and 1 "Unknown",
/// 99 "General Error") are a generic delivery failure.
fn failure(code: u32) -> Status {
    match code {
        2 | 7 => Status::SubscriberUnreachable, // absent subscriber (temporary), handset busy
        3 | 12 => Status::UnknownSubscriber,    // absent subscriber (permanent), destination unreachable
        4 | 9 | 13 | 14 => Status::RecipientRejected, // barred by user, opted out, age restriction, blocked by carrier
        5 => Status::DeliveryToHandsetFailed,   // portability error
        6 | 10 => Status::ContentRejected,      // anti-spam rejection, illegal message
        8 => Status::DeliveryToGsmFailed,       // network error
        11 => Status::DeliveryToCarrierFailed,  // unroutable
        _ => Status::GenericDeliveryFailure,    // 1 unknown, 99 general error, anything new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    fn dlr(status: &str, err: &str) -> Status {
        let body = format!("msisdn=46701234567&to=ACME&messageId=0A0000001234567B&status={status}&err-code={err}");
        VonageAdapter.read_receipt(FORM, body.as_bytes()).unwrap().mapped
    }

    #[test]
    fn reads_a_form_receipt() {
        let body = b"msisdn=46701234567&to=ACME&network-code=24001&messageId=0A0000001234567B&price=0.03330000\
                     &status=delivered&scts=2001011400&err-code=0&message-timestamp=2020-01-01+14%3A00%3A00";
        let r = VonageAdapter.read_receipt(FORM, body).unwrap();
        assert_eq!(r.carrier_message_id, "0a0000001234567b");
        assert_eq!(r.raw_status, "delivered");
        assert_eq!(r.raw_error.as_deref(), Some("0"));
        assert_eq!(r.mapped, Status::DeliveredToHandset);
        assert_eq!(r.recipient.as_deref(), Some("46701234567"));
        assert_eq!(r.part, None);
    }

    #[test]
    fn reads_json_and_query_strings() {
        let json = br#"{"msisdn":"46701234567","messageId":"0A0000001234567B","status":"failed","err-code":"3"}"#;
        let r = VonageAdapter.read_receipt(Some("application/json"), json).unwrap();
        assert_eq!(r.mapped, Status::UnknownSubscriber);
        assert_eq!(VonageAdapter.read_receipt(None, json).unwrap(), r);
        let query = b"messageId=X1&status=expired&err-code=0";
        assert_eq!(VonageAdapter.read_receipt(None, query).unwrap().mapped, Status::Expired);
    }

    #[test]
    fn statuses_and_error_codes_map_to_seed_codes() {
        let cases = [
            ("delivered", "0", 201),
            ("DELIVERED", "0", 201),
            ("expired", "0", 202),
            ("accepted", "0", 113),
            ("buffered", "0", 112),
            ("unknown", "0", 599),
            ("something-new", "0", 599),
            ("failed", "0", 514),
            ("failed", "", 514),
            ("failed", "1", 515),
            ("failed", "2", 502),
            ("failed", "3", 501),
            ("failed", "4", 405),
            ("failed", "5", 514),
            ("failed", "6", 404),
            ("failed", "7", 502),
            ("failed", "8", 513),
            ("failed", "9", 405),
            ("failed", "11", 512),
            ("failed", "99", 515),
            ("failed", "not-a-number", 514),
            ("rejected", "0", 406),
            ("rejected", "6", 404),
            ("rejected", "14", 405),
        ];
        for (status, err, code) in cases {
            assert_eq!(dlr(status, err).code(), code, "{status} {err}");
        }
    }

    #[test]
    fn missing_fields_and_other_types_are_refused() {
        assert_eq!(
            VonageAdapter.read_receipt(FORM, b"status=delivered"),
            Err(ReceiptError::MissingField { carrier: "vonage", field: "messageId" })
        );
        assert_eq!(
            VonageAdapter.read_receipt(FORM, b"messageId=&status=delivered"),
            Err(ReceiptError::MissingField { carrier: "vonage", field: "messageId" })
        );
        assert!(matches!(
            VonageAdapter.read_receipt(FORM, b"messageId=1"),
            Err(ReceiptError::MissingField { field: "status", .. })
        ));
        assert!(matches!(
            VonageAdapter.read_receipt(Some("text/xml"), b"<x/>"),
            Err(ReceiptError::UnsupportedContentType { .. })
        ));
        assert!(matches!(
            VonageAdapter.read_receipt(Some("application/json"), b"{"),
            Err(ReceiptError::Malformed { .. })
        ));
    }
}
