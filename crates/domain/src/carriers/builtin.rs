//! The built-in carrier adapters, each through the one adapter interface
//! ([`CarrierProtocol`], wit/carrier-adapter.wit) the platform calls every adapter by:
//!
//! - `sandbox`: never leaves the process; accepts every message (the platform then reports
//!   it delivered), like the test credentials of commercial providers.
//! - `http`: our JSON carrier protocol (docs/carriers.md "Submitting"):
//!   `POST {base}/messages`, `Authorization: Bearer {credentials}`, body
//!   `{"reference","from","to","text","encoding","segments"}` → 2xx `{"message_id": "…"}`;
//!   in batches, `POST {base}/messages/batch` with `{"messages": [those objects]}` → 2xx
//!   `{"messages": [{"reference","message_id"} or {"reference","error"}]}`.
//! - `vonage`: Vonage SMS API, `POST {base}/sms/json` (base `https://rest.nexmo.com`) with
//!   `{"api_key","api_secret","from","to","text","type","client-ref","status-report-req"}`;
//!   the credentials are `api_key:api_secret`. The answer lists one entry per part, each
//!   with its own `message-id` and `status` ("0" = accepted).
//! - `sinch`: Sinch SMS REST API, `POST {base}/batches` (base
//!   `https://us.sms.api.sinch.com/xms/v1/{service_plan_id}`) with a bearer token and one
//!   recipient per batch, asking for per-recipient reports; the batch `id` is the message's id.
//!
//! Receipts and inbound messages are read by each carrier's own parser
//! (`carriers::receipt`, `carriers::mo`). Transport failures and non-2xx statuses mean the
//! same for every carrier and are the platform's to read (`carriers::submit`).

use crate::carriers::adapter::{
    content_type, CarrierProtocol, ConnectionConfig, HttpRequest, IdEncodings, OutgoingMessage, SignatureScheme,
    SubmitAnswer, SubmitPlan,
};
use crate::carriers::mo::InboundSms;
use crate::carriers::receipt::{HttpAdapter, IdEncoding, ParsedReceipt, SinchAdapter, VonageAdapter};
use serde_json::{json, Value};

/// The carrier that never leaves the process.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxAdapter;

/// Every built-in adapter, by the name a connection's `adapter` gives.
pub static BUILT_IN_ADAPTERS: [&dyn CarrierProtocol; 4] = [&SandboxAdapter, &HttpAdapter, &VonageAdapter, &SinchAdapter];

/// The built-in adapter of that name (ASCII case-insensitive), if any.
pub fn built_in(name: &str) -> Option<&'static dyn CarrierProtocol> {
    BUILT_IN_ADAPTERS.iter().copied().find(|a| a.name().eq_ignore_ascii_case(name.trim()))
}

fn post_json(url: String, headers: Vec<(String, String)>, body: &Value) -> SubmitPlan {
    let mut headers = headers;
    headers.push(("content-type".to_owned(), "application/json".to_owned()));
    SubmitPlan::Request(HttpRequest { method: "POST".to_owned(), url, headers, body: body.to_string().into_bytes() })
}

fn bearer(credentials: &str) -> (String, String) {
    ("authorization".to_owned(), format!("Bearer {credentials}"))
}

fn under(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

fn non_empty(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned)
}

/// What every built-in carrier that calls our webhooks shares: its name and id encodings
/// from its type, the timestamped HMAC (`carriers::signature`), and its own receipt and
/// inbound parsers (`carriers::receipt`, `carriers::mo`) read by the request's Content-Type.
macro_rules! carrier_with_webhooks {
    () => {
        fn name(&self) -> &str {
            Self::NAME
        }

        fn ids(&self) -> IdEncodings {
            Self::IDS
        }

        fn signature(&self) -> SignatureScheme {
            SignatureScheme::HmacSha256Timestamped
        }

        fn parse_receipt(&self, headers: &[(String, String)], body: &[u8]) -> Result<ParsedReceipt, String> {
            self.read_receipt(content_type(headers), body).map_err(|e| e.to_string())
        }

        fn parse_inbound(&self, headers: &[(String, String)], body: &[u8]) -> Result<InboundSms, String> {
            self.read_inbound(content_type(headers), body).map_err(|e| e.to_string())
        }
    };
}

impl CarrierProtocol for SandboxAdapter {
    fn name(&self) -> &str {
        "sandbox"
    }

    fn ids(&self) -> IdEncodings {
        IdEncodings { submit: IdEncoding::Text, receipt: IdEncoding::Text }
    }

