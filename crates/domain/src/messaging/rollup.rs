//! One status for a multipart (concatenated) SMS from the receipts of its parts.
//!
//! Carriers report each segment separately; the customer sees one message. The rule,
//! over one slot per part (`None` = that part has not reported yet):
//!
//! 1. **A failed part fails the message.** If any part is in a final status other than
//!    DeliveredToHandset (Expired, Canceled, any 4xx rejection, any final 5xx error,
//!    Unknown), the message takes that status; if several parts failed, the first by
//!    part order wins, so the answer does not depend on the order receipts arrived in.
//! 2. **Delivered when every part is.** If every part is DeliveredToHandset, so is the
//!    message.
//! 3. **Otherwise the slowest part speaks.** The message takes the least-advanced status
//!    among the parts that reported and are still in flight (Info statuses in pipeline
//!    order, then SubscriberOffline, which is past the pipeline but not final).
//! 4. **Nothing to say** (`None`) when no part has reported, or when the parts that
//!    reported are all delivered but some are still silent: a message is not delivered
//!    until its last part is, and no in-flight part says where it is.
//!
//! Refunded (an annotation, never a current status) in a slot counts as not reported.
//! Each slot should only move forward: record receipts with [`apply_part`], which applies
//! the same [`transition`] rule as whole messages, so duplicates and late out-of-order
//! receipts of a part change nothing.

use crate::carriers::receipt::Part;
use crate::messaging::status::{transition, IgnoreReason, Status, Transition};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    #[error("the receipt is for part {} of {}, but the message has {slots} parts", .part.index, .part.total)]
    PartMismatch { part: Part, slots: usize },
}

/// The message's status from its parts' statuses (slot `i` is part `i + 1`), by the rule
/// in the module documentation.
pub fn rollup(parts: &[Option<Status>]) -> Option<Status> {
    let reported = || parts.iter().flatten().copied().filter(|s| !s.is_annotation());
    if let Some(failure) = reported().find(|s| s.is_final() && *s != Status::DeliveredToHandset) {
        return Some(failure);
    }
    if !parts.is_empty() && parts.iter().all(|s| *s == Some(Status::DeliveredToHandset)) {
        return Some(Status::DeliveredToHandset);
    }
    // SubscriberOffline has no pipeline rank: it is past every Info status.
    reported().filter(|s| !s.is_final()).min_by_key(|s| s.progress_rank().unwrap_or(u8::MAX))
}

