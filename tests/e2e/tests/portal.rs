//! End-to-end: the portal's people (seed 000, 001) — invitations and passwords, sessions
//! and CSRF, two-factor login, password reset, login throttling, e-mail and phone
//! confirmation, members and their access levels across components, users, and keys
//! made by account admins.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}.{}.{}@example.com", now(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn public(method: &str, path: &str, body: Value) -> Reply {
    call(method, &app().url(path), None, Some(body.to_string()), &[])
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or("")
}

#[test]
fn an_invited_user_sets_a_password_signs_in_and_sends_on_a_session() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("anna");
    let made = app.admin("POST", "/v1/admin/users", Some(json!({"account_id": account, "email": email.to_uppercase(), "name": "Anna Andersson", "level": "admin"})));
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!((made.json["email"].as_str(), made.json["pending"].as_bool()), (Some(email.as_str()), Some(true)), "stored lowercase, pending until the password is set");
    let invitation = app.last_email(&email);
    assert!(invitation["subject"].as_str().unwrap().contains("Test AB") || invitation["body"].as_str().unwrap().contains("Test AB"), "{invitation}");
    let token = app.emailed_token(&email);

    // Seed 001's policy: every failed rule at once, and the token is not used up.
    let weak = public("POST", "/v1/invitations/accept", json!({"token": token, "password": "short"}));
    assert_eq!((weak.status, error_name(&weak)), (422, "WeakPassword"), "{}", weak.text);
    let rules: Vec<&str> = weak.json["error"]["details"].as_array().unwrap().iter().map(|d| d["value"].as_str().unwrap()).collect();
    assert_eq!(rules, vec!["too_short", "no_digit", "no_capital"]);
    let accepted = public("POST", "/v1/invitations/accept", json!({"token": token, "password": PASSWORD}));
    assert_eq!(accepted.status, 204, "{}", accepted.text);
    let again = public("POST", "/v1/invitations/accept", json!({"token": token, "password": PASSWORD}));
    assert_eq!((again.status, error_name(&again)), (410, "InvalidToken"), "single use");
    let stored: String = app.sql().query_row("SELECT password_hash FROM users WHERE email = ?", [&email], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");

    let (wrong, no_session) = app.login(&email, "Wrong password 1");
    assert_eq!((wrong.status, wrong.json["error"]["name"].as_str()), (401, Some("InvalidCredentials")));
    assert!(no_session.is_none());
    let (ok, browser) = app.login(&email, PASSWORD);
    assert_eq!(ok.status, 200, "{}", ok.text);
    // The session cookie (a known-device cookie comes with it; their order is the host's).
    let cookie = ok.set_cookie("smsedge_session").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http on 127.0.0.1: {cookie}");
    let browser = browser.unwrap();

    let me = browser.call("GET", "/v1/me", None);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!((me.json["email_confirmed"].as_bool(), me.json["default_account_id"].as_str()), (Some(true), Some(account.as_str())));
    let accounts = browser.call("GET", "/v1/accounts", None);
    assert_eq!(accounts.json["total"], 1, "{}", accounts.text);
    let listed = &accounts.json["accounts"][0];
    assert_eq!((listed["id"].as_str(), listed["level"].as_str(), listed["is_default"].as_bool()), (Some(account.as_str()), Some("admin"), Some(true)));

    // The session works on every component's account endpoints, CSRF token required.
    let send = json!({"from": "Shop", "to": ["+46701234567"], "text": "hej"});
    let forged = browser.without_csrf().call("POST", "/v1/messages", Some(send.clone()));
    assert_eq!((forged.status, error_name(&forged)), (403, "CsrfTokenInvalid"), "{}", forged.text);
    let sent = browser.call("POST", "/v1/messages", Some(send));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    assert_eq!(browser.call("GET", &format!("/v1/messages/{id}"), None).status, 200);
    assert_eq!(browser.call("GET", "/v1/contacts", None).status, 200);
    let history = browser.call("GET", "/v1/account/history", None);
    assert!(history.json["events"].as_array().unwrap().iter().any(|e| e["action"] == "member.added" && e["actor"] == "operator"), "{}", history.text);

    let forged_logout = browser.without_csrf().call("POST", "/v1/auth/logout", None);
    assert_eq!((forged_logout.status, error_name(&forged_logout)), (403, "CsrfTokenInvalid"), "a cross-site request signs nobody out");
    assert_eq!(browser.call("GET", "/v1/me", None).status, 200);
    let out = browser.call_full("POST", "/v1/auth/logout", None);
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    let after = browser.call("GET", "/v1/me", None);
    assert_eq!(after.status, 401, "the session is gone from the store: {}", after.text);
}

