//! Callbacks in Twilio's format, for applications written for Twilio (docs/twilio.md
//! "Callbacks"): a message's status changes POSTed to its `StatusCallback`, and inbound SMS
//! to the account's webhook, form-encoded with Twilio's parameter names and signed in
//! `X-Twilio-Signature` as Twilio signs them, so Twilio's own `RequestValidator` accepts
//! them.
//!
//! The signature is Twilio's: base64 of HMAC-SHA1 keyed with the validator's key (Twilio's
//! auth token; here the account's webhook signing secret, `whsec_…` as shown), over the
//! full URL the callback is POSTed to followed by each POST parameter's name and value,
//! sorted by name.

use crate::api::twilio::{status, status_error_code, Sid, SidKind, API_VERSION};
use crate::messaging::status::Status;
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The header Twilio's signature travels in.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// The header Twilio's webhooks carry an event's id in (the same on every retry).
pub const IDEMPOTENCY_HEADER: &str = "I-Twilio-Idempotency-Token";
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// How a callback is written and signed: ours (a JSON event signed by Standard Webhooks,
/// docs/api.md) or Twilio's (a form signed with `X-Twilio-Signature`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallbackFormat {
    #[default]
    Json,
    Twilio,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a callback format: \"json\" (ours) or \"twilio\"")]
pub struct UnknownFormat(pub String);

impl CallbackFormat {
    pub fn parse(text: &str) -> Result<CallbackFormat, UnknownFormat> {
        match text.trim() {
            "json" => Ok(CallbackFormat::Json),
            "twilio" => Ok(CallbackFormat::Twilio),
            other => Err(UnknownFormat(other.chars().take(32).collect())),
        }
    }

    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackFormat::Json => "json",
            CallbackFormat::Twilio => "twilio",
        }
    }
}

/// Form parameters, in the order they are written (the signature sorts its own copy).
pub type Params = Vec<(&'static str, String)>;

/// `X-Twilio-Signature` of a POST of `params` to `url`, keyed with `key` (its UTF-8
/// bytes, as Twilio's validators key theirs with the auth token).
pub fn signature(key: &str, url: &str, params: &[(&str, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params.iter().map(|(name, value)| (*name, value.as_str())).collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The form body of `params` (`application/x-www-form-urlencoded`).
pub fn form_body(params: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter().map(|(name, value)| (*name, value.as_str()))).finish()
}

/// The SID of one of our ids, or the id itself when it is not of the kind's shape (it
/// always is for ids we made).
fn sid(kind: SidKind, id: &str) -> String {
    Sid::of_id(kind, id).map(|sid| sid.to_string()).unwrap_or_else(|| id.to_owned())
}

/// A status change of a message sent through Twilio's API, as its status callback says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCallback<'a> {
    pub message_id: &'a str,
    pub account_id: &'a str,
    /// The sender as sent.
    pub from: &'a str,
    /// E.164.
    pub to: &'a str,
    pub status: Status,
    pub previous_status: Option<Status>,
    /// The message waits for a `SendAt` (Twilio's `scheduled`).
    pub scheduled: bool,
    /// When a carrier's receipt reported this status, when one did.
    pub receipt_at: Option<DateTime<Utc>>,
}

impl StatusCallback<'_> {
    /// Twilio's status callback parameters, or `None` when Twilio would send nothing: the
    /// change is a refund (a money event, no status), or leaves Twilio's status as it was
    /// (our Accepted and Funded are both `queued`).
    pub fn params(&self) -> Option<Params> {
        if self.status.is_annotation() {
            return None;
        }
        let now = status(self.status, self.scheduled);
        if self.previous_status.is_some_and(|before| !before.is_annotation() && status(before, self.scheduled) == now) {
            return None;
        }
        let message_sid = sid(SidKind::Message, self.message_id);
        let mut params: Params = vec![
            ("SmsSid", message_sid.clone()),
            ("SmsStatus", now.to_owned()),
            ("MessageStatus", now.to_owned()),
            ("To", self.to.to_owned()),
            ("MessageSid", message_sid),
            ("AccountSid", sid(SidKind::Account, self.account_id)),
            ("From", crate::api::twilio::from_field(self.from)),
            ("ApiVersion", API_VERSION.to_owned()),
        ];
        if matches!(now, "failed" | "undelivered") {
            if let Some(code) = status_error_code(self.status) {
                params.push(("ErrorCode", code.to_string()));
            }
        }
        // The carrier's receipt time, as Twilio passes it on (YYMMDDhhmm, UTC).
        if let (Some(at), "delivered" | "undelivered") = (self.receipt_at, now) {
            params.push(("RawDlrDoneDate", at.format("%y%m%d%H%M").to_string()));
        }
        Some(params)
    }
}

/// An inbound SMS as Twilio POSTs one to a messaging webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundCallback<'a> {
    pub inbound_id: &'a str,
    pub account_id: &'a str,
    pub from: &'a str,
    /// The reception number (E.164).
    pub to: &'a str,
    pub body: &'a str,
    pub segments: u32,
}

