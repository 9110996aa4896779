//! The message status-code model (seed 001) and the single rule for how a
//! message's current status may change.
//!
//! Codes are grouped by their first digit: 1xx info (in flight), 2xx success
//! (end states), 4xx rejection (refused before sending), 5xx error (failed).

/// A message status. Declaration order is code order, so the derived `Ord` sorts by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    // Info (1xx)
    Accepted,
    Queued,
    Funded,
    Refunded,
    Sending,
    DeliveredToGateway,
    DeliveredToCarrier,
    DeliveredToGsm,
    QueuedAtGateway,
    // Success (2xx)
    DeliveredToHandset,
    Expired,
    Canceled,
    // Rejection (4xx)
    InsufficientFunds,
    SenderRejected,
    ContentRejected,
    RecipientRejected,
    GenericRejected,
    InvalidSender,
    InvalidContent,
    InvalidRecipient,
    MissingSmsSubscription,
    // Error (5xx)
    InternalError,
    UnknownSubscriber,
    SubscriberUnreachable,
    SubscriberOffline,
    DeliveryToGatewayFailed,
    DeliveryToCarrierFailed,
    DeliveryToGsmFailed,
    DeliveryToHandsetFailed,
    GenericDeliveryFailure,
    GatewayError,
    Unknown,
}