#[test]
fn access_levels_hold_in_every_component() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let admin = app.member(&account, &unique("admin"), "admin");
    let manager_email = unique("manager");
    let user_email = unique("user");
    for (email, level) in [(&manager_email, "manager"), (&user_email, "user")] {
        let given = admin.call("POST", &format!("/v1/accounts/{account}/members"), Some(json!({"email": email, "level": level, "name": "Some One"})));
        assert_eq!(given.status, 201, "{}", given.text);
        let token = app.emailed_token(email);
        assert_eq!(public("POST", "/v1/invitations/accept", json!({"token": token, "password": PASSWORD})).status, 204);
    }
    let manager = app.login(&manager_email, PASSWORD).1.unwrap();
    let user = app.login(&user_email, PASSWORD).1.unwrap();
    let send = json!({"from": "Shop", "to": ["+46701234567"], "text": "hej"});

    // user: may send (seed 000), nothing more.
    assert_eq!(user.call("POST", "/v1/messages", Some(send.clone())).status, 201);
    for (method, path) in [("GET", "/v1/contacts"), ("GET", "/v1/inbox"), ("GET", "/v1/account/settings"), ("GET", &format!("/v1/accounts/{account}/keys") as &str)] {
        let denied = user.call(method, path, None);
        assert_eq!((denied.status, error_name(&denied)), (403, "AccessLevelTooLow"), "{method} {path}: {}", denied.text);
    }
    // manager: also contacts, not the account's settings, keys or members.
    assert_eq!(manager.call("POST", "/v1/messages", Some(send)).status, 201);
    assert_eq!(manager.call("POST", "/v1/contacts", Some(json!({"number": "+46701234500", "first_name": "Ola", "last_name": "Nordmann"}))).status, 201);
    for (method, path) in [("PATCH", "/v1/account/settings"), ("POST", &format!("/v1/accounts/{account}/members") as &str), ("GET", &format!("/v1/accounts/{account}/keys"))] {
        let denied = manager.call(method, path, Some(json!({})));
        assert_eq!((denied.status, error_name(&denied)), (403, "AccessLevelTooLow"), "{method} {path}: {}", denied.text);
    }
    // admin: everything, and the change of a level takes effect on the next request.
    let user_id = user.call("GET", "/v1/me", None).json["id"].as_str().unwrap().to_owned();
    let promoted = admin.call("PATCH", &format!("/v1/accounts/{account}/members/{user_id}"), Some(json!({"level": "manager"})));
    assert_eq!((promoted.status, promoted.json["level"].as_str()), (200, Some("manager")), "{}", promoted.text);
    assert_eq!(user.call("GET", "/v1/contacts", None).status, 200);
    assert_eq!(admin.call("DELETE", &format!("/v1/accounts/{account}/members/{user_id}"), None).status, 204);
    let gone = user.call("GET", "/v1/contacts", None);
    assert_eq!(gone.status, 404, "revoked: the account is no longer theirs: {}", gone.text);

    // The last admin cannot leave the account without one.
    let admin_id = admin.call("GET", "/v1/me", None).json["id"].as_str().unwrap().to_owned();
    let last = admin.call("PATCH", &format!("/v1/accounts/{account}/members/{admin_id}"), Some(json!({"level": "user"})));
    assert_eq!((last.status, error_name(&last)), (409, "LastAdmin"));

    let history = admin.call("GET", "/v1/account/history", None);
    let events: Vec<Value> = history.json["events"].as_array().unwrap().iter().filter(|e| e["action"].as_str().unwrap().starts_with("member.")).cloned().collect();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec!["member.revoked", "member.level_changed", "member.accepted", "member.added", "member.accepted", "member.added", "member.added"],
        "each invitee is in from the moment they accepted"
    );
    let changed = &events[1];
    assert_eq!((changed["before"]["level"].as_str(), changed["after"]["level"].as_str()), (Some("user"), Some("manager")));
    assert_eq!(changed["actor"], format!("user:{admin_id}"));
    assert_eq!(changed["actor_name"], "Test Person", "the history names the person behind user:<id>");
    let settings = admin.call("GET", "/v1/account/settings", None);
    assert_eq!(settings.json["currency_locked"], true, "the opening balance is in the ledger: {}", settings.text);
}

#[test]
fn one_accounts_people_cannot_reach_another_account() {
    let app = app();
    let (account_a, _) = app.account("SEK", 10_000, 0);
    let (account_b, key_b) = app.account("SEK", 10_000, 0);
    let a = app.member(&account_a, &unique("a"), "admin");
    let b = app.member(&account_b, &unique("b"), "admin");
    let sent = app.send(&key_b, json!({"from": "Shop", "to": ["+46701234567"], "text": "B's"}));
    let message_b = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let key_id_b = app.admin("GET", &format!("/v1/admin/accounts/{account_b}/keys"), None).json["keys"][0]["id"].as_str().unwrap().to_owned();
    let b_id = b.call("GET", "/v1/me", None).json["id"].as_str().unwrap().to_owned();
    let balance_b = app.account_balance(&account_b);

    for (method, path) in [
        ("GET", format!("/v1/accounts/{account_b}")),
        ("GET", format!("/v1/accounts/{account_b}/members")),
        ("GET", format!("/v1/accounts/{account_b}/keys")),
        ("PATCH", format!("/v1/accounts/{account_a}/keys/{key_id_b}")),
        ("DELETE", format!("/v1/accounts/{account_a}/keys/{key_id_b}")),
        ("PATCH", format!("/v1/accounts/{account_a}/members/{b_id}")),
        ("GET", format!("/v1/messages/{message_b}")),
        ("GET", format!("/v1/users/{b_id}")),
    ] {
        let reply = a.call(method, &path, Some(json!({"name": "mine now", "level": "user"})));
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text);
    }
    // Picking B's account by header is as if it did not exist.
    let picked = a.on(&account_b).call("GET", "/v1/account/settings", None);
    assert_eq!(picked.status, 404, "{}", picked.text);
    assert_eq!(a.on(&account_b).call("POST", "/v1/messages", Some(json!({"from": "Shop", "to": ["+46701234567"], "text": "x"}))).status, 404);
    assert_eq!(app.account_balance(&account_b), balance_b, "nothing was charged to B");
    // B's key still works: A's attempts changed nothing.
    assert_eq!(app.get(&key_b, &format!("/v1/messages/{message_b}")).status, 200);
}

#[test]
fn a_two_factor_secret_is_sealed_at_rest_and_one_stored_before_still_signs_in() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("sealed-tfa");
    let browser = app.member(&account, &email, "user");
    let begun = browser.call("POST", "/v1/me/2fa", Some(json!({"password": PASSWORD})));
    assert_eq!(begun.status, 201, "{}", begun.text);
    let secret = begun.json["secret"].as_str().unwrap().to_owned();
    let stored = || -> String { app.sql().query_row("SELECT totp_secret FROM users WHERE email = ?", [&email], |r| r.get(0)).unwrap() };
    assert!(stored().starts_with("v1.") && !stored().contains(&secret), "sealed from the start: {}", stored());
    let confirmed = browser.call("POST", "/v1/me/2fa/confirm", Some(json!({"code": totp_code(&secret, now() as u64)})));
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    // As an older build stored it: in the clear. It still signs in, and is sealed then.
    app.sql_write().execute("UPDATE users SET totp_secret = ? WHERE email = ?", [&secret, &email]).unwrap();
    let (half, pending) = app.login(&email, PASSWORD);
    assert_eq!(half.json["two_factor_required"].as_bool(), Some(true), "{}", half.text);
    let next_step = totp_code(&secret, now() as u64 + 30);
    let done = pending.unwrap().call_full("POST", "/v1/auth/login/2fa", Some(json!({"code": next_step})));
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(stored().starts_with("v1.") && !stored().contains(&secret), "sealed when used: {}", stored());
}

