//! End-to-end: white-label domains and customer self-signup (issue 18, seed 003 "Domains").
//! The operator adds a domain; on it a customer signs up, confirms by the e-mailed link
//! (choosing a password), and waits for approval (blocked: nothing sent or charged) or is
//! active at once, as the domain says; the operator approves or rejects; the portal on the
//! domain shows its brand and areas. The domain is the request's Host: `localhost` reaches
//! the same `spin up` as 127.0.0.1 with another Host.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn unique_email(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}.{}.{}@signup.example.com", now(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or("")
}

/// The app's URL with `localhost` for its host (the request's Host is then `localhost:PORT`).
fn on_localhost(app: &SpinApp, path: &str) -> String {
    app.url(path).replace("127.0.0.1", "localhost")
}

fn sign_up(app: &SpinApp, email: &str, company: &str) -> Reply {
    let body = json!({"company": company, "name": "Signe Upp", "email": email, "language": "en"});
    call("POST", &on_localhost(app, "/v1/auth/signup"), None, Some(body.to_string()), &[])
}

fn accept(app: &SpinApp, token: &str) -> Reply {
    call("POST", &app.url("/v1/invitations/accept"), None, Some(json!({"token": token, "password": PASSWORD}).to_string()), &[])
}

/// The account the signed-up user is admin of, as the operator sees it.
fn account_of(app: &SpinApp, email: &str) -> Value {
    let db = app.sql();
    let account: String = db
        .query_row(
            "SELECT m.account_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = ?",
            [email],
            |r| r.get(0),
        )
        .expect("the signup made a membership");
    let reply = app.admin("GET", &format!("/v1/admin/accounts/{account}"), None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

fn domain_body(status: &str, areas: Value) -> Value {
    json!({"brand_name": "Reseller SMS", "signup_enabled": true, "currency": "EUR", "credit_limit_minor": 500,
           "new_account_status": status, "portal_areas": areas})
}

/// One test owns the `localhost` domain (the tests of this file run in parallel).
#[test]
fn a_signup_on_a_domain_waits_for_its_email_then_for_the_operator() {
    let app = app();
    // No domain: the portal is the operator's own, with no signup.
    let _ = app.admin("DELETE", "/v1/admin/domains/localhost", None);
    let site = call("GET", &on_localhost(app, "/v1/site"), None, None, &[]);
    assert_eq!((site.status, site.json["signup_enabled"].as_bool(), site.json["brand_name"].clone()), (200, Some(false), Value::Null), "{}", site.text);
    let closed = sign_up(app, &unique_email("early"), "Early AB");
    assert_eq!((closed.status, error_name(&closed)), (404, "SignupClosed"), "{}", closed.text);

    let mut body = domain_body("pending", json!(["send", "messages", "billing"]));
    body["host"] = json!("LocalHost");
    let made = app.admin("POST", "/v1/admin/domains", Some(body.clone()));
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!((made.json["host"].as_str(), made.json["portal_areas"].clone()), (Some("localhost"), json!(["send", "messages", "billing"])));
    let again = app.admin("POST", "/v1/admin/domains", Some(body));
    assert_eq!((again.status, error_name(&again)), (409, "DomainExists"), "{}", again.text);
    let site = call("GET", &on_localhost(app, "/v1/site"), None, None, &[]);
    assert_eq!(site.json, json!({"brand_name": "Reseller SMS", "signup_enabled": true, "portal_areas": ["send", "messages", "billing"]}));
    // The operator's own address is not the domain.
    let own = call("GET", &app.url("/v1/site"), None, None, &[]);
    assert_eq!(own.json["signup_enabled"], false, "{}", own.text);
    let elsewhere = call("POST", &app.url("/v1/auth/signup"), None, Some(json!({"company": "X", "name": "Y", "email": unique_email("x")}).to_string()), &[]);
    assert_eq!((elsewhere.status, error_name(&elsewhere)), (404, "SignupClosed"));

    // The signup: an account waiting for its e-mail, blocked, with the domain's currency and limit.
    let email = unique_email("signe");
    let signed = sign_up(app, &email, "Signe Handel AB");
    assert_eq!(signed.status, 202, "{}", signed.text);
    let account = account_of(app, &email);
    let id = account["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (account["approval"].as_str(), account["blocked"].as_bool(), account["currency"].as_str(), account["credit_limit_minor"].as_i64()),
        (Some("awaiting_email"), Some(true), Some("EUR"), Some(500)),
        "{account}"
    );
    assert_eq!((account["name"].as_str(), account["signup_domain"].as_str()), (Some("Signe Handel AB"), Some("localhost")));
    let mail = app.last_email(&email);
    assert!(mail["subject"].as_str().unwrap().contains("Reseller SMS"), "{mail}");
    assert!(mail["body"].as_str().unwrap().contains(&on_localhost(app, "/invitation?token=")), "the link is on the domain: {mail}");
    // The operator's list filters by status.
    let awaiting = app.admin("GET", "/v1/admin/accounts?status=awaiting_email&limit=100", None);
    assert!(awaiting.json["accounts"].as_array().unwrap().iter().any(|a| a["id"] == id.as_str() && a["status"] == "awaiting_email"), "{}", awaiting.text);
    let bad = app.admin("GET", "/v1/admin/accounts?status=sleeping", None);
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidQuery"));
    // Nothing to approve before the e-mail is confirmed.
    let early = app.admin("POST", &format!("/v1/admin/accounts/{id}/approval"), Some(json!({"decision": "approve"})));
    assert_eq!((early.status, error_name(&early)), (409, "ApprovalNotPossible"), "{}", early.text);

    // The link: a password chosen, the address confirmed, the account pending the operator.
    let accepted = accept(app, &app.emailed_token(&email));
    assert_eq!(accepted.status, 204, "{}", accepted.text);
    let account = account_of(app, &email);
    assert_eq!((account["approval"].as_str(), account["blocked"].as_bool()), (Some("pending"), Some(true)), "{account}");
    let (login, browser) = app.login(&email, PASSWORD);
    assert_eq!(login.status, 200, "{}", login.text);
    let browser = browser.unwrap().on(&id);
    let sent = browser.call("POST", "/v1/messages", Some(json!({"to": "+46701234567", "text": "before approval"})));
    assert!(sent.status >= 400, "a pending account sends nothing: {}", sent.text);
    let pending = app.admin("GET", "/v1/admin/accounts?status=pending&limit=100", None);
    assert!(pending.json["accounts"].as_array().unwrap().iter().any(|a| a["id"] == id.as_str()), "{}", pending.text);

    // Rejected, then approved after all; the admin is told.
    let rejected = app.admin("POST", &format!("/v1/admin/accounts/{id}/approval"), Some(json!({"decision": "reject"})));
    assert_eq!((rejected.status, rejected.json["approval"].as_str(), rejected.json["blocked"].as_bool()), (200, Some("rejected"), Some(true)), "{}", rejected.text);
    let approved = app.admin("POST", &format!("/v1/admin/accounts/{id}/approval"), Some(json!({"decision": "approve"})));
    assert_eq!((approved.status, approved.json["approval"].as_str(), approved.json["blocked"].as_bool()), (200, Some("approved"), Some(false)), "{}", approved.text);
    assert!(app.last_email(&email)["subject"].as_str().unwrap().contains("approved"));
    let twice = app.admin("POST", &format!("/v1/admin/accounts/{id}/approval"), Some(json!({"decision": "reject"})));
    assert_eq!((twice.status, error_name(&twice)), (409, "ApprovalNotPossible"));
    let history = app.admin("GET", &format!("/v1/admin/accounts/{id}/history"), None);
    let actions: Vec<&str> = history.json["events"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["account.signed_up", "account.awaiting_approval", "account.rejected", "account.approved"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }

    // The address that has a user: the same answer, nothing made, a notice sent.
    let accounts_before: i64 = app.sql().query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0)).unwrap();
    let again = sign_up(app, &email, "Another AB");
    assert_eq!((again.status, again.json.clone()), (signed.status, signed.json.clone()));
    let accounts_after: i64 = app.sql().query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0)).unwrap();
    assert_eq!(accounts_before, accounts_after);
    assert!(app.last_email(&email)["subject"].as_str().unwrap().contains("already have a user"));

    // A domain whose customers are active once their e-mail is confirmed.
    let replaced = app.admin("PUT", "/v1/admin/domains/localhost", Some(domain_body("active", json!(["send"]))));
    assert_eq!((replaced.status, replaced.json["new_account_status"].as_str()), (200, Some("active")), "{}", replaced.text);
    let quick = unique_email("quick");
    assert_eq!(sign_up(app, &quick, "Quick AB").status, 202);
    assert_eq!(accept(app, &app.emailed_token(&quick)).status, 204);
    let account = account_of(app, &quick);
    assert_eq!((account["approval"].as_str(), account["blocked"].as_bool()), (Some("approved"), Some(false)), "{account}");

    // Signups are rationed per client address: the sixth in a row waits.
    let mut last = 0;
    for n in 0..6 {
        last = sign_up(app, &unique_email(&format!("flood{n}")), "Flood AB").status;
    }
    assert_eq!(last, 429, "the sixth signup from one address waits");

    let removed = app.admin("DELETE", "/v1/admin/domains/localhost", None);
    assert_eq!(removed.status, 200, "{}", removed.text);
    let site = call("GET", &on_localhost(app, "/v1/site"), None, None, &[]);
    assert_eq!(site.json["signup_enabled"], false);
}

