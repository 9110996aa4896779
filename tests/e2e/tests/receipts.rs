//! End-to-end tests of delivery receipts: the real `spin up`, the real SQLite file, a
//! local carrier speaking our protocol, Vonage's and Sinch's.

use domain::carriers::builtin::built_in;
use domain::carriers::receipt::canonical_carrier_id;
use e2e::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::thread;

/// One app per carrier protocol, started on first use and shared by the tests of this
/// binary; each test works in its own account and with its own recipients.
struct Env {
    carrier: ProtocolCarrier,
    app: SpinApp,
}

fn start(protocol: &str) -> Env {
    build_app();
    let carrier = ProtocolCarrier::start(8);
    let app = SpinApp::with_protocol(&carrier, protocol);
    Env { carrier, app }
}

fn http() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| start("http"))
}

fn vonage() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| start("vonage"))
}

fn sinch() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| start("sinch"))
}

/// A recipient no other test uses (the carrier's plans are per recipient).
fn recipient() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("+467055{:05}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Sends one message; returns (our id, the ids the carrier answered with).
fn send(env: &Env, key: &str, to: &str, text: &str) -> (String, Vec<String>) {
    let sent = env.app.send(key, json!({"from": "ACME", "to": to, "text": text}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    env.app.at_carrier(key, &id);
    let ids = env.carrier.find(&id).expect("the carrier got the message").ids;
    (id, ids)
}

/// Our JSON receipt, signed with the http carrier's secret.
fn http_receipt(app: &SpinApp, body: Value) -> Reply {
    let body = body.to_string();
    post_receipt(app, "http", Some("application/json"), &body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)))
}

fn message(env: &Env, key: &str, id: &str) -> Value {
    let got = env.app.get(key, &format!("/v1/messages/{id}"));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

fn history_codes(message: &Value) -> Vec<u64> {
    message["history"].as_array().unwrap().iter().map(|e| e["status"].as_u64().unwrap()).collect()
}

/// (raw_status, raw_error, mapped_status, outcome, detail) of a message's receipts, oldest first.
fn receipts_of(app: &SpinApp, message_id: &str) -> Vec<(String, Option<String>, i64, String, Option<String>)> {
    let db = app.sql();
    let mut stmt = db
        .prepare("SELECT raw_status, raw_error, mapped_status, outcome, detail FROM receipts WHERE message_id = ? ORDER BY id")
        .unwrap();
    stmt.query_map([message_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn refunds_of(app: &SpinApp, message_id: &str) -> i64 {
    app.sql()
        .query_row("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'refund' AND reference = ?", [message_id], |r| r.get(0))
        .unwrap()
}

fn balance(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT balance_minor FROM accounts WHERE id = ?", [account], |r| r.get(0)).unwrap()
}

#[test]
fn a_vonage_form_receipt_applies_its_mapped_status_and_keeps_the_raw_one() {
    let env = vonage();
    let app = &env.app;
    let (account, key) = app.account("SEK", 1_000, 0);
    let to = recipient();
    let (id, ids) = send(env, &key, &to, "Hej!");
    let submit = env.carrier.find(&id).unwrap();
    assert_eq!(submit.path, "/sms/json");
    assert_eq!(submit.body["api_key"], "vonage-key");
    assert_eq!(submit.body["api_secret"], "vonage-secret");
    assert_eq!(submit.body["to"], to.trim_start_matches('+'));
    assert_eq!(ids.len(), 1);
    assert_eq!(message(env, &key, &id)["status"]["code"], 111);

    // failed + err-code 3 (absent subscriber, permanent) is UnknownSubscriber (501).
    let body = format!(
        "msisdn={}&to=ACME&network-code=24001&messageId={}&price=0.03330000&status=failed&scts=2601011200\
         &err-code=3&message-timestamp=2026-01-01+12%3A00%3A00",
        to.trim_start_matches('+'),
        ids[0].to_lowercase()
    );
    let form = Some("application/x-www-form-urlencoded");
    let reply = post_receipt(app, "vonage", form, &body, Some(carrier_signature(VONAGE_WEBHOOK_SECRET, now(), &body)));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["outcome"], "applied");
    assert_eq!(reply.json["status"]["code"], 501);
    assert_eq!(reply.json["refunded"], false);

    let got = message(env, &key, &id);
    assert_eq!(got["status"]["name"], "UnknownSubscriber");
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 501]);
    assert_eq!(got["history"].as_array().unwrap().last().unwrap()["detail"], "failed err=3");
    assert_eq!(
        receipts_of(app, &id),
        vec![("failed".into(), Some("3".into()), 501, "applied".into(), None)],
        "the carrier's own words are kept beside the mapped status"
    );
    let stored_body: String =
        app.sql().query_row("SELECT body FROM receipts WHERE message_id = ?", [&id], |r| r.get(0)).unwrap();
    assert_eq!(stored_body, body);

    // Forged (the http carrier's secret), unsigned and malformed vonage receipts store nothing.
    let forged = carrier_signature(WEBHOOK_SECRET, now(), &body.replace("err-code=3", "err-code=0"));
    assert_eq!(post_receipt(app, "vonage", form, &body.replace("err-code=3", "err-code=0"), Some(forged)).status, 401);
    assert_eq!(post_receipt(app, "vonage", form, &body, None).status, 401);
    let no_status = format!("messageId={}&err-code=0", ids[0]);
    let malformed = post_receipt(app, "vonage", form, &no_status, Some(carrier_signature(VONAGE_WEBHOOK_SECRET, now(), &no_status)));
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert!(malformed.json["error"]["message"].as_str().unwrap().contains("status"), "{}", malformed.text);
    let xml = "<dlr/>";
    let wrong_type = post_receipt(app, "vonage", Some("text/xml"), xml, Some(carrier_signature(VONAGE_WEBHOOK_SECRET, now(), xml)));
    assert_eq!(wrong_type.status, 400);
    let stored: i64 = app
        .sql()
        .query_row("SELECT COUNT(*) FROM receipts WHERE carrier = 'vonage' AND carrier_message_id = ?", [ids[0].to_lowercase()], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, 1);
    assert_eq!(refunds_of(app, &id), 0, "the carrier took it: a network failure is not refunded");
    assert_eq!(balance(app, &account), 1_000 - 35);
    app.assert_ledger_balanced();
}

#[test]
fn a_sinch_json_report_applies_its_mapped_status_and_keeps_the_raw_one() {
    let env = sinch();
    let app = &env.app;
    let (_, key) = app.account("SEK", 1_000, 0);
    let to = recipient();
    let (id, ids) = send(env, &key, &to, "Hej!");
    let submit = env.carrier.find(&id).unwrap();
    assert_eq!(submit.path, "/batches");
    assert_eq!(submit.authorization, format!("Bearer {SINCH_TOKEN}"));
    assert_eq!(submit.body["to"], json!([to]));
    assert_eq!(submit.body["delivery_report"], "per_recipient");

    let report = |status: &str, code: i64| {
        json!({"type": "recipient_delivery_report_sms", "batch_id": ids[0], "recipient": to.trim_start_matches('+'),
               "code": code, "status": status, "at": "2026-01-01T12:00:00.000Z"})
        .to_string()
    };
    let sign = |body: &str| Some(carrier_signature(SINCH_WEBHOOK_SECRET, now(), body));
    let dispatched = report("Dispatched", 401);
    let reply = post_receipt(app, "sinch", Some("application/json"), &dispatched, sign(&dispatched));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["status"]["code"], 112);
    let delivered = report("Delivered", 0);
    let reply = post_receipt(app, "sinch", Some("application/json"), &delivered, sign(&delivered));
    assert_eq!(reply.json["outcome"], "applied", "{}", reply.text);
    assert_eq!(reply.json["status"]["name"], "DeliveredToHandset");

    let got = message(env, &key, &id);
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 112, 201]);
    assert_eq!(got["history"].as_array().unwrap().last().unwrap()["detail"], "Delivered err=0");
    assert_eq!(
        receipts_of(app, &id),
        vec![
            ("Dispatched".into(), Some("401".into()), 112, "applied".into(), None),
            ("Delivered".into(), Some("0".into()), 201, "applied".into(), None),
        ]
    );
    // A batch summary is not a per-recipient report: 400, nothing stored.
    let summary = json!({"type": "delivery_report_sms", "batch_id": ids[0], "statuses": []}).to_string();
    assert_eq!(post_receipt(app, "sinch", Some("application/json"), &summary, sign(&summary)).status, 400);
    assert_eq!(receipts_of(app, &id).len(), 2);
}