#[test]
fn two_factor_login_needs_a_fresh_code_or_a_recovery_code() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("tfa");
    let browser = app.member(&account, &email, "user");
    let wrong = browser.call("POST", "/v1/me/2fa", Some(json!({"password": "Not my password 1"})));
    assert_eq!((wrong.status, error_name(&wrong)), (403, "WrongPassword"));
    let begun = browser.call("POST", "/v1/me/2fa", Some(json!({"password": PASSWORD})));
    assert_eq!(begun.status, 201, "{}", begun.text);
    let secret = begun.json["secret"].as_str().unwrap().to_owned();
    assert!(begun.json["provisioning_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    let bad = browser.call("POST", "/v1/me/2fa/confirm", Some(json!({"code": "000000"})));
    assert_eq!(bad.status, 422, "{}", bad.text);
    let confirmed = browser.call("POST", "/v1/me/2fa/confirm", Some(json!({"code": totp_code(&secret, now() as u64)})));
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let recovery: Vec<String> = confirmed.json["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);

    // The password alone gives a session that can do nothing but finish the login.
    let (half, pending) = app.login(&email, PASSWORD);
    assert_eq!((half.status, half.json["two_factor_required"].as_bool()), (200, Some(true)), "{}", half.text);
    let pending = pending.unwrap();
    let blocked = pending.call("GET", "/v1/me", None);
    assert_eq!((blocked.status, error_name(&blocked)), (401, "TwoFactorRequired"));
    assert_eq!(pending.call("POST", "/v1/messages", Some(json!({"from": "Shop", "to": ["+46701234567"], "text": "x"}))).status, 401);
    // The code used to turn 2FA on was used already: a replay is refused.
    let code = totp_code(&secret, now() as u64);
    let replay = pending.call_full("POST", "/v1/auth/login/2fa", Some(json!({"code": code})));
    assert_eq!(replay.status, 401, "{}", replay.text);
    // A recovery code works once (typed in capitals with spaces, as people do).
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let recovered = pending.call_full("POST", "/v1/auth/login/2fa", Some(json!({"recovery_code": typed})));
    assert_eq!(recovered.status, 200, "{}", recovered.text);
    let signed_in = Browser {
        cookie: cookie_pair(recovered.set_cookie("smsedge_session").unwrap()),
        csrf: recovered.json["csrf_token"].as_str().unwrap().to_owned(),
        ..pending.clone()
    };
    assert_ne!(signed_in.cookie, pending.cookie, "a new session token after the second step");
    assert_eq!(pending.call("GET", "/v1/me", None).status, 401, "the half-signed-in token is gone");
    let me = signed_in.call("GET", "/v1/me", None);
    assert_eq!((me.json["two_factor_enabled"].as_bool(), me.json["recovery_codes_left"].as_i64()), (Some(true), Some(9)));
    let (_, again) = app.login(&email, PASSWORD);
    let reused = again.unwrap().call("POST", "/v1/auth/login/2fa", Some(json!({"recovery_code": recovery[0]})));
    assert_eq!(reused.status, 401, "each recovery code works once");

    // Turning it off needs a code; after that the password is enough again.
    let off = signed_in.call("POST", "/v1/me/2fa/disable", Some(json!({"recovery_code": recovery[1]})));
    assert_eq!(off.status, 200, "{}", off.text);
    let (plain, _) = app.login(&email, PASSWORD);
    assert_eq!(plain.json["two_factor_required"].as_bool(), Some(false));
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let actions: Vec<&str> = history.json["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"user.two_factor_enabled") && actions.contains(&"user.two_factor_disabled"), "{actions:?}");
    assert!(!history.text.contains(&secret), "the secret never appears in the history");
}

#[test]
fn password_reset_is_single_use_and_ends_every_session() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("reset");
    let old_session = app.member(&account, &email, "user");

    let unknown = public("POST", "/v1/auth/password-reset", json!({"email": unique("nobody")}));
    let known = public("POST", "/v1/auth/password-reset", json!({"email": email}));
    assert_eq!((unknown.status, known.status), (202, 202));
    assert_eq!(unknown.json, known.json, "the answer does not tell who has a user");
    let token = app.emailed_token(&email);
    let new_password = "Brand new pass 2";
    let reset = public("POST", "/v1/auth/password-reset/confirm", json!({"token": token, "password": new_password}));
    assert_eq!(reset.status, 204, "{}", reset.text);
    assert_eq!(public("POST", "/v1/auth/password-reset/confirm", json!({"token": token, "password": "Another one 3"})).status, 410);
    assert_eq!(old_session.call("GET", "/v1/me", None).status, 401, "sessions from before the reset are over");
    assert_eq!(app.login(&email, PASSWORD).0.status, 401);
    assert_eq!(app.login(&email, new_password).0.status, 200);
    let notice = app.last_email(&email);
    assert!(!notice["body"].as_str().unwrap().contains("token="), "the last e-mail is the change notice: {notice}");

    // An expired link does not work (time travel in the database).
    public("POST", "/v1/auth/password-reset", json!({"email": email}));
    let token = app.emailed_token(&email);
    app.sql_write().execute("UPDATE one_time_tokens SET expires_at = expires_at - 3601 WHERE used_at IS NULL", []).unwrap();
    assert_eq!(public("POST", "/v1/auth/password-reset/confirm", json!({"token": token, "password": "Too late now 4"})).status, 410);
}

#[test]
fn a_password_reset_or_change_ends_a_login_still_waiting_for_its_code() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("halfway");
    let owner = app.member(&account, &email, "manager");
    let (_, recovery) = owner.turn_on_two_factor();

    // Someone with the password starts a login; the owner resets the password meanwhile.
    let (half, pending) = app.login(&email, PASSWORD);
    assert_eq!(half.json["two_factor_required"].as_bool(), Some(true), "{}", half.text);
    let pending = pending.unwrap();
    assert_eq!(public("POST", "/v1/auth/password-reset", json!({"email": email})).status, 202);
    let new_password = "Reset meanwhile 5";
    let reset = public("POST", "/v1/auth/password-reset/confirm", json!({"token": app.emailed_token(&email), "password": new_password}));
    assert_eq!(reset.status, 204, "{}", reset.text);
    let finished = pending.call_full("POST", "/v1/auth/login/2fa", Some(json!({"recovery_code": recovery[0]})));
    assert_eq!((finished.status, finished.json["error"]["name"].as_str()), (401, Some("Unauthorized")), "{}", finished.text);
    assert!(finished.set_cookie("smsedge_session").is_none(), "no session comes of it");
    assert_eq!(pending.call("GET", "/v1/contacts", None).status, 401);

    // A login begun after the reset finishes with that same recovery code (nothing was spent).
    let (_, fresh) = app.login(&email, new_password);
    let done = fresh.unwrap().call_full("POST", "/v1/auth/login/2fa", Some(json!({"recovery_code": recovery[0]})));
    assert_eq!(done.status, 200, "{}", done.text);
    let signed_in = Browser {
        cookie: cookie_pair(done.set_cookie("smsedge_session").unwrap()),
        csrf: done.json["csrf_token"].as_str().unwrap().to_owned(),
        account: None,
        device: done.set_cookie("smsedge_device").map(cookie_pair),
        base: app.base.clone(),
    };
    assert_eq!(signed_in.call("GET", "/v1/contacts", None).status, 200);

    // A password change ends a half-finished login the same way.
    let (_, pending) = app.login(&email, new_password);
    let changed = signed_in.call("POST", "/v1/me/password", Some(json!({"current_password": new_password, "new_password": "Changed again 6"})));
    assert_eq!(changed.status, 200, "{}", changed.text);
    let finished = pending.unwrap().call("POST", "/v1/auth/login/2fa", Some(json!({"recovery_code": recovery[1]})));
    assert_eq!(finished.status, 401, "{}", finished.text);
}

#[test]
fn json_bodies_must_say_so_so_a_cross_site_form_cannot_sign_anyone_in() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let email = unique("eve");
    let eve = app.member(&account, &email, "admin");
    // What `<form enctype="text/plain">` on another site posts: JSON-looking bytes as text.
    let login = json!({"email": email, "password": PASSWORD}).to_string();
    let evil = [("Origin", "https://evil.example".to_owned())];
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""] {
        let forged = call_typed("POST", &app.url("/v1/auth/login"), Some((content_type, login.clone())), &evil);
        assert_eq!((forged.status, forged.json["error"]["name"].as_str()), (415, Some("UnsupportedMediaType")), "{content_type}: {}", forged.text);
        assert!(forged.header("set-cookie").is_none(), "{content_type}: no session");
    }
    let honest = call_typed("POST", &app.url("/v1/auth/login"), Some(("application/json; charset=utf-8", login)), &[]);
    assert_eq!(honest.status, 200, "{}", honest.text);
    assert!(honest.set_cookie("smsedge_session").is_some());

    // Every endpoint that reads a JSON body, in every component, holds the same line.
    let bearer = |token: &str| ("Authorization", format!("Bearer {token}"));
    let session = [("Cookie", eve.cookie.clone()), ("X-CSRF-Token", eve.csrf.clone())];
    let cases: [(&str, &str, Vec<(&str, String)>, Value); 9] = [
        ("POST", "/v1/messages", vec![bearer(&key)], json!({"from": "Shop", "to": ["+46701234567"], "text": "hej"})),
        ("POST", "/v1/contacts", vec![bearer(&key)], json!({"number": "+46701234567"})),
        ("PATCH", "/v1/account/settings", vec![bearer(&key)], json!({"time_zone": "Europe/Stockholm"})),
        ("PUT", "/v1/keywords/PROMO", vec![bearer(&key)], json!({"reply": "hej"})),
        ("POST", "/v1/billing/quote", vec![bearer(&key)], json!({"from": "Shop", "to": ["+46701234567"], "text": "hej"})),
        ("POST", "/v1/admin/accounts", vec![bearer(ADMIN_TOKEN)], json!({"name": "Forged AB", "currency": "SEK"})),
        ("PATCH", "/v1/me", session.to_vec(), json!({"name": "Forged"})),
        ("POST", &format!("/v1/accounts/{account}/members"), session.to_vec(), json!({"email": unique("mallory"), "level": "admin"})),
        ("POST", "/v1/auth/password-reset", vec![], json!({"email": email})),
    ];
    let messages_before: i64 = app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&account], |r| r.get(0)).unwrap();
    for (method, path, headers, body) in cases {
        let reply = call_typed(method, &app.url(path), Some(("text/plain", body.to_string())), &headers);
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (415, Some("UnsupportedMediaType")), "{method} {path}: {}", reply.text);
    }
    let messages_after: i64 = app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&account], |r| r.get(0)).unwrap();
    assert_eq!(messages_after, messages_before, "nothing was sent");
    assert_eq!(eve.call("GET", "/v1/me", None).json["name"], "Test Person", "nothing changed");
}