#[test]
fn domains_are_checked_and_their_changes_are_in_the_staff_history() {
    let app = app();
    let host = format!("d{}.reseller.example", now());
    for (body, name) in [
        (json!({"host": "https://x.example", "brand_name": "X", "currency": "SEK"}), "InvalidHost"),
        (json!({"host": "127.0.0.1", "brand_name": "X", "currency": "SEK"}), "InvalidHost"),
        (json!({"host": host, "brand_name": "X", "currency": "SEK", "portal_areas": ["sending"]}), "InvalidPortalAreas"),
        (json!({"host": host, "brand_name": "X", "currency": "SEK", "portal_areas": []}), "InvalidPortalAreas"),
        (json!({"host": host, "brand_name": "", "currency": "SEK"}), "InvalidName"),
        (json!({"host": host, "brand_name": "X", "currency": "SEK", "surprise": 1}), "MalformedRequest"),
        (json!({"brand_name": "X", "currency": "SEK"}), "MalformedRequest"),
    ] {
        let refused = app.admin("POST", "/v1/admin/domains", Some(body.clone()));
        assert_eq!((refused.status, error_name(&refused)), (400, name), "{body}: {}", refused.text);
    }
    let made = app.admin("POST", "/v1/admin/domains", Some(json!({"host": host, "brand_name": "Brand", "currency": "SEK"})));
    assert_eq!(made.status, 201, "{}", made.text);
    // Defaults: no signup, the operator approves each, every area.
    assert_eq!((made.json["signup_enabled"].as_bool(), made.json["new_account_status"].as_str()), (Some(false), Some("pending")));
    assert_eq!(made.json["portal_areas"].as_array().unwrap().len(), 10);
    let listed = app.admin("GET", "/v1/admin/domains", None);
    assert!(listed.json["domains"].as_array().unwrap().iter().any(|d| d["host"] == host.as_str()));
    assert_eq!(app.admin("GET", "/v1/admin/domains/nowhere.example", None).status, 404);
    assert_eq!(app.admin("PUT", "/v1/admin/domains/nowhere.example", Some(json!({"brand_name": "X", "currency": "SEK"}))).status, 404);
    let events: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM staff_events WHERE target = ? AND action = 'domain.created' AND actor = 'operator'", [&host], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 1);
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/domains/{host}"), None).status, 200);
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/domains/{host}"), None).status, 404);
}

