//! End-to-end: carrier connections and routing (docs/carriers.md "Connections",
//! "Routing") against a real `spin up` and local fake carriers: failover from a failing
//! carrier to a working one (each attempt in the history, one debit), a weighted split
//! over 1,000 sends, an account's pool over the default table, a throughput limit held
//! at the carrier, a route with no usable connection refused, credentials never
//! answered, and the operator endpoints closed to customers. One app for the binary;
//! each test routes its own number prefix and makes its own connections.

use e2e::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECRETS_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[("secrets_key", SECRETS_KEY.into()), ("carrier_hosts", "http://127.0.0.1:*".into())])
    })
}

/// A carrier speaking our protocol that answers every submit with `status` (200 with a
/// fresh id, or an error) and notes when each came, with its Authorization.
struct Carrier {
    base: String,
    got: Arc<Mutex<Vec<(f64, String, Value)>>>,
}

impl Carrier {
    fn start(status: u16) -> Carrier {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
        let got: Arc<Mutex<Vec<(f64, String, Value)>>> = Arc::default();
        let counter = Arc::new(AtomicU64::new(1));
        for _ in 0..4 {
            let (server, got, counter) = (server.clone(), got.clone(), counter.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let auth = request.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string()).unwrap_or_default();
                    let at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
                    got.lock().unwrap().push((at, auth, serde_json::from_str(&body).unwrap_or(Value::Null)));
                    let reply = if status == 200 {
                        json!({"message_id": format!("RT-{:08X}", counter.fetch_add(1, Ordering::Relaxed))})
                    } else {
                        json!({"error": "carrier down"})
                    };
                    let _ = request.respond(tiny_http::Response::from_string(reply.to_string()).with_status_code(status));
                }
            });
        }
        Carrier { base, got }
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }
}

fn connection(app: &SpinApp, name: &str, base: &str, extra: Value) -> Reply {
    let mut body = json!({"name": name, "adapter": "http", "base_url": base, "credentials": format!("token-{name}-0123456789abcdef")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let made = app.admin("POST", "/v1/admin/carriers", Some(body));
    assert_eq!(made.status, 201, "{}", made.text);
    made
}

fn route(app: &SpinApp, path: &str, body: Value) {
    let set = app.admin("PUT", path, Some(body));
    assert_eq!(set.status, 200, "{}", set.text);
}

#[test]
fn a_failing_carrier_fails_over_to_the_next_with_every_attempt_in_the_history_and_one_debit() {
    let app = app();
    let (broken, working) = (Carrier::start(500), Carrier::start(200));
    connection(app, "fo-broken", &broken.base, json!({}));
    connection(app, "fo-working", &working.base, json!({"webhook_secret": "fo-working-receipts-secret"}));
    route(app, "/v1/admin/routes", json!({"scope": "467011", "connections": [{"name": "fo-broken"}, {"name": "fo-working"}]}));
    let (account, key) = app.account("SEK", 10_000, 0);

    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701100001", "text": "hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["carrier"], "fo-broken", "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let message = app.at_carrier(&key, &id);
    assert_eq!(message["status"]["code"], 111, "{message}");
    let history = message["history"].as_array().unwrap();
    let failed = history.iter().find(|e| e["source"] == "fo-broken").unwrap_or_else(|| panic!("{message}"));
    assert!(failed["detail"].as_str().unwrap().contains("failed over to fo-working"), "{failed}");
    assert!(history.iter().any(|e| e["source"] == "fo-working" && e["status"]["code"] == 111 || e["source"] == "fo-working" && e["status"] == 111), "{message}");
    assert_eq!(broken.count(), 1);
    // The working carrier got it with its own credentials, opened from their sealed form.
    let got = working.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, "Bearer token-fo-working-0123456789abcdef");
    assert_eq!(got[0].2["reference"], id.as_str());

    // One debit, no refund.
    let rows: Vec<(String, i64, String)> = app.ledger_rows(&account).into_iter().filter(|(_, _, r)| *r == id).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "debit");

    // Its receipt comes to the connection's own path, signed with its own secret.
    let carrier_id = message["carrier_message_id"].as_str().unwrap().to_owned();
    let body = json!({"message_id": carrier_id, "status": "DELIVRD"}).to_string();
    let wrong = post_receipt(app, "fo-working", Some("application/json"), &body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)));
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    let right = post_receipt(app, "fo-working", Some("application/json"), &body, Some(carrier_signature("fo-working-receipts-secret", now(), &body)));
    assert_eq!((right.status, right.json["outcome"].as_str()), (200, Some("applied")), "{}", right.text);
    assert_eq!(app.final_message(&key, &id)["status"]["code"], 201);
    assert_eq!(post_receipt(app, "fo-nowhere", Some("application/json"), &body, None).status, 404);

    // When every connection fails, the message fails and is refunded, as before routing.
    route(app, "/v1/admin/routes", json!({"scope": "467012", "connections": [{"name": "fo-broken"}]}));
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701200001", "text": "hi"}));
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let message = app.final_message(&key, &id);
    assert_eq!(message["status"]["code"], 511, "{message}");
    let refunds = app.ledger_rows(&account).into_iter().filter(|(kind, _, r)| kind == "refund" && *r == id).count();
    assert_eq!(refunds, 1);
    app.assert_ledger_balanced();
}

