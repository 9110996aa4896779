//! The adapter component slot: the one carrier adapter installed in spin.toml as a
//! component dependency of the components that deliver and receive
//! (`[component.<id>.dependencies] "smsedge:carrier/adapter@0.1.0" = { path = … }`),
//! called through the WIT import (wit/carrier-adapter.wit, world `adapter-host`).
//! Spin composes it in without the component's configuration, so it has no network,
//! database or variables: the platform does its I/O, it only translates.
//!
//! Only the WASIp3 build (wasm32-wasip2) has the slot; the Spin 3 build (wasm32-wasip1)
//! and native builds answer that nothing is installed.

use domain::carriers::adapter::{
    CarrierProtocol, ConnectionConfig, IdEncodings, OutgoingMessage, SignatureScheme,
    SubmitAnswer, SubmitPlan,
};
use domain::carriers::mo::InboundSms;
use domain::carriers::receipt::ParsedReceipt;

/// The installed adapter component, as the platform calls every adapter.
pub struct Extension {
    name: String,
    ids: IdEncodings,
}

/// The installed adapter component, if this build has the slot; `None` also when the
/// component's declared name is unusable (logged: a connection cannot name it then).
pub fn installed() -> Option<&'static Extension> {
    imp::installed()
}

/// The installed adapter component when `adapter` names it.
pub fn for_adapter(adapter: &str) -> Option<&'static Extension> {
    installed().filter(|e| e.name == adapter)
}

#[cfg(all(target_arch = "wasm32", not(target_env = "p1")))]
mod imp {
    use super::*;
    use domain::carriers::adapter::{extension_name, inbound_from_component, receipt_from_component, HttpRequest, InboundMessage};
    use domain::carriers::receipt::IdEncoding;
    use std::sync::OnceLock;

    mod bindings {
        wit_bindgen::generate!({ path: "../../wit", world: "adapter-host" });
    }
    use bindings::smsedge::carrier::adapter as wit;

    pub fn installed() -> Option<&'static Extension> {
        static INSTALLED: OnceLock<Option<Extension>> = OnceLock::new();
        INSTALLED
            .get_or_init(|| {
                let declared = wit::name();
                match extension_name(&declared) {
                    Ok(name) => {
                        let ids = wit::ids();
                        Some(Extension { name, ids: IdEncodings { submit: encoding(ids.submit), receipt: encoding(ids.receipt) } })
                    }
                    Err(e) => {
                        eprintln!("adapter component not used: {e}");
                        None
                    }
                }
            })
            .as_ref()
    }

    fn encoding(encoding: wit::IdEncoding) -> IdEncoding {
        match encoding {
            wit::IdEncoding::Text => IdEncoding::Text,
            wit::IdEncoding::Decimal => IdEncoding::Decimal,
            wit::IdEncoding::Hex => IdEncoding::Hex,
        }
    }

    fn answer(answer: wit::SubmitAnswer) -> SubmitAnswer {
        match answer {
            wit::SubmitAnswer::Accepted(ids) => SubmitAnswer::Accepted(ids),
            wit::SubmitAnswer::Failed(detail) => SubmitAnswer::Failed(detail),
            wit::SubmitAnswer::Unknown(detail) => SubmitAnswer::Unknown(detail),
        }
    }

    impl CarrierProtocol for Extension {
        fn name(&self) -> &str {
            &self.name
        }

        fn ids(&self) -> IdEncodings {
            self.ids
        }

        fn signature(&self) -> SignatureScheme {
            match wit::signature() {
                wit::SignatureScheme::HmacSha256Timestamped => SignatureScheme::HmacSha256Timestamped,
            }
        }

        fn build_submit(&self, connection: ConnectionConfig, message: OutgoingMessage) -> SubmitPlan {
            let connection = wit::Connection { base_url: connection.base_url.to_owned(), credentials: connection.credentials.to_owned() };
            let message = wit::OutgoingMessage {
                reference: message.reference.to_owned(),
                sender: message.sender.to_owned(),
                recipient: message.recipient.to_owned(),
                text: message.text.to_owned(),
                encoding: message.encoding.to_owned(),
                segments: message.segments,
            };
            match wit::build_submit(&connection, &message) {
                wit::SubmitPlan::Request(r) => SubmitPlan::Request(HttpRequest { method: r.method, url: r.url, headers: r.headers, body: r.body }),
                wit::SubmitPlan::Settled(settled) => SubmitPlan::Settled(answer(settled)),
            }
        }

        fn read_submit_answer(&self, status: u16, body: &[u8]) -> SubmitAnswer {
            answer(wit::read_submit_answer(status, body))
        }

        fn parse_receipt(&self, headers: &[(String, String)], body: &[u8]) -> Result<ParsedReceipt, String> {
            let r = wit::parse_receipt(headers, body)?;
            receipt_from_component(
                self.ids,
                &r.carrier_message_id,
                r.reference,
                r.raw_status,
                r.raw_error,
                r.status,
                r.part.map(|p| (p.index, p.total)),
                r.recipient,
            )
            .map_err(|e| e.to_string())
        }

        fn parse_inbound(&self, headers: &[(String, String)], body: &[u8]) -> Result<InboundSms, String> {
            let m = wit::parse_inbound(headers, body)?;
            let concat = match (m.concat_reference, m.part) {
                (Some(reference), Some(part)) => Some((reference, part.index, part.total)),
                (None, None) => None,
                _ => return Err("the adapter gave a part without its concatenation reference, or the other way round".into()),
            };
            let message = InboundMessage { carrier_message_id: m.carrier_message_id, sender: m.sender, recipient: m.recipient, text: m.text, concat };
            inbound_from_component(message).map_err(|e| e.to_string())
        }
    }
}

/// No slot in this build (the Spin 3 build, native tests): nothing is installed.
#[cfg(not(all(target_arch = "wasm32", not(target_env = "p1"))))]
mod imp {
    use super::*;

    pub fn installed() -> Option<&'static Extension> {
        None
    }

    impl CarrierProtocol for Extension {
        fn name(&self) -> &str {
            &self.name
        }
        fn ids(&self) -> IdEncodings {
            self.ids
        }
        fn signature(&self) -> SignatureScheme {
            unreachable!("no adapter component in this build")
        }
        fn build_submit(&self, _: ConnectionConfig, _: OutgoingMessage) -> SubmitPlan {
            unreachable!("no adapter component in this build")
        }
        fn read_submit_answer(&self, _: u16, _: &[u8]) -> SubmitAnswer {
            unreachable!("no adapter component in this build")
        }
        fn parse_receipt(&self, _: &[(String, String)], _: &[u8]) -> Result<ParsedReceipt, String> {
            unreachable!("no adapter component in this build")
        }
        fn parse_inbound(&self, _: &[(String, String)], _: &[u8]) -> Result<InboundSms, String> {
            unreachable!("no adapter component in this build")
        }
    }
}