#[test]
fn an_account_the_operator_opens_is_approved_and_one_that_is_not_stays_blocked() {
    let app = app();
    let (id, _) = app.account("SEK", 10_000, 0);
    let view = app.admin("GET", &format!("/v1/admin/accounts/{id}"), None);
    assert_eq!((view.json["approval"].as_str(), view.json["signup_domain"].clone()), (Some("approved"), Value::Null));
    let nothing = app.admin("POST", &format!("/v1/admin/accounts/{id}/approval"), Some(json!({"decision": "reject"})));
    assert_eq!((nothing.status, error_name(&nothing)), (409, "ApprovalNotPossible"));
    let bad = app.admin("POST", &format!("/v1/admin/accounts/{id}/approval"), Some(json!({"decision": "maybe"})));
    assert_eq!(bad.status, 400);
    // The database keeps an account that is not approved blocked, whatever asks.
    let db = app.sql_write();
    db.execute("UPDATE accounts SET approval = 'pending', blocked = 1 WHERE id = ?", [&id]).unwrap();
    let unblock = app.admin("PATCH", &format!("/v1/admin/accounts/{id}"), Some(json!({"blocked": false})));
    assert_eq!((unblock.status, error_name(&unblock)), (409, "ApprovalNotPossible"), "{}", unblock.text);
    let guarded = db.execute("UPDATE accounts SET blocked = 0 WHERE id = ?", [&id]);
    assert!(guarded.is_err(), "the database refuses to unblock an account that is not approved");
    let blocked: bool = db.query_row("SELECT blocked FROM accounts WHERE id = ?", [&id], |r| r.get(0)).unwrap();
    assert!(blocked);
}
