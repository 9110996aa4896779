//! Delivery receipts from carriers, mapped onto the seed-001 status codes.
//!
//! Our HTTP carrier protocol reports SMPP-style final states (`stat`) with a GSM MAP
//! error code (`err`), the vocabulary most SMSCs and aggregators use. The raw values are
//! kept beside the mapped status so nothing the carrier said is lost.

use crate::status::Status;
use sha2::{Digest, Sha256};

/// Maps a receipt's `stat` (case-insensitive) and optional `err` to our status.
/// Anything we cannot interpret becomes Unknown (599), exactly as seed 001 defines it.
pub fn map_receipt_status(stat: &str, err: Option<&str>) -> Status {
    match stat.trim().to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" => Status::DeliveredToHandset,
        "ENROUTE" | "BUFFERED" => Status::DeliveredToCarrier,
        "ACCEPTD" | "ACCEPTED" => Status::DeliveredToGsm,
        "EXPIRED" => Status::Expired,
        "DELETED" => Status::Canceled,
        "UNDELIV" | "UNDELIVERABLE" | "FAILED" => undeliverable(err),
        "REJECTD" | "REJECTED" => Status::GenericRejected,
        _ => Status::Unknown,
    }
}

/// GSM MAP error codes (3GPP TS 29.002) that say why a handset could not be reached.
fn undeliverable(err: Option<&str>) -> Status {
    let code = err.and_then(|e| e.trim().trim_start_matches('0').parse::<u32>().ok());
    match code {
        Some(1) | Some(5) => Status::UnknownSubscriber,          // unknown / unidentified subscriber
        Some(27) | Some(31) => Status::SubscriberUnreachable,     // absent subscriber, busy for MT SMS
        Some(11) => Status::MissingSmsSubscription,              // teleservice not provisioned
        Some(9) | Some(13) => Status::RecipientRejected,         // illegal subscriber, call barred
        Some(32) => Status::DeliveryToHandsetFailed,             // equipment / memory failure
        _ => Status::DeliveryToHandsetFailed,
    }
}

/// Carrier message ids are compared case-insensitively and without surrounding space;
/// ids that differ only that way are the same message.
pub fn normalize_carrier_id(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// What identifies a receipt: the carrier and its raw body. A carrier that resends the
/// same receipt (with a fresh signature) sends the same body, so it is applied once.
pub fn receipt_dedupe_key(carrier: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(carrier.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_map_to_seed_codes() {
        assert_eq!(map_receipt_status("DELIVRD", Some("000")).code(), 201);
        assert_eq!(map_receipt_status("delivrd", None).code(), 201);
        assert_eq!(map_receipt_status("EXPIRED", None).code(), 202);
        assert_eq!(map_receipt_status("UNDELIV", Some("001")).code(), 501);
        assert_eq!(map_receipt_status("UNDELIV", Some("27")).code(), 502);
        assert_eq!(map_receipt_status("UNDELIV", Some("011")).code(), 410);
        assert_eq!(map_receipt_status("UNDELIV", Some("999")).code(), 514);
        assert_eq!(map_receipt_status("UNDELIV", None).code(), 514);
        assert_eq!(map_receipt_status("REJECTD", None).code(), 406);
        assert_eq!(map_receipt_status("ENROUTE", None).code(), 112);
        assert_eq!(map_receipt_status("ACCEPTD", None).code(), 113);
    }

    #[test]
    fn uninterpretable_receipts_are_unknown() {
        assert_eq!(map_receipt_status("WHATEVER", None), Status::Unknown);
        assert_eq!(map_receipt_status("", None), Status::Unknown);
    }

    #[test]
    fn dedupe_key_depends_on_carrier_and_body() {
        let key = receipt_dedupe_key("http", b"{}");
        assert_eq!(key, receipt_dedupe_key("http", b"{}"));
        assert_ne!(key, receipt_dedupe_key("other", b"{}"));
        assert_ne!(key, receipt_dedupe_key("http", b"{ }"));
        assert_eq!(key.len(), 64);
    }

    #[test]
    fn carrier_ids_normalize() {
        assert_eq!(normalize_carrier_id(" AbC-12 "), "abc-12");
    }
}
