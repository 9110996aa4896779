//! End-to-end tests: the real `spin up`, the real SQLite file, a local fake carrier.

use e2e::*;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::thread;

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| Env::start(32))
}

fn history_codes(message: &Value) -> Vec<u64> {
    message["history"].as_array().unwrap().iter().map(|e| e["status"].as_u64().unwrap()).collect()
}

fn ledger_entries(app: &SpinApp, account: &str) -> i64 {
    app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["ledger_entries"].as_i64().unwrap()
}

fn messages_stored(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [account], |r| r.get(0)).unwrap()
}

#[test]
fn sandbox_shows_the_whole_lifecycle() {
    let app = &env().sandbox;
    let (account, key) = app.account("SEK", 1_000, 0);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej!", "client_reference": "order-1"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["sandbox"], true);
    // Answered once stored, paid for and queued; delivery follows.
    let message = &sent.json["messages"][0];
    assert_eq!(message["status"]["code"], 103);
    assert_eq!(message["status"]["name"], "Funded");
    assert_eq!(message["price"]["minor"], 35);
    assert_eq!(sent.json["balance"]["minor"], 965);
    let id = message["id"].as_str().unwrap();
    let got = app.final_message(&key, id);
    assert_eq!(got["status"]["name"], "DeliveredToHandset");
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 201]);
    assert_eq!(got["client_reference"], "order-1");
    assert_eq!(got["final"], true);
    assert_eq!(ledger_entries(app, &account), 2);
    app.assert_ledger_balanced();
}

#[test]
fn a_send_reaches_the_carrier_with_the_right_fields() {
    let Env { app, carrier, .. } = env();
    let (_, key) = app.account("SEK", 1_000, 0);
    let sent = app.send(&key, json!({"from": "ACME", "to": "0046 70 111 22 33", "text": "Kod: 1234 €"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["sandbox"], false);
    let message = &sent.json["messages"][0];
    assert_eq!(message["status"]["code"], 103);
    let id = message["id"].as_str().unwrap();
    // No job runner here: the instance that took the send delivers it after answering.
    let got = app.at_carrier(&key, id);
    assert_eq!(got["status"]["code"], 111, "{got}");
    let received = carrier.find(id).expect("the carrier got the message");
    assert_eq!(received.body["reference"], id, "the submit carries our reference");
    assert_eq!(received.authorization, format!("Bearer {CARRIER_KEY}"));
    assert_eq!(received.body["from"], "ACME");
    assert_eq!(received.body["to"], "+46701112233");
    assert_eq!(received.body["text"], "Kod: 1234 €");
    assert_eq!(received.body["encoding"], "GSM-7");
    assert_eq!(received.body["segments"], 1);
    let got = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(got.json["carrier_message_id"], received.carrier_message_id.to_lowercase());
    assert_eq!(history_codes(&got.json), vec![101, 103, 110, 111]);
}

fn send_one(app: &SpinApp, key: &str, to: &str) -> (String, String) {
    let sent = app.send(key, json!({"from": "ACME", "to": to, "text": "hello"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.at_carrier(key, &id)["status"]["code"], 111);
    let carrier_id = env().carrier.find(&id).unwrap().carrier_message_id;
    (id, carrier_id)
}

#[test]
fn a_signed_receipt_moves_the_message_to_delivered_once() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 1_000, 0);
    let (id, carrier_id) = send_one(app, &key, "+46702223344");
    // Carriers vary the case of their ids; we match regardless.
    let body = json!({"message_id": carrier_id.to_lowercase(), "status": "DELIVRD", "error_code": "000"}).to_string();
    let reply = app.receipt(&body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["outcome"], "applied");
    let got = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(got.json["status"]["code"], 201);
    assert_eq!(history_codes(&got.json), vec![101, 103, 110, 111, 201]);

    // The same receipt again (even re-signed later) changes nothing.
    let again = app.receipt(&body, Some(carrier_signature(WEBHOOK_SECRET, now() - 10, &body)));
    assert_eq!(again.status, 200);
    assert_eq!(again.json["outcome"], "duplicate");
    // A late "en route" after delivery is acknowledged and ignored.
    let late = json!({"message_id": carrier_id, "status": "ENROUTE"}).to_string();
    let reply = app.receipt(&late, Some(carrier_signature(WEBHOOK_SECRET, now(), &late)));
    assert_eq!(reply.json["outcome"], "ignored");
    let got = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(history_codes(&got.json), vec![101, 103, 110, 111, 201]);
    assert_eq!(ledger_entries(app, &account), 2, "a delivery receipt moves no money");
    app.assert_ledger_balanced();
}

#[test]
fn undeliverable_receipts_map_to_seed_codes() {
    let app = &env().app;
    let (_, key) = app.account("SEK", 1_000, 0);
    let (id, carrier_id) = send_one(app, &key, "+46703334455");
    let body = json!({"message_id": carrier_id, "status": "UNDELIV", "error_code": "001"}).to_string();
    let reply = app.receipt(&body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)));
    assert_eq!(reply.json["status"]["code"], 501, "{}", reply.text);
    let got = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(got.json["status"]["name"], "UnknownSubscriber");
    assert_eq!(got.json["history"].as_array().unwrap().last().unwrap()["detail"], "UNDELIV err=001");
}