#[test]
fn reset_links_for_one_address_are_rationed_and_still_reach_a_throttled_user() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("flooded");
    app.member(&account, &email, "user");
    let links = |app: &SpinApp| {
        app.sql().query_row("SELECT COUNT(*) FROM emails WHERE recipient = ?", [&email], |r| r.get::<_, i64>(0)).unwrap()
    };
    let before = links(app);
    for request in 1..=3 {
        assert_eq!(public("POST", "/v1/auth/password-reset", json!({"email": email})).status, 202, "request {request}");
    }
    let refused = call_full("POST", &app.url("/v1/auth/password-reset"), Some(json!({"email": email}).to_string()), &[]);
    assert_eq!((refused.status, refused.json["error"]["name"].as_str()), (429, Some("TooManyAttempts")), "{}", refused.text);
    let wait: i64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(links(app) - before, 3, "the fourth request sent nothing");

    // An address without a user is counted the same, so a 429 tells nobody who has one.
    let nobody = unique("nobody");
    assert_eq!(public("POST", "/v1/auth/password-reset", json!({"email": nobody})).status, 202);
    let counted: i64 = app
        .sql()
        .query_row("SELECT failures FROM login_failures WHERE key = ?", [format!("reset-account:{nobody}")], |r| r.get(0))
        .unwrap();
    assert_eq!(counted, 1);

    // Once the wait is over, a user whose logins are throttled can still get a link.
    let db = app.sql_write();
    db.execute("UPDATE login_failures SET last_failure_at = last_failure_at - 31 WHERE key = ?", [format!("reset-account:{email}")]).unwrap();
    db.execute(
        "INSERT INTO login_failures (key, failures, last_failure_at) VALUES (?, 9, unixepoch())",
        [format!("account:{email}")],
    )
    .unwrap();
    assert_eq!(app.login(&email, PASSWORD).0.status, 429, "logins wait");
    assert_eq!(public("POST", "/v1/auth/password-reset", json!({"email": email})).status, 202);
    assert_eq!(links(app) - before, 4);
}

