//! Sign-in throttling: how long a check of a user's secret must wait after failures.
//!
//! Every check of a secret on the portal is throttled the same way: the password at login
//! and its second-factor code, the current password that confirms a change, and the TOTP
//! or recovery code that turns two-factor on or off or makes new recovery codes.
//! Failures are counted per client ([`LoginClient`]):
//!
//! - a browser holding a *known-device* cookie of the user (set at each successful
//!   sign-in; domain::identity::session::KnownDevice) by its own failures only;
//! - any other client per account (the e-mail tried) and per client address.
//!
//! Each key has some free failures; after them every attempt waits a delay that doubles
//! from 30 seconds (30, 60, 120, ...) up to 15 minutes, counted from the last failure. A
//! key's failures are forgotten 24 hours after the last one.
//!
//! Why per client: a wait that applied to the account as a whole would refuse the right
//! password too, so one wrong try every 15 minutes would keep the owner out. Now a
//! stranger who knows a user's e-mail slows down only sign-ins from browsers the user has
//! not signed in on (at most 15 minutes at a time), never the user's own; guessing from
//! new clients stays at about 100 tries a day per account once the delay is at its cap,
//! and a known device (which took the password, and the code, once) only guesses against
//! its own count. A password change or reset forgets every known device; a reset also
//! forgets the e-mail's failures, so the e-mailed link lets the owner in on a new browser
//! while a stranger keeps it waiting.
//!
//! Password-reset requests are counted the same way under keys of their own (every
//! request counts, whether or not the address has a user, so the answer still tells
//! nobody who has one): a stranger cannot flood a user's inbox with reset links, and a
//! user slowed down by failed logins can still ask for one.
//!
//! The same shape rations what the platform sends on someone's say-so, every request
//! counted: phone confirmation codes by SMS (per user, per number and per paying account:
//! the platform's sender pays the carrier, so nobody may turn it into a free SMS gun) and
//! invitations by e-mail (per account and per address invited). [`admit`] checks and
//! counts in one step, so concurrent requests cannot all slip through one free turn.

use serde::{Deserialize, Serialize};

/// The first delay after the free failures.
pub const BASE_DELAY_SECONDS: i64 = 30;
/// The longest delay.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Failures older than this (from the last one) are forgotten.
pub const FORGET_AFTER_SECONDS: i64 = 24 * 3600;

/// Failed sign-ins for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureState {
    pub failures: u32,
    /// Unix seconds.
    pub last_failure_at: i64,
}

impl FailureState {
    /// Whether the failures are old enough to be forgotten at `now`.
    pub fn is_forgotten(&self, now: i64) -> bool {
        now.saturating_sub(self.last_failure_at) >= FORGET_AFTER_SECONDS
    }
}

/// What failures are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    /// The account (e-mail) tried: few free failures.
    Account,
    /// The client address: many people can share one (an office NAT), so more.
    Address,
    /// Password-reset links asked for one e-mail address.
    ResetAccount,
    /// Password-reset links asked for from one client address.
    ResetAddress,
    /// A known device (the digest of its cookie's token): as few free failures as an account.
    Device,
    /// Phone confirmation codes sent for one user.
    PhoneCodeUser,
    /// Phone confirmation codes sent to one number (whoever asks).
    PhoneCodeNumber,
    /// Phone confirmation codes paid by one account (its users' default account).
    PhoneCodeAccount,
    /// Invitations sent by one account's admins.
    InviteAccount,
    /// Invitations sent to one e-mail address (from any account).
    InviteAddress,
    /// Self-signups from one client address.
    SignupAddress,
    /// Self-signups for one e-mail address.
    SignupEmail,
}

/// Who is checking a user's secret, as far as counting failures goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginClient {
    /// A browser holding a known-device cookie that vouches for the user (its token's digest).
    KnownDevice(String),
    /// Anyone else: the e-mail address tried and the client address.
    Unknown { email: String, address: String },
}

impl LoginClient {
    /// The keys a check waits on and counts a failure against.
    pub fn keys(&self) -> Vec<(ThrottleKey, &str)> {
        match self {
            LoginClient::KnownDevice(device) => vec![(ThrottleKey::Device, device.as_str())],
            LoginClient::Unknown { email, address } => vec![(ThrottleKey::Account, email.as_str()), (ThrottleKey::Address, address.as_str())],
        }
    }

    /// The key a successful sign-in forgets: the client's own (an address's failures may
    /// be other people's, and stay).
    pub fn forgotten_on_success(&self) -> (ThrottleKey, &str) {
        match self {
            LoginClient::KnownDevice(device) => (ThrottleKey::Device, device.as_str()),
            LoginClient::Unknown { email, .. } => (ThrottleKey::Account, email.as_str()),
        }
    }
}