/// The class of a status, from the first digit of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum StatusGroup {
    Info,
    Success,
    Rejection,
    Error,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 32] = [
        Status::Accepted,
        Status::Queued,
        Status::Funded,
        Status::Refunded,
        Status::Sending,
        Status::DeliveredToGateway,
        Status::DeliveredToCarrier,
        Status::DeliveredToGsm,
        Status::QueuedAtGateway,
        Status::DeliveredToHandset,
        Status::Expired,
        Status::Canceled,
        Status::InsufficientFunds,
        Status::SenderRejected,
        Status::ContentRejected,
        Status::RecipientRejected,
        Status::GenericRejected,
        Status::InvalidSender,
        Status::InvalidContent,
        Status::InvalidRecipient,
        Status::MissingSmsSubscription,
        Status::InternalError,
        Status::UnknownSubscriber,
        Status::SubscriberUnreachable,
        Status::SubscriberOffline,
        Status::DeliveryToGatewayFailed,
        Status::DeliveryToCarrierFailed,
        Status::DeliveryToGsmFailed,
        Status::DeliveryToHandsetFailed,
        Status::GenericDeliveryFailure,
        Status::GatewayError,
        Status::Unknown,
    ];

    pub fn code(self) -> u16 {
        match self {
            Status::Accepted => 101,
            Status::Queued => 102,
            Status::Funded => 103,
            Status::Refunded => 104,
            Status::Sending => 110,
            Status::DeliveredToGateway => 111,
            Status::DeliveredToCarrier => 112,
            Status::DeliveredToGsm => 113,
            Status::QueuedAtGateway => 114,
            Status::DeliveredToHandset => 201,
            Status::Expired => 202,
            Status::Canceled => 203,
            Status::InsufficientFunds => 402,
            Status::SenderRejected => 403,
            Status::ContentRejected => 404,
            Status::RecipientRejected => 405,
            Status::GenericRejected => 406,
            Status::InvalidSender => 407,
            Status::InvalidContent => 408,
            Status::InvalidRecipient => 409,
            Status::MissingSmsSubscription => 410,
            Status::InternalError => 500,
            Status::UnknownSubscriber => 501,
            Status::SubscriberUnreachable => 502,
            Status::SubscriberOffline => 503,
            Status::DeliveryToGatewayFailed => 511,
            Status::DeliveryToCarrierFailed => 512,
            Status::DeliveryToGsmFailed => 513,
            Status::DeliveryToHandsetFailed => 514,
            Status::GenericDeliveryFailure => 515,
            Status::GatewayError => 516,
            Status::Unknown => 599,
        }
    }

    pub fn from_code(code: u16) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The seed's spelling (note the upper-case "GSM").
    pub fn name(self) -> &'static str {
        match self {
            Status::Accepted => "Accepted",
            Status::Queued => "Queued",
            Status::Funded => "Funded",
            Status::Refunded => "Refunded",
            Status::Sending => "Sending",
            Status::DeliveredToGateway => "DeliveredToGateway",
            Status::DeliveredToCarrier => "DeliveredToCarrier",
            Status::DeliveredToGsm => "DeliveredToGSM",
            Status::QueuedAtGateway => "QueuedAtGateway",
            Status::DeliveredToHandset => "DeliveredToHandset",
            Status::Expired => "Expired",
            Status::Canceled => "Canceled",
            Status::InsufficientFunds => "InsufficientFunds",
            Status::SenderRejected => "SenderRejected",
            Status::ContentRejected => "ContentRejected",
            Status::RecipientRejected => "RecipientRejected",
            Status::GenericRejected => "GenericRejected",
            Status::InvalidSender => "InvalidSender",
            Status::InvalidContent => "InvalidContent",
            Status::InvalidRecipient => "InvalidRecipient",
            Status::MissingSmsSubscription => "MissingSmsSubscription",
            Status::InternalError => "InternalError",
            Status::UnknownSubscriber => "UnknownSubscriber",
            Status::SubscriberUnreachable => "SubscriberUnreachable",
            Status::SubscriberOffline => "SubscriberOffline",
            Status::DeliveryToGatewayFailed => "DeliveryToGatewayFailed",
            Status::DeliveryToCarrierFailed => "DeliveryToCarrierFailed",
            Status::DeliveryToGsmFailed => "DeliveryToGSMFailed",
            Status::DeliveryToHandsetFailed => "DeliveryToHandsetFailed",
            Status::GenericDeliveryFailure => "GenericDeliveryFailure",
            Status::GatewayError => "GatewayError",
            Status::Unknown => "Unknown",
        }
    }

    /// Case-insensitive, so "DeliveredToGsm" and "deliveredtogsm" both match.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    pub fn description(self) -> &'static str {
        match self {
            Status::Accepted => "The message(s) has been accepted for processing",
            Status::Queued => "The message has been queued for sending",
            Status::Funded => "The message has been funded: its cost has been reserved from the account balance",
            Status::Refunded => "The cost of the message has been refunded to the account balance",
            Status::Sending => "The message is being sent to the gateway",
            Status::DeliveredToGateway => "The message has been delivered to the gateway",
            Status::DeliveredToCarrier => "The message has been delivered to the carrier",
            Status::DeliveredToGsm => "The message has been delivered to the GSM network",
            Status::QueuedAtGateway => "The message has been queued at the gateway",
            Status::DeliveredToHandset => "The message has been delivered to the recipient in question",
            Status::Expired => "The message expired before it could be delivered to the recipient",
            Status::Canceled => "The message was canceled before it was delivered",
            Status::InsufficientFunds => "The account has insufficient funds to send the message",
            Status::SenderRejected => "The sender was rejected",
            Status::ContentRejected => "The message content was rejected",
            Status::RecipientRejected => "The recipient was rejected",
            Status::GenericRejected => "The message was rejected",
            Status::InvalidSender => "The sender is invalid",
            Status::InvalidContent => "The message content is invalid",
            Status::InvalidRecipient => "The recipient is invalid",
            Status::MissingSmsSubscription => "The account has no SMS subscription",
            Status::InternalError => "An internal error occurred while processing the message",
            Status::UnknownSubscriber => "The recipient is not a known subscriber of the network",
            Status::SubscriberUnreachable => "The subscriber could not be reached",
            Status::SubscriberOffline => "The subscriber is currently offline, delivery will be retried once the subscriber is back online",
            Status::DeliveryToGatewayFailed => "Delivery of the message to the gateway failed",
            Status::DeliveryToCarrierFailed => "Delivery of the message to the carrier failed",
            Status::DeliveryToGsmFailed => "Delivery of the message to the GSM network failed",
            Status::DeliveryToHandsetFailed => "Delivery of the message to the handset failed",
            Status::GenericDeliveryFailure => "Delivery of the message failed",
            Status::GatewayError => "The gateway reported an error",
            Status::Unknown => "Message was delivered upstream but no Delivery Receipt has been received or a Delivery Receipt that could not be interpreted was received",
        }
    }

    pub fn group(self) -> StatusGroup {
        match self.code() / 100 {
            1 => StatusGroup::Info,
            2 => StatusGroup::Success,
            4 => StatusGroup::Rejection,
            // Every code is 1xx, 2xx, 4xx or 5xx (tested), so this is 5xx.
            _ => StatusGroup::Error,
        }
    }

    /// Final: no later status may replace it. All Success, Rejection and Error
    /// codes are final EXCEPT SubscriberOffline (503): the network retries it,
    /// so it may still become delivered or expired. Info codes are not final.
    pub fn is_final(self) -> bool {
        self.group() != StatusGroup::Info && self != Status::SubscriberOffline
    }

    /// Refunded (104) is a money event recorded in the history; it never
    /// becomes the message's current status.
    pub fn is_annotation(self) -> bool {
        self == Status::Refunded
    }

    /// Position along the in-flight pipeline, for ordering Info statuses.
    /// Note QueuedAtGateway (114) ranks before DeliveredToCarrier (112): code
    /// order is not pipeline order. Refunded is not a pipeline step.
    pub(crate) fn progress_rank(self) -> Option<u8> {
        match self {
            Status::Accepted => Some(0),
            Status::Queued => Some(1),
            Status::Funded => Some(2),
            Status::Sending => Some(3),
            Status::DeliveredToGateway => Some(4),
            Status::QueuedAtGateway => Some(5),
            Status::DeliveredToCarrier => Some(6),
            Status::DeliveredToGsm => Some(7),
            _ => None,
        }
    }
}