#[test]
fn failed_logins_slow_down_and_then_let_the_owner_in() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("throttle");
    app.member(&account, &email, "user");
    for attempt in 1..=5 {
        assert_eq!(app.login(&email, "Guess number 1").0.status, 401, "attempt {attempt}");
    }
    let (throttled, _) = app.login(&email, PASSWORD);
    assert_eq!(throttled.status, 429, "even the right password waits: {}", throttled.text);
    let wait: i64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Once the wait is over (moved back in the database), the owner gets in.
    app.sql_write().execute("UPDATE login_failures SET last_failure_at = last_failure_at - 31 WHERE key = ?", [format!("account:{email}")]).unwrap();
    assert_eq!(app.login(&email, PASSWORD).0.status, 200);
    let left: i64 = app.sql().query_row("SELECT COUNT(*) FROM login_failures WHERE key = ?", [format!("account:{email}")], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "a successful login forgets the account's failures");
}

#[test]
fn a_new_email_address_and_a_phone_number_are_confirmed_before_they_count() {
    let app = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("move");
    let browser = app.member(&account, &email, "user");
    let new_email = unique("moved");
    let asked = browser.call("POST", "/v1/me/email", Some(json!({"email": new_email, "password": PASSWORD})));
    assert_eq!(asked.status, 202, "{}", asked.text);
    assert_eq!(browser.call("GET", "/v1/me", None).json["email"], email.as_str(), "unchanged until confirmed");
    let token = app.emailed_token(&new_email);
    let confirmed = public("POST", "/v1/auth/email-confirmation", json!({"token": token}));
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(browser.call("GET", "/v1/me", None).json["email"], new_email.as_str());
    assert_eq!(app.login(&new_email, PASSWORD).0.status, 200);

    // Another user's address: the same answer as a free one (nobody learns who has a user),
    // and no link goes to it.
    let other = unique("taken");
    let _ = app.member(&account, &other, "user");
    let mails_before = app.admin("GET", &format!("/v1/admin/emails?to={other}"), None).json["emails"].as_array().map_or(0, Vec::len);
    let taken = browser.call("POST", "/v1/me/email", Some(json!({"email": other, "password": PASSWORD})));
    let free = browser.call("POST", "/v1/me/email", Some(json!({"email": unique("free"), "password": PASSWORD})));
    assert_eq!((taken.status, free.status), (202, 202), "{} / {}", taken.text, free.text);
    assert_eq!(taken.json["message"], free.json["message"]);
    let mails_after = app.admin("GET", &format!("/v1/admin/emails?to={other}"), None).json["emails"].as_array().map_or(0, Vec::len);
    assert_eq!(mails_after, mails_before, "no confirmation link to another user's address");

    let bad = browser.call("PATCH", "/v1/me", Some(json!({"phone": "0701234567", "language": "fi", "name": ""})));
    assert_eq!(bad.status, 400);
    let fields: Vec<&str> = bad.json["error"]["details"].as_array().unwrap().iter().map(|d| d["value"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name", "phone", "language"], "every bad field at once");
    let patched = browser.call("PATCH", "/v1/me", Some(json!({"phone": "+46 70 111 22 33", "time_zone": "Europe/Stockholm"})));
    assert_eq!((patched.json["phone"].as_str(), patched.json["phone_confirmed"].as_bool()), (Some("+46701112233"), Some(false)), "{}", patched.text);
    let before = app.account_balance(&account);
    let sent = browser.call("POST", "/v1/me/phone/confirmation", None);
    assert_eq!(sent.status, 202, "{}", sent.text);
    let message_id = sent.json["message_id"].as_str().unwrap().to_owned();
    assert!(app.account_balance(&account) < before, "the code SMS went through the send path and was charged");
    let body: String = app.sql().query_row("SELECT body FROM messages WHERE id = ?", [&message_id], |r| r.get(0)).unwrap();
    let code: String = body.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{body}");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let missed = browser.call("POST", "/v1/me/phone/confirm", Some(json!({"code": wrong})));
    assert_eq!((missed.status, error_name(&missed)), (422, "InvalidCode"));
    let ok = browser.call("POST", "/v1/me/phone/confirm", Some(json!({"code": code})));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(browser.call("GET", "/v1/me", None).json["phone_confirmed"], true);
    assert_eq!(browser.call("POST", "/v1/me/phone/confirm", Some(json!({"code": code}))).status, 409, "used up");
}

#[test]
fn account_admins_see_their_users_and_manage_keys() {
    let app = app();
    let (first, _) = app.account("SEK", 10_000, 0);
    let (second, _) = app.account("EUR", 10_000, 0);
    let admin = app.member(&first, &unique("boss"), "admin");
    let admin_email = admin.call("GET", "/v1/me", None).json["email"].as_str().unwrap().to_owned();
    // Someone who has a user already just gets access (and a notice, no password link).
    let shared = app.admin("POST", "/v1/admin/users", Some(json!({"account_id": second, "email": admin_email, "level": "admin"})));
    assert_eq!((shared.status, shared.json["pending"].as_bool()), (201, Some(false)), "{}", shared.text);
    assert!(!app.last_email(&admin_email)["body"].as_str().unwrap().contains("token="));
    let twice = app.admin("POST", "/v1/admin/users", Some(json!({"account_id": second, "email": admin_email, "level": "user"})));
    assert_eq!((twice.status, twice.json["error"]["name"].as_str()), (409, Some("AlreadyMember")));

    // Someone the admin invites is listed once they accept: someone new by choosing a
    // password, then (a user now) signed in as themselves for the second account.
    let helper = unique("helper");
    let listed = |admin: &Browser| {
        let users = admin.call("GET", "/v1/users", None);
        users.json["users"].as_array().unwrap().iter().find(|u| u["email"] == helper.as_str()).cloned()
    };
    let invited = admin.call("POST", &format!("/v1/accounts/{first}/members"), Some(json!({"email": helper, "level": "user", "name": "Help Er"})));
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(listed(&admin), None, "not in before accepting");
    assert_eq!(public("POST", "/v1/invitations/accept", json!({"token": app.emailed_token(&helper), "password": PASSWORD})).status, 204);
    assert_eq!(admin.call("POST", &format!("/v1/accounts/{second}/members"), Some(json!({"email": helper, "level": "manager"}))).status, 201);
    assert_eq!(listed(&admin).unwrap()["accounts"].as_array().map(Vec::len), Some(1), "the second account waits for their yes");
    let helper_session = app.login(&helper, PASSWORD).1.unwrap();
    let yes = helper_session.call("POST", "/v1/invitations/accept", Some(json!({"token": app.emailed_token(&helper)})));
    assert_eq!(yes.status, 204, "{}", yes.text);
    let entry = listed(&admin).unwrap();
    let levels: Vec<(&str, &str)> = entry["accounts"].as_array().unwrap().iter().map(|a| (a["account_id"].as_str().unwrap(), a["level"].as_str().unwrap())).collect();
    assert_eq!(levels.len(), 2, "{entry}");
    assert!(levels.contains(&(first.as_str(), "user")) && levels.contains(&(second.as_str(), "manager")));
    assert_eq!((entry["pending"].as_bool(), entry["name"].as_str()), (Some(false), Some("Help Er")));

    // A SEK account is Swedish unless the operator says otherwise; others International.
    let kinds = admin.call("GET", "/v1/accounts?sort=type", None);
    let kind_of = |id: &str| kinds.json["accounts"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap()["kind"].clone();
    assert_eq!((kind_of(&first), kind_of(&second)), (json!("swedish"), json!("international")));
    // Sorting and searching the accounts list (seed 000).
    let sorted = admin.call("GET", "/v1/accounts?sort=id&order=desc", None);
    let ids: Vec<&str> = sorted.json["accounts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, expected);
    assert_eq!(admin.call("PATCH", &format!("/v1/accounts/{second}"), Some(json!({"name": "Export desk", "kind": "swedish"}))).status, 200);
    let found = admin.call("GET", "/v1/accounts?q=export", None);
    assert_eq!((found.json["total"].as_i64(), found.json["accounts"][0]["kind"].as_str()), (Some(1), Some("swedish")), "{}", found.text);
    assert_eq!(admin.call("PUT", "/v1/me/default-account", Some(json!({"account_id": second}))).status, 200);
    assert_eq!(admin.call("GET", &format!("/v1/accounts/{second}"), None).json["is_default"], true);

    // Keys made by an account admin are the account's, shown once, and work.
    let made = admin.call("POST", &format!("/v1/accounts/{first}/keys"), Some(json!({"name": "shop", "scopes": ["messages:send"]})));
    assert_eq!(made.status, 201, "{}", made.text);
    let key = made.json["key"].as_str().unwrap().to_owned();
    let key_id = made.json["id"].as_str().unwrap().to_owned();
    assert_eq!(app.send(&key, json!({"from": "Shop", "to": ["+46701234567"], "text": "via key"})).status, 201);
    assert!(!admin.call("GET", &format!("/v1/accounts/{first}/keys"), None).text.contains(&key));
    assert_eq!(admin.call("DELETE", &format!("/v1/accounts/{first}/keys/{key_id}"), None).status, 200);
    assert_eq!(app.send(&key, json!({"from": "Shop", "to": ["+46701234567"], "text": "revoked"})).status, 401);
    let history = app.admin("GET", &format!("/v1/admin/accounts/{first}/history"), None);
    let created = history.json["events"].as_array().unwrap().iter().find(|e| e["action"] == "key.created").unwrap().clone();
    assert_eq!(created["actor"]["kind"], "user", "{created}");
    assert_eq!(created["actor"]["name"], "Test Person", "{created}");
}

#[test]
fn a_block_made_in_the_portal_says_who_made_it() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let manager = app.member(&account, &unique("blocker"), "manager");
    let user_id = manager.call("GET", "/v1/me", None).json["id"].as_str().unwrap().to_owned();
    let blocked = manager.call("POST", "/v1/blocklist", Some(json!({"number": "+46701234599"})));
    assert_eq!(blocked.status, 201, "{}", blocked.text);
    assert_eq!(blocked.json["entry"]["reason"], format!("manual:user:{user_id}"), "{}", blocked.text);
    let refused = app.send(&key, json!({"from": "Shop", "to": ["+46701234599", "+46701234598"], "text": "hej"}));
    let detail = refused.json["messages"][0]["status_detail"].as_str().unwrap_or_default().to_owned();
    assert!(detail.contains(&format!("blocked by user:{user_id}")), "{}", refused.text);
    // Through an API key it stays the API's block.
    let by_key = app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": "+46701234597"})));
    assert_eq!(by_key.json["entry"]["reason"], "api");
}

/// Security review F6: an account admin's "give access" is an invitation. Someone who has a
/// user is in only once they accept, signed in as themselves; until then the account learns
/// nothing about them, and the answer is the same as for an address with no user.
#[test]
fn access_for_someone_with_a_user_waits_for_their_yes_and_tells_the_admin_nothing() {
    let app = app();
    let (a, _) = app.account("SEK", 10_000, 0);
    let (b, _) = app.account("SEK", 10_000, 0);
    let admin = app.member(&a, &unique("a-admin"), "admin");
    let bob_email = unique("bob");
    let bob = app.member(&b, &bob_email, "user");
    assert_eq!(bob.call("PATCH", "/v1/me", Some(json!({"name": "Bob Bobsson"}))).status, 200);
    let nobody = unique("nobody");

    let for_bob = admin.call("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": bob_email, "level": "user"})));
    let for_nobody = admin.call("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": nobody, "level": "user"})));
    assert_eq!((for_bob.status, for_nobody.status), (201, 201), "{} / {}", for_bob.text, for_nobody.text);
    let shape = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (keys, v["name"].clone(), v["pending"].clone(), v["level"].clone())
    };
    assert_eq!(shape(&for_bob.json), shape(&for_nobody.json), "the same answer whether or not the address has a user");
    assert_eq!((for_bob.json["name"].clone(), for_bob.json["pending"].as_bool()), (Value::Null, Some(true)));
    let members = admin.call("GET", &format!("/v1/accounts/{a}/members"), None);
    assert!(!members.text.contains("Bob Bobsson"), "the members list names nobody who has not accepted: {}", members.text);
    assert!(!admin.call("GET", &format!("/v1/accounts/{a}"), None).text.contains("Bob Bobsson"));
    assert!(!admin.call("GET", "/v1/users", None).text.contains(&bob_email), "nor does the users list");

    // Bob is not in A yet: no access, not among his accounts, nothing of his in A's history.
    assert_eq!(bob.on(&a).call("GET", "/v1/messages?limit=1", None).status, 404);
    let bobs = bob.call("GET", "/v1/accounts", None);
    assert_eq!(bobs.json["total"], 1, "{}", bobs.text);
    assert_eq!(bob.call("PATCH", "/v1/me", Some(json!({"phone": "+46701230042"}))).status, 200);
    let history = app.admin("GET", &format!("/v1/admin/accounts/{a}/history"), None);
    assert!(!history.text.contains("+46701230042") && !history.text.contains("Bob Bobsson"), "{}", history.text);

    // The link alone does not let him in: he must be signed in, as himself.
    let invitation = app.last_email(&bob_email);
    assert!(invitation["body"].as_str().unwrap().contains("Sign in") || invitation["body"].as_str().unwrap().contains("Logga in"), "{invitation}");
    let token = app.emailed_token(&bob_email);
    let anonymous = public("POST", "/v1/invitations/accept", json!({"token": token, "password": "Correct horse 1"}));
    assert_eq!((anonymous.status, error_name(&anonymous)), (401, "SignInToAccept"), "{}", anonymous.text);
    let someone_else = admin.call("POST", "/v1/invitations/accept", Some(json!({"token": token})));
    assert_eq!((someone_else.status, error_name(&someone_else)), (403, "NotYourInvitation"), "{}", someone_else.text);
    let forged = bob.without_csrf().call("POST", "/v1/invitations/accept", Some(json!({"token": token})));
    assert_eq!((forged.status, error_name(&forged)), (403, "CsrfTokenInvalid"), "a cross-site request accepts nothing");
    assert_eq!(bob.on(&a).call("GET", "/v1/messages?limit=1", None).status, 404, "still not in");

    let accepted = bob.call("POST", "/v1/invitations/accept", Some(json!({"token": token})));
    assert_eq!(accepted.status, 204, "{}", accepted.text);
    assert_eq!(bob.on(&a).call("GET", "/v1/messages?limit=1", None).status, 200, "in from now on");
    let members = admin.call("GET", &format!("/v1/accounts/{a}/members"), None);
    let row = members.json["members"].as_array().unwrap().iter().find(|m| m["email"] == bob_email.as_str()).unwrap().clone();
    assert_eq!((row["name"].as_str(), row["pending"].as_bool()), (Some("Bob Bobsson"), Some(false)), "{row}");
    assert_eq!(bob.call("POST", "/v1/invitations/accept", Some(json!({"token": token}))).status, 410, "single use");
    let history = app.admin("GET", &format!("/v1/admin/accounts/{a}/history"), None);
    let accept = history.json["events"].as_array().unwrap().iter().find(|e| e["action"] == "member.accepted").unwrap().clone();
    assert_eq!((accept["actor"]["kind"].as_str(), accept["actor"]["id"].as_str()), (Some("user"), bob.call("GET", "/v1/me", None).json["id"].as_str()));
    assert_eq!(accept["actor"]["name"], "Bob Bobsson", "{accept}");

    // Someone new gives their name when they accept (the admin did not have to).
    let no_name = public("POST", "/v1/invitations/accept", json!({"token": app.emailed_token(&nobody), "password": PASSWORD}));
    assert_eq!((no_name.status, error_name(&no_name)), (400, "InvalidName"), "{}", no_name.text);
    let named = public("POST", "/v1/invitations/accept", json!({"token": app.emailed_token(&nobody), "password": PASSWORD, "name": "No Body"}));
    assert_eq!(named.status, 204, "{}", named.text);
    assert_eq!(app.login(&nobody, PASSWORD).1.unwrap().call("GET", "/v1/me", None).json["default_account_id"], a.as_str());

    // An invitation withdrawn before it is accepted lets nobody in.
    let carol = unique("carol");
    let invited = admin.call("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": carol, "level": "admin", "name": "Carol C"})));
    let carol_id = invited.json["user_id"].as_str().unwrap().to_owned();
    assert_eq!(admin.call("DELETE", &format!("/v1/accounts/{a}/members/{carol_id}"), None).status, 204);
    let late = public("POST", "/v1/invitations/accept", json!({"token": app.emailed_token(&carol), "password": PASSWORD}));
    assert_eq!((late.status, error_name(&late)), (410, "InvalidToken"), "{}", late.text);
}

