//! End-to-end: the sign-in throttle (domain::identity::throttle). A stranger's failures slow down
//! only browsers the user has not signed in on, never the owner's own (known devices);
//! every check of a two-factor code counts like a password. This app is its own: every
//! failure from a new browser here also counts for the one client address all tests share.

use e2e::*;
use serde_json::json;

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}.{}.{}@example.com", now(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Asserts a 429 `TooManyAttempts` whose `Retry-After` is within the first delay.
fn assert_waits(reply: &FullReply, what: &str) {
    assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (429, Some("TooManyAttempts")), "{what}: {}", reply.text);
    let wait: i64 = reply.header("retry-after").unwrap_or_else(|| panic!("{what}: no Retry-After")).parse().unwrap();
    assert!((1..=30).contains(&wait), "{what}: {wait}");
}

#[test]
fn a_strangers_wrong_passwords_do_not_keep_the_owner_out_of_their_own_browsers() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("bob");
    // Bob has signed in on two browsers: each is now a known device of his.
    let laptop = app.member(&account, &email, "user").device.expect("a full sign-in sets a known-device cookie");
    let (_, phone) = app.login(&email, PASSWORD);
    let phone = phone.unwrap().device.unwrap();

    // A stranger guesses from a new browser: 5 free failures, then every attempt waits,
    // even with the right password.
    for attempt in 1..=5 {
        assert_eq!(app.login(&email, &format!("Guess number {attempt}")).0.status, 401, "attempt {attempt}");
    }
    assert_waits(&app.login(&email, "Guess number 6").0, "the stranger's next guess");
    assert_waits(&app.login(&email, PASSWORD).0, "a new browser, even with the right password");

    // Bob signs in on his laptop as if nothing happened (same client address, even).
    let (welcome, laptop_browser) = app.login_on(Some(&laptop), &email, PASSWORD);
    assert_eq!(welcome.status, 200, "the owner's own browser: {}", welcome.text);
    let laptop_browser = laptop_browser.unwrap();
    assert_eq!(laptop_browser.call("GET", "/v1/me", None).status, 200);
    assert_ne!(laptop_browser.device.as_deref(), Some(laptop.as_str()), "each sign-in renews the device's token");
    // ... and that let the stranger off nothing.
    assert_waits(&app.login(&email, "Guess number 7").0, "the stranger still waits");

    // A cookie that is made up, or another user's, is a new browser.
    assert_waits(&app.login_on(Some("smsedge_device=made-up"), &email, PASSWORD).0, "a made-up device");
    let other = app.member(&account, &unique("alice"), "user").device.unwrap();
    assert_waits(&app.login_on(Some(&other), &email, PASSWORD).0, "another user's device");
    assert_waits(&app.login_on(Some(&laptop), &email, PASSWORD).0, "the laptop's old token, replaced at its sign-in");

    // A password change forgets the browsers signed in before it (as it ends their
    // sessions): the phone is a new browser again; the laptop, which made the change, is known.
    let changed = laptop_browser.call_full("POST", "/v1/me/password", Some(json!({"current_password": PASSWORD, "new_password": "Brand new pass 7"})));
    assert_eq!(changed.status, 200, "{}", changed.text);
    let laptop = cookie_pair(changed.set_cookie("smsedge_device").expect("a new device token in the new epoch"));
    assert_waits(&app.login_on(Some(&phone), &email, "Brand new pass 7").0, "a device from before the change");
    let (again, laptop_browser) = app.login_on(Some(&laptop), &email, "Brand new pass 7");
    assert_eq!(again.status, 200, "{}", again.text);

    // The owner's browser counts its own failures: it is slowed down like anyone.
    let laptop = laptop_browser.unwrap().device.unwrap();
    for attempt in 1..=5 {
        assert_eq!(app.login_on(Some(&laptop), &email, "Mistyped pass 1").0.status, 401, "attempt {attempt}");
    }
    assert_waits(&app.login_on(Some(&laptop), &email, "Brand new pass 7").0, "a known device after its own 5 failures");
}

#[test]
fn every_check_of_a_two_factor_code_is_throttled_alike() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("codes");
    let owner = app.member(&account, &email, "user");
    let (secret, recovery) = owner.turn_on_two_factor();

    // A signed-in session (a stolen one, say) guessing the code that turns 2FA off: 5 free
    // failures, then every code check waits, even a right one, which is not spent.
    for attempt in 1..=5 {
        let wrong = owner.call("POST", "/v1/me/2fa/disable", Some(json!({"code": "000000"})));
        assert_eq!((wrong.status, wrong.json["error"]["name"].as_str()), (422, Some("InvalidCode")), "attempt {attempt}");
    }
    assert_waits(&owner.call_full("POST", "/v1/me/2fa/disable", Some(json!({"recovery_code": recovery[0]}))), "disable");
    let next_code = totp_code(&secret, now() as u64 + 30);
    assert_waits(&owner.call_full("POST", "/v1/me/2fa/recovery-codes", Some(json!({"code": next_code}))), "recovery codes, on the same count");
    let me = owner.call("GET", "/v1/me", None);
    assert_eq!((me.json["two_factor_enabled"].as_bool(), me.json["recovery_codes_left"].as_i64()), (Some(true), Some(10)), "nothing changed or was spent");

    // The login's second step, by someone who has the password, from a new browser.
    let (_, pending) = app.login(&email, PASSWORD);
    let pending = pending.unwrap();
    for attempt in 1..=5 {
        assert_eq!(pending.call("POST", "/v1/auth/login/2fa", Some(json!({"code": "000000"}))).status, 401, "attempt {attempt}");
    }
    assert_waits(&pending.call_full("POST", "/v1/auth/login/2fa", Some(json!({"recovery_code": recovery[1]}))), "the login's second step");

    // Confirming a new secret.
    let second = app.member(&account, &unique("confirming"), "user");
    let begun = second.call("POST", "/v1/me/2fa", Some(json!({"password": PASSWORD})));
    assert_eq!(begun.status, 201, "{}", begun.text);
    for attempt in 1..=5 {
        assert_eq!(second.call("POST", "/v1/me/2fa/confirm", Some(json!({"code": "000000"}))).status, 422, "attempt {attempt}");
    }
    let right = totp_code(begun.json["secret"].as_str().unwrap(), now() as u64);
    assert_waits(&second.call_full("POST", "/v1/me/2fa/confirm", Some(json!({"code": right}))), "confirm");
    assert_eq!(second.call("GET", "/v1/me", None).json["two_factor_enabled"].as_bool(), Some(false));
}