    fn signature(&self) -> SignatureScheme {
        SignatureScheme::HmacSha256Timestamped
    }

    fn build_submit(&self, _: ConnectionConfig, message: OutgoingMessage) -> SubmitPlan {
        SubmitPlan::Settled(SubmitAnswer::Accepted(vec![format!("sbx-{}", message.reference)]))
    }

    fn read_submit_answer(&self, _: u16, _: &[u8]) -> SubmitAnswer {
        SubmitAnswer::Failed("the sandbox makes no requests".into())
    }

    fn parse_receipt(&self, _: &[(String, String)], _: &[u8]) -> Result<ParsedReceipt, String> {
        Err("the sandbox sends no receipts".into())
    }

    fn parse_inbound(&self, _: &[(String, String)], _: &[u8]) -> Result<InboundSms, String> {
        Err("the sandbox sends no inbound messages".into())
    }

    fn takes_webhooks(&self) -> bool {
        false
    }
}

/// A message as our `http` protocol carries it.
fn http_message(m: &OutgoingMessage) -> Value {
    json!({
        "reference": m.reference,
        "from": m.sender,
        "to": m.recipient,
        "text": m.text,
        "encoding": m.encoding,
        "segments": m.segments,
    })
}

impl CarrierProtocol for HttpAdapter {
    carrier_with_webhooks!();

    fn build_submit(&self, connection: ConnectionConfig, message: OutgoingMessage) -> SubmitPlan {
        post_json(under(connection.base_url, "/messages"), vec![bearer(connection.credentials)], &http_message(&message))
    }

    fn read_submit_answer(&self, _: u16, body: &[u8]) -> SubmitAnswer {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        match non_empty(&body["message_id"]) {
            Some(id) => SubmitAnswer::Accepted(vec![id]),
            // It said yes and gave no id: it may well have the message.
            None => SubmitAnswer::Unknown("carrier answered without a message_id".into()),
        }
    }

    fn build_batch_submit(&self, connection: ConnectionConfig, messages: &[OutgoingMessage]) -> Option<HttpRequest> {
        let body = json!({"messages": messages.iter().map(http_message).collect::<Vec<_>>()});
        match post_json(under(connection.base_url, "/messages/batch"), vec![bearer(connection.credentials)], &body) {
            SubmitPlan::Request(request) => Some(request),
            SubmitPlan::Settled(_) => None,
        }
    }

    fn read_batch_answer(&self, _: u16, body: &[u8], references: &[&str]) -> Vec<SubmitAnswer> {
        #[derive(serde::Deserialize)]
        struct Entry {
            reference: String,
            message_id: Option<String>,
            error: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Answered {
            messages: Vec<Entry>,
        }
        let entries: std::collections::HashMap<String, Entry> = match serde_json::from_slice::<Answered>(body) {
            Ok(answered) => answered.messages.into_iter().map(|e| (e.reference.clone(), e)).collect(),
            Err(_) => Default::default(),
        };
        references
            .iter()
            .map(|reference| match entries.get(*reference) {
                Some(Entry { message_id: Some(id), .. }) if !id.trim().is_empty() => SubmitAnswer::Accepted(vec![id.clone()]),
                Some(Entry { error: Some(error), .. }) => SubmitAnswer::Failed(format!("carrier refused the message: {error}")),
                // It said yes to the request and nothing about this message: it may have it.
                _ => SubmitAnswer::Unknown("carrier's batch answer has no entry for the message".into()),
            })
            .collect()
    }
}

impl CarrierProtocol for VonageAdapter {
    carrier_with_webhooks!();

    fn build_submit(&self, connection: ConnectionConfig, message: OutgoingMessage) -> SubmitPlan {
        let (key, secret) = connection.credentials.split_once(':').unwrap_or((connection.credentials, ""));
        let body = json!({
            "api_key": key,
            "api_secret": secret,
            "from": message.sender,
            // Vonage wants international numbers without the '+'.
            "to": message.recipient.trim_start_matches('+'),
            "text": message.text,
            "type": if message.encoding == "UCS-2" { "unicode" } else { "text" },
            "client-ref": message.reference,
            "status-report-req": true,
        });
        post_json(under(connection.base_url, "/sms/json"), vec![], &body)
    }

