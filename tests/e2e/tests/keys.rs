//! End-to-end: API keys that are named, scoped, revocable and limited to networks, on a
//! real `spin up` (the sandbox carrier) and its SQLite file.

use e2e::*;
use serde_json::{json, Value};

const ALL_SCOPES: [&str; 5] = ["messages:send", "messages:read", "contacts", "inbound", "account"];

fn app() -> &'static SpinApp {
    shared_sandbox()
}

/// An account with money and no key yet.
fn new_account(app: &SpinApp) -> String {
    let created = app.admin(
        "POST",
        "/v1/admin/accounts",
        Some(json!({"name": "Keys AB", "currency": "SEK", "initial_balance_minor": 10_000})),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["id"].as_str().unwrap().to_owned()
}

fn create_key(app: &SpinApp, account: &str, body: Value) -> Reply {
    app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(body))
}

/// A key with these fields; returns (key id, secret).
fn key(app: &SpinApp, account: &str, body: Value) -> (String, String) {
    let created = create_key(app, account, body);
    assert_eq!(created.status, 201, "{}", created.text);
    (created.json["id"].as_str().unwrap().to_owned(), created.json["key"].as_str().unwrap().to_owned())
}

fn keys_stored(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT COUNT(*) FROM api_keys WHERE account_id = ?", [account], |r| r.get(0)).unwrap()
}

fn messages_stored(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [account], |r| r.get(0)).unwrap()
}

fn balance(app: &SpinApp, account: &str) -> i64 {
    app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["balance_minor"].as_i64().unwrap()
}

fn sms() -> Value {
    json!({"from": "ACME", "to": "+46701234567", "text": "Hej!"})
}

fn with_key(app: &SpinApp, method: &str, path: &str, key: &str, body: Option<Value>, headers: &[(&str, String)]) -> Reply {
    call(method, &app.url(path), Some(key), body.map(|b| b.to_string()), headers)
}

fn assert_error(reply: &Reply, status: u16, name: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(reply.json["error"]["name"], name, "{}", reply.text);
}

#[test]
fn a_new_key_has_every_scope_and_no_ip_limit() {
    let app = app();
    let account = new_account(app);
    let created = create_key(app, &account, json!({"name": "  everything  "}));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["name"], "everything");
    assert_eq!(created.json["scopes"], json!(ALL_SCOPES));
    assert_eq!(created.json["allowed_ips"], json!([]));
    assert!(created.json["key"].as_str().unwrap().starts_with("sk_"));
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/keys"), None);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json["keys"][0]["scopes"], json!(ALL_SCOPES));
    assert_eq!(listed.json["keys"][0]["allowed_ips"], json!([]));
    assert!(listed.json["keys"][0].get("key").is_none(), "the secret is shown once");
    let stored: (String, String) = app
        .sql()
        .query_row("SELECT scopes, allowed_ips FROM api_keys WHERE account_id = ?", [&account], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(stored, (ALL_SCOPES.join(" "), String::new()));
    let key = created.json["key"].as_str().unwrap();
    assert_eq!(app.send(key, sms()).status, 201);
}

/// Every endpoint an API key reaches, the scope it needs, and what it answers with that scope.
fn endpoints() -> Vec<(&'static str, &'static str, Option<Value>, &'static str, u16)> {
    vec![
        ("POST", "/v1/messages", Some(sms()), "messages:send", 201),
        ("DELETE", "/v1/messages/msg_none", None, "messages:send", 404),
        ("GET", "/v1/messages/msg_none", None, "messages:read", 404),
        ("GET", "/v1/contacts", None, "contacts", 200),
        ("POST", "/v1/contacts", Some(json!({"number": "+46701234567"})), "contacts", 201),
        ("GET", "/v1/groups", None, "contacts", 200),
        ("GET", "/v1/blocklist", None, "contacts", 200),
        ("GET", "/v1/inbox", None, "inbound", 200),
        ("GET", "/v1/numbers", None, "inbound", 200),
        ("GET", "/v1/keywords", None, "inbound", 200),
        ("PUT", "/v1/keywords/OFFER", Some(json!({"reply": "Thanks!"})), "inbound", 200),
        ("DELETE", "/v1/keywords/NONE", None, "inbound", 404),
        ("GET", "/v1/account/settings", None, "account", 200),
        ("PATCH", "/v1/account/settings", Some(json!({"time_zone": "Europe/Stockholm"})), "account", 200),
        ("POST", "/v1/account/webhook-secret", None, "account", 201),
        ("GET", "/v1/callbacks", None, "account", 200),
        ("POST", "/v1/callbacks/evt_none/replay", None, "account", 404),
    ]
}