/// Security review F2: a name with a line break in it (an account's, a person's) is
/// refused, so it never reaches an e-mail's subject or text, and invitations are rationed
/// per account and per address.
#[test]
fn names_cannot_carry_line_breaks_and_invitations_are_rationed() {
    let app = app();
    let (a, _) = app.account("SEK", 10_000, 0);
    let admin = app.member(&a, &unique("namer"), "admin");
    let evil = "Acme\r\nBcc: x@evil.example\r\n\r\nPassword expired! Log in at https://evil.example/r";
    let renamed = admin.call("PATCH", &format!("/v1/accounts/{a}"), Some(json!({"name": evil})));
    assert_eq!((renamed.status, error_name(&renamed)), (400, "InvalidName"), "{}", renamed.text);
    assert_eq!(admin.call("GET", &format!("/v1/accounts/{a}"), None).json["name"], "Test AB", "unchanged");
    let created = app.admin("POST", "/v1/admin/accounts", Some(json!({"name": evil, "currency": "SEK"})));
    assert_eq!((created.status, error_name(&created)), (400, "InvalidName"), "{}", created.text);
    for name in ["Eve\r\nBcc: x@evil.example", "Eve\tE", "Ev\u{85}e"] {
        let me = admin.call("PATCH", "/v1/me", Some(json!({"name": name})));
        assert_eq!(me.status, 400, "{name:?}: {}", me.text);
        let invited = admin.call("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": unique("x"), "level": "user", "name": name})));
        assert_eq!((invited.status, error_name(&invited)), (400, "InvalidName"), "{name:?}: {}", invited.text);
    }
    assert_eq!(admin.call("PATCH", &format!("/v1/accounts/{a}"), Some(json!({"name": "Åkeri & Co AB"}))).status, 200);
    let first = unique("invitee");
    assert_eq!(admin.call("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": first, "level": "user"}))).status, 201);
    let mail = app.last_email(&first);
    let subject = mail["subject"].as_str().unwrap();
    assert!(subject.contains("Åkeri & Co AB") && !subject.contains('\r') && !subject.contains('\n'), "{subject}");

    // One address gets few invitations, however they are withdrawn and made again.
    let again = unique("again");
    let sent = |to: &str| app.sql().query_row("SELECT COUNT(*) FROM emails WHERE recipient = ?", [to], |r| r.get::<_, i64>(0)).unwrap();
    for round in 1..=3 {
        let invited = admin.call("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": again, "level": "user"})));
        assert_eq!(invited.status, 201, "round {round}: {}", invited.text);
        let id = invited.json["user_id"].as_str().unwrap().to_owned();
        assert_eq!(admin.call("DELETE", &format!("/v1/accounts/{a}/members/{id}"), None).status, 204);
    }
    let fourth = admin.call_full("POST", &format!("/v1/accounts/{a}/members"), Some(json!({"email": again, "level": "user"})));
    assert_eq!((fourth.status, fourth.json["error"]["name"].as_str()), (429, Some("TooManyAttempts")), "{}", fourth.text);
    assert!(fourth.header("retry-after").unwrap().parse::<i64>().unwrap() >= 1);
    assert_eq!(sent(&again), 3, "the fourth sent nothing");

    // One account sends ten in a row; the next waits (the review's 15 in a row were all 201).
    let (b, _) = app.account("SEK", 10_000, 0);
    let b_admin = app.member(&b, &unique("inviter"), "admin");
    let mut statuses = Vec::new();
    for _ in 0..15 {
        statuses.push(b_admin.call("POST", &format!("/v1/accounts/{b}/members"), Some(json!({"email": unique("many"), "level": "user"}))).status);
    }
    assert_eq!(statuses, [[201; 10].as_slice(), [429; 5].as_slice()].concat(), "{statuses:?}");
    let members = b_admin.call("GET", &format!("/v1/accounts/{b}/members"), None);
    assert_eq!(members.json["members"].as_array().map(Vec::len), Some(11), "its admin and ten invitations: {}", members.text);
}

