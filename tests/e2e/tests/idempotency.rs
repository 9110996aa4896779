//! End-to-end: Idempotency-Key on the POSTs that create messages or move money — a
//! retry gets the first answer and no second effect; the key with another request is
//! refused; concurrent requests with one key have one effect.

use e2e::*;
use serde_json::{json, Value};
use std::thread;

fn app() -> &'static SpinApp {
    shared_sandbox()
}

/// A POST with an API key (or the admin token) and an Idempotency-Key.
fn post(app: &SpinApp, bearer: &str, path: &str, body: &Value, key: &str) -> FullReply {
    call_full(
        "POST",
        &app.url(path),
        Some(body.to_string()),
        &[("Authorization", format!("Bearer {bearer}")), ("Idempotency-Key", key.to_owned())],
    )
}

fn replayed(reply: &FullReply) -> bool {
    reply.header("idempotent-replayed") == Some("true")
}

fn messages_of(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [account], |r| r.get(0)).unwrap()
}

#[test]
fn a_retried_send_gets_the_first_answer_and_is_charged_once() {
    let app = app();
    let (account, key) = app.account("SEK", 1_000, 0);
    let body = json!({"from": "ACME", "to": ["+46701230101", "+46701230111"], "text": "once"});
    let first = post(app, &key, "/v1/messages", &body, "order-7-send");
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!replayed(&first));
    let again = post(app, &key, "/v1/messages", &body, "order-7-send");
    assert_eq!(again.status, 201, "{}", again.text);
    assert!(replayed(&again), "marked as a replay: {:?}", again.headers);
    assert_eq!(again.json, first.json, "the first answer, byte for byte in meaning");
    assert_eq!(messages_of(app, &account), 2);
    assert_eq!(app.account_balance(&account), 1_000 - 70, "charged once");

    // The same key with another request is refused, and does nothing.
    let other = post(app, &key, "/v1/messages", &json!({"from": "ACME", "to": "+46701230121", "text": "other"}), "order-7-send");
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(other.json["error"]["name"], "IdempotencyKeyReused");
    assert_eq!(messages_of(app, &account), 2);

    // Keys belong to the account: another account's same key is its own request.
    let (other_account, other_key) = app.account("SEK", 1_000, 0);
    let theirs = post(app, &other_key, "/v1/messages", &body, "order-7-send");
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    assert!(!replayed(&theirs));
    assert_eq!(messages_of(app, &other_account), 2);

    // A key that is not one.
    let bad = post(app, &key, "/v1/messages", &body, "two words");
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(bad.json["error"]["name"], "InvalidIdempotencyKey");
    app.assert_ledger_balanced();
}

#[test]
fn concurrent_requests_with_one_key_have_one_effect() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let body = json!({"from": "ACME", "to": "+46701230131", "text": "race"});
    let replies: Vec<FullReply> = (0..16)
        .map(|_| {
            let (url, key, body) = (app.url("/v1/messages"), key.clone(), body.to_string());
            thread::spawn(move || {
                call_full("POST", &url, Some(body), &[("Authorization", format!("Bearer {key}")), ("Idempotency-Key", "race-1".into())])
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(messages_of(app, &account), 1, "one effect");
    assert_eq!(app.account_balance(&account), 10_000 - 35);
    let created: Vec<&FullReply> = replies.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty());
    assert!(created.iter().all(|r| r.json == created[0].json), "every 201 is the same answer");
    assert!(
        replies.iter().all(|r| r.status == 201 || (r.status == 409 && r.json["error"]["name"] == "IdempotencyKeyInUse")),
        "the others wait for the answer or are told the key is in use: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    app.assert_ledger_balanced();
}

#[test]
fn an_operator_credit_and_a_package_purchase_happen_once_per_key() {
    let app = app();
    let (account, key) = app.account("SEK", 0, 0);
    let credit = json!({"amount_minor": 5_000, "kind": "topup"});
    let path = format!("/v1/admin/accounts/{account}/credits");
    let first = post(app, ADMIN_TOKEN, &path, &credit, "bank-batch-42");
    assert_eq!(first.status, 201, "{}", first.text);
    let again = post(app, ADMIN_TOKEN, &path, &credit, "bank-batch-42");
    assert_eq!((again.status, replayed(&again)), (201, true), "{}", again.text);
    assert_eq!(again.json, first.json);
    assert_eq!(app.account_balance(&account), 5_000, "credited once");
    let changed = post(app, ADMIN_TOKEN, &path, &json!({"amount_minor": 6_000, "kind": "topup"}), "bank-batch-42");
    assert_eq!(changed.status, 422, "{}", changed.text);

    let package = app.admin(
        "POST",
        "/v1/admin/packages",
        Some(json!({"name": "Idem 100", "cost_minor": 1_000, "currency": "SEK", "sms_credits": 100, "frequency": "once"})),
    );
    assert_eq!(package.status, 201, "{}", package.text);
    let purchase = format!("/v1/billing/packages/{}/purchase", package.json["id"].as_str().unwrap());
    let bought = post(app, &key, &purchase, &json!({}), "buy-1");
    assert_eq!(bought.status, 201, "{}", bought.text);
    let retried = post(app, &key, &purchase, &json!({}), "buy-1");
    assert_eq!((retried.status, replayed(&retried)), (201, true), "{}", retried.text);
    assert_eq!(retried.json, bought.json);
    assert_eq!(app.account_balance(&account), 4_000, "bought once");
    let credits = app.get(&key, "/v1/billing/balance").json;
    assert_eq!(credits["sms_credits"], 100, "{credits}");
    app.assert_ledger_balanced();
}