#[test]
fn forged_stale_and_malformed_receipts_change_nothing() {
    let app = &env().app;
    let (_, key) = app.account("SEK", 1_000, 0);
    let (id, carrier_id) = send_one(app, &key, "+46704445566");
    let body = json!({"message_id": carrier_id, "status": "DELIVRD"}).to_string();
    let cases = [
        (Some(carrier_signature("not-the-secret", now(), &body)), 401),
        (Some(carrier_signature(WEBHOOK_SECRET, now() - 301, &body)), 401),
        (Some(carrier_signature(WEBHOOK_SECRET, now() + 301, &body)), 401),
        (None, 401),
        (Some("v1=abc".to_owned()), 400),
        (Some(format!("t={},v1=nothex", now())), 400),
    ];
    for (signature, expected) in cases {
        let reply = app.receipt(&body, signature.clone());
        assert_eq!(reply.status, expected, "{signature:?}: {}", reply.text);
        assert!(reply.json["error"]["name"].is_string());
    }
    // A body altered after signing.
    let signed = carrier_signature(WEBHOOK_SECRET, now(), &body);
    let tampered = body.replace("DELIVRD", "EXPIRED");
    assert_eq!(app.receipt(&tampered, Some(signed)).status, 401);
    // Correctly signed but not a receipt.
    let junk = "{\"hello\":1}";
    assert_eq!(app.receipt(junk, Some(carrier_signature(WEBHOOK_SECRET, now(), junk))).status, 400);
    let got = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(got.json["status"]["code"], 111);
    assert_eq!(history_codes(&got.json), vec![101, 103, 110, 111]);
    let receipts: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM receipts WHERE carrier_message_id = lower(?)", [&carrier_id], |r| r.get(0))
        .unwrap();
    assert_eq!(receipts, 0);
}

#[test]
fn a_receipt_for_an_unknown_id_is_acknowledged_and_kept() {
    let app = &env().app;
    let body = json!({"message_id": "NOPE-123", "status": "DELIVRD"}).to_string();
    let reply = app.receipt(&body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json["outcome"], "unmatched");
    let kept: String = app
        .sql()
        .query_row("SELECT outcome FROM receipts WHERE carrier_message_id = 'nope-123'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "unmatched");
}

#[test]
fn a_carrier_error_fails_the_message_and_refunds_it() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 1_000, 0);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701230500", "text": "hello"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let message = &sent.json["messages"][0];
    assert_eq!(message["status"]["code"], 103);
    assert_eq!(sent.json["balance"]["minor"], 965);
    // The carrier answered 500: it surely does not have it, so it fails and is refunded.
    let got = app.settled(&key, message["id"].as_str().unwrap());
    assert_eq!(got["status"]["code"], 511, "{got}");
    assert_eq!(history_codes(&got), vec![101, 103, 110, 511, 104]);
    assert_eq!(app.account_balance(&account), 1_000);
    let ledger = app.admin("GET", &format!("/v1/admin/accounts/{account}/ledger"), None);
    let kinds: Vec<&str> = ledger.json["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["refund", "debit", "topup"]);
    app.assert_ledger_balanced();
}