impl ThrottleKey {
    pub fn as_str(self) -> &'static str {
        match self {
            ThrottleKey::Account => "account",
            ThrottleKey::Address => "address",
            ThrottleKey::ResetAccount => "reset-account",
            ThrottleKey::ResetAddress => "reset-address",
            ThrottleKey::Device => "device",
            ThrottleKey::PhoneCodeUser => "phone-code-user",
            ThrottleKey::PhoneCodeNumber => "phone-code-number",
            ThrottleKey::PhoneCodeAccount => "phone-code-account",
            ThrottleKey::InviteAccount => "invite-account",
            ThrottleKey::InviteAddress => "invite-address",
            ThrottleKey::SignupAddress => "signup-address",
            ThrottleKey::SignupEmail => "signup-email",
        }
    }

    /// The stored key that counts for `subject` (an e-mail address or a client address).
    pub fn key(self, subject: &str) -> String {
        format!("{}:{subject}", self.as_str())
    }

    /// What a password-reset request is counted by.
    pub fn for_reset<'a>(email: &'a str, address: &'a str) -> [(ThrottleKey, &'a str); 2] {
        [(ThrottleKey::ResetAccount, email), (ThrottleKey::ResetAddress, address)]
    }

    /// What sending a phone confirmation code is counted by: the user, the number and the
    /// account that pays.
    pub fn for_phone_code<'a>(user_id: &'a str, number: &'a str, account_id: &'a str) -> [(ThrottleKey, &'a str); 3] {
        [(ThrottleKey::PhoneCodeUser, user_id), (ThrottleKey::PhoneCodeNumber, number), (ThrottleKey::PhoneCodeAccount, account_id)]
    }

    /// What an account admin's invitation is counted by: the account and the address.
    /// What a self-signup is rationed by: the client's address and the e-mail address.
    pub fn for_signup<'a>(address: &'a str, email: &'a str) -> [(ThrottleKey, &'a str); 2] {
        [(ThrottleKey::SignupAddress, address), (ThrottleKey::SignupEmail, email)]
    }

    pub fn for_invitation<'a>(account_id: &'a str, email: &'a str) -> [(ThrottleKey, &'a str); 2] {
        [(ThrottleKey::InviteAccount, account_id), (ThrottleKey::InviteAddress, email)]
    }

    /// Failures (or, for what is rationed, requests) allowed without any wait.
    pub fn free_failures(self) -> u32 {
        match self {
            ThrottleKey::Account | ThrottleKey::Device => 5,
            ThrottleKey::Address => 20,
            // A mistyped or lost e-mail is asked for again a couple of times, not more.
            ThrottleKey::ResetAccount => 3,
            ThrottleKey::ResetAddress => 10,
            // A code lost or a number mistyped is asked for again a couple of times.
            ThrottleKey::PhoneCodeUser | ThrottleKey::PhoneCodeNumber => 3,
            // Several of an account's people may confirm their phones the same day.
            ThrottleKey::PhoneCodeAccount => 10,
            // A team brought in at once; more wait (30 s, doubling): e-mails to addresses an
            // admin typed, with text from the account, are not a mailing service.
            ThrottleKey::InviteAccount => 10,
            // Asked again once or twice (a lost e-mail), never a flood to one inbox.
            ThrottleKey::InviteAddress => 3,
            // A signup makes an account and sends an e-mail: a few from one office, then
            // waits; one inbox gets the link again once or twice, never a flood.
            ThrottleKey::SignupAddress => 5,
            ThrottleKey::SignupEmail => 2,
        }
    }

    /// The wait after `failures` failures, counted from the last one (0 = none).
    pub fn delay_after(self, failures: u32) -> i64 {
        let free = self.free_failures();
        if failures < free {
            return 0;
        }
        // 30 * 2^5 = 960 is already over the cap; keep the shift small.
        let doublings = (failures - free).min(6);
        (BASE_DELAY_SECONDS << doublings).min(MAX_DELAY_SECONDS)
    }
}

/// Seconds to wait before another attempt may be made, or `None` when one may be made now.
pub fn retry_after(key: ThrottleKey, state: &FailureState, now: i64) -> Option<i64> {
    if state.is_forgotten(now) {
        return None;
    }
    let allowed_at = state.last_failure_at.saturating_add(key.delay_after(state.failures));
    (now < allowed_at).then(|| allowed_at - now)
}

/// The state after one more failure at `now`: counted on, or a fresh count of 1 when the
/// old failures are forgotten (or there were none).
pub fn after_failure(state: Option<&FailureState>, now: i64) -> FailureState {
    match state {
        Some(old) if !old.is_forgotten(now) => {
            FailureState { failures: old.failures.saturating_add(1), last_failure_at: now.max(old.last_failure_at) }
        }
        _ => FailureState { failures: 1, last_failure_at: now },
    }
}