#[test]
fn each_scope_opens_its_endpoints_and_no_others() {
    let app = app();
    for scope in ALL_SCOPES {
        let account = new_account(app);
        let (_, key) = key(app, &account, json!({"name": scope, "scopes": [scope]}));
        for (method, path, body, needs, status) in endpoints() {
            let reply = with_key(app, method, path, &key, body, &[]);
            if needs == scope {
                assert_eq!(reply.status, status, "{method} {path} with {scope}: {}", reply.text);
            } else {
                assert_error(&reply, 403, "ScopeMissing");
                assert!(reply.json["error"]["message"].as_str().unwrap().contains(&format!("'{needs}'")), "{}", reply.text);
            }
        }
    }
}

#[test]
fn a_read_only_key_cannot_send_but_reads_its_messages() {
    let app = app();
    let account = new_account(app);
    let (_, full) = key(app, &account, json!({"name": "full"}));
    let (_, reader) = key(app, &account, json!({"name": "reader", "scopes": ["messages:read"]}));
    let sent = app.send(&full, sms());
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    let (stored, money) = (messages_stored(app, &account), balance(app, &account));

    let refused = app.send(&reader, sms());
    assert_error(&refused, 403, "ScopeMissing");
    assert!(refused.json["error"]["code"].is_null());
    assert_eq!(messages_stored(app, &account), stored, "a refused send stores nothing");
    assert_eq!(balance(app, &account), money, "and charges nothing");
    assert_error(&with_key(app, "DELETE", &format!("/v1/messages/{id}"), &reader, None, &[]), 403, "ScopeMissing");

    let got = app.get(&reader, &format!("/v1/messages/{id}"));
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["id"], id);
}

#[test]
fn an_allowlist_refuses_other_addresses() {
    let app = app();
    let account = new_account(app);
    let (far_id, far) = key(app, &account, json!({"name": "office", "allowed_ips": ["10.0.0.0/8"]}));
    let refused = app.send(&far, sms());
    assert_error(&refused, 403, "IpNotAllowed");
    assert!(refused.json["error"]["message"].as_str().unwrap().contains("127.0.0.1"), "{}", refused.text);
    assert_error(&app.get(&far, "/v1/messages/msg_none"), 403, "IpNotAllowed");
    assert_error(&app.get(&far, "/v1/contacts"), 403, "IpNotAllowed");
    assert_eq!(messages_stored(app, &account), 0);

    // The address is the connection's, as Spin reports it: a client cannot claim another.
    for (header, value) in [("spin-client-addr", "10.1.2.3:4000"), ("X-Forwarded-For", "10.1.2.3"), ("X-Real-IP", "10.1.2.3")] {
        let spoofed = with_key(app, "POST", "/v1/messages", &far, Some(sms()), &[(header, value.to_owned())]);
        assert_error(&spoofed, 403, "IpNotAllowed");
    }
    assert_eq!(messages_stored(app, &account), 0);

    let (_, near) = key(app, &account, json!({"name": "here", "allowed_ips": ["127.0.0.1/32"]}));
    assert_eq!(app.send(&near, sms()).status, 201);
    let (_, either) = key(app, &account, json!({"name": "v4 or v6", "allowed_ips": ["::1", "127.0.0.0/8", "2001:db8::/32"]}));
    assert_eq!(app.send(&either, sms()).status, 201);

    // Lifting the limit works at once; so does setting it again.
    let lifted = app.admin("PATCH", &format!("/v1/admin/keys/{far_id}"), Some(json!({"allowed_ips": null})));
    assert_eq!(lifted.status, 200, "{}", lifted.text);
    assert_eq!(lifted.json["allowed_ips"], json!([]));
    assert_eq!(app.send(&far, sms()).status, 201);
    let limited = app.admin("PATCH", &format!("/v1/admin/keys/{far_id}"), Some(json!({"allowed_ips": ["10.9.8.7/8"]})));
    assert_eq!(limited.json["allowed_ips"], json!(["10.0.0.0/8"]), "kept as the network");
    assert_error(&app.send(&far, sms()), 403, "IpNotAllowed");
}