#[test]
fn carrier_ids_match_as_each_adapter_declares_its_encodings() {
    for (name, env) in [("http", http()), ("vonage", vonage()), ("sinch", sinch())] {
        let adapter = built_in(name).unwrap();
        let (_, key) = env.app.account("SEK", 1_000, 0);
        let to = recipient();
        // Upper case with leading zeros, as carriers write hex-looking ids.
        let raw = format!("000A1F{}", &to[to.len() - 5..]);
        env.carrier.plan(&to, Plan { ids: vec![raw.clone()], receipt_first: None });
        let (id, _) = send(env, &key, &to, "ids");
        let stored = adapter.canonical_submit_id(&raw).unwrap();
        let got = message(env, &key, &id);
        assert_eq!(got["carrier_message_id"], stored.as_str(), "{name}");

        let digits = &raw[6..];
        let variants = [
            raw.to_lowercase(),                           // case
            format!("  {raw}  "),                         // surrounding space
            raw.trim_start_matches('0').to_owned(),       // leading zeros dropped
            format!("0x{raw}"),                           // hex prefix
            u128::from_str_radix(&raw, 16).unwrap().to_string(), // the same number in decimal
            format!("000A1F{digits}9"),                   // another id
        ];
        for variant in variants {
            let expected_match = canonical_carrier_id(&variant, adapter.ids().receipt).ok() == Some(stored.clone());
            let (content_type, body, secret) = match name {
                "http" => ("application/json", json!({"message_id": variant, "status": "ENROUTE"}).to_string(), WEBHOOK_SECRET),
                "vonage" => ("application/x-www-form-urlencoded", format!("messageId={}&status=buffered&err-code=0", variant.replace(' ', "+")), VONAGE_WEBHOOK_SECRET),
                _ => (
                    "application/json",
                    json!({"type": "recipient_delivery_report_sms", "batch_id": variant, "recipient": to, "code": 401, "status": "Dispatched"}).to_string(),
                    SINCH_WEBHOOK_SECRET,
                ),
            };
            let reply = post_receipt(&env.app, name, Some(content_type), &body, Some(carrier_signature(secret, now(), &body)));
            assert_eq!(reply.status, 200, "{name} {variant:?}: {}", reply.text);
            let outcome = reply.json["outcome"].as_str().unwrap();
            if expected_match {
                assert!(outcome == "applied" || outcome == "ignored", "{name} {variant:?} should match: {}", reply.text);
                assert_eq!(reply.json["message_id"], id.as_str());
            } else {
                assert_eq!(outcome, "unmatched", "{name} {variant:?} should not match {stored:?}: {}", reply.text);
            }
        }
        // Every adapter here declares text ids, so case and space never matter, and a
        // number written another way is another id.
        assert_eq!(message(env, &key, &id)["status"]["code"], 112, "{name}");
    }
}