#[test]
fn a_carrier_timeout_is_neither_lost_nor_refunded_when_the_carrier_later_reports_delivery() {
    let Env { app, carrier, .. } = env();
    let (account, key) = app.account("SEK", 1_000, 0);
    // The fake carrier answers this number after 3 s; the app waits 2 s: the outcome is unknown.
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701230408", "text": "hello"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let got = app.settled(&key, &id);
    assert_eq!(got["status"]["code"], 110, "still Sending: the carrier may have it: {got}");
    let unknown = got["history"].as_array().unwrap().iter().find(|e| e["source"] == "submit-unknown").expect("an unknown outcome noted");
    assert!(unknown["detail"].as_str().unwrap().contains("same reference"), "{unknown}");
    assert_eq!(app.account_balance(&account), 965, "not refunded");

    // The carrier took it after all and reports delivery, naming our reference; the id
    // it gave is one we never heard.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let carrier_id = loop {
        if let Some(id) = carrier.taken.lock().unwrap().get(&id).cloned() {
            break id;
        }
        assert!(std::time::Instant::now() < deadline, "the carrier never took it");
        thread::sleep(std::time::Duration::from_millis(50));
    };
    let body = json!({"message_id": carrier_id, "reference": id, "status": "DELIVRD", "error_code": "000"}).to_string();
    let reply = app.receipt(&body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)));
    assert_eq!(reply.json["outcome"], "applied", "{}", reply.text);
    let got = app.get(&key, &format!("/v1/messages/{id}")).json;
    assert_eq!(got["status"]["code"], 201, "{got}");
    assert_eq!(got["carrier_message_id"], carrier_id.to_lowercase());
    assert_eq!(app.account_balance(&account), 965, "delivered: still charged, once");
    let queue = app.admin("GET", "/v1/admin/queue", None).json;
    assert_eq!(queue["outcome_unknown"].as_i64().unwrap(), 0, "{queue}");
    app.assert_ledger_balanced();
}

#[test]
fn insufficient_funds_stores_and_charges_nothing() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 30, 0);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "hello"}));
    assert_eq!(sent.status, 402, "{}", sent.text);
    assert_eq!(sent.json["error"]["code"], 402);
    assert_eq!(sent.json["error"]["name"], "InsufficientFunds");
    assert_eq!(ledger_entries(app, &account), 1);
    assert_eq!(messages_stored(app, &account), 0);
    // A batch that does not fit is refused whole, even if its first messages would.
    let (account, key) = app.account("SEK", 100, 0);
    let batch = app.send(&key, json!({"from": "ACME", "to": ["+46701234567", "+46701234568", "+46701234569"], "text": "hi"}));
    assert_eq!(batch.status, 402, "{}", batch.text);
    assert_eq!(messages_stored(app, &account), 0);
    // The credit limit lets the balance go below zero, down to the limit.
    let (_, key) = app.account("SEK", 0, 70);
    assert_eq!(app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "a"})).status, 201);
    let second = app.send(&key, json!({"from": "ACME", "to": "+46701234568", "text": "b"}));
    assert_eq!(second.status, 201);
    assert_eq!(second.json["balance"]["minor"], -70);
    assert_eq!(app.send(&key, json!({"from": "ACME", "to": "+46701234569", "text": "c"})).status, 402);
    app.assert_ledger_balanced();
}

#[test]
fn each_validation_error_has_its_seed_code_and_stores_nothing() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 10_000, 0);
    let cases = [
        (json!({"from": "TwelveChars!", "to": "+46701234567", "text": "x"}), 400, Some(407), "InvalidSender"),
        (json!({"from": "1234567890123456", "to": "+46701234567", "text": "x"}), 400, Some(407), "InvalidSender"),
        (json!({"from": "ACME", "to": "+46701234567", "text": ""}), 400, Some(408), "InvalidContent"),
        (json!({"from": "ACME", "to": "+46701234567", "text": "a".repeat(1531)}), 400, Some(408), "InvalidContent"),
        (json!({"from": "ACME", "to": "+46701234567", "text": "😀".repeat(336)}), 400, Some(408), "InvalidContent"),
        (json!({"from": "ACME", "to": "070123", "text": "x"}), 400, Some(409), "InvalidRecipient"),
        (json!({"from": "ACME", "to": "+46123", "text": "x"}), 400, Some(409), "InvalidRecipient"),
        (json!({"from": "ACME", "to": [], "text": "x"}), 400, Some(409), "InvalidRecipient"),
        (json!({"from": "ACME", "to": ["+46701234567", "junk"], "text": "x"}), 400, Some(409), "InvalidRecipient"),
        (json!({"from": "ACME", "text": "x"}), 400, None, "MalformedRequest"),
        (json!({"from": "ACME", "to": "+46701234567", "text": "x", "surprise": 1}), 400, None, "MalformedRequest"),
    ];
    for (body, status, code, name) in cases {
        let reply = app.send(&key, body.clone());
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        assert_eq!(reply.json["error"]["name"], name, "{body}");
        assert_eq!(reply.json["error"]["code"].as_u64(), code.map(|c: u64| c), "{body}");
        assert!(!reply.json["error"]["message"].as_str().unwrap().is_empty());
    }
    let bad_json = call("POST", &app.url("/v1/messages"), Some(&key), Some("{not json".into()), &[]);
    assert_eq!(bad_json.status, 400);
    // Exactly at the part cap is fine: 10 × 153 GSM-7 characters.
    let max = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "a".repeat(1530)}));
    assert_eq!(max.status, 201, "{}", max.text);
    assert_eq!(max.json["messages"][0]["segments"], 10);
    assert_eq!(messages_stored(app, &account), 1);
    assert_eq!(ledger_entries(app, &account), 2);
}