impl InboundCallback<'_> {
    pub fn params(&self) -> Params {
        let message_sid = sid(SidKind::InboundMessage, self.inbound_id);
        vec![
            ("SmsMessageSid", message_sid.clone()),
            ("NumMedia", "0".to_owned()),
            ("SmsSid", message_sid.clone()),
            ("SmsStatus", "received".to_owned()),
            ("Body", self.body.to_owned()),
            ("To", self.to.to_owned()),
            ("NumSegments", self.segments.max(1).to_string()),
            ("MessageSid", message_sid),
            ("AccountSid", sid(SidKind::Account, self.account_id)),
            ("From", self.from.to_owned()),
            ("ApiVersion", API_VERSION.to_owned()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
        params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The example of Twilio's security documentation: its auth token, URL, parameters and
    /// the signature Twilio's libraries compute for them.
    #[test]
    fn twilios_documented_example() {
        let params: Vec<(&str, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(signature("12345", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        // The order given does not matter: the names are sorted.
        let reversed: Vec<(&str, String)> = params.iter().rev().cloned().collect();
        assert_eq!(signature("12345", url, &reversed), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert_ne!(signature("12346", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert_ne!(signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }

    #[test]
    fn formats_read_and_write() {
        assert_eq!(CallbackFormat::parse("twilio"), Ok(CallbackFormat::Twilio));
        assert_eq!(CallbackFormat::parse("json"), Ok(CallbackFormat::Json));
        assert!(CallbackFormat::parse("xml").is_err());
        assert_eq!(CallbackFormat::default().as_str(), "json");
        assert_eq!(serde_json::to_value(CallbackFormat::Twilio).unwrap(), "twilio", "shown as stored");
    }

    fn change(status: Status, previous: Option<Status>) -> StatusCallback<'static> {
        StatusCallback {
            message_id: "msg_0190a1b2c3d4e5f60718293a4b5c",
            account_id: "acc_0190a1b2c3d4e5f60718293a4b5d",
            from: "ACME",
            to: "+46701234567",
            status,
            previous_status: previous,
            scheduled: false,
            receipt_at: None,
        }
    }

    #[test]
    fn a_status_callback_has_twilios_parameters_and_vocabulary() {
        let params = change(Status::DeliveredToGateway, Some(Status::Sending)).params().unwrap();
        assert_eq!(value(&params, "MessageSid"), Some("SM00000190a1b2c3d4e5f60718293a4b5c"));
        assert_eq!(value(&params, "SmsSid"), value(&params, "MessageSid"));
        assert_eq!(value(&params, "AccountSid"), Some("AC00000190a1b2c3d4e5f60718293a4b5d"));
        assert_eq!((value(&params, "MessageStatus"), value(&params, "SmsStatus")), (Some("sent"), Some("sent")));
        assert_eq!((value(&params, "From"), value(&params, "To")), (Some("ACME"), Some("+46701234567")));
        assert_eq!(value(&params, "ApiVersion"), Some("2010-04-01"));
        assert_eq!(value(&params, "ErrorCode"), None);
        let failed = change(Status::DeliveryToHandsetFailed, Some(Status::DeliveredToGateway));
        let at = DateTime::parse_from_rfc3339("2026-12-07T21:05:09Z").unwrap().with_timezone(&Utc);
        let failed = StatusCallback { receipt_at: Some(at), ..failed }.params().unwrap();
        assert_eq!((value(&failed, "MessageStatus"), value(&failed, "ErrorCode")), (Some("undelivered"), Some("30008")));
        assert_eq!(value(&failed, "RawDlrDoneDate"), Some("2612072105"));
        let refused = change(Status::InsufficientFunds, Some(Status::Accepted)).params().unwrap();
        assert_eq!((value(&refused, "MessageStatus"), value(&refused, "ErrorCode")), (Some("failed"), Some("30002")));
    }

    #[test]
    fn only_a_change_of_twilios_status_is_called_back() {
        assert_eq!(value(&change(Status::Accepted, None).params().unwrap(), "MessageStatus"), Some("queued"));
        assert!(change(Status::Funded, Some(Status::Accepted)).params().is_none(), "queued again");
        assert!(change(Status::Refunded, Some(Status::DeliveryToGatewayFailed)).params().is_none(), "a refund is no status");
        let scheduled = StatusCallback { scheduled: true, ..change(Status::Accepted, None) };
        assert_eq!(value(&scheduled.params().unwrap(), "MessageStatus"), Some("scheduled"));
        assert_eq!(value(&change(Status::Canceled, Some(Status::Funded)).params().unwrap(), "MessageStatus"), Some("canceled"));
    }

    #[test]
    fn an_inbound_sms_has_twilios_parameters() {
        let params = InboundCallback {
            inbound_id: "inb_0190a1b2c3d4e5f60718293a4b5c",
            account_id: "acc_0190a1b2c3d4e5f60718293a4b5d",
            from: "+46701234567",
            to: "+46761000001",
            body: "Hej & hå",
            segments: 2,
        }
        .params();
        assert_eq!(value(&params, "MessageSid"), Some("SM00010190a1b2c3d4e5f60718293a4b5c"));
        assert_eq!(value(&params, "SmsSid"), value(&params, "MessageSid"));
        assert_eq!(value(&params, "SmsMessageSid"), value(&params, "MessageSid"));
        assert_eq!(value(&params, "AccountSid"), Some("AC00000190a1b2c3d4e5f60718293a4b5d"));
        assert_eq!((value(&params, "From"), value(&params, "To"), value(&params, "Body")), (Some("+46701234567"), Some("+46761000001"), Some("Hej & hå")));
        assert_eq!((value(&params, "NumMedia"), value(&params, "NumSegments")), (Some("0"), Some("2")));
        assert_eq!(value(&params, "ApiVersion"), Some("2010-04-01"));
        let body = form_body(&params);
        assert!(body.contains("Body=Hej+%26+h%C3%A5"), "{body}");
        let read: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        assert_eq!(read.len(), params.len(), "every parameter once");
    }
}