/// The outcome of offering a new status for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Apply,
    Ignore(IgnoreReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoreReason {
    /// The message already has this status.
    Same,
    /// The current status is final.
    CurrentIsFinal,
    /// The new status is behind the current one (a late or out-of-order report).
    Regression,
    /// The new status is an annotation (Refunded): history only, never current.
    Annotation,
}

/// The one rule for whether `next` may replace `current` as a message's status.
pub fn transition(current: Status, next: Status) -> Transition {
    use IgnoreReason::*;
    if current == next {
        return Transition::Ignore(Same);
    }
    if next.is_annotation() {
        return Transition::Ignore(Annotation);
    }
    // Unknown (599) means "no receipt came": a receipt that comes after all says better,
    // with a final status (see `submit`).
    if current == Status::Unknown && next.is_final() {
        return Transition::Apply;
    }
    if current.is_final() {
        return Transition::Ignore(CurrentIsFinal);
    }
    if next.group() == StatusGroup::Info {
        // Receipts arrive out of order; only forward progress may move the status.
        return match (current.progress_rank(), next.progress_rank()) {
            (Some(cur), Some(nxt)) if nxt > cur => Transition::Apply,
            (Some(_), _) => Transition::Ignore(Regression),
            // Current is SubscriberOffline: the message already reached the
            // network, so any Info report is stale.
            (None, _) if current.group() != StatusGroup::Info => Transition::Ignore(Regression),
            // Current is an annotation (only via bad data): any pipeline step
            // puts the message back on a real status.
            (None, _) => Transition::Apply,
        };
    }
    // Success / Rejection / Error over a non-final status always wins.
    Transition::Apply
}

#[cfg(test)]
mod tests {
    use super::*;
    use IgnoreReason::*;

    #[test]
    fn a_late_final_receipt_replaces_unknown() {
        assert_eq!(transition(Status::Unknown, Status::DeliveredToHandset), Transition::Apply);
        assert_eq!(transition(Status::Unknown, Status::DeliveredToGateway), Transition::Ignore(CurrentIsFinal));
        assert_eq!(transition(Status::DeliveredToHandset, Status::Unknown), Transition::Ignore(CurrentIsFinal));
    }

    #[test]
    fn exactly_32_distinct_statuses() {
        assert_eq!(Status::ALL.len(), 32);
        let mut codes: Vec<u16> = Status::ALL.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 32);
        // ALL is sorted by code and by the derived Ord.
        assert!(Status::ALL
            .windows(2)
            .all(|w| w[0].code() < w[1].code() && w[0] < w[1]));
    }

    #[test]
    fn codes_and_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
            assert_eq!(Status::from_name(s.name()), Some(s));
            assert_eq!(Status::from_name(&s.name().to_lowercase()), Some(s));
            assert_eq!(Status::from_name(&s.name().to_uppercase()), Some(s));
            assert!(!s.description().is_empty());
        }
    }

    #[test]
    fn seed_table() {
        let table: [(u16, &str); 32] = [
            (101, "Accepted"),
            (102, "Queued"),
            (103, "Funded"),
            (104, "Refunded"),
            (110, "Sending"),
            (111, "DeliveredToGateway"),
            (112, "DeliveredToCarrier"),
            (113, "DeliveredToGSM"),
            (114, "QueuedAtGateway"),
            (201, "DeliveredToHandset"),
            (202, "Expired"),
            (203, "Canceled"),
            (402, "InsufficientFunds"),
            (403, "SenderRejected"),
            (404, "ContentRejected"),
            (405, "RecipientRejected"),
            (406, "GenericRejected"),
            (407, "InvalidSender"),
            (408, "InvalidContent"),
            (409, "InvalidRecipient"),
            (410, "MissingSmsSubscription"),
            (500, "InternalError"),
            (501, "UnknownSubscriber"),
            (502, "SubscriberUnreachable"),
            (503, "SubscriberOffline"),
            (511, "DeliveryToGatewayFailed"),
            (512, "DeliveryToCarrierFailed"),
            (513, "DeliveryToGSMFailed"),
            (514, "DeliveryToHandsetFailed"),
            (515, "GenericDeliveryFailure"),
            (516, "GatewayError"),
            (599, "Unknown"),
        ];
        for (code, name) in table {
            let s = Status::from_code(code).expect("known code");
            assert_eq!(s.name(), name);
        }
        assert_eq!(
            Status::from_name("DeliveredToGsm"),
            Some(Status::DeliveredToGsm)
        );
    }

    #[test]
    fn unknown_codes_and_names() {
        for code in [0, 100, 105, 200, 299, 401, 411, 504, 598, 600] {
            assert_eq!(Status::from_code(code), None, "{code}");
        }
        assert_eq!(Status::from_name(""), None);
        assert_eq!(Status::from_name("Delivered"), None);
        assert_eq!(Status::from_name(" Accepted"), None);
    }

    #[test]
    fn groups_follow_first_digit() {
        for s in Status::ALL {
            let expected = match s.code() / 100 {
                1 => StatusGroup::Info,
                2 => StatusGroup::Success,
                4 => StatusGroup::Rejection,
                5 => StatusGroup::Error,
                d => panic!("unexpected class {d}xx for {s:?}"),
            };
            assert_eq!(s.group(), expected, "{s:?}");
        }
    }

    #[test]
    fn finality() {
        for s in Status::ALL {
            let expected = s.group() != StatusGroup::Info && s != Status::SubscriberOffline;
            assert_eq!(s.is_final(), expected, "{s:?}");
        }
        assert!(!Status::SubscriberOffline.is_final());
        assert!(Status::Unknown.is_final());
        assert!(Status::Expired.is_final());
    }

    #[test]
    fn only_refunded_is_annotation() {
        let annotations: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| s.is_annotation())
            .collect();
        assert_eq!(annotations, vec![Status::Refunded]);
    }

    #[test]
    fn descriptions_from_seed() {
        assert_eq!(
            Status::Accepted.description(),
            "The message(s) has been accepted for processing"
        );
        assert_eq!(
            Status::DeliveredToHandset.description(),
            "The message has been delivered to the recipient in question"
        );
        assert!(Status::Unknown
            .description()
            .starts_with("Message was delivered upstream"));
        assert!(Status::SubscriberOffline.description().contains("retried"));
    }

    #[test]
    fn named_transitions() {
        use Status::*;
        let cases = [
            (Sending, Sending, Transition::Ignore(Same)),
            (
                DeliveredToHandset,
                DeliveredToHandset,
                Transition::Ignore(Same),
            ),
            (Funded, Refunded, Transition::Ignore(Annotation)),
            (DeliveredToHandset, Refunded, Transition::Ignore(Annotation)),
            (InsufficientFunds, Refunded, Transition::Ignore(Annotation)),
            (Accepted, Queued, Transition::Apply),
            (Queued, Funded, Transition::Apply),
            (Funded, Sending, Transition::Apply),
            (Sending, DeliveredToGateway, Transition::Apply),
            (DeliveredToGateway, QueuedAtGateway, Transition::Apply),
            (QueuedAtGateway, DeliveredToCarrier, Transition::Apply),
            (DeliveredToCarrier, DeliveredToGsm, Transition::Apply),
            (Accepted, DeliveredToGsm, Transition::Apply),
            (DeliveredToGateway, Sending, Transition::Ignore(Regression)),
            (
                DeliveredToCarrier,
                QueuedAtGateway,
                Transition::Ignore(Regression),
            ),
            (DeliveredToGsm, Accepted, Transition::Ignore(Regression)),
            (SubscriberOffline, Sending, Transition::Ignore(Regression)),
            (
                SubscriberOffline,
                DeliveredToGsm,
                Transition::Ignore(Regression),
            ),
            (DeliveredToGateway, DeliveredToHandset, Transition::Apply),
            (SubscriberOffline, DeliveredToHandset, Transition::Apply),
            (SubscriberOffline, Expired, Transition::Apply),
            (Sending, DeliveryToGatewayFailed, Transition::Apply),
            (Accepted, InsufficientFunds, Transition::Apply),
            (DeliveredToGsm, SubscriberOffline, Transition::Apply),
            (
                DeliveredToHandset,
                Sending,
                Transition::Ignore(CurrentIsFinal),
            ),
            (
                DeliveredToHandset,
                DeliveredToGateway,
                Transition::Ignore(CurrentIsFinal),
            ),
            (
                DeliveredToHandset,
                Expired,
                Transition::Ignore(CurrentIsFinal),
            ),
            (Unknown, DeliveredToHandset, Transition::Apply),
            (
                Expired,
                DeliveredToHandset,
                Transition::Ignore(CurrentIsFinal),
            ),
        ];
        for (current, next, expected) in cases {
            assert_eq!(
                transition(current, next),
                expected,
                "{current:?} -> {next:?}"
            );
        }
    }

    #[test]
    fn nothing_replaces_a_final_status() {
        // Unknown (599) is the one exception: a late final receipt replaces it.
        for a in Status::ALL.into_iter().filter(|s| s.is_final() && *s != Status::Unknown) {
            for b in Status::ALL {
                assert_ne!(transition(a, b), Transition::Apply, "{a:?} -> {b:?}");
            }
        }
    }

    #[test]
    fn annotation_never_becomes_current() {
        for a in Status::ALL {
            assert_ne!(transition(a, Status::Refunded), Transition::Apply, "{a:?}");
        }
    }

    #[test]
    fn info_pipeline_only_moves_forward() {
        let pipeline = [
            Status::Accepted,
            Status::Queued,
            Status::Funded,
            Status::Sending,
            Status::DeliveredToGateway,
            Status::QueuedAtGateway,
            Status::DeliveredToCarrier,
            Status::DeliveredToGsm,
        ];
        for (i, &a) in pipeline.iter().enumerate() {
            for (j, &b) in pipeline.iter().enumerate() {
                let expected = match i.cmp(&j) {
                    std::cmp::Ordering::Less => Transition::Apply,
                    std::cmp::Ordering::Equal => Transition::Ignore(Same),
                    std::cmp::Ordering::Greater => Transition::Ignore(Regression),
                };
                assert_eq!(transition(a, b), expected, "{a:?} -> {b:?}");
            }
        }
    }

    #[test]
    fn non_info_over_non_final_applies() {
        for a in Status::ALL.into_iter().filter(|s| !s.is_final()) {
            for b in Status::ALL
                .into_iter()
                .filter(|s| s.group() != StatusGroup::Info)
            {
                if a != b {
                    assert_eq!(transition(a, b), Transition::Apply, "{a:?} -> {b:?}");
                }
            }
        }
    }
}