/// Records one part's receipt in its slot if the transition rule lets it replace what
/// the slot holds. Returns the rule's verdict; the slot changed only on `Apply`.
pub fn apply_part(slots: &mut [Option<Status>], part: Part, status: Status) -> Result<Transition, RollupError> {
    if slots.len() != part.total as usize {
        return Err(RollupError::PartMismatch { part, slots: slots.len() });
    }
    let slot = &mut slots[part.index as usize - 1];
    let verdict = match *slot {
        None if status.is_annotation() => Transition::Ignore(IgnoreReason::Annotation),
        None => Transition::Apply,
        Some(current) => transition(current, status),
    };
    if verdict == Transition::Apply {
        *slot = Some(status);
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn part(index: u32, total: u32) -> Part {
        Part::new(index, total).unwrap()
    }

    #[test]
    fn nothing_reported_is_nothing_to_say() {
        assert_eq!(rollup(&[]), None);
        assert_eq!(rollup(&[None, None, None]), None);
        assert_eq!(rollup(&[Some(Refunded), None]), None);
    }

    #[test]
    fn delivered_only_when_every_part_is() {
        assert_eq!(rollup(&[Some(DeliveredToHandset)]), Some(DeliveredToHandset));
        assert_eq!(rollup(&[Some(DeliveredToHandset); 3]), Some(DeliveredToHandset));
        assert_eq!(rollup(&[Some(DeliveredToHandset), None]), None);
        assert_eq!(rollup(&[None, Some(DeliveredToHandset), Some(DeliveredToHandset)]), None);
    }

    #[test]
    fn the_slowest_part_in_flight_speaks() {
        assert_eq!(rollup(&[Some(DeliveredToHandset), Some(DeliveredToCarrier)]), Some(DeliveredToCarrier));
        assert_eq!(rollup(&[Some(DeliveredToGsm), None, Some(DeliveredToCarrier)]), Some(DeliveredToCarrier));
        // Pipeline order, not code order: QueuedAtGateway (114) is behind DeliveredToCarrier (112).
        assert_eq!(rollup(&[Some(DeliveredToCarrier), Some(QueuedAtGateway)]), Some(QueuedAtGateway));
        assert_eq!(rollup(&[Some(SubscriberOffline), Some(DeliveredToGsm)]), Some(DeliveredToGsm));
        assert_eq!(rollup(&[Some(SubscriberOffline), Some(DeliveredToHandset)]), Some(SubscriberOffline));
    }

    #[test]
    fn one_failing_part_fails_the_message() {
        assert_eq!(rollup(&[Some(DeliveredToHandset), Some(SubscriberUnreachable)]), Some(SubscriberUnreachable));
        assert_eq!(rollup(&[None, Some(Expired), Some(DeliveredToCarrier)]), Some(Expired));
        assert_eq!(rollup(&[Some(DeliveredToHandset), Some(Unknown)]), Some(Unknown));
        assert_eq!(rollup(&[Some(ContentRejected), None]), Some(ContentRejected));
    }

    #[test]
    fn several_failures_take_the_first_by_part_order() {
        let slots = [Some(DeliveredToHandset), Some(Expired), Some(UnknownSubscriber)];
        assert_eq!(rollup(&slots), Some(Expired));
        let slots = [Some(UnknownSubscriber), Some(DeliveredToHandset), Some(Expired)];
        assert_eq!(rollup(&slots), Some(UnknownSubscriber));
    }

    #[test]
    fn out_of_order_receipts_give_the_same_answer() {
        let receipts = [
            (part(3, 3), DeliveredToHandset),
            (part(1, 3), DeliveredToCarrier),
            (part(2, 3), DeliveryToHandsetFailed),
            (part(1, 3), DeliveredToHandset),
            (part(2, 3), DeliveredToCarrier), // late, stale: ignored
        ];
        let mut forward = vec![None; 3];
        let mut backward = vec![None; 3];
        for (p, s) in receipts {
            apply_part(&mut forward, p, s).unwrap();
        }
        for (p, s) in receipts.iter().rev() {
            apply_part(&mut backward, *p, *s).unwrap();
        }
        assert_eq!(rollup(&forward), Some(DeliveryToHandsetFailed));
        assert_eq!(rollup(&backward), Some(DeliveryToHandsetFailed));
    }

    #[test]
    fn duplicates_and_regressions_change_nothing() {
        let mut slots = vec![None; 2];
        assert_eq!(apply_part(&mut slots, part(1, 2), DeliveredToCarrier), Ok(Transition::Apply));
        assert_eq!(apply_part(&mut slots, part(1, 2), DeliveredToCarrier), Ok(Transition::Ignore(IgnoreReason::Same)));
        assert_eq!(apply_part(&mut slots, part(1, 2), Sending), Ok(Transition::Ignore(IgnoreReason::Regression)));
        assert_eq!(apply_part(&mut slots, part(1, 2), DeliveredToHandset), Ok(Transition::Apply));
        assert_eq!(
            apply_part(&mut slots, part(1, 2), Expired),
            Ok(Transition::Ignore(IgnoreReason::CurrentIsFinal))
        );
        assert_eq!(apply_part(&mut slots, part(2, 2), Refunded), Ok(Transition::Ignore(IgnoreReason::Annotation)));
        assert_eq!(slots, vec![Some(DeliveredToHandset), None]);
        assert_eq!(rollup(&slots), None);
        apply_part(&mut slots, part(2, 2), DeliveredToHandset).unwrap();
        apply_part(&mut slots, part(2, 2), DeliveredToHandset).unwrap();
        assert_eq!(rollup(&slots), Some(DeliveredToHandset));
    }

    #[test]
    fn a_part_of_another_shape_is_refused() {
        let mut slots = vec![None; 2];
        let err = apply_part(&mut slots, part(2, 3), DeliveredToHandset).unwrap_err();
        assert_eq!(err.to_string(), "the receipt is for part 2 of 3, but the message has 2 parts");
        assert_eq!(slots, vec![None, None]);
    }

    #[test]
    fn every_single_part_message_rolls_up_to_its_part() {
        for s in Status::ALL.into_iter().filter(|s| !s.is_annotation()) {
            assert_eq!(rollup(&[Some(s)]), Some(s), "{s:?}");
        }
    }
}