#[test]
fn a_late_intermediate_receipt_is_recorded_as_ignored() {
    let env = http();
    let (_, key) = env.app.account("SEK", 1_000, 0);
    let (id, ids) = send(env, &key, &recipient(), "order");
    let delivered = http_receipt(&env.app, json!({"message_id": ids[0], "status": "DELIVRD", "error_code": "000"}));
    assert_eq!(delivered.json["outcome"], "applied", "{}", delivered.text);
    let late = http_receipt(&env.app, json!({"message_id": ids[0], "status": "ENROUTE"}));
    assert_eq!(late.status, 200);
    assert_eq!(late.json["outcome"], "ignored", "{}", late.text);
    assert_eq!(late.json["status"]["code"], 201);
    assert!(late.json["reason"].as_str().unwrap().contains("final"), "{}", late.text);

    let got = message(env, &key, &id);
    assert_eq!(got["status"]["code"], 201);
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 201]);
    let receipts = receipts_of(&env.app, &id);
    assert_eq!(receipts.len(), 2);
    assert_eq!((receipts[1].0.as_str(), receipts[1].3.as_str()), ("ENROUTE", "ignored"));
    assert!(receipts[1].4.as_deref().unwrap().contains("final"));
}

#[test]
fn a_duplicate_receipt_changes_nothing() {
    let env = http();
    let (account, key) = env.app.account("SEK", 1_000, 0);
    let (id, ids) = send(env, &key, &recipient(), "twice");
    let body = json!({"message_id": ids[0], "status": "ENROUTE"}).to_string();
    let first = post_receipt(&env.app, "http", Some("application/json"), &body, Some(carrier_signature(WEBHOOK_SECRET, now(), &body)));
    assert_eq!(first.json["outcome"], "applied");
    // The same body, signed again later, as a carrier's retry is.
    let again = post_receipt(&env.app, "http", Some("application/json"), &body, Some(carrier_signature(WEBHOOK_SECRET, now() - 30, &body)));
    assert_eq!(again.status, 200);
    assert_eq!(again.json["outcome"], "duplicate");
    let got = message(env, &key, &id);
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 112]);
    assert_eq!(receipts_of(&env.app, &id).len(), 1);
    assert_eq!(balance(&env.app, &account), 1_000 - 35);
}