#[test]
fn bad_scopes_and_allowlists_are_refused_and_store_nothing() {
    let app = app();
    let account = new_account(app);
    let unknown = create_key(app, &account, json!({"name": "x", "scopes": ["messages:read", "billing", "Contacts"]}));
    assert_error(&unknown, 400, "InvalidScope");
    let indexes: Vec<u64> = unknown.json["error"]["details"].as_array().unwrap().iter().map(|d| d["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, [1, 2]);
    assert_eq!(unknown.json["error"]["details"][0]["value"], "billing");
    assert_error(&create_key(app, &account, json!({"name": "x", "scopes": []})), 400, "InvalidScope");

    let bad_cidr = create_key(app, &account, json!({"name": "x", "allowed_ips": ["10.0.0.0/8", "10.0.0.0/33", "banana"]}));
    assert_error(&bad_cidr, 400, "InvalidAllowedIps");
    let details = bad_cidr.json["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!((details[0]["index"].as_u64(), details[0]["value"].as_str()), (Some(1), Some("10.0.0.0/33")));
    let many: Vec<String> = (0..51).map(|i| format!("10.0.{i}.0/24")).collect();
    assert_error(&create_key(app, &account, json!({"name": "x", "allowed_ips": many})), 400, "InvalidAllowedIps");
    // A good allowlist does not save a bad scope list, nor the other way round.
    assert_error(&create_key(app, &account, json!({"name": "x", "scopes": ["nope"], "allowed_ips": ["10.0.0.0/8"]})), 400, "InvalidScope");
    assert_error(&create_key(app, &account, json!({"name": "x", "scopes": ["contacts"], "allowed_ips": ["nope"]})), 400, "InvalidAllowedIps");
    assert_error(&create_key(app, &account, json!({"name": "  "})), 400, "MalformedRequest");
    assert_error(&create_key(app, &account, json!({"name": "x", "scope": ["contacts"]})), 400, "MalformedRequest");

    assert_eq!(keys_stored(app, &account), 0, "nothing stored");
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{account}/keys"), None).json["keys"], json!([]));
}

#[test]
fn patch_changes_name_and_scopes_and_nothing_else() {
    let app = app();
    let account = new_account(app);
    let (id, secret) = key(app, &account, json!({"name": "reader", "scopes": ["messages:read"], "allowed_ips": ["127.0.0.1"]}));
    assert_error(&app.send(&secret, sms()), 403, "ScopeMissing");
    let changed = app.admin("PATCH", &format!("/v1/admin/keys/{id}"), Some(json!({"name": "sender", "scopes": ["messages:send"]})));
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json["name"], "sender");
    assert_eq!(changed.json["scopes"], json!(["messages:send"]));
    assert_eq!(changed.json["allowed_ips"], json!(["127.0.0.1/32"]), "left as it was");
    assert!(changed.json.get("key").is_none());
    assert_eq!(app.send(&secret, sms()).status, 201);
    assert_error(&app.get(&secret, "/v1/messages/msg_none"), 403, "ScopeMissing");

    // Bad changes change nothing.
    assert_error(&app.admin("PATCH", &format!("/v1/admin/keys/{id}"), Some(json!({"scopes": ["everything"]}))), 400, "InvalidScope");
    assert_error(&app.admin("PATCH", &format!("/v1/admin/keys/{id}"), Some(json!({"scopes": []}))), 400, "InvalidScope");
    assert_error(&app.admin("PATCH", &format!("/v1/admin/keys/{id}"), Some(json!({"allowed_ips": ["1.2.3.4/99"]}))), 400, "InvalidAllowedIps");
    assert_error(&app.admin("PATCH", &format!("/v1/admin/keys/{id}"), Some(json!({}))), 400, "MalformedRequest");
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/keys"), None);
    assert_eq!(listed.json["keys"][0]["scopes"], json!(["messages:send"]));
    assert_eq!(listed.json["keys"][0]["allowed_ips"], json!(["127.0.0.1/32"]));
    assert_error(&app.admin("PATCH", "/v1/admin/keys/key_none", Some(json!({"name": "x"}))), 404, "NotFound");
    // The operator API stays the operator's.
    assert_error(&call("PATCH", &app.url(&format!("/v1/admin/keys/{id}")), Some(&secret), Some("{}".into()), &[]), 401, "Unauthorized");
}

#[test]
fn a_revoked_key_is_401_whatever_its_scopes_and_addresses() {
    let app = app();
    let account = new_account(app);
    let (id, secret) = key(app, &account, json!({"name": "gone", "scopes": ["messages:read"], "allowed_ips": ["10.0.0.0/8"]}));
    let (full_id, full) = key(app, &account, json!({"name": "full gone"}));
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/keys/{id}"), None).status, 200);
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/keys/{full_id}"), None).status, 200);
    for key in [&secret, &full] {
        assert_error(&app.send(key, sms()), 401, "Unauthorized");
        assert_error(&app.get(key, "/v1/messages/msg_none"), 401, "Unauthorized");
        assert_error(&app.get(key, "/v1/contacts"), 401, "Unauthorized");
    }
    // A revoked key stays as it was revoked.
    let patched = app.admin("PATCH", &format!("/v1/admin/keys/{id}"), Some(json!({"allowed_ips": null, "scopes": ["messages:send"]})));
    assert_error(&patched, 409, "Conflict");
    assert_error(&app.send(&secret, sms()), 401, "Unauthorized");
    assert_eq!(messages_stored(app, &account), 0);
}

/// A database an older build made (migrations 0001–0005) with a key in it: after the
/// upgrade the key has every scope and no address limit, as before.
#[test]
fn keys_made_before_scopes_keep_full_access() {
    build_app();
    let state_dir = SpinApp::new_state_dir();
    let secret = "sk_legacy_key_made_before_scopes_existed";
    {
        let db = rusqlite::Connection::open(state_dir.join("sqlite_db.db")).unwrap();
        let dir = workspace_root().join("crates/platform/migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().take(5) {
            db.execute_batch(&std::fs::read_to_string(file).unwrap()).unwrap();
        }
        db.execute_batch("PRAGMA user_version = 5").unwrap();
        db.execute("INSERT INTO accounts (id, name, currency) VALUES ('acc_legacy', 'Legacy AB', 'SEK')", []).unwrap();
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(secret.as_bytes()));
        db.execute(
            "INSERT INTO api_keys (id, account_id, name, key_hash, hint) VALUES ('key_legacy', 'acc_legacy', 'legacy', ?, 'sk_leg')",
            [&hash],
        )
        .unwrap();
    }
    let app = SpinApp::start_in(state_dir, &[]);
    let credit = app.admin("POST", "/v1/admin/accounts/acc_legacy/credits", Some(json!({"amount_minor": 1_000, "kind": "topup"})));
    assert_eq!(credit.status, 201, "{}", credit.text);
    let version: i64 = app.sql().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert!(version >= 6, "migrated: {version}");
    let listed = app.admin("GET", "/v1/admin/accounts/acc_legacy/keys", None);
    assert_eq!(listed.json["keys"][0]["scopes"], json!(ALL_SCOPES), "{}", listed.text);
    assert_eq!(listed.json["keys"][0]["allowed_ips"], json!([]));
    for (method, path, body, _, status) in endpoints() {
        let reply = with_key(&app, method, path, secret, body, &[]);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
    }
    // And a row written without scopes (the column's default) can do nothing.
    use sha2::Digest;
    let bare = "sk_bare_key_written_without_scopes";
    app.sql_write()
        .execute(
            "INSERT INTO api_keys (id, account_id, name, key_hash, hint) VALUES ('key_bare', 'acc_legacy', 'bare', ?, 'sk_bar')",
            [hex::encode(sha2::Sha256::digest(bare.as_bytes()))],
        )
        .unwrap();
    assert_error(&app.get(bare, "/v1/contacts"), 403, "ScopeMissing");
    assert_error(&app.send(bare, sms()), 403, "ScopeMissing");
}