    /// Every part must be accepted (`status` "0") with an id; Vonage refuses a request as a
    /// whole (credentials, sender, number), so a refused part means none was sent.
    fn read_submit_answer(&self, _: u16, body: &[u8]) -> SubmitAnswer {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let Some(parts) = body["messages"].as_array().filter(|m| !m.is_empty()) else {
            return SubmitAnswer::Failed("carrier answered without messages".into());
        };
        let mut ids = Vec::with_capacity(parts.len());
        for part in parts {
            let status = match &part["status"] {
                Value::String(s) => s.trim().to_owned(),
                other => other.to_string(),
            };
            if status != "0" {
                let reason = part["error-text"].as_str().unwrap_or("no reason given");
                return SubmitAnswer::Failed(format!("carrier refused the message: status {status}, {reason}"));
            }
            match non_empty(&part["message-id"]) {
                Some(id) => ids.push(id),
                None => return SubmitAnswer::Failed("carrier answered without a message-id".into()),
            }
        }
        SubmitAnswer::Accepted(ids)
    }
}

impl CarrierProtocol for SinchAdapter {
    carrier_with_webhooks!();

    fn build_submit(&self, connection: ConnectionConfig, message: OutgoingMessage) -> SubmitPlan {
        let body = json!({
            "from": message.sender,
            "to": [message.recipient],
            "body": message.text,
            "delivery_report": "per_recipient",
            "client_reference": message.reference,
        });
        post_json(under(connection.base_url, "/batches"), vec![bearer(connection.credentials)], &body)
    }