#[test]
fn segments_and_encoding_decide_the_price() {
    let app = &env().sandbox;
    let (_, key) = app.account("SEK", 100_000, 0);
    let cases = [
        ("a".repeat(160), "GSM-7", 1),
        ("a".repeat(161), "GSM-7", 2),
        (format!("{}€", "a".repeat(159)), "GSM-7", 2),
        ("ł".repeat(70), "UCS-2", 1),
        ("😀".repeat(35), "UCS-2", 1),
        ("😀".repeat(36), "UCS-2", 2),
    ];
    for (text, encoding, segments) in cases {
        let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": text}));
        assert_eq!(sent.status, 201, "{}", sent.text);
        let m = &sent.json["messages"][0];
        assert_eq!(m["encoding"], encoding, "{text}");
        assert_eq!(m["segments"], segments, "{text}");
        assert_eq!(m["price"]["minor"], 35 * segments, "{text}");
    }
}

#[test]
fn a_prefix_price_overrides_the_country_price() {
    let app = &env().sandbox;
    let set = app.admin("PUT", "/v1/admin/prices", Some(json!({"currency": "SEK", "scope": "46709", "per_segment_minor": 20})));
    assert_eq!(set.status, 200, "{}", set.text);
    let (_, key) = app.account("SEK", 1_000, 0);
    let sent = app.send(&key, json!({"from": "ACME", "to": ["+46709876543", "+46731234567", "+4915112345678"], "text": "hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let prices: Vec<i64> = sent.json["messages"].as_array().unwrap().iter().map(|m| m["price"]["minor"].as_i64().unwrap()).collect();
    assert_eq!(prices, vec![20, 35, 80]);
    assert_eq!(sent.json["total_price"]["minor"], 135);
}

#[test]
fn unknown_and_revoked_keys_get_401() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 1_000, 0);
    let body = json!({"from": "ACME", "to": "+46701234567", "text": "x"});
    assert_eq!(app.send("sk_unknown", body.clone()).status, 401);
    assert_eq!(call("POST", &app.url("/v1/messages"), None, Some(body.to_string()), &[]).status, 401);
    let keys = app.admin("GET", &format!("/v1/admin/accounts/{account}/keys"), None);
    let key_id = keys.json["keys"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/keys/{key_id}"), None).status, 200);
    let reply = app.send(&key, body);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json["error"]["name"], "Unauthorized");
    // Keys are stored only as hashes.
    let stored: i64 = app.sql().query_row("SELECT COUNT(*) FROM api_keys WHERE key_hash = ?", [&key], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0);
    // The operator API needs the admin token.
    let no_admin = call("GET", &app.url(&format!("/v1/admin/accounts/{account}")), Some(&key), None, &[]);
    assert_eq!(no_admin.status, 401);
}

#[test]
fn another_accounts_message_is_not_found() {
    let app = &env().sandbox;
    let (_, alice) = app.account("SEK", 1_000, 0);
    let (_, bob) = app.account("SEK", 1_000, 0);
    let sent = app.send(&alice, json!({"from": "ACME", "to": "+46701234567", "text": "x"}));
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    assert_eq!(app.get(&alice, &format!("/v1/messages/{id}")).status, 200);
    let reply = app.get(&bob, &format!("/v1/messages/{id}"));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json["error"]["name"], "NotFound");
}

