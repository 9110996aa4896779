//! The event we POST to a customer's callback URL when a message's status changes.
//!
//! The shape is a public contract: fields are only ever added, never renamed or removed,
//! and every field is always present (`null` when there is nothing to say), so customers
//! can parse it strictly. It is signed by [`crate::callbacks::webhook`]; `id` doubles as the
//! `webhook-id` header and stays the same on every retry, so receivers de-duplicate on it.
//!
//! ```json
//! {"id": "evt_…", "type": "message.status", "created_at": "2026-12-01T08:30:05Z",
//!  "data": {"message_id": "msg_…", "batch_id": "bat_…", "client_reference": "order-1234",
//!           "to": "+46701234567",
//!           "status": {"code": 201, "name": "DeliveredToHandset"},
//!           "previous_status": {"code": 111, "name": "DeliveredToGateway"},
//!           "final": true,
//!           "carrier_status": {"status": "DELIVRD", "error": "000"},
//!           "price": {"amount": "0.35", "minor": 35, "currency": "SEK"},
//!           "refunded": false}}
//! ```

use crate::billing::money::Money;
use crate::messaging::status::Status;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// The `type` of a status event.
pub const STATUS_EVENT_TYPE: &str = "message.status";

/// A status as the API shows it everywhere: `{"code": 201, "name": "DeliveredToHandset"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusJson {
    pub code: u16,
    pub name: &'static str,
}

impl From<Status> for StatusJson {
    fn from(s: Status) -> Self {
        StatusJson { code: s.code(), name: s.name() }
    }
}

/// Money as the API shows it: exact decimal text, integer minor units, ISO currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoneyJson {
    pub amount: String,
    pub minor: i64,
    pub currency: &'static str,
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> Self {
        MoneyJson { amount: m.decimal(), minor: m.minor(), currency: m.currency().code() }
    }
}

/// What the carrier itself said, when the change came from a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarrierStatus {
    pub status: String,
    pub error: Option<String>,
}

/// What changed, in domain terms; [`StatusEvent::new`] builds the event from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange<'a> {
    pub message_id: &'a str,
    pub batch_id: &'a str,
    pub client_reference: Option<&'a str>,
    /// E.164.
    pub to: &'a str,
    pub status: Status,
    pub previous_status: Option<Status>,
    /// The receipt's raw status and error, when a carrier receipt caused the change.
    pub carrier_status: Option<(&'a str, Option<&'a str>)>,
    pub price: Option<Money>,
    /// Whether the message's price has been given back ([`crate::messaging::policy::refund_due`]).
    pub refunded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// RFC 3339, UTC: when the status changed.
    pub created_at: String,
    pub data: StatusEventData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEventData {
    pub message_id: String,
    pub batch_id: String,
    pub client_reference: Option<String>,
    pub to: String,
    pub status: StatusJson,
    pub previous_status: Option<StatusJson>,
    /// No later event will change `status` (see [`Status::is_final`]).
    #[serde(rename = "final")]
    pub is_final: bool,
    pub carrier_status: Option<CarrierStatus>,
    pub price: Option<MoneyJson>,
    pub refunded: bool,
}

impl StatusEvent {
    /// The event for one status change. `id` comes from the caller (the domain makes no
    /// ids) and must be unique per event, e.g. `evt_<random>`.
    pub fn new(id: &str, created_at: DateTime<Utc>, change: &StatusChange<'_>) -> StatusEvent {
        StatusEvent {
            id: id.to_owned(),
            event_type: STATUS_EVENT_TYPE,
            created_at: created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            data: StatusEventData {
                message_id: change.message_id.to_owned(),
                batch_id: change.batch_id.to_owned(),
                client_reference: change.client_reference.map(str::to_owned),
                to: change.to.to_owned(),
                status: change.status.into(),
                previous_status: change.previous_status.map(StatusJson::from),
                is_final: change.status.is_final(),
                carrier_status: change
                    .carrier_status
                    .map(|(status, error)| CarrierStatus { status: status.to_owned(), error: error.map(str::to_owned) }),
                price: change.price.map(MoneyJson::from),
                refunded: change.refunded,
            },
        }
    }