#[test]
fn a_weighted_route_splits_1000_sends_by_weight() {
    let app = app();
    let (one, three) = (Carrier::start(200), Carrier::start(200));
    connection(app, "w-one", &one.base, json!({}));
    connection(app, "w-three", &three.base, json!({}));
    route(app, "/v1/admin/routes", json!({"scope": "467021", "mode": "weighted",
        "connections": [{"name": "w-one", "weight": 1}, {"name": "w-three", "weight": 3}]}));
    let (_, key) = app.account("SEK", 1_000_000, 0);
    for batch in 0..4 {
        let to: Vec<String> = (0..250).map(|i| format!("+4670210{:04}", batch * 250 + i)).collect();
        let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": "hi"}));
        assert_eq!(sent.status, 201, "{}", sent.text);
    }
    app.drain_queue();
    // By our reference: a submit timed out under load is resubmitted (same reference).
    let references = |c: &Carrier| c.got.lock().unwrap().iter().map(|(_, _, b)| b["reference"].as_str().unwrap_or("").to_owned()).collect::<std::collections::HashSet<_>>();
    let (a, b) = (references(&one).len(), references(&three).len());
    assert_eq!(a + b, 1000, "every message at one carrier: {a} + {b}");
    // 750 expected; the binomial's standard deviation is about 14.
    assert!((690..=810).contains(&b), "w-three took {b} of 1000, w-one {a}");
}

#[test]
fn an_accounts_own_pool_beats_the_default_table() {
    let app = app();
    let (default, own) = (Carrier::start(200), Carrier::start(200));
    connection(app, "p-default", &default.base, json!({}));
    connection(app, "p-own", &own.base, json!({}));
    route(app, "/v1/admin/routes", json!({"scope": "467031", "connections": [{"name": "p-default"}]}));
    let (account, key) = app.account("SEK", 10_000, 0);
    route(app, &format!("/v1/admin/accounts/{account}/routes"), json!({"scope": "467031", "connections": [{"name": "p-own"}]}));
    let (_, other_key) = app.account("SEK", 10_000, 0);

    let mine = app.send(&key, json!({"from": "ACME", "to": "+46703100001", "text": "hi"}));
    let theirs = app.send(&other_key, json!({"from": "ACME", "to": "+46703100002", "text": "hi"}));
    for (sent, k) in [(&mine, &key), (&theirs, &other_key)] {
        assert_eq!(sent.status, 201, "{}", sent.text);
        app.at_carrier(k, sent.json["messages"][0]["id"].as_str().unwrap());
    }
    assert_eq!((own.count(), default.count()), (1, 1));
    assert_eq!(own.got.lock().unwrap()[0].2["to"], "+46703100001");
    assert_eq!(default.got.lock().unwrap()[0].2["to"], "+46703100002");

    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/routes"), None);
    assert_eq!(listed.json["routes"][0]["connections"][0]["name"], "p-own", "{}", listed.text);
    // The pool is the operator's: a customer's key does not reach it.
    assert_eq!(app.get(&key, &format!("/v1/admin/accounts/{account}/routes")).status, 401);
    assert_eq!(app.get(&key, "/v1/admin/carriers").status, 401);
}

