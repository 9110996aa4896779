//! Submits to commercial carriers whose receipts we read (domain::carriers::receipt adapters):
//!
//! `vonage`: Vonage SMS API, `POST {carrier_base_url}/sms/json` (base
//!   `https://rest.nexmo.com`) with `{"api_key","api_secret","from","to","text","type",
//!   "client-ref","status-report-req"}`; `carrier_api_key` holds `api_key:api_secret`.
//!   The answer lists one entry per part, each with its own `message-id` and `status`
//!   ("0" = accepted); a long message therefore has one id per part.
//! `sinch`: Sinch SMS REST API, `POST {carrier_base_url}/batches` (base
//!   `https://us.sms.api.sinch.com/xms/v1/{service_plan_id}`) with
//!   `Authorization: Bearer {carrier_api_key}` and one recipient per batch, asking for
//!   per-recipient delivery reports; the batch `id` is the message's carrier id.

use super::{CarrierConfig, Submission, SubmitResult, SINCH, VONAGE};
use crate::outbound::{Answer, OutboundError, Post};
use serde_json::{json, Value};

/// The request for one message to a `vonage` or `sinch` carrier.
pub(super) fn post<'a>(config: &CarrierConfig, url: &'a str, s: &Submission) -> Post<'a> {
    let (headers, body) = if config.adapter == VONAGE {
        let (key, secret) = config.api_key.split_once(':').unwrap_or((config.api_key.as_str(), ""));
        let body = json!({
            "api_key": key,
            "api_secret": secret,
            "from": s.sender,
            // Vonage wants international numbers without the '+'.
            "to": s.recipient.trim_start_matches('+'),
            "text": s.text,
            "type": if s.encoding == "UCS-2" { "unicode" } else { "text" },
            "client-ref": s.reference,
            "status-report-req": true,
        });
        (vec![], body)
    } else {
        let body = json!({
            "from": s.sender,
            "to": [s.recipient],
            "body": s.text,
            "delivery_report": "per_recipient",
            "client_reference": s.reference,
        });
        (vec![("authorization".to_owned(), format!("Bearer {}", config.api_key))], body)
    };
    Post { url, headers, body: body.to_string(), timeout: config.timeout }
}

/// Where a `vonage` or `sinch` carrier takes submits.
pub(super) fn url(config: &CarrierConfig) -> String {
    let base = config.base_url.trim_end_matches('/');
    if config.adapter == SINCH {
        format!("{base}/batches")
    } else {
        format!("{base}/sms/json")
    }
}

/// What a `vonage` or `sinch` carrier's answer means.
pub(super) fn result(carrier: &str, result: Result<Answer, OutboundError>) -> SubmitResult {
    let answer = match super::successful_answer(result) {
        Ok(answer) => answer,
        Err(failed) => return failed,
    };
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if carrier == VONAGE {
        vonage_result(&body)
    } else {
        match body["id"].as_str().map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => SubmitResult::Accepted { carrier_message_id: id.to_owned() },
            None => SubmitResult::Unknown { detail: "carrier answered without a batch id".into() },
        }
    }
}

/// Every part must be accepted (`status` "0") with an id; Vonage refuses a request as a
/// whole (credentials, sender, number), so a refused part means none was sent.
fn vonage_result(body: &Value) -> SubmitResult {
    let Some(parts) = body["messages"].as_array().filter(|m| !m.is_empty()) else {
        return SubmitResult::Failed { detail: "carrier answered without messages".into() };
    };
    let mut ids = Vec::with_capacity(parts.len());
    for part in parts {
        let status = match &part["status"] {
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        if status != "0" {
            let reason = part["error-text"].as_str().unwrap_or("no reason given");
            return SubmitResult::Failed { detail: format!("carrier refused the message: status {status}, {reason}") };
        }
        match part["message-id"].as_str().map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => ids.push(id.to_owned()),
            None => return SubmitResult::Failed { detail: "carrier answered without a message-id".into() },
        }
    }
    if ids.len() == 1 {
        SubmitResult::Accepted { carrier_message_id: ids.remove(0) }
    } else {
        SubmitResult::AcceptedInParts { part_ids: ids }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Result<Answer, OutboundError> {
        Ok(Answer { status, body: body.as_bytes().to_vec() })
    }

    #[test]
    fn vonage_answers() {
        let one = r#"{"message-count":"1","messages":[{"to":"46701234567","message-id":"0A00000012345678","status":"0"}]}"#;
        assert_eq!(result(VONAGE, answer(200, one)), SubmitResult::Accepted { carrier_message_id: "0A00000012345678".into() });
        let two = r#"{"message-count":"2","messages":[{"message-id":"A1","status":"0"},{"message-id":"A2","status":"0"}]}"#;
        assert_eq!(result(VONAGE, answer(200, two)), SubmitResult::AcceptedInParts { part_ids: vec!["A1".into(), "A2".into()] });
        let refused = r#"{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}"#;
        assert!(matches!(result(VONAGE, answer(200, refused)), SubmitResult::Failed { detail } if detail.contains("Bad Credentials")));
        assert!(matches!(result(VONAGE, answer(200, "{}")), SubmitResult::Failed { .. }));
        assert!(matches!(result(VONAGE, answer(500, one)), SubmitResult::Failed { .. }));
    }

    #[test]
    fn sinch_answers() {
        let batch = r#"{"id":"01FC66621XXXXX119Z8PMV1QPQ","to":["46701234567"],"from":"ACME","canceled":false}"#;
        assert_eq!(result(SINCH, answer(201, batch)), SubmitResult::Accepted { carrier_message_id: "01FC66621XXXXX119Z8PMV1QPQ".into() });
        assert!(matches!(result(SINCH, answer(201, "{}")), SubmitResult::Unknown { .. }));
        assert!(matches!(result(SINCH, Err(OutboundError::not_sent("refused"))), SubmitResult::Failed { .. }));
        let timed_out = OutboundError { kind: crate::outbound::FailureKind::TimedOut, detail: "HttpResponseTimeout".into() };
        assert!(matches!(result(SINCH, Err(timed_out)), SubmitResult::Unknown { .. }));
    }
}
