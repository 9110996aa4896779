//! End-to-end: an account's history (seed 004) — every change to its settings, keys,
//! numbers and operator-made balance, with who, what, when, before and after.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn events(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["events"].as_array().unwrap().clone()
}

#[test]
fn every_change_is_recorded_with_who_and_before_and_after() {
    let app = app();
    let (account, key) = app.account("SEK", 5_000, 0);
    let key_id = app.admin("GET", &format!("/v1/admin/accounts/{account}/keys"), None).json["keys"][0]["id"].as_str().unwrap().to_owned();

    assert_eq!(app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"credit_limit_minor": 2_000}))).status, 200);
    assert_eq!(app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": 1_000, "kind": "topup"}))).status, 201);
    let patched = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"time_zone": "Europe/Stockholm", "help_reply": "Call us"})));
    assert_eq!(patched.status, 200, "{}", patched.text);
    // The same values again change nothing, so they add nothing.
    app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"time_zone": "Europe/Stockholm"})));
    let rotated = app.api(&key, "POST", "/v1/account/webhook-secret", None);
    let secret = rotated.json["webhook_secret"].as_str().unwrap().to_owned();
    let number = "+46761999001";
    assert_eq!(app.admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": account}))).status, 200);
    let second = app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "reports", "scopes": ["messages:read"]})));
    let second_id = second.json["id"].as_str().unwrap().to_owned();
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/keys/{second_id}"), None).status, 200);

    let history = events(&app.api(&key, "GET", "/v1/account/history", None));
    let actions: Vec<&str> = history.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec!["key.revoked", "key.created", "number.assigned", "webhook_secret.rotated", "settings.updated", "balance.topup", "account.updated", "key.created", "balance.topup"],
        "newest first; the no-op PATCH added nothing"
    );
    let by = |action: &str| history.iter().find(|e| e["action"] == action).unwrap().clone();
    let limit = by("account.updated");
    assert_eq!(limit["actor"], "operator");
    assert_eq!((limit["before"]["credit_limit_minor"].as_i64(), limit["after"]["credit_limit_minor"].as_i64()), (Some(0), Some(2_000)));
    let settings = by("settings.updated");
    assert_eq!(settings["actor"], format!("key:{key_id}"), "the API key that made the change");
    assert_eq!((settings["before"]["time_zone"].as_str(), settings["after"]["time_zone"].as_str()), (Some("UTC"), Some("Europe/Stockholm")));
    assert_eq!(settings["after"]["help_reply"], "Call us");
    let topup = &history[5];
    assert_eq!((topup["before"]["balance_minor"].as_i64(), topup["after"]["balance_minor"].as_i64()), (Some(5_000), Some(6_000)));
    assert!(!app.api(&key, "GET", "/v1/account/history", None).text.contains(&secret[6..]), "secrets never appear");
    let revoked = &history[0];
    assert_eq!(revoked["target"], second_id.as_str());
    assert_eq!(revoked["before"]["revoked_at"], Value::Null);
    assert!(revoked["after"]["revoked_at"].is_string());

    // The operator sees the same history; paging goes on from the page's next_cursor.
    let first = app.admin("GET", &format!("/v1/admin/accounts/{account}/history?limit=2"), None);
    assert_eq!(events(&first).len(), 2);
    let cursor = first.json["next_cursor"].as_str().expect("more history");
    let next = events(&app.admin("GET", &format!("/v1/admin/accounts/{account}/history?limit=2&cursor={cursor}"), None));
    assert_eq!(next[0]["action"], "number.assigned");
}

#[test]
fn history_is_private_immutable_and_needs_the_account_scope() {
    let app = app();
    let (account, key) = app.account("SEK", 1_000, 0);
    let (_, other) = app.account("SEK", 1_000, 0);
    app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"time_zone": "Europe/Oslo"})));
    let theirs = events(&app.api(&other, "GET", "/v1/account/history", None));
    assert!(theirs.iter().all(|e| e["action"] != "settings.updated"), "another account's history is not shown: {theirs:?}");
    let reader = app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "reader", "scopes": ["messages:read"]})));
    let reader_key = reader.json["key"].as_str().unwrap();
    assert_eq!(app.api(reader_key, "GET", "/v1/account/history", None).status, 403);
    let db = app.sql_write();
    assert!(db.execute("UPDATE audit_events SET actor = 'someone else' WHERE account_id = ?", [&account]).is_err());
    assert!(db.execute("DELETE FROM audit_events WHERE account_id = ?", [&account]).is_err());
    assert_eq!(app.admin("GET", "/v1/admin/accounts/acc_nosuch/history", None).status, 404);
}