#[test]
fn a_connections_throughput_limit_holds_at_the_carrier() {
    let app = app();
    let slow = Carrier::start(200);
    connection(app, "t-slow", &slow.base, json!({"throughput_per_second": 5}));
    route(app, "/v1/admin/routes", json!({"scope": "467041", "connections": [{"name": "t-slow"}]}));
    let (_, key) = app.account("SEK", 100_000, 0);
    let to: Vec<String> = (0..20).map(|i| format!("+4670410{i:04}")).collect();
    let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": "hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while slow.count() < 20 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let times: Vec<f64> = slow.got.lock().unwrap().iter().map(|(at, _, _)| *at).collect();
    assert_eq!(times.len(), 20, "all delivered in time");
    // Never more than 5 in one second of the clock, and so 20 take more than 3 seconds.
    let mut per_second = std::collections::HashMap::<i64, usize>::new();
    for at in &times {
        *per_second.entry(at.floor() as i64).or_default() += 1;
    }
    assert!(per_second.values().all(|n| *n <= 5), "{per_second:?}");
    // Measured over the seconds it took: at most the limit.
    let (first, last) = (per_second.keys().min().unwrap(), per_second.keys().max().unwrap());
    let rate = 20.0 / (last - first + 1) as f64;
    assert!(rate <= 5.0, "measured {rate:.2} messages/s: {per_second:?}");
}

#[test]
fn a_route_with_no_enabled_connection_refuses_the_message_and_charges_nothing() {
    let app = app();
    let off = Carrier::start(200);
    connection(app, "n-off", &off.base, json!({"enabled": false}));
    route(app, "/v1/admin/routes", json!({"scope": "467051", "connections": [{"name": "n-off"}]}));
    let (account, key) = app.account("SEK", 10_000, 0);
    let refused = app.send(&key, json!({"from": "ACME", "to": "+46705100001", "text": "hi"}));
    assert_eq!((refused.status, refused.json["error"]["name"].as_str()), (400, Some("RecipientRejected")), "{}", refused.text);
    assert_eq!(refused.json["error"]["code"], 405);
    // With another recipient that can go, it is left out of the send: 405, no id, free.
    let mixed = app.send(&key, json!({"from": "ACME", "to": ["+46705100001", "+46731234567"], "text": "hi"}));
    assert_eq!(mixed.status, 201, "{}", mixed.text);
    assert_eq!(mixed.json["messages"][0]["status"]["code"], 405);
    assert!(mixed.json["messages"][0]["id"].is_null());
    assert_eq!(mixed.json["rejected"], 1);
    assert_eq!(app.account_balance(&account), 10_000 - 35);
    assert_eq!(off.count(), 0);
}