    /// The body to sign and send.
    pub fn to_json(&self) -> String {
        // Strings, numbers and booleans only: serialising cannot fail.
        serde_json::to_string(self).expect("a status event always serialises")
    }
}

/// The `type` of an inbound-message event (forwarded to the account's inbound webhook,
/// signed and retried exactly like status events).
pub const INBOUND_EVENT_TYPE: &str = "message.inbound";

/// An inbound SMS, as forwarded:
///
/// ```json
/// {"id": "evt_inb_…", "type": "message.inbound", "created_at": "2026-12-01T08:30:05Z",
///  "data": {"inbound_id": "inb_…", "from": "+46701234567", "to": "+46761000000",
///           "text": "STOP", "parts": 1, "missing_parts": null,
///           "action": "opt_out", "action_detail": "STOP"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub created_at: String,
    pub data: InboundEventData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundEventData {
    pub inbound_id: String,
    pub from: String,
    pub to: String,
    pub text: String,
    pub parts: u32,
    /// Parts that never arrived before the reassembly timeout, e.g. "2,3".
    pub missing_parts: Option<String>,
    /// What the keywords made of it: none, opt_out, opt_in, help, save, malformed_save, custom.
    pub action: String,
    pub action_detail: Option<String>,
}

impl InboundEvent {
    pub fn new(id: &str, received_at: DateTime<Utc>, data: InboundEventData) -> InboundEvent {
        InboundEvent {
            id: id.to_owned(),
            event_type: INBOUND_EVENT_TYPE,
            created_at: received_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            data,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an inbound event always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::money::Currency;
    use serde_json::{json, Value};

    fn change() -> StatusChange<'static> {
        StatusChange {
            message_id: "msg_1",
            batch_id: "bat_1",
            client_reference: Some("order-1234"),
            to: "+46701234567",
            status: Status::DeliveredToHandset,
            previous_status: Some(Status::DeliveredToGateway),
            carrier_status: Some(("DELIVRD", Some("000"))),
            price: Some(Money::new(35, Currency::parse("SEK").unwrap())),
            refunded: false,
        }
    }

    fn created_at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T08:30:05Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_json_shape_is_the_documented_one() {
        let event = StatusEvent::new("evt_1", created_at(), &change());
        let v: Value = serde_json::from_str(&event.to_json()).unwrap();
        assert_eq!(
            v,
            json!({
                "id": "evt_1", "type": "message.status", "created_at": "2026-12-01T08:30:05Z",
                "data": {
                    "message_id": "msg_1", "batch_id": "bat_1", "client_reference": "order-1234",
                    "to": "+46701234567",
                    "status": {"code": 201, "name": "DeliveredToHandset"},
                    "previous_status": {"code": 111, "name": "DeliveredToGateway"},
                    "final": true,
                    "carrier_status": {"status": "DELIVRD", "error": "000"},
                    "price": {"amount": "0.35", "minor": 35, "currency": "SEK"},
                    "refunded": false
                }
            })
        );
    }

    #[test]
    fn absent_facts_are_null_not_missing() {
        let change = StatusChange {
            client_reference: None,
            status: Status::DeliveryToGatewayFailed,
            previous_status: None,
            carrier_status: None,
            price: None,
            refunded: true,
            ..change()
        };
        let v: Value = serde_json::from_str(&StatusEvent::new("evt_2", created_at(), &change).to_json()).unwrap();
        let data = &v["data"];
        for key in ["client_reference", "previous_status", "carrier_status", "price"] {
            assert!(data.get(key).is_some_and(Value::is_null), "{key}");
        }
        assert_eq!(data["status"]["name"], "DeliveryToGatewayFailed");
        assert_eq!(data["final"], true);
        assert_eq!(data["refunded"], true);
    }

    #[test]
    fn in_flight_statuses_are_not_final() {
        let change = StatusChange { status: Status::SubscriberOffline, ..change() };
        assert!(!StatusEvent::new("evt_3", created_at(), &change).data.is_final);
        let change = StatusChange { status: Status::DeliveredToCarrier, ..change };
        assert!(!StatusEvent::new("evt_4", created_at(), &change).data.is_final);
    }
}
