//! Request rate limits: per API key and per account, in requests per second, shared by
//! every instance of the app through the key-value store.
//!
//! Each limit counts the requests of one fixed one-second window in a shared counter
//! (one key per limit and window, raised by atomic increments). Counting every request
//! there would make each request a key-value write, so an instance takes a *lease* — a
//! few requests' worth of the window — and admits from it locally until it is used up.
//! Leases double while the instance keeps using them, up to a 32nd of the limit, and a new
//! window's first lease is half the last one of the window before, so an idle client costs
//! nothing and a busy one a few key-value writes a second per instance, not one a request.
//!
//! Grants never pass the limit, so no client ever gets more than its limit
//! in a window, however many instances serve it. What a lease leaves unused when the
//! window ends is lost, so a client spread over many instances may be held a little
//! below its limit (at most one lease, a 32nd of the limit, per instance).
//!
//! A refused request is answered 429 `RateLimited` with `Retry-After: 1` (the next window
//! starts within the second).

/// Limits an operator may set per client, per second.
pub const MAX_PER_SECOND: u32 = 100_000;
/// The account limit when the operator set none: every key of the account together.
pub const DEFAULT_ACCOUNT_PER_SECOND: u32 = 200;
/// The limit of each API key when the operator set none.
pub const DEFAULT_KEY_PER_SECOND: u32 = 100;

/// A limit in requests per second, 1–100,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a rate limit is 1–{MAX_PER_SECOND} requests per second, not {0}")]
pub struct RateLimitError(pub i64);

impl RateLimit {
    pub fn parse(per_second: i64) -> Result<RateLimit, RateLimitError> {
        match u32::try_from(per_second) {
            Ok(n @ 1..=MAX_PER_SECOND) => Ok(RateLimit(n)),
            _ => Err(RateLimitError(per_second)),
        }
    }

    /// The stored limit, or `default` when none is stored (or it is out of range).
    pub fn or_default(stored: Option<i64>, default: u32) -> RateLimit {
        stored.and_then(|n| RateLimit::parse(n).ok()).unwrap_or(RateLimit(default))
    }

    pub fn per_second(self) -> u32 {
        self.0
    }

    /// The largest lease an instance takes.
    fn max_lease(self) -> u32 {
        (self.0 / 32).max(1)
    }
}

/// The one-second window a moment (unix milliseconds) falls in.
pub fn window_of(unix_millis: i64) -> i64 {
    unix_millis.div_euclid(1000)
}

/// The shared counter of one limit and window, under this key-value key. Counters of
/// past windows are deleted by the job runner ([`is_stale_counter`]).
pub fn counter_key(subject: &str, window: i64) -> String {
    format!("{COUNTER_PREFIX}{subject}:{window}")
}

pub const COUNTER_PREFIX: &str = "ratelimit:";

/// Whether `key` is a rate-limit counter of a window before `window` (kept one second
/// longer, for clocks a little apart).
pub fn is_stale_counter(key: &str, window: i64) -> bool {
    key.strip_prefix(COUNTER_PREFIX)
        .and_then(|rest| rest.rsplit_once(':'))
        .and_then(|(_, counted)| counted.parse::<i64>().ok())
        .is_some_and(|counted| counted < window - 1)
}

/// How many of a lease of `asked` were granted, when adding `asked` to the window's
/// shared counter made it `total`: what was left under the limit before, at most `asked`.
/// The counter may pass the limit (asks after the limit add to it); grants never do.
pub fn granted(total: i64, asked: u32, limit: RateLimit) -> u32 {
    let before = total.saturating_sub(i64::from(asked)).max(0);
    let left = i64::from(limit.0).saturating_sub(before).max(0);
    left.min(i64::from(asked)) as u32
}

/// What an instance holds of one limit in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocalLease {
    window: i64,
    left: u32,
    /// The size of the last lease taken this window.
    last: u32,
    /// The shared counter said the window is used up.
    spent: bool,
}

/// What to do with a request under one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Admitted from the instance's lease.
    Admit,
    /// Lease this many from the shared counter, then call [`LocalLease::leased`].
    Lease(u32),
    /// The window's limit is used up: 429 until the next window.
    Refuse,
}

impl LocalLease {
    /// The window this lease is of.
    pub fn window(&self) -> i64 {
        self.window
    }

    /// Moves to `window`: what was left of the last one is lost; a busy client's next
    /// lease starts at half the last one's size instead of at one (one key-value write a
    /// second, not a dozen), and shrinks again when it is not used.
    fn enter(&mut self, window: i64) {
        if self.window != window {
            *self = LocalLease { window, last: self.last / 4, ..LocalLease::default() };
        }
    }

    /// Takes one request from the lease if it can.
    pub fn admit(&mut self, window: i64, limit: RateLimit) -> Admission {
        self.enter(window);
        if self.left > 0 {
            self.left -= 1;
            return Admission::Admit;
        }
        if self.spent {
            return Admission::Refuse;
        }
        Admission::Lease((self.last * 2).clamp(1, limit.max_lease()))
    }

