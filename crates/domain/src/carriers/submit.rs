//! What a carrier's answer to a submit means for the message and its money.
//!
//! Every submit carries our message id as its reference, and a resubmit reuses it, so a
//! carrier that deduplicates by reference takes a message once however often we try.
//!
//! | what happened | verdict | the message | money |
//! |---|---|---|---|
//! | a 2xx answer with the carrier's id | accepted | DeliveredToGateway (111) | kept |
//! | an answer refusing it (4xx; 5xx other than 502/504) | refused | DeliveryToGatewayFailed (511) | refunded |
//! | never sent (DNS, connection refused or timed out, TLS, a denied host) | refused | 511 | refunded |
//! | sent and no answer in time, cut after sending, 502/504 from a proxy, 2xx without an id | unknown | stays Sending (110), resubmitted with the same reference | kept |
//!
//! An unknown outcome is resubmitted after 30 s, 2, 5, 15 and 30 minutes — about 52
//! minutes in all. A receipt that arrives meanwhile (matched by our reference when the
//! carrier's id is unknown) settles the message. Still unknown after the last resubmit,
//! the message becomes Unknown (599) and is not refunded: the carrier may have it and
//! charge us; a receipt that comes later still moves it on (see `status::transition`).

use std::time::Duration;

/// The verdict on one submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitVerdict {
    Accepted,
    /// The carrier surely does not have it.
    Refused,
    /// The carrier may have it.
    Unknown,
}

/// The verdict on an HTTP answer; `has_id` says whether a 2xx answer named the carrier's id.
pub fn verdict_for_answer(status: u16, has_id: bool) -> SubmitVerdict {
    match status {
        200..=299 if has_id => SubmitVerdict::Accepted,
        200..=299 => SubmitVerdict::Unknown,
        // A gateway in front of the carrier: the carrier behind it may have taken it.
        502 | 504 => SubmitVerdict::Unknown,
        _ => SubmitVerdict::Refused,
    }
}

/// The verdict on a submit with no answer: `may_have_arrived` is false only when the
/// request never left (see `FailureKind` in the platform's host adapter).
pub fn verdict_for_no_answer(may_have_arrived: bool) -> SubmitVerdict {
    if may_have_arrived {
        SubmitVerdict::Unknown
    } else {
        SubmitVerdict::Refused
    }
}

/// Waits before resubmitting a message whose submit had an unknown outcome, after the
/// 1st, 2nd, … such submit.
pub const RESUBMIT_SCHEDULE: [Duration; 5] = [
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(30 * 60),
];

/// What to do after a submit with an unknown outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterUnknown {
    ResubmitIn(Duration),
    /// Unknown (599), not refunded.
    GiveUp,
}

/// `unknown_submits` counts the submits with an unknown outcome so far, this one included.
pub fn after_unknown(unknown_submits: u32) -> AfterUnknown {
    match RESUBMIT_SCHEDULE.get(unknown_submits.saturating_sub(1) as usize) {
        Some(wait) => AfterUnknown::ResubmitIn(*wait),
        None => AfterUnknown::GiveUp,
    }
}

/// How long a delivery owns the messages it took: long enough to submit all of them at
/// `concurrency` with each submit taking its whole `timeout`, and a margin. A delivery
/// that crashed loses them when this runs out, and another takes them.
pub fn lease_for(messages: usize, concurrency: usize, timeout: Duration) -> Duration {
    let rounds = messages.div_ceil(concurrency.max(1)) as u32;
    timeout.saturating_mul(rounds.max(1)) + Duration::from_secs(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_answer_with_an_id_is_accepted() {
        assert_eq!(verdict_for_answer(200, true), SubmitVerdict::Accepted);
        assert_eq!(verdict_for_answer(202, false), SubmitVerdict::Unknown);
        assert_eq!(verdict_for_answer(400, false), SubmitVerdict::Refused);
        assert_eq!(verdict_for_answer(500, false), SubmitVerdict::Refused);
        assert_eq!(verdict_for_answer(502, false), SubmitVerdict::Unknown);
        assert_eq!(verdict_for_answer(504, false), SubmitVerdict::Unknown);
    }

    #[test]
    fn no_answer_is_a_refusal_only_when_nothing_left() {
        assert_eq!(verdict_for_no_answer(false), SubmitVerdict::Refused);
        assert_eq!(verdict_for_no_answer(true), SubmitVerdict::Unknown);
    }

    #[test]
    fn unknown_outcomes_are_resubmitted_five_times_then_given_up() {
        assert_eq!(after_unknown(1), AfterUnknown::ResubmitIn(Duration::from_secs(30)));
        assert_eq!(after_unknown(5), AfterUnknown::ResubmitIn(Duration::from_secs(1800)));
        assert_eq!(after_unknown(6), AfterUnknown::GiveUp);
        let window: Duration = RESUBMIT_SCHEDULE.iter().sum();
        assert_eq!(window, Duration::from_secs(52 * 60 + 30));
    }

    #[test]
    fn a_lease_covers_every_submit_timing_out() {
        assert_eq!(lease_for(32, 4, Duration::from_secs(5)), Duration::from_secs(8 * 5 + 10));
        assert_eq!(lease_for(0, 4, Duration::from_secs(5)), Duration::from_secs(15));
    }
}
