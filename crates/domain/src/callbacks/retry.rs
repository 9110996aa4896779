//! When to try a customer callback again.
//!
//! A 2xx answer is delivered. Answers that say "not now" — 5xx, 429 Too Many Requests,
//! 408 Request Timeout — and failures to get any answer (connection errors, time-outs)
//! are retried. Every other answer (3xx redirects, which we do not follow, and 4xx such as
//! 400, 401, 404, 410) says the endpoint will not take it, so we stop rather than hammer
//! it. A destination we do not call (a private address: see `endpoint`) is given up at
//! once, with the reason in the log: retrying cannot change where it points.
//!
//! Retries back off exponentially up to a cap of 2 hours:
//!
//! | after failed attempt | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8–19 | 20 |
//! |---|---|---|---|---|---|---|---|---|---|
//! | wait | 5 s | 30 s | 2 min | 5 min | 15 min | 30 min | 1 h | 2 h each | give up |
//!
//! That is 20 attempts over 25 h 52 min 35 s, so an endpoint that is down for a whole
//! day still gets its events. The domain draws no random numbers: [`jitter`] spreads
//! retries from a caller-supplied seed (e.g. a hash of the event id).

use std::time::Duration;

/// What one delivery attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The endpoint answered with this HTTP status.
    Http(u16),
    /// No answer: DNS, connection or TLS failure.
    NetworkError,
    /// No answer in time.
    Timeout,
    /// Not called: the destination is not a public address (found before sending, or by
    /// the runtime at the connection).
    Blocked,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    /// Try again after [`next_attempt_delay`], if the schedule has room.
    Retry,
    /// The endpoint refused the event; stop.
    GiveUp,
}

/// The verdict on one attempt, by the rule in the module documentation.
pub fn classify(outcome: DeliveryOutcome) -> Next {
    match outcome {
        DeliveryOutcome::Http(200..=299) => Next::Delivered,
        DeliveryOutcome::Http(408 | 429 | 500..=599) => Next::Retry,
        DeliveryOutcome::Http(_) => Next::GiveUp,
        DeliveryOutcome::NetworkError | DeliveryOutcome::Timeout => Next::Retry,
        DeliveryOutcome::Blocked => Next::GiveUp,
    }
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

/// Waits before attempt 2, 3, …, 20: exponential to 1 h, then every 2 h.
pub const SCHEDULE: [Duration; 19] = {
    let two_hours = Duration::from_secs(2 * HOUR);
    [
        Duration::from_secs(5),
        Duration::from_secs(30),
        Duration::from_secs(2 * MINUTE),
        Duration::from_secs(5 * MINUTE),
        Duration::from_secs(15 * MINUTE),
        Duration::from_secs(30 * MINUTE),
        Duration::from_secs(HOUR),
        two_hours, two_hours, two_hours, two_hours, two_hours, two_hours,
        two_hours, two_hours, two_hours, two_hours, two_hours, two_hours,
    ]
};

/// Attempts in all, the first included.
pub const MAX_ATTEMPTS: u32 = SCHEDULE.len() as u32 + 1;

/// How long to wait after `attempt` (1-based: the attempt that just failed) before the
/// next one; `None` once attempt [`MAX_ATTEMPTS`] has failed. `attempt` 0 (nothing tried
/// yet) is zero wait: the first attempt goes at once.
pub fn next_attempt_delay(attempt: u32) -> Option<Duration> {
    match attempt {
        0 => Some(Duration::ZERO),
        n => SCHEDULE.get(n as usize - 1).copied(),
    }
}

/// `delay` moved by up to ±10 %, the same way every time for the same seed, so many
/// endpoints failing at once do not all come back in the same second.
pub fn jitter(delay: Duration, seed: u64) -> Duration {
    // splitmix64: a well-mixed bit pattern from any seed, cheaply.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let per_mille = 900 + (z % 201) as u128; // 900..=1100
    let millis = delay.as_millis() * per_mille / 1000;
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_classify() {
        use DeliveryOutcome::*;
        for code in [200, 201, 202, 204, 299] {
            assert_eq!(classify(Http(code)), Next::Delivered, "{code}");
        }
        for code in [408, 429, 500, 502, 503, 504, 599] {
            assert_eq!(classify(Http(code)), Next::Retry, "{code}");
        }
        for code in [100, 301, 302, 307, 400, 401, 403, 404, 405, 410, 413, 422, 600] {
            assert_eq!(classify(Http(code)), Next::GiveUp, "{code}");
        }
        assert_eq!(classify(NetworkError), Next::Retry);
        assert_eq!(classify(Blocked), Next::GiveUp);
        assert_eq!(classify(Timeout), Next::Retry);
    }

    #[test]
    fn the_schedule_covers_a_day_and_ends() {
        let waits: Vec<Duration> = (1..).map_while(next_attempt_delay).collect();
        assert_eq!(waits.len() as u32, MAX_ATTEMPTS - 1);
        let total: Duration = waits.iter().sum();
        assert!(total >= Duration::from_secs(24 * HOUR), "{total:?}");
        assert_eq!(total, Duration::from_secs(25 * HOUR + 52 * MINUTE + 35));
        assert_eq!(next_attempt_delay(MAX_ATTEMPTS), None);
        assert_eq!(next_attempt_delay(u32::MAX), None);
        assert_eq!(next_attempt_delay(0), Some(Duration::ZERO));
    }

    #[test]
    fn the_schedule_backs_off_up_to_a_cap() {
        assert_eq!(next_attempt_delay(1), Some(Duration::from_secs(5)));
        assert_eq!(next_attempt_delay(7), Some(Duration::from_secs(HOUR)));
        assert!(SCHEDULE.windows(2).all(|w| w[0] <= w[1]));
        assert!(SCHEDULE.iter().all(|d| *d <= Duration::from_secs(2 * HOUR)));
    }

    #[test]
    fn jitter_is_deterministic_and_bounded() {
        let base = Duration::from_secs(2 * HOUR);
        assert_eq!(jitter(base, 42), jitter(base, 42));
        let spread: std::collections::HashSet<Duration> = (0..100).map(|seed| jitter(base, seed)).collect();
        assert!(spread.len() > 50);
        for seed in 0..1000 {
            let d = jitter(base, seed);
            assert!(d >= base * 9 / 10 && d <= base * 11 / 10, "{d:?}");
        }
        assert_eq!(jitter(Duration::ZERO, 7), Duration::ZERO);
    }
}
