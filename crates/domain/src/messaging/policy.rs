//! Which outcomes give the customer their money back.
//!
//! A message that never left our platform, or that the next gateway refused to take,
//! cost us nothing, so its price is refunded. Once a carrier has accepted a message, the
//! carrier charges for the attempt whatever the handset does, so network outcomes
//! (unknown subscriber, unreachable, expired …) are not refunded.

use crate::messaging::status::Status;

pub fn refund_due(status: Status) -> bool {
    matches!(
        status,
        Status::InternalError
            | Status::DeliveryToGatewayFailed
            | Status::GatewayError
            | Status::Canceled
            | Status::InsufficientFunds
            | Status::SenderRejected
            | Status::ContentRejected
            | Status::RecipientRejected
            | Status::GenericRejected
            | Status::InvalidSender
            | Status::InvalidContent
            | Status::InvalidRecipient
    )
}

/// [`refund_due`], and also for a message that expired before any carrier took it (a
/// scheduled send that never left us): no one charged us for it.
pub fn refund_due_for(status: Status, reached_carrier: bool) -> bool {
    refund_due(status) || (!reached_carrier && status == Status::Expired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_refunds_only_what_never_left() {
        assert!(refund_due_for(Status::Expired, false));
        assert!(!refund_due_for(Status::Expired, true));
        assert!(refund_due_for(Status::DeliveryToGatewayFailed, true));
        assert!(!refund_due_for(Status::DeliveredToHandset, true));
    }

    #[test]
    fn refunds_only_what_never_reached_the_network() {
        assert!(refund_due(Status::DeliveryToGatewayFailed));
        assert!(refund_due(Status::GenericRejected));
        assert!(!refund_due(Status::DeliveredToHandset));
        assert!(!refund_due(Status::UnknownSubscriber));
        assert!(!refund_due(Status::Expired));
        assert!(!refund_due(Status::DeliveredToGateway));
    }
}