    /// Records a lease of `asked` of which `granted` came: one of them is the request's
    /// own. Returns whether the request is admitted.
    pub fn leased(&mut self, window: i64, asked: u32, granted: u32) -> bool {
        self.enter(window);
        self.last = self.last.max(asked);
        if granted < asked {
            self.spent = true;
        }
        if granted == 0 {
            return false;
        }
        self.left += granted - 1;
        true
    }
}

/// Seconds a refused client waits: until the next window.
pub const RETRY_AFTER_SECONDS: u64 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(n: i64) -> RateLimit {
        RateLimit::parse(n).unwrap()
    }

    #[test]
    fn limits_are_one_to_a_hundred_thousand_per_second() {
        assert!(RateLimit::parse(0).is_err());
        assert!(RateLimit::parse(-5).is_err());
        assert!(RateLimit::parse(100_001).is_err());
        assert_eq!(limit(1).per_second(), 1);
        assert_eq!(RateLimit::or_default(None, 100).per_second(), 100);
        assert_eq!(RateLimit::or_default(Some(0), 100).per_second(), 100);
        assert_eq!(RateLimit::or_default(Some(7), 100).per_second(), 7);
    }

    #[test]
    fn windows_are_whole_seconds() {
        assert_eq!(window_of(1_700_000_000_999), 1_700_000_000);
        assert_eq!(window_of(1_700_000_001_000), 1_700_000_001);
    }

    #[test]
    fn grants_never_pass_the_limit() {
        let ten = limit(10);
        assert_eq!(granted(4, 4, ten), 4);
        assert_eq!(granted(12, 8, ten), 6, "only what is left");
        assert_eq!(granted(13, 1, ten), 0);
        assert_eq!(granted(40, 5, ten), 0, "the counter passed the limit long ago");
    }

    #[test]
    fn counters_are_per_window_and_past_ones_are_stale() {
        assert_eq!(counter_key("key:ak_1", 1_700_000_000), "ratelimit:key:ak_1:1700000000");
        assert!(is_stale_counter("ratelimit:key:ak_1:1700000000", 1_700_000_002));
        assert!(!is_stale_counter("ratelimit:key:ak_1:1700000001", 1_700_000_002));
        assert!(!is_stale_counter("ratelimit:account:acc_1:1700000002", 1_700_000_002));
        assert!(!is_stale_counter("session:abc", 1_700_000_002));
        assert!(!is_stale_counter("ratelimit:junk", 1_700_000_002));
    }

    #[test]
    fn leases_double_up_to_a_32nd_of_the_limit() {
        let limit = limit(320);
        let mut lease = LocalLease::default();
        let mut sizes = Vec::new();
        for _ in 0..60 {
            match lease.admit(1, limit) {
                Admission::Admit => {}
                Admission::Lease(n) => {
                    sizes.push(n);
                    assert!(lease.leased(1, n, n));
                }
                Admission::Refuse => panic!("not spent"),
            }
        }
        assert_eq!(sizes, vec![1, 2, 4, 8, 10, 10, 10, 10, 10]);
        // A new window starts at half the last lease, and halves again while unused.
        assert_eq!(lease.admit(2, limit), Admission::Lease(4));
        assert!(lease.leased(2, 4, 4));
        assert_eq!(lease.admit(3, limit), Admission::Lease(2), "what was left is lost with its window");
    }

    #[test]
    fn instances_sharing_a_counter_admit_exactly_the_limit() {
        let limit = limit(50);
        let mut shared: i64 = 0;
        let mut instances = [LocalLease::default(); 7];
        let mut admitted = 0;
        for request in 0..500 {
            let lease = &mut instances[request % 7];
            let ok = match lease.admit(9, limit) {
                Admission::Admit => true,
                Admission::Refuse => false,
                Admission::Lease(n) => {
                    shared += i64::from(n);
                    lease.leased(9, n, granted(shared, n, limit))
                }
            };
            admitted += ok as u32;
        }
        assert!(admitted <= 50, "never above the limit: {admitted}");
        assert!(admitted >= 50 - 7, "at most one small lease per instance unused: {admitted}");
        assert!(shared >= 50);
    }

    #[test]
    fn a_spent_window_refuses_without_asking_again() {
        let limit = limit(1);
        let mut lease = LocalLease::default();
        assert_eq!(lease.admit(3, limit), Admission::Lease(1));
        assert!(lease.leased(3, 1, 1));
        assert_eq!(lease.admit(3, limit), Admission::Lease(1));
        assert!(!lease.leased(3, 1, 0));
        assert_eq!(lease.admit(3, limit), Admission::Refuse);
        assert_eq!(lease.admit(4, limit), Admission::Lease(1));
    }
}