#[test]
fn a_receipt_before_the_submit_answer_is_kept_then_applied() {
    let env = http();
    let (_, key) = env.app.account("SEK", 1_000, 0);
    let to = recipient();
    let carrier_id = format!("EARLY-{}", &to[1..]);
    let body = json!({"message_id": carrier_id, "status": "DELIVRD", "error_code": "000"}).to_string();
    env.carrier.plan(
        &to,
        Plan {
            ids: vec![carrier_id.clone()],
            receipt_first: Some(EarlyReceipt {
                carrier: "http".into(),
                secret: WEBHOOK_SECRET.into(),
                content_type: "application/json".into(),
                body,
            }),
        },
    );
    let sent = env.app.send(&key, json!({"from": "ACME", "to": to, "text": "fast network"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    // Applied as the submit answer was recorded.
    let got = env.app.settled(&key, id);
    assert_eq!(got["status"]["code"], 201, "{got}");
    let submit = env.carrier.find(id).unwrap();
    assert_eq!(submit.early_reply.as_ref().unwrap()["outcome"], "unmatched", "{:?}", submit.early_reply);
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 201]);
    assert_eq!(receipts_of(&env.app, id), vec![("DELIVRD".into(), Some("000".into()), 201, "applied".into(), None)]);
}

#[test]
fn a_multipart_message_takes_the_rollup_of_its_parts() {
    let env = http();
    let app = &env.app;
    let (_, key) = app.account("SEK", 10_000, 0);
    let text = "a".repeat(400); // 3 GSM-7 parts of 153
    let part = |id: &str, index: u32, status: &str, error: Option<&str>| {
        let mut body = json!({"message_id": id, "status": status, "part": index, "parts": 3});
        if let Some(error) = error {
            body["error_code"] = error.into();
        }
        http_receipt(app, body)
    };

    // Every part delivered, out of order: delivered only with the last.
    let (id, ids) = send(env, &key, &recipient(), &text);
    let reply = part(&ids[0], 3, "DELIVRD", None);
    assert_eq!(reply.json["outcome"], "recorded", "{}", reply.text);
    assert_eq!(reply.json["part"], json!({"index": 3, "total": 3}));
    assert_eq!(part(&ids[0], 1, "DELIVRD", None).json["outcome"], "recorded");
    assert_eq!(part(&ids[0], 1, "ENROUTE", None).json["outcome"], "ignored", "a part never moves back");
    assert_eq!(message(env, &key, &id)["status"]["code"], 111);
    let last = part(&ids[0], 2, "DELIVRD", None);
    assert_eq!(last.json["outcome"], "applied", "{}", last.text);
    assert_eq!(last.json["status"]["code"], 201);
    let got = message(env, &key, &id);
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 201]);
    assert_eq!(got["history"].as_array().unwrap().last().unwrap()["detail"], "part 2/3: DELIVRD");
    let parts: Vec<(i64, i64)> = {
        let db = app.sql();
        let mut stmt = db.prepare("SELECT part, status FROM message_parts WHERE message_id = ? ORDER BY part").unwrap();
        stmt.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(parts, vec![(1, 201), (2, 201), (3, 201)]);

    // One failing part fails the message; the slowest part speaks while in flight.
    let (id, ids) = send(env, &key, &recipient(), &text);
    assert_eq!(part(&ids[0], 2, "ENROUTE", None).json["status"]["code"], 112);
    assert_eq!(part(&ids[0], 1, "DELIVRD", None).json["outcome"], "recorded");
    let failed = part(&ids[0], 3, "UNDELIV", Some("027"));
    assert_eq!(failed.json["outcome"], "applied", "{}", failed.text);
    assert_eq!(failed.json["status"]["name"], "SubscriberUnreachable");
    assert_eq!(part(&ids[0], 2, "DELIVRD", None).json["outcome"], "recorded");
    // Parts that do not fit the message are acknowledged and ignored.
    let misfit = http_receipt(app, json!({"message_id": ids[0], "status": "DELIVRD", "part": 1, "parts": 2}));
    assert_eq!(misfit.json["outcome"], "ignored");
    assert!(misfit.json["reason"].as_str().unwrap().contains("3 parts"), "{}", misfit.text);
    let got = message(env, &key, &id);
    assert_eq!(got["status"]["code"], 502);
    assert_eq!(history_codes(&got), vec![101, 103, 110, 111, 112, 502]);
}