/// One more counted request for every key at `now`, given each key's state: the states
/// to store when it may go now, or the longest wait (seconds) when some key must wait (then
/// nothing is counted).
pub fn admit(counted: &[(ThrottleKey, Option<FailureState>)], now: i64) -> Result<Vec<FailureState>, i64> {
    let wait = counted.iter().filter_map(|(key, state)| state.as_ref().and_then(|s| retry_after(*key, s, now))).max();
    match wait {
        Some(wait) => Err(wait),
        None => Ok(counted.iter().map(|(_, state)| after_failure(state.as_ref(), now)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails `n` times in a row as soon as allowed; the state and the time after.
    fn fail(key: ThrottleKey, n: u32, start: i64) -> (FailureState, i64) {
        let mut state: Option<FailureState> = None;
        let mut now = start;
        for _ in 0..n {
            if let Some(s) = &state {
                now += retry_after(key, s, now).unwrap_or(0);
            }
            state = Some(after_failure(state.as_ref(), now));
        }
        (state.unwrap(), now)
    }

    #[test]
    fn five_failures_are_free_then_the_delay_doubles() {
        let t0 = 1_700_000_000;
        let mut state: Option<FailureState> = None;
        for attempt in 1..=5 {
            if let Some(s) = &state {
                assert_eq!(retry_after(ThrottleKey::Account, s, t0), None, "attempt {attempt} is free");
            }
            state = Some(after_failure(state.as_ref(), t0));
        }
        let five = state.unwrap();
        assert_eq!(five, FailureState { failures: 5, last_failure_at: t0 });
        assert_eq!(retry_after(ThrottleKey::Account, &five, t0), Some(30), "the 6th attempt waits 30 s");
        assert_eq!(retry_after(ThrottleKey::Account, &five, t0 + 10), Some(20));
        assert_eq!(retry_after(ThrottleKey::Account, &five, t0 + 30), None);
        let schedule: Vec<i64> = (5..=12).map(|n| ThrottleKey::Account.delay_after(n)).collect();
        assert_eq!(schedule, [30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(ThrottleKey::Account.delay_after(4), 0);
    }

    #[test]
    fn the_delay_is_capped_at_fifteen_minutes() {
        let (state, now) = fail(ThrottleKey::Account, 40, 0);
        assert_eq!(state.failures, 40);
        assert_eq!(retry_after(ThrottleKey::Account, &state, now), Some(MAX_DELAY_SECONDS));
        assert_eq!(ThrottleKey::Account.delay_after(u32::MAX), 900);
        let huge = FailureState { failures: u32::MAX, last_failure_at: now };
        assert_eq!(after_failure(Some(&huge), now).failures, u32::MAX);
        assert_eq!(retry_after(ThrottleKey::Account, &huge, now + 900), None, "never locked out for good");
    }

    #[test]
    fn an_address_gets_twenty_free_failures() {
        let (state, now) = fail(ThrottleKey::Address, 19, 0);
        assert_eq!(retry_after(ThrottleKey::Address, &state, now), None);
        let twenty = after_failure(Some(&state), now);
        assert_eq!(retry_after(ThrottleKey::Address, &twenty, now), Some(30));
        assert_eq!(ThrottleKey::Address.delay_after(21), 60);
        assert_eq!(ThrottleKey::Address.delay_after(30), 900);
        // The same state under the account key would already be waiting.
        assert_eq!(retry_after(ThrottleKey::Account, &state, now), Some(900));
    }

    #[test]
    fn reset_links_are_counted_apart_from_logins() {
        let (three, now) = fail(ThrottleKey::ResetAccount, 3, 0);
        assert_eq!(retry_after(ThrottleKey::ResetAccount, &three, now), Some(30), "the 4th link waits");
        let (nine, now) = fail(ThrottleKey::ResetAddress, 9, 0);
        assert_eq!(retry_after(ThrottleKey::ResetAddress, &nine, now), None);
        assert_eq!(ThrottleKey::ResetAddress.delay_after(10), 30);
        let stranger = LoginClient::Unknown { email: "a@b.se".into(), address: "10.0.0.1".into() };
        let keys: Vec<String> = stranger
            .keys()
            .into_iter()
            .chain(ThrottleKey::for_reset("a@b.se", "10.0.0.1"))
            .map(|(kind, subject)| kind.key(subject))
            .collect();
        assert_eq!(keys, ["account:a@b.se", "address:10.0.0.1", "reset-account:a@b.se", "reset-address:10.0.0.1"]);
    }

    #[test]
    fn a_known_device_is_counted_apart_from_strangers() {
        let owner = LoginClient::KnownDevice("d1g35t".into());
        let stranger = LoginClient::Unknown { email: "a@b.se".into(), address: "10.0.0.1".into() };
        let stored = |client: &LoginClient| client.keys().into_iter().map(|(kind, subject)| kind.key(subject)).collect::<Vec<_>>();
        assert_eq!(stored(&owner), ["device:d1g35t"], "neither the e-mail's nor the address's failures stop the owner");
        assert_eq!(stored(&stranger), ["account:a@b.se", "address:10.0.0.1"]);
        assert_eq!(owner.forgotten_on_success(), (ThrottleKey::Device, "d1g35t"));
        assert_eq!(stranger.forgotten_on_success(), (ThrottleKey::Account, "a@b.se"));
        // A device guessing is slowed like an account.
        let (five, now) = fail(ThrottleKey::Device, 5, 0);
        assert_eq!(retry_after(ThrottleKey::Device, &five, now), Some(30));
        assert_eq!(ThrottleKey::Device.delay_after(11), 900);
    }

    #[test]
    fn failures_are_forgotten_after_a_day() {
        let (state, now) = fail(ThrottleKey::Account, 12, 0);
        assert!(retry_after(ThrottleKey::Account, &state, now).is_some());
        let later = state.last_failure_at + FORGET_AFTER_SECONDS;
        assert!(state.is_forgotten(later));
        assert_eq!(retry_after(ThrottleKey::Account, &state, later), None);
        assert_eq!(after_failure(Some(&state), later), FailureState { failures: 1, last_failure_at: later });
        assert_eq!(after_failure(Some(&state), later - 1).failures, 13);
        assert_eq!(after_failure(None, 42), FailureState { failures: 1, last_failure_at: 42 });
    }

    #[test]
    fn phone_codes_are_rationed_per_user_number_and_account() {
        let t0 = 1_700_000_000;
        let keys = ThrottleKey::for_phone_code("usr_1", "+46701234567", "acc_1");
        let named: Vec<String> = keys.iter().map(|(kind, subject)| kind.key(subject)).collect();
        assert_eq!(named, ["phone-code-user:usr_1", "phone-code-number:+46701234567", "phone-code-account:acc_1"]);
        let mut states: Vec<Option<FailureState>> = vec![None; 3];
        for code in 1..=3 {
            let counted: Vec<_> = keys.iter().map(|(k, _)| *k).zip(states.iter().copied()).collect();
            let next = admit(&counted, t0).unwrap_or_else(|wait| panic!("code {code} waits {wait}"));
            states = next.into_iter().map(Some).collect();
        }
        assert_eq!(states[0], Some(FailureState { failures: 3, last_failure_at: t0 }));
        let counted: Vec<_> = keys.iter().map(|(k, _)| *k).zip(states.iter().copied()).collect();
        assert_eq!(admit(&counted, t0 + 10), Err(20), "the 4th code for the user waits (30 s from the 3rd)");
        assert_eq!(admit(&counted, t0 + 30).map(|s| s[0].failures), Ok(4));
        // The account has more room than one user: a fresh user and number at an account
        // that has paid 9 codes go now; after its 10th, they wait.
        let account = |failures| Some(FailureState { failures, last_failure_at: t0 });
        let fresh = [(ThrottleKey::PhoneCodeUser, None), (ThrottleKey::PhoneCodeNumber, None), (ThrottleKey::PhoneCodeAccount, account(9))];
        assert!(admit(&fresh, t0).is_ok());
        let full = [(ThrottleKey::PhoneCodeUser, None), (ThrottleKey::PhoneCodeNumber, None), (ThrottleKey::PhoneCodeAccount, account(10))];
        assert_eq!(admit(&full, t0), Err(30));
    }

    #[test]
    fn invitations_are_rationed_per_account_and_address() {
        let keys: Vec<String> = ThrottleKey::for_invitation("acc_1", "a@b.se").iter().map(|(k, s)| k.key(s)).collect();
        assert_eq!(keys, ["invite-account:acc_1", "invite-address:a@b.se"]);
        let (three, now) = fail(ThrottleKey::InviteAddress, 3, 0);
        assert_eq!(admit(&[(ThrottleKey::InviteAccount, None), (ThrottleKey::InviteAddress, Some(three))], now), Err(30));
        let (nine, now) = fail(ThrottleKey::InviteAccount, 9, 0);
        let next = admit(&[(ThrottleKey::InviteAccount, Some(nine)), (ThrottleKey::InviteAddress, None)], now).unwrap();
        assert_eq!((next[0].failures, next[1].failures), (10, 1), "each key counts one more");
        assert_eq!(retry_after(ThrottleKey::InviteAccount, &next[0], now), Some(30), "the 11th waits");
    }
}