    fn read_submit_answer(&self, _: u16, body: &[u8]) -> SubmitAnswer {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        match non_empty(&body["id"]) {
            Some(id) => SubmitAnswer::Accepted(vec![id]),
            None => SubmitAnswer::Unknown("carrier answered without a batch id".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::adapter::BUILT_IN;
    use crate::carriers::receipt::canonical_carrier_id;

    const CONNECTION: ConnectionConfig = ConnectionConfig { base_url: "https://carrier.example/v1/", credentials: "key:secret" };

    fn message(reference: &str) -> OutgoingMessage<'_> {
        OutgoingMessage { reference, sender: "ACME", recipient: "+46701234567", text: "hi", encoding: "GSM-7", segments: 1 }
    }

    fn request(plan: SubmitPlan) -> (HttpRequest, Value) {
        let SubmitPlan::Request(request) = plan else { panic!("a request: {plan:?}") };
        let body = serde_json::from_slice(&request.body).unwrap();
        (request, body)
    }

    fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn every_built_in_name_finds_its_adapter() {
        for name in BUILT_IN {
            assert_eq!(built_in(name).map(|a| a.name()), Some(name));
        }
        assert_eq!(built_in("Vonage").map(|a| a.name()), Some("vonage"));
        assert!(built_in("smpp").is_none() && built_in("").is_none());
        assert!(!built_in("sandbox").unwrap().takes_webhooks());
        assert!(["http", "vonage", "sinch"].iter().all(|n| built_in(n).unwrap().takes_webhooks()));
    }

    #[test]
    fn the_sandbox_settles_without_a_request() {
        let plan = SandboxAdapter.build_submit(CONNECTION, message("msg_1"));
        assert_eq!(plan, SubmitPlan::Settled(SubmitAnswer::Accepted(vec!["sbx-msg_1".into()])));
    }

    #[test]
    fn http_submits_our_json_with_the_reference() {
        let (request, body) = request(HttpAdapter.build_submit(CONNECTION, message("msg_1")));
        assert_eq!((request.method.as_str(), request.url.as_str()), ("POST", "https://carrier.example/v1/messages"));
        assert_eq!(header(&request, "authorization"), Some("Bearer key:secret"));
        assert_eq!(body, json!({"reference": "msg_1", "from": "ACME", "to": "+46701234567", "text": "hi", "encoding": "GSM-7", "segments": 1}));
        assert_eq!(HttpAdapter.read_submit_answer(200, br#"{"message_id":"C1"}"#), SubmitAnswer::Accepted(vec!["C1".into()]));
        assert!(matches!(HttpAdapter.read_submit_answer(200, b"{}"), SubmitAnswer::Unknown(_)), "yes without an id: it may have it");
    }

    #[test]
    fn a_batch_answer_is_read_per_message_by_reference() {
        let batch = [message("m1"), message("m2")];
        let request = HttpAdapter.build_batch_submit(CONNECTION, &batch).unwrap();
        assert_eq!(request.url, "https://carrier.example/v1/messages/batch");
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["messages"][1]["reference"], "m2");
        let answer = br#"{"messages":[{"reference":"m2","error":"bad number"},{"reference":"m1","message_id":"C1"}]}"#;
        let answers = HttpAdapter.read_batch_answer(200, answer, &["m1", "m2", "m3"]);
        assert_eq!(answers[0], SubmitAnswer::Accepted(vec!["C1".into()]));
        assert!(matches!(&answers[1], SubmitAnswer::Failed(detail) if detail.contains("bad number")));
        assert!(matches!(answers[2], SubmitAnswer::Unknown(_)), "no entry: it may have it");
        assert!(VonageAdapter.build_batch_submit(CONNECTION, &batch).is_none(), "one message per request");
    }

    #[test]
    fn vonage_submits_its_form_and_reads_each_part() {
        let (request, body) = request(VonageAdapter.build_submit(CONNECTION, OutgoingMessage { encoding: "UCS-2", ..message("msg_1") }));
        assert_eq!(request.url, "https://carrier.example/v1/sms/json");
        assert_eq!((body["api_key"].as_str(), body["api_secret"].as_str()), (Some("key"), Some("secret")));
        assert_eq!((body["to"].as_str(), body["type"].as_str(), body["client-ref"].as_str()), (Some("46701234567"), Some("unicode"), Some("msg_1")));
        let one = br#"{"message-count":"1","messages":[{"to":"46701234567","message-id":"0A00000012345678","status":"0"}]}"#;
        assert_eq!(VonageAdapter.read_submit_answer(200, one), SubmitAnswer::Accepted(vec!["0A00000012345678".into()]));
        let two = br#"{"message-count":"2","messages":[{"message-id":"A1","status":"0"},{"message-id":"A2","status":"0"}]}"#;
        assert_eq!(VonageAdapter.read_submit_answer(200, two), SubmitAnswer::Accepted(vec!["A1".into(), "A2".into()]));
        let refused = br#"{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}"#;
        assert!(matches!(VonageAdapter.read_submit_answer(200, refused), SubmitAnswer::Failed(detail) if detail.contains("Bad Credentials")));
        assert!(matches!(VonageAdapter.read_submit_answer(200, b"{}"), SubmitAnswer::Failed(_)));
    }

    #[test]
    fn sinch_submits_one_recipient_batches() {
        let (request, body) = request(SinchAdapter.build_submit(CONNECTION, message("msg_1")));
        assert_eq!(request.url, "https://carrier.example/v1/batches");
        assert_eq!(body["to"], json!(["+46701234567"]));
        assert_eq!((body["client_reference"].as_str(), body["delivery_report"].as_str()), (Some("msg_1"), Some("per_recipient")));
        let batch = br#"{"id":"01FC66621XXXXX119Z8PMV1QPQ","to":["46701234567"],"from":"ACME","canceled":false}"#;
        assert_eq!(SinchAdapter.read_submit_answer(201, batch), SubmitAnswer::Accepted(vec!["01FC66621XXXXX119Z8PMV1QPQ".into()]));
        assert!(matches!(SinchAdapter.read_submit_answer(201, b"{}"), SubmitAnswer::Unknown(_)));
    }

    #[test]
    fn receipts_and_inbound_are_read_by_the_content_type_header() {
        let json = vec![("content-type".to_owned(), "application/json".to_owned())];
        let receipt = HttpAdapter.parse_receipt(&json, br#"{"message_id":"C1","status":"DELIVRD","reference":"msg_1"}"#).unwrap();
        assert_eq!((receipt.carrier_message_id.as_str(), receipt.reference.as_deref()), ("c1", Some("msg_1")));
        let plain = vec![("Content-Type".to_owned(), "text/plain".to_owned())];
        assert!(HttpAdapter.parse_receipt(&plain, b"{}").unwrap_err().contains("application/json"));
        let form = vec![("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned())];
        let sms = VonageAdapter.parse_inbound(&form, b"messageId=m1&msisdn=46701234567&to=46761000000&text=STOP").unwrap();
        assert_eq!((sms.from.as_str(), sms.text.as_str()), ("46701234567", "STOP"));
    }

    #[test]
    fn submit_and_receipt_ids_meet_in_canonical_form() {
        for adapter in BUILT_IN_ADAPTERS {
            let stored = adapter.canonical_submit_id(" AB12 ").unwrap();
            assert_eq!(stored, canonical_carrier_id("ab12", adapter.ids().receipt).unwrap(), "{}", adapter.name());
        }
    }
}