#[test]
fn a_vonage_multipart_message_has_an_id_per_part() {
    let env = vonage();
    let app = &env.app;
    let (_, key) = app.account("SEK", 10_000, 0);
    let (id, ids) = send(env, &key, &recipient(), &"b".repeat(200));
    assert_eq!(ids.len(), 2, "Vonage answers one id per part");
    let stored: Vec<(i64, i64, String)> = {
        let db = app.sql();
        let mut stmt = db.prepare("SELECT part, parts, carrier_message_id FROM message_parts WHERE message_id = ? ORDER BY part").unwrap();
        stmt.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(stored, vec![(1, 2, ids[0].to_lowercase()), (2, 2, ids[1].to_lowercase())]);
    let dlr = |carrier_id: &str| {
        let body = format!("messageId={carrier_id}&status=delivered&err-code=0");
        post_receipt(app, "vonage", Some("application/x-www-form-urlencoded"), &body, Some(carrier_signature(VONAGE_WEBHOOK_SECRET, now(), &body)))
    };
    let second = dlr(&ids[1]);
    assert_eq!(second.json["outcome"], "recorded", "{}", second.text);
    assert_eq!(second.json["part"], json!({"index": 2, "total": 2}));
    assert_eq!(message(env, &key, &id)["status"]["code"], 111);
    let first = dlr(&ids[0]);
    assert_eq!(first.json["outcome"], "applied", "{}", first.text);
    assert_eq!(history_codes(&message(env, &key, &id)), vec![101, 103, 110, 111, 201]);
}

#[test]
fn a_refund_happens_exactly_once() {
    let env = http();
    let app = &env.app;
    let (account, key) = app.account("SEK", 1_000, 0);

    // A refunding status twice, then through another receipt saying the same.
    let (a, ids) = send(env, &key, &recipient(), "refund me");
    let rejected = json!({"message_id": ids[0], "status": "REJECTD"});
    let first = http_receipt(app, rejected.clone());
    assert_eq!(first.json["status"]["code"], 406, "{}", first.text);
    assert_eq!(first.json["refunded"], true);
    assert_eq!(http_receipt(app, rejected).json["outcome"], "duplicate");
    let other = http_receipt(app, json!({"message_id": ids[0], "status": "rejected", "error_code": "0"}));
    assert_eq!(other.json["outcome"], "ignored", "{}", other.text);

    // Several different refunding receipts at once: one wins, one refund.
    let (b, ids) = send(env, &key, &recipient(), "race");
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let (url, carrier_id) = (app.url("/v1/carriers/http/receipts"), ids[0].clone());
            thread::spawn(move || {
                let body = json!({"message_id": carrier_id, "status": "REJECTD", "error_code": i}).to_string();
                let signature = carrier_signature(WEBHOOK_SECRET, now(), &body);
                call("POST", &url, None, Some(body), &[("X-Signature", signature)]).json
            })
        })
        .collect();
    let replies: Vec<Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let refunded = replies.iter().filter(|r| r["refunded"] == true).count();
    assert_eq!(refunded, 1, "{replies:?}");

    // Two parts failing with refunding statuses: the message fails once, refunds once.
    let (c, ids) = send(env, &key, &recipient(), &"c".repeat(300));
    let p1 = http_receipt(app, json!({"message_id": ids[0], "status": "REJECTD", "part": 1, "parts": 2}));
    assert_eq!(p1.json["refunded"], true, "{}", p1.text);
    let p2 = http_receipt(app, json!({"message_id": ids[0], "status": "REJECTD", "part": 2, "parts": 2}));
    assert_eq!(p2.json["outcome"], "recorded", "{}", p2.text);

    for id in [&a, &b, &c] {
        assert_eq!(refunds_of(app, id), 1, "{id}");
        let got = message(env, &key, id);
        assert_eq!(got["status"]["code"], 406);
        assert_eq!(history_codes(&got).iter().filter(|c| **c == 104).count(), 1, "{id}: one Refunded in the history");
    }
    // Every debit came back: the balance is where it started, and equals the ledger.
    assert_eq!(balance(app, &account), 1_000);
    let sum: i64 =
        app.sql().query_row("SELECT SUM(amount_minor) FROM ledger_entries WHERE account_id = ?", [&account], |r| r.get(0)).unwrap();
    assert_eq!(sum, 1_000);
    app.assert_ledger_balanced();
}

