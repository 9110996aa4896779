//! The TextMesh adapter: an example carrier added without changing platform code
//! (docs/carriers.md "Writing a carrier adapter"). TextMesh is made up, but speaks like
//! many real aggregators:
//!
//! - submit: `POST {base_url}/v2/sms` with `X-Api-Key: {credentials}` and JSON
//!   `{"client_ref","source","destination","content","coding"}` (destination without
//!   '+', coding `gsm` or `ucs2`) → 2xx `{"state":"queued","sms_id":"…"}`, or
//!   `{"state":"rejected","reason":"…"}` when it refuses the message;
//! - receipts: form-encoded `sms_id`, `client_ref`, `state` (`delivered`, `buffered`,
//!   `accepted`, `expired`, `failed`, `rejected`), `code`;
//! - inbound: form-encoded `sms_id`, `source`, `destination`, `content`, and for a part
//!   of a long message `concat_ref`, `concat_part`, `concat_total`.
//!
//! The adapter is pure: it never calls anyone. Built as a component (wasm32-wasip2), it
//! exports `smsedge:carrier/adapter` and imports nothing of HTTP, storage or variables.

pub mod textmesh;

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "../../wit", world: "carrier-adapter" });

    use super::textmesh;
    use exports::smsedge::carrier::adapter::{
        Connection, Guest, HttpRequest, IdEncoding, IdEncodings, InboundMessage, OutgoingMessage, Part, Receipt,
        SignatureScheme, SubmitAnswer, SubmitPlan,
    };

    struct TextMesh;

    impl Guest for TextMesh {
        fn name() -> String {
            textmesh::NAME.to_owned()
        }

        fn ids() -> IdEncodings {
            IdEncodings { submit: IdEncoding::Text, receipt: IdEncoding::Text }
        }

        fn signature() -> SignatureScheme {
            SignatureScheme::HmacSha256Timestamped
        }

        fn build_submit(connection: Connection, message: OutgoingMessage) -> SubmitPlan {
            let m = textmesh::Message {
                reference: &message.reference,
                sender: &message.sender,
                recipient: &message.recipient,
                text: &message.text,
                encoding: &message.encoding,
            };
            let (url, headers, body) = textmesh::submit_request(&connection.base_url, &connection.credentials, &m);
            SubmitPlan::Request(HttpRequest { method: "POST".into(), url, headers, body })
        }

        fn read_submit_answer(_status: u16, body: Vec<u8>) -> SubmitAnswer {
            match textmesh::read_answer(&body) {
                textmesh::Answer::Queued(id) => SubmitAnswer::Accepted(vec![id]),
                textmesh::Answer::Rejected(reason) => SubmitAnswer::Failed(reason),
                textmesh::Answer::NoId => SubmitAnswer::Unknown("TextMesh answered without an sms_id".into()),
            }
        }

        fn parse_receipt(_headers: Vec<(String, String)>, body: Vec<u8>) -> Result<Receipt, String> {
            let r = textmesh::parse_receipt(&body)?;
            Ok(Receipt {
                carrier_message_id: r.sms_id,
                reference: r.client_ref,
                status: textmesh::status_code(&r.state),
                raw_status: r.state,
                raw_error: r.code,
                part: None,
                recipient: None,
            })
        }

        fn parse_inbound(_headers: Vec<(String, String)>, body: Vec<u8>) -> Result<InboundMessage, String> {
            let m = textmesh::parse_inbound(&body)?;
            Ok(InboundMessage {
                carrier_message_id: m.sms_id,
                sender: m.source,
                recipient: m.destination,
                text: m.content,
                part: m.concat.as_ref().map(|c| Part { index: c.1, total: c.2 }),
                concat_reference: m.concat.map(|c| c.0),
            })
        }
    }

    export!(TextMesh);
}
