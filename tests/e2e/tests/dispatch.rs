//! End-to-end: the job runner (scheduled sends, expiry), customer status callbacks with
//! Standard Webhooks signatures, retries, ordering, the delivery log and replay, and the
//! cancel of scheduled sends — on the real `spin up` and the real SQLite file.

use e2e::*;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| Env::start(8))
}

fn message(app: &SpinApp, key: &str, id: &str) -> Value {
    let got = app.get(key, &format!("/v1/messages/{id}"));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

fn history(message: &Value) -> Vec<u64> {
    message["history"].as_array().unwrap().iter().map(|e| e["status"].as_u64().unwrap()).collect()
}

fn balance(app: &SpinApp, account: &str) -> i64 {
    app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["balance_minor"].as_i64().unwrap()
}

/// Makes time pass for the retry schedule: every pending callback of the account is due now.
fn callbacks_due_now(app: &SpinApp, account: &str) {
    app.sql_write()
        .execute(
            "UPDATE callback_deliveries SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE account_id = ? AND state = 'pending'",
            [account],
        )
        .unwrap();
}

#[test]
fn callbacks_survive_two_failures_and_arrive_in_order_signed() {
    let app = &env().sandbox;
    let (account, key, secret) = app.account_with_secret("SEK", 10_000);
    let receiver = CallbackReceiver::start(2, 200);
    let sent = app.send(
        &key,
        json!({"from": "ACME", "to": "+46701234567", "text": "Hej", "client_reference": "cb-1", "status_callback": receiver.url}),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let statuses = history(&app.final_message(&key, &id));
    assert_eq!(statuses, vec![101, 103, 110, 111, 201]);

    // Attempt 1 fails (503), the next is 5 s away: nothing more this run.
    let run = app.run_jobs();
    assert_eq!(run.json["callbacks_retrying"], 1, "{}", run.text);
    assert_eq!(receiver.calls().len(), 1);
    callbacks_due_now(app, &account);
    app.run_jobs(); // attempt 2: 503 again
    assert_eq!(receiver.calls().len(), 2);
    callbacks_due_now(app, &account);
    let run = app.run_jobs(); // attempt 3 succeeds; the later events follow in the same run
    assert_eq!(run.json["callbacks_delivered"], 5, "{}", run.text);

    let calls = receiver.calls();
    assert_eq!(calls.iter().map(|c| c.answered).collect::<Vec<_>>(), vec![503, 503, 200, 200, 200, 200, 200]);
    let delivered: Vec<u64> = calls.iter().skip(2).map(|c| c.json()["data"]["status"]["code"].as_u64().unwrap()).collect();
    assert_eq!(delivered, statuses, "every status change, in order");
    for call in &calls {
        // A stated length, not a chunked body: receivers such as Python's http.server read
        // no body without one, and then no signature verifies.
        assert_eq!(call.header("content-length"), Some(call.body.len().to_string().as_str()), "{call:?}");
        assert_eq!(call.header("transfer-encoding"), None, "{call:?}");
        assert!(standard_webhook_valid(&secret, call), "a valid Standard Webhooks signature: {call:?}");
        assert!(!standard_webhook_valid("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", call), "not valid under another secret");
        let body = call.json();
        assert_eq!(body["type"], "message.status");
        assert_eq!(body["data"]["message_id"], id.as_str());
        assert_eq!(body["data"]["client_reference"], "cb-1");
        assert_eq!(call.header("webhook-id").unwrap(), body["id"].as_str().unwrap());
    }
    // The retries carried the same event id; each event has its own.
    assert_eq!(calls[0].header("webhook-id"), calls[2].header("webhook-id"));
    let ids: std::collections::HashSet<_> = calls.iter().skip(2).map(|c| c.header("webhook-id").unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(calls[6].json()["data"]["previous_status"]["code"], 111);
    assert_eq!(calls[6].json()["data"]["final"], true);
    assert_eq!(calls[6].json()["data"]["carrier_status"], json!({"status": "DELIVRD", "error": "000"}), "the sandbox's receipt");
    assert_eq!(calls[5].json()["data"]["carrier_status"], Value::Null);

    // The delivery log shows each attempt.
    let log = app.get(&key, "/v1/callbacks");
    assert_eq!(log.status, 200, "{}", log.text);
    let deliveries = log.json["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 5);
    let first = deliveries.last().unwrap();
    assert_eq!(first["state"], "delivered");
    let attempts: Vec<u64> = first["attempt_log"].as_array().unwrap().iter().map(|a| a["http_status"].as_u64().unwrap()).collect();
    assert_eq!(attempts, vec![503, 503, 200]);

    // Running again sends nothing twice.
    let run = app.run_jobs();
    assert_eq!(run.json["callbacks_delivered"], 0);
    assert_eq!(receiver.calls().len(), 7);

    // Replay sends the same event again, with the same id.
    let event = first["event_id"].as_str().unwrap();
    let replay = call("POST", &app.url(&format!("/v1/callbacks/{event}/replay")), Some(&key), None, &[]);
    assert_eq!(replay.status, 202, "{}", replay.text);
    app.run_jobs();
    let calls = receiver.calls();
    assert_eq!(calls.len(), 8);
    assert_eq!(calls[7].header("webhook-id"), Some(event));
    assert!(standard_webhook_valid(&secret, &calls[7]));
    app.assert_ledger_balanced();
}

#[test]
fn a_refusing_endpoint_is_not_retried_and_the_default_callback_applies() {
    let app = &env().sandbox;
    let (account, key, _) = app.account_with_secret("SEK", 10_000);
    let receiver = CallbackReceiver::start(0, 410);
    let patched = call(
        "PATCH",
        &app.url("/v1/account/settings"),
        Some(&key),
        Some(json!({"status_callback": receiver.url}).to_string()),
        &[],
    );
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["status_callback"], receiver.url.as_str());
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234568", "text": "Hej"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let run = app.run_jobs();
    // 410 Gone: given up at once; the message's later events still go (each refused too).
    assert_eq!(run.json["callbacks_failed"], 5, "{}", run.text);
    callbacks_due_now(app, &account);
    app.run_jobs();
    assert_eq!(receiver.calls().len(), 5, "no event is retried after a 4xx");
    let failed = app.get(&key, "/v1/callbacks?state=failed");
    assert_eq!(failed.json["deliveries"].as_array().unwrap().len(), 5);
    let bad = call("PATCH", &app.url("/v1/account/settings"), Some(&key), Some(json!({"status_callback": "ftp://x"}).to_string()), &[]);
    assert_eq!(bad.status, 400, "{}", bad.text);
}

#[test]
fn rotating_the_secret_signs_with_both_for_a_day() {
    let app = &env().sandbox;
    let (_, key, old) = app.account_with_secret("SEK", 10_000);
    let rotated = call("POST", &app.url("/v1/account/webhook-secret"), Some(&key), None, &[]);
    assert_eq!(rotated.status, 201, "{}", rotated.text);
    let new = rotated.json["webhook_secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    let receiver = CallbackReceiver::start(0, 204);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234569", "text": "Hej", "status_callback": receiver.url}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    app.run_jobs();
    let calls = receiver.calls();
    assert_eq!(calls.len(), 5);
    assert!(calls.iter().all(|c| standard_webhook_valid(&new, c) && standard_webhook_valid(&old, c)));
    assert!(app.get(&key, "/v1/account/settings").text.find("whsec_").is_none(), "the secret is never shown again");
}

#[test]
fn webhook_secrets_are_sealed_at_rest_and_one_stored_before_is_sealed_when_next_used() {
    let app = &env().sandbox;
    let (account, key, old) = app.account_with_secret("SEK", 10_000);
    let rotated = call("POST", &app.url("/v1/account/webhook-secret"), Some(&key), None, &[]);
    assert_eq!(rotated.status, 201, "{}", rotated.text);
    let new = rotated.json["webhook_secret"].as_str().unwrap().to_owned();
    let stored = |app: &SpinApp| -> (String, Option<String>) {
        app.sql()
            .query_row("SELECT webhook_secret, webhook_secret_previous FROM accounts WHERE id = ?", [&account], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let (current, previous) = stored(app);
    let previous = previous.expect("the old secret signs for a day");
    for (column, secret) in [(&current, &new), (&previous, &old)] {
        assert!(column.starts_with("v1.") && !column.contains(secret.trim_start_matches("whsec_")), "sealed: {column}");
    }
    // A secret stored before sealing (as an older build wrote it) still signs, and is
    // sealed the first time it is used.
    app.sql_write().execute("UPDATE accounts SET webhook_secret = ?, webhook_secret_previous = NULL WHERE id = ?", [&new, &account]).unwrap();
    let receiver = CallbackReceiver::start(0, 204);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234570", "text": "Hej", "status_callback": receiver.url}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    app.run_jobs();
    let calls = receiver.calls();
    assert!(!calls.is_empty() && calls.iter().all(|c| standard_webhook_valid(&new, c)));
    let (current, _) = stored(app);
    assert!(current.starts_with("v1.") && !current.contains(new.trim_start_matches("whsec_")), "sealed when used: {current}");
}

#[test]
fn a_scheduled_send_waits_until_due_and_leaves_once() {
    let Env { carrier, app, .. } = env();
    let (account, key) = app.account("SEK", 10_000, 0);
    let send_at = rfc3339_in(3);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701230001", "text": "Later", "send_at": send_at}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["messages"][0]["status"]["code"], 103, "Funded, waiting");
    assert_eq!(balance(app, &account), 10_000 - 35, "the price is reserved at once");
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();

    let run = app.run_jobs();
    assert_eq!(run.json["delivery"]["taken"], 0, "not yet due: {}", run.text);
    assert!(carrier.find(&id).is_none());
    assert_eq!(history(&message(app, &key, &id)), vec![101, 103]);

    thread::sleep(Duration::from_millis(3_500));
    // Four runners at once: the message still leaves exactly once.
    let runs: Vec<_> = (0..4).map(|_| thread::spawn({
        let url = app.url("/v1/jobs/run");
        move || call("POST", &url, Some(JOBS_TOKEN), None, &[]).json["delivery"]["accepted"].as_u64().unwrap()
    })).collect();
    let total: u64 = runs.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(total, 1);
    let submits = carrier.received.lock().unwrap().iter().filter(|r| r.body["reference"] == id.as_str()).count();
    assert_eq!(submits, 1);
    let got = message(app, &key, &id);
    assert_eq!(got["status"]["code"], 111);
    assert_eq!(history(&got), vec![101, 103, 110, 111]);
    app.assert_ledger_balanced();
}

#[test]
fn local_send_times_are_read_in_the_time_zone() {
    let app = &env().sandbox;
    let (_, key) = app.account("SEK", 10_000, 0);
    let sent = app.send(
        &key,
        json!({"from": "ACME", "to": "+46701230002", "text": "Jul", "send_at": "2027-07-01T09:30", "time_zone": "Europe/Stockholm"}),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["send_at"], "2027-07-01T07:30:00.000Z", "CEST is UTC+2");
    let patched = call("PATCH", &app.url("/v1/account/settings"), Some(&key), Some(json!({"time_zone": "America/New_York"}).to_string()), &[]);
    assert_eq!(patched.status, 200, "{}", patched.text);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701230003", "text": "Jul", "send_at": "2027-01-15 08:00"}));
    assert_eq!(sent.json["send_at"], "2027-01-15T13:00:00.000Z", "the account's zone, EST is UTC-5");
}

#[test]
fn scheduling_errors_are_clear_and_store_nothing() {
    let app = &env().sandbox;
    let (account, key) = app.account("SEK", 10_000, 0);
    for (body, name) in [
        (json!({"send_at": "tomorrow"}), "InvalidSendAt"),
        (json!({"send_at": "2020-01-01T00:00:00Z"}), "InvalidSendAt"),
        (json!({"send_at": "2027-03-28T02:30", "time_zone": "Europe/Stockholm"}), "InvalidSendAt"),
        (json!({"send_at": "2027-01-01T10:00", "time_zone": "Mars/Olympus"}), "InvalidTimeZone"),
        (json!({"validity": 10}), "InvalidValidity"),
        (json!({"status_callback": "not a url"}), "InvalidCallbackUrl"),
    ] {
        let mut request = json!({"from": "ACME", "to": "+46701230004", "text": "x"});
        for (k, v) in body.as_object().unwrap() {
            request[k] = v.clone();
        }
        let sent = app.send(&key, request);
        assert_eq!(sent.status, 400, "{}", sent.text);
        assert_eq!(sent.json["error"]["name"], name, "{}", sent.text);
    }
    assert_eq!(balance(app, &account), 10_000);
    let stored: i64 = app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&account], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0);
}

#[test]
fn cancel_refunds_a_scheduled_send_and_nothing_else() {
    let app = &env().sandbox;
    let (account, key) = app.account("SEK", 10_000, 0);
    let (_, other_key) = app.account("SEK", 10_000, 0);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701230005", "text": "Later", "send_at": rfc3339_in(3600)}));
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(app, &account), 10_000 - 35);

    let foreign = call("DELETE", &app.url(&format!("/v1/messages/{id}")), Some(&other_key), None, &[]);
    assert_eq!(foreign.status, 404);
    let canceled = call("DELETE", &app.url(&format!("/v1/messages/{id}")), Some(&key), None, &[]);
    assert_eq!(canceled.status, 200, "{}", canceled.text);
    assert_eq!(canceled.json["status"]["code"], 203);
    assert_eq!(canceled.json["refunded"], true);
    assert_eq!(balance(app, &account), 10_000);
    assert_eq!(history(&message(app, &key, &id)), vec![101, 103, 203, 104]);

    let again = call("DELETE", &app.url(&format!("/v1/messages/{id}")), Some(&key), None, &[]);
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(balance(app, &account), 10_000, "refunded once");

    // A message that already left cannot be canceled.
    let now = app.send(&key, json!({"from": "ACME", "to": "+46701230006", "text": "Now"}));
    let now_id = now.json["messages"][0]["id"].as_str().unwrap();
    let late = call("DELETE", &app.url(&format!("/v1/messages/{now_id}")), Some(&key), None, &[]);
    assert_eq!(late.status, 409, "{}", late.text);
    app.assert_ledger_balanced();
}

#[test]
fn messages_without_a_final_status_expire_and_only_unsent_ones_are_refunded() {
    let Env { app, .. } = env();
    let (account, key) = app.account("SEK", 10_000, 0);
    // Handed to the carrier, no receipt ever comes.
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701230007", "text": "Lost", "validity": 300}));
    let handed = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.at_carrier(&key, &handed)["status"]["code"], 111, "{}", sent.text);
    // Scheduled for tomorrow; its validity ends before it could leave.
    let later = app.send(&key, json!({"from": "ACME", "to": "+46701230008", "text": "Never", "send_at": rfc3339_in(86_400)}));
    let unsent = later.json["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(app, &account), 10_000 - 70);

    assert_eq!(app.run_jobs().json["expired"], 0, "nothing has expired yet");
    app.sql_write()
        .execute("UPDATE messages SET expires_at = '2000-01-01T00:00:00.000Z' WHERE account_id = ?", [&account])
        .unwrap();
    assert_eq!(app.run_jobs().json["expired"], 2);
    let handed = message(app, &key, &handed);
    assert_eq!(handed["status"]["code"], 202);
    assert_eq!(history(&handed), vec![101, 103, 110, 111, 202], "the carrier took it: not refunded");
    let unsent = message(app, &key, &unsent);
    assert_eq!(history(&unsent), vec![101, 103, 202, 104], "it never left: refunded");
    assert_eq!(balance(app, &account), 10_000 - 35);
    assert_eq!(app.run_jobs().json["expired"], 0, "final statuses stay");
    app.assert_ledger_balanced();
}

#[test]
fn the_job_runner_needs_its_token() {
    let app = &env().sandbox;
    let anonymous = call("POST", &app.url("/v1/jobs/run"), None, None, &[]);
    assert_eq!(anonymous.status, 401);
    let wrong = call("POST", &app.url("/v1/jobs/run"), Some(ADMIN_TOKEN), None, &[]);
    assert_eq!(wrong.status, 401);
}
