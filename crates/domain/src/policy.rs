//! Which outcomes give the customer their money back.
//!
//! A message that never left our platform, or that the next gateway refused to take,
//! cost us nothing, so its price is refunded. Once a carrier has accepted a message, the
//! carrier charges for the attempt whatever the handset does, so network outcomes
//! (unknown subscriber, unreachable, expired …) are not refunded.

use crate::status::Status;

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

#[cfg(test)]
mod tests {
    use super::*;

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