#[test]
fn unknown_carriers_are_404_and_carriers_without_a_secret_503() {
    let app = &http().app;
    let body = json!({"message_id": "x", "status": "DELIVRD"}).to_string();
    let signed = || Some(carrier_signature(WEBHOOK_SECRET, now(), &body));
    let unknown = post_receipt(app, "smpp", Some("application/json"), &body, signed());
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    // This app sets only the http carrier's secret.
    for carrier in ["vonage", "sinch"] {
        let reply = post_receipt(app, carrier, Some("application/json"), &body, signed());
        assert_eq!(reply.status, 503, "{carrier}: {}", reply.text);
        assert!(reply.json["error"]["message"].as_str().unwrap().contains(&format!("{carrier}_webhook_secret")));
    }
    let stored: i64 = app.sql().query_row("SELECT COUNT(*) FROM receipts WHERE carrier_message_id = 'x'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0);
}

#[test]
fn kept_receipts_no_message_claims_are_purged_by_the_job_runner() {
    let app = &http().app;
    let (old, fresh) = (format!("GONE-{}", &recipient()[1..]), format!("WAIT-{}", &recipient()[1..]));
    for carrier_id in [&old, &fresh] {
        let reply = http_receipt(app, json!({"message_id": carrier_id, "status": "DELIVRD"}));
        assert_eq!(reply.json["outcome"], "unmatched", "{}", reply.text);
    }
    // Eight days pass for one of them.
    app.sql_write()
        .execute(
            "UPDATE receipts SET received_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-8 days') WHERE carrier_message_id = lower(?)",
            [&old],
        )
        .unwrap();
    let report = app.run_jobs();
    assert!(report.json["receipts_purged"].as_u64().unwrap() >= 1, "{}", report.text);
    let kept = |id: &str| -> i64 {
        app.sql().query_row("SELECT COUNT(*) FROM receipts WHERE carrier_message_id = lower(?)", [id], |r| r.get(0)).unwrap()
    };
    assert_eq!(kept(&old), 0, "a week without its message: dropped");
    assert_eq!(kept(&fresh), 1, "still waiting for its message");
}