/// Security review F1: phone codes are SMS the platform sends on a user's say-so. They
/// respect the account's blocklist, are rationed per user, per number and per paying
/// account, and the operator sees every one.
#[test]
fn phone_codes_respect_opt_outs_are_rationed_and_counted_for_the_operator() {
    let app = app();
    let (a, key) = app.account("SEK", 10_000, 0);
    let user = app.member(&a, &unique("texter"), "admin");
    let user_id = user.call("GET", "/v1/me", None).json["id"].as_str().unwrap().to_owned();
    let sent_to = |number: &str| {
        app.sql().query_row("SELECT COUNT(*) FROM messages WHERE recipient = ?", [number], |r| r.get::<_, i64>(0)).unwrap()
    };

    // A number on the account's blocklist gets nothing, and the answer says why.
    let opted_out = "+46709998877";
    assert_eq!(user.call("POST", "/v1/blocklist", Some(json!({"number": opted_out}))).status, 201);
    let colleague = app.member(&a, &unique("colleague"), "user");
    assert_eq!(colleague.call("PATCH", "/v1/me", Some(json!({"phone": opted_out}))).status, 200);
    let before = app.account_balance(&a);
    let refused = colleague.call("POST", "/v1/me/phone/confirmation", None);
    assert_eq!((refused.status, error_name(&refused)), (400, "RecipientRejected"), "{}", refused.text);
    assert!(refused.text.contains("blocklist"), "{}", refused.text);
    assert_eq!((sent_to(opted_out), app.account_balance(&a)), (0, before), "nothing sent, nothing charged");

    // Three codes for a user, then a wait (the review's 8 in a row all went out).
    let number = "+46709998866";
    assert_eq!(user.call("PATCH", "/v1/me", Some(json!({"phone": number}))).status, 200);
    let mut ids = Vec::new();
    for code in 1..=3 {
        let sent = user.call("POST", "/v1/me/phone/confirmation", None);
        assert_eq!(sent.status, 202, "code {code}: {}", sent.text);
        ids.push(sent.json["message_id"].as_str().unwrap().to_owned());
    }
    let fourth = user.call_full("POST", "/v1/me/phone/confirmation", None);
    assert_eq!((fourth.status, fourth.json["error"]["name"].as_str()), (429, Some("TooManyAttempts")), "{}", fourth.text);
    let wait: i64 = fourth.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(sent_to(number), 3, "the fourth sent nothing");

    // The number is counted whoever asks: another account's user putting it in their profile waits too.
    let (c, _) = app.account("SEK", 10_000, 0);
    let other = app.member(&c, &unique("other"), "user");
    assert_eq!(other.call("PATCH", "/v1/me", Some(json!({"phone": number}))).status, 200);
    assert_eq!(other.call("POST", "/v1/me/phone/confirmation", None).status, 429);
    assert_eq!(sent_to(number), 3);

    // The operator sees every code sent, with the account that paid; a customer's own SMS
    // that merely calls itself a phone confirmation is not among them.
    let own = app.send(&key, json!({"from": "Shop", "to": ["+46709998855"], "text": "hej", "client_reference": "phone-confirmation"}));
    assert_eq!(own.status, 201, "{}", own.text);
    let log = app.admin("GET", "/v1/admin/phone-codes?limit=500", None);
    assert_eq!(log.status, 200, "{}", log.text);
    let mine: Vec<&Value> = log.json["codes"].as_array().unwrap().iter().filter(|c| c["user_id"] == user_id.as_str()).collect();
    let mut logged: Vec<&str> = mine.iter().map(|c| c["message_id"].as_str().unwrap()).collect();
    logged.sort_unstable();
    ids.sort_unstable();
    assert_eq!(logged, ids, "{}", log.text);
    assert!(mine.iter().all(|c| c["account_id"] == a.as_str() && c["to"] == number && c["price_minor"].as_i64() > Some(0)), "{mine:?}");
    assert!(log.json["sent_last_24h"].as_i64().unwrap() >= 3);
    assert!(!log.text.contains("+46709998855"));
    assert_eq!(app.admin("GET", "/v1/admin/phone-codes?limit=0", None).status, 400);
}