#[test]
fn a_batch_of_a_thousand_recipients() {
    // Its own carrier and app: the shared carrier's deliberate 3 s sleeper (timeout
    // test) must not hold up this batch's submits.
    env();
    let carrier = &FakeCarrier::start(16);
    let app = &SpinApp::with_carrier(carrier, 2_000);
    let (account, key) = app.account("SEK", 1_000_000, 0);
    // Numbers ending in 1, clear of the fake carrier's failure suffixes.
    let to: Vec<String> = (0..1_000).map(|i| format!("+4673{:07}", 1_000_000 + i * 10 + 1)).collect();
    let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": "Kampanj!"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let messages = sent.json["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1_000);
    assert!(messages.iter().all(|m| m["status"]["code"] == 103), "every one queued, paid for");
    let queue = app.drain_queue();
    let not_submitted: Vec<(i64, Option<String>, i64)> = app
        .sql()
        .prepare("SELECT status, status_detail, submit_attempts FROM messages WHERE account_id = ? AND status != 111 LIMIT 3")
        .unwrap()
        .query_map([&account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(not_submitted.is_empty(), "every message reached the carrier: {not_submitted:?}, queue {queue}");
    assert_eq!(sent.json["total_price"]["minor"], 35_000);
    assert_eq!(sent.json["balance"]["minor"], 1_000_000 - 35_000);
    assert_eq!(messages_stored(app, &account), 1_000);
    for m in messages.iter().step_by(97) {
        assert!(carrier.find(m["id"].as_str().unwrap()).is_some());
    }
    app.assert_ledger_balanced();
}

#[test]
fn concurrent_sends_never_overdraw_and_the_ledger_stays_equal_to_the_balance() {
    let app = &env().sandbox;
    // Room for exactly 10 messages at 35 öre, with a credit limit of 2 more.
    let (account, key) = app.account("SEK", 350, 70);
    let handles: Vec<_> = (0..48)
        .map(|i| {
            let (url, key) = (app.url("/v1/messages"), key.clone());
            thread::spawn(move || {
                let body = json!({"from": "ACME", "to": format!("+4670{:07}", 2_000_000 + i), "text": "race"});
                call("POST", &url, Some(&key), Some(body.to_string()), &[]).status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 402).count();
    assert_eq!((ok, refused), (12, 36), "{statuses:?}");
    let view = app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json;
    assert_eq!(view["balance_minor"], -70);
    assert_eq!(view["ledger_sum_minor"], -70);
    assert_eq!(messages_stored(app, &account), 12);
    app.assert_ledger_balanced();
}

#[test]
fn the_schema_is_migrated_and_the_ledger_is_immutable() {
    let app = SpinApp::sandbox();
    app.account("SEK", 500, 0);
    let version: i64 = app.sql().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert!(version >= 1);
    let journal: String = app.sql().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");
    // Ledger rows are immutable in the database itself, whoever writes.
    let writable = rusqlite::Connection::open(app.database()).unwrap();
    let update = writable.execute("UPDATE ledger_entries SET amount_minor = 1", []);
    assert!(update.unwrap_err().to_string().contains("immutable"));
    let delete = writable.execute("DELETE FROM ledger_entries", []);
    assert!(delete.unwrap_err().to_string().contains("immutable"));
}

#[test]
fn the_message_log_lists_filters_and_pages_the_accounts_own_messages() {
    let app = &env().sandbox;
    let (_, key) = app.account("SEK", 10_000, 0);
    let (_, other) = app.account("SEK", 10_000, 0);
    let theirs = app.send(&other, json!({"from": "ACME", "to": "+46701234567", "text": "someone else's"}));
    assert_eq!(theirs.status, 201, "the other account's message exists, so leaving it out means something: {}", theirs.text);
    let first = app.send(&key, json!({"from": "ACME", "to": ["+46701234561", "+46701234562"], "text": "one"}));
    let second = app.send(&key, json!({"from": "ACME", "to": "+46701234563", "text": "two"}));
    assert_eq!((first.status, second.status), (201, 201));

    let all = app.get(&key, "/v1/messages");
    assert_eq!(all.status, 200, "{}", all.text);
    let tos: Vec<&str> = all.json["messages"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(tos, vec!["+46701234563", "+46701234562", "+46701234561"], "newest first, only this account's");
    assert_eq!(all.json["next_cursor"], Value::Null);

    let page = app.get(&key, "/v1/messages?limit=2");
    assert_eq!(page.json["messages"].as_array().unwrap().len(), 2);
    let next = page.json["next_cursor"].as_str().unwrap();
    let rest = app.get(&key, &format!("/v1/messages?limit=2&cursor={next}"));
    assert_eq!(rest.json["messages"][0]["to"], "+46701234561");
    assert_eq!(rest.json["next_cursor"], Value::Null);

    let batch = first.json["batch_id"].as_str().unwrap();
    assert_eq!(app.get(&key, &format!("/v1/messages?batch_id={batch}")).json["messages"].as_array().unwrap().len(), 2);
    let one = app.get(&key, "/v1/messages?to=%2B46%2070%20123%2045%2063");
    assert_eq!(one.json["messages"][0]["text"], "two", "{}", one.text);
    // Words in the text, any case, and oldest first, paged forward (issue 19).
    let found = app.get(&key, "/v1/messages?q=TW");
    let texts: Vec<&str> = found.json["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["two"], "{}", found.text);
    assert_eq!(app.get(&other, "/v1/messages?q=one").json["messages"].as_array().unwrap().len(), 1, "someone else's, not this account's");
    let oldest = app.get(&key, "/v1/messages?order=asc&limit=2");
    let tos: Vec<&str> = oldest.json["messages"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(tos, ["+46701234561", "+46701234562"], "{}", oldest.text);
    let later = app.get(&key, &format!("/v1/messages?order=asc&limit=2&cursor={}", oldest.json["next_cursor"].as_str().unwrap()));
    assert_eq!(later.json["messages"][0]["to"], "+46701234563", "{}", later.text);
    let bad = app.get(&key, "/v1/messages?order=sideways");
    assert_eq!((bad.status, bad.json["error"]["name"].as_str()), (400, Some("InvalidSort")));
    // The sandbox reports delivery as soon as it has them: after the answer, not in it.
    for sent in [&first, &second] {
        for message in sent.json["messages"].as_array().unwrap() {
            app.final_message(&key, message["id"].as_str().unwrap());
        }
    }
    let delivered = app.get(&key, "/v1/messages?status=201");
    assert_eq!(delivered.json["messages"].as_array().unwrap().len(), 3, "{}", delivered.text);
    assert_eq!(app.get(&key, "/v1/messages?status=410").json["messages"].as_array().unwrap().len(), 0);
    assert_eq!(app.get(&key, "/v1/messages?since=2999-01-01T00:00:00Z").json["messages"].as_array().unwrap().len(), 0);
    for (bad, name) in [("status=999", "MalformedRequest"), ("limit=0", "InvalidLimit"), ("since=yesterday", "MalformedRequest"), ("to=070123", "MalformedRequest")] {
        let reply = app.get(&key, &format!("/v1/messages?{bad}"));
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (400, Some(name)), "{bad}");
    }
}

#[test]
fn with_carrier_batches_messages_go_many_to_a_request_and_each_gets_its_own_answer() {
    env();
    let carrier = &FakeCarrier::start(4);
    let app = &SpinApp::start(&[
        ("carrier", "http".into()),
        ("carrier_base_url", carrier.base.clone()),
        ("carrier_api_key", CARRIER_KEY.into()),
        ("carrier_webhook_secret", WEBHOOK_SECRET.into()),
        ("carrier_batch_size", "50".into()),
    ]);
    let (account, key) = app.account("SEK", 1_000_000, 0);
    // 299 numbers ending in 1, and one the carrier refuses (…0500).
    let mut to: Vec<String> = (0..299).map(|i| format!("+4673{:07}", 2_000_000 + i * 10 + 1)).collect();
    to.push("+46731230500".into());
    let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": "Batch!"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let refused = sent.json["messages"][299]["id"].as_str().unwrap().to_owned();
    let got = app.settled(&key, &refused);
    assert_eq!(got["status"]["code"], 511, "refused in its entry: {got}");
    app.drain_queue();
    let at_carrier: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM messages WHERE account_id = ? AND status = 111 AND carrier_message_id IS NOT NULL", [&account], |r| r.get(0))
        .unwrap();
    assert_eq!(at_carrier, 299);
    assert_eq!(carrier.taken.lock().unwrap().len(), 299);
    assert_eq!(app.account_balance(&account), 1_000_000 - 299 * 35, "the refused one refunded");
    app.assert_ledger_balanced();
}