#[test]
fn credentials_and_webhook_secrets_are_never_answered_nor_stored_plain() {
    let app = app();
    let carrier = Carrier::start(200);
    let credentials = "key:very-secret-credential-WXYZ";
    let made = connection(app, "c-secret", &carrier.base, json!({"credentials": credentials, "webhook_secret": "hook-secret-1234567890"}));
    let answers = [
        made,
        app.admin("GET", "/v1/admin/carriers/c-secret", None),
        app.admin("GET", "/v1/admin/carriers", None),
        app.admin("PATCH", "/v1/admin/carriers/c-secret", Some(json!({"throughput_per_second": 100}))),
    ];
    for answer in &answers {
        assert!(answer.status < 300, "{}", answer.text);
        assert!(!answer.text.contains("very-secret") && !answer.text.contains("hook-secret"), "{}", answer.text);
    }
    assert_eq!(answers[1].json["credentials"], json!({"set": true, "hint": "…WXYZ"}));
    assert_eq!(answers[3].json["throughput_per_second"], 100);
    let stored: String = app.sql().query_row("SELECT credentials_sealed || webhook_secret_sealed FROM carrier_connections WHERE name = 'c-secret'", [], |r| r.get(0)).unwrap();
    assert!(!stored.contains("very-secret") && !stored.contains("hook-secret"));
    // Cleared by null; refused names, adapters and duplicates answer with stable names.
    let cleared = app.admin("PATCH", "/v1/admin/carriers/c-secret", Some(json!({"credentials": null})));
    assert_eq!(cleared.json["credentials"], json!({"set": false, "hint": null}), "{}", cleared.text);
    let again = app.admin("POST", "/v1/admin/carriers", Some(json!({"name": "c-secret", "adapter": "http", "base_url": carrier.base})));
    assert_eq!((again.status, again.json["error"]["name"].as_str()), (409, Some("ConnectionExists")));
    let reserved = app.admin("POST", "/v1/admin/carriers", Some(json!({"name": "http", "adapter": "http", "base_url": carrier.base})));
    assert_eq!((reserved.status, reserved.json["error"]["name"].as_str()), (400, Some("InvalidConnection")));
    let missing = app.admin("PUT", "/v1/admin/routes", Some(json!({"scope": "SE", "connections": [{"name": "c-nowhere"}]})));
    assert_eq!((missing.status, missing.json["error"]["name"].as_str()), (400, Some("InvalidRoute")));
    assert_eq!(app.admin("GET", "/v1/admin/carriers/c-nowhere", None).status, 404);
}

#[test]
fn a_connection_disabled_a_moment_ago_refuses_the_very_next_send() {
    let app = app();
    let carrier = Carrier::start(200);
    connection(app, "n-soon-off", &carrier.base, json!({}));
    route(app, "/v1/admin/routes", json!({"scope": "467052", "connections": [{"name": "n-soon-off"}]}));
    let (account, key) = app.account("SEK", 10_000, 0);
    // Two sends: the second is decided on the lookups its instance keeps for the key.
    for _ in 0..2 {
        let sent = app.send(&key, json!({"from": "ACME", "to": "+46705200001", "text": "hi"}));
        assert_eq!(sent.status, 201, "{}", sent.text);
    }
    let off = app.admin("PATCH", "/v1/admin/carriers/n-soon-off", Some(json!({"enabled": false})));
    assert_eq!(off.status, 200, "{}", off.text);
    let refused = app.send(&key, json!({"from": "ACME", "to": "+46705200001", "text": "hi"}));
    assert_eq!((refused.status, refused.json["error"]["name"].as_str()), (400, Some("RecipientRejected")), "{}", refused.text);
    assert_eq!(app.account_balance(&account), 10_000 - 2 * 35);
}

#[test]
fn the_default_connection_is_listed_and_pool_changes_are_in_the_accounts_history() {
    let app = app();
    let listed = app.admin("GET", "/v1/admin/carriers", None);
    assert_eq!(listed.status, 200, "{}", listed.text);
    // This app's default connection comes from its variables: the sandbox.
    assert_eq!(listed.json["default_connection"]["name"], "sandbox", "{}", listed.text);
    assert_eq!(listed.json["default_connection"]["receipts_path"], "/v1/carriers/sandbox/receipts");

    let carrier = Carrier::start(200);
    connection(app, "h-pool", &carrier.base, json!({}));
    let (account, _) = app.account("SEK", 10_000, 0);
    let path = format!("/v1/admin/accounts/{account}/routes");
    route(app, &path, json!({"scope": "SE", "connections": [{"name": "h-pool"}]}));
    let routes = app.admin("GET", &path, None);
    let id = routes.json["routes"][0]["id"].as_i64().expect("the route is listed");
    let deleted = app.admin("DELETE", &format!("{path}/{id}"), None);
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let actions: Vec<&str> = history.json["events"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"routes.set") && actions.contains(&"routes.deleted"), "{actions:?}");
    let set = history.json["events"].as_array().unwrap().iter().find(|e| e["action"] == "routes.set").unwrap();
    assert!(set["after"].to_string().contains("h-pool"), "{set}");
}
