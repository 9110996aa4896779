//! Twilio's Messages API: the official Twilio Python and Node SDKs (tests/twilio, installed
//! by .ci/run) unmodified against the app — callbacks validated by the SDKs' own
//! validators, a TwiML reply to an inbound SMS — and what the SDKs do not show: money,
//! tenancy, idempotency, deletion, callbacks sent once in the right format.

use base64::Engine;
use e2e::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The sandbox carrier, with the http carrier's inbound secret so tests can deliver SMS
/// to the accounts' numbers.
fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[("carrier_webhook_secret", WEBHOOK_SECRET.into())])
    })
}

/// An account with money, an API key, its key's id, both SIDs, its webhook signing secret
/// (Twilio's validators' key) and a reception number of its own.
#[derive(Clone)]
struct TwilioAccount {
    id: String,
    key: String,
    account_sid: String,
    key_sid: String,
    webhook_secret: String,
    number: String,
}

fn twilio_account() -> TwilioAccount {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let (id, _, webhook_secret) = app().account_with_secret("SEK", 100_000);
    let key = app().admin("POST", &format!("/v1/admin/accounts/{id}/keys"), Some(json!({"name": "twilio"})));
    assert_eq!(key.status, 201, "{}", key.text);
    let key_id = key.json["id"].as_str().unwrap();
    let account_sid = format!("AC0000{}", id.strip_prefix("acc_").unwrap());
    let key_sid = format!("SK0000{}", key_id.strip_prefix("key_").unwrap());
    let number = format!("+4676200{:04}", NEXT.fetch_add(1, Ordering::Relaxed));
    let assigned = app().admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": id, "role": "primary"})));
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    TwilioAccount { id, key: key.json["key"].as_str().unwrap().to_owned(), account_sid, key_sid, webhook_secret, number }
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

fn twilio(method: &str, account: &TwilioAccount, path: &str, form: &[(&str, &str)], extra: &[(&str, String)]) -> Reply {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut headers = vec![("Authorization", basic(&account.account_sid, &account.key))];
    headers.extend(extra.iter().cloned());
    let url = app().url(&format!("/2010-04-01/Accounts/{}{path}", account.account_sid));
    let reply = call_typed(method, &url, (!form.is_empty()).then_some(("application/x-www-form-urlencoded", body)), &headers);
    Reply { status: reply.status, text: reply.text, json: reply.json }
}

/// What the SDK scripts need, as the one argument they take.
fn script_config(account: &TwilioAccount) -> String {
    json!({
        "base": app().url(""),
        "account_sid": account.account_sid,
        "api_key": account.key,
        "key_sid": account.key_sid,
        "jobs_token": JOBS_TOKEN,
        "webhook_secret": account.webhook_secret,
        "number": account.number,
        "carrier_secret": WEBHOOK_SECRET,
    })
    .to_string()
}

/// Runs an SDK script with the account's config; the JSON line it printed last.
fn run_script(program: &str, script: &str, account: &TwilioAccount) -> Value {
    let output = std::process::Command::new(program)
        .current_dir(workspace_root().join("tests/twilio"))
        .arg(script)
        .arg(script_config(account))
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{script} failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("the script's JSON line")
}

fn id_of(sid: &str) -> String {
    format!("msg_{}", &sid[6..])
}

/// The account's debits of one message.
fn debits_of(message_id: &str) -> i64 {
    app().sql().query_row("SELECT COUNT(*) FROM ledger_entries WHERE reference = ? AND kind = 'debit'", [message_id], |r| r.get(0)).unwrap()
}

#[test]
fn the_official_twilio_python_sdk_sends_lists_cancels_validates_callbacks_and_replies_with_twiml() {
    let account = twilio_account();
    let seen = run_script("python3", "sdk_test.py", &account);
    // What the SDK saw is what the database holds: each SID one of the account's messages,
    // each paid for once, the canceled one refunded.
    let db = app().sql();
    let created = id_of(seen["created"].as_str().unwrap());
    let (account_id, body): (String, String) =
        db.query_row("SELECT account_id, body FROM messages WHERE id = ?", [&created], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((account_id.as_str(), body.as_str()), (account.id.as_str(), "Hej från Twilio-SDK:n"));
    let debits: i64 = db
        .query_row("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'debit'", [&account.id], |r| r.get(0))
        .unwrap();
    assert_eq!(debits, 11, "8 sent, 1 scheduled, 1 with a status callback and 1 TwiML reply, each debited once");
    let canceled = id_of(seen["canceled"].as_str().unwrap());
    let status: i64 = db.query_row("SELECT status FROM messages WHERE id = ?", [&canceled], |r| r.get(0)).unwrap();
    assert_eq!(status, 203, "canceled");
    // The status callbacks were Twilio's: recorded so with the message, and every one of its
    // events accounted for in the log (one not sent: Twilio's status had not changed).
    let tracked = id_of(seen["tracked"].as_str().unwrap());
    let format: String = db.query_row("SELECT callback_format FROM messages WHERE id = ?", [&tracked], |r| r.get(0)).unwrap();
    assert_eq!(format, "twilio");
    let log = app().get(&account.key, "/v1/callbacks");
    let statuses = seen["statuses"].as_array().unwrap().len();
    let of_tracked: Vec<&Value> = log.json["deliveries"].as_array().unwrap().iter().filter(|d| d["message_id"] == tracked.as_str()).collect();
    assert!(of_tracked.iter().all(|d| d["state"] == "delivered"), "{}", log.text);
    let unsent = of_tracked.iter().filter(|d| d["last_http_status"].is_null()).count();
    assert_eq!((of_tracked.len() - unsent, unsent >= 1), (statuses, true), "{}", log.text);
    // The TwiML reply: from the reception number to the phone, priced and debited once,
    // recorded against the inbound message it answers.
    let reply = id_of(seen["reply"].as_str().unwrap());
    let (recipient, sender, price, reference): (String, String, i64, String) = db
        .query_row("SELECT recipient, sender, price_minor, client_reference FROM messages WHERE id = ?", [&reply], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((recipient.as_str(), sender.trim_start_matches('+')), ("+46701234502", account.number.trim_start_matches('+')));
    assert!(price > 0);
    assert_eq!(debits_of(&reply), 1);
    let inbound = format!("inb_{}", &seen["inbound"].as_str().unwrap()[6..]);
    assert_eq!(reference, format!("twiml:{inbound}"));
    let answered: String = db.query_row("SELECT message_id FROM twiml_replies WHERE inbound_id = ?", [&inbound], |r| r.get(0)).unwrap();
    assert_eq!(answered, reply);
    app().assert_ledger_balanced();
}

#[test]
fn the_official_twilio_node_sdk_sends_lists_cancels_and_validates_a_status_callback() {
    let account = twilio_account();
    let seen = run_script("node", "sdk_test.mjs", &account);
    let db = app().sql();
    let created = id_of(seen["created"].as_str().unwrap());
    let body: String = db.query_row("SELECT body FROM messages WHERE id = ? AND account_id = ?", [&created, &account.id], |r| r.get(0)).unwrap();
    assert_eq!(body, "Hej från Node");
    let debits: i64 = db
        .query_row("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'debit'", [&account.id], |r| r.get(0))
        .unwrap();
    assert_eq!(debits, 7, "5 sent, 1 scheduled and 1 with a status callback, each debited once");
    let canceled = id_of(seen["canceled"].as_str().unwrap());
    let status: i64 = db.query_row("SELECT status FROM messages WHERE id = ?", [&canceled], |r| r.get(0)).unwrap();
    assert_eq!(status, 203, "canceled");
    assert_eq!(seen["statuses"].as_array().unwrap().last().unwrap(), "delivered");
    app().assert_ledger_balanced();
}

/// `X-Twilio-Signature` checked as Twilio's validators do, written here from Twilio's
/// description independently of the app's signer: base64 HMAC-SHA1 keyed with the secret,
/// over the URL and each parameter's name and value, sorted by name.
fn twilio_signature_valid(secret: &str, url: &str, callback: &Callback) -> bool {
    use hmac::{Hmac, Mac};
    let mut params: Vec<(String, String)> = form_urlencoded::parse(callback.body.as_bytes()).into_owned().collect();
    params.sort();
    let mut data = url.to_owned();
    for (name, value) in &params {
        data.push_str(name);
        data.push_str(value);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    callback.header("X-Twilio-Signature") == Some(&base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

fn params(callback: &Callback) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(callback.body.as_bytes()).into_owned().collect()
}

/// Posts one inbound SMS to the account's number, signed as the http carrier signs.
fn inbound_sms(account: &TwilioAccount, id: &str, from: &str, text: &str) -> Value {
    let body = json!({"message_id": id, "from": from, "to": account.number, "text": text}).to_string();
    let signature = carrier_signature(WEBHOOK_SECRET, now(), &body);
    let reply = call("POST", &app().url("/v1/carriers/http/inbound"), None, Some(body), &[("X-Signature", signature)]);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

/// Runs the job runner (as cron would) until `done`, for 30 s at most: a callback another
/// test's runner has claimed is delivered by that runner, a moment later.
fn run_jobs_until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "no {what} within 30 s");
        app().run_jobs();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The attempts logged for a callback event (the runner logs one once the webhook has
/// answered and its TwiML has been acted on).
fn attempts(event_id: &str) -> i64 {
    app()
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM callback_attempts a JOIN callback_deliveries d ON d.id = a.delivery_id WHERE d.event_id = ?",
            [event_id],
            |r| r.get(0),
        )
        .unwrap()
}

fn twilio_inbound_to(account: &TwilioAccount, receiver: &CallbackReceiver) {
    let patched = app().api(&account.key, "PATCH", "/v1/account/settings", Some(json!({"inbound_webhook": receiver.url, "inbound_format": "twilio"})));
    assert_eq!((patched.status, patched.json["inbound_format"].as_str()), (200, Some("twilio")), "{}", patched.text);
}

/// The messages of the account sent to `to`, from the database.
fn sent_to(account: &TwilioAccount, to: &str) -> Vec<(String, String)> {
    let db = app().sql();
    let mut statement = db.prepare("SELECT id, body FROM messages WHERE account_id = ? AND recipient = ? ORDER BY id").unwrap();
    statement.query_map([&account.id, to], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

const TWO_REPLIES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Message>Thanks!</Message><Message to="+46701239002"><Body>Copy for the office</Body></Message><Redirect>https://example.invalid/next</Redirect></Response>"#;

#[test]
fn a_twiml_answer_is_sent_once_however_often_the_webhook_is_called() {
    let account = twilio_account();
    let receiver = CallbackReceiver::answering("text/xml", TWO_REPLIES);
    twilio_inbound_to(&account, &receiver);
    let before = app().account_balance(&account.id);
    let received = inbound_sms(&account, "tw-once-1", "+46701239001", "Hello");
    let inbound_id = received["inbound_id"].as_str().unwrap().to_owned();
    let event = format!("evt_{inbound_id}");
    run_jobs_until("inbound callback", || attempts(&event) == 1);
    let calls = receiver.calls();
    assert_eq!(calls.len(), 1);
    let url = receiver.url.clone();
    assert!(twilio_signature_valid(&account.webhook_secret, &url, &calls[0]), "{:?}", calls[0]);
    assert!(!twilio_signature_valid("whsec_other", &url, &calls[0]));
    let form = params(&calls[0]);
    assert_eq!((form["Body"].as_str(), form["From"].as_str(), form["To"].as_str()), ("Hello", "+46701239001", account.number.as_str()));
    assert_eq!(form["MessageSid"], format!("SM0001{}", &inbound_id[4..]));
    assert_eq!(calls[0].header("I-Twilio-Idempotency-Token"), Some(format!("evt_{inbound_id}").as_str()));
    assert!(calls[0].header("webhook-signature").is_none(), "Twilio's format only");
    // Both <Message>s went: to the sender, and to the number the second one names.
    let to_sender = sent_to(&account, "+46701239001");
    let to_office = sent_to(&account, "+46701239002");
    assert_eq!(to_sender.iter().map(|(_, b)| b.as_str()).collect::<Vec<_>>(), ["Thanks!"]);
    assert_eq!(to_office.iter().map(|(_, b)| b.as_str()).collect::<Vec<_>>(), ["Copy for the office"]);
    // The delivery log says what was not done (<Redirect>).
    let log = app().get(&account.key, "/v1/callbacks");
    let delivery = &log.json["deliveries"][0];
    assert_eq!(delivery["state"], "delivered", "{}", log.text);
    assert!(delivery["last_error"].as_str().unwrap_or("").contains("<Redirect>"), "{}", log.text);

    // The customer replays the callback; the webhook answers the same TwiML again.
    let replay = call("POST", &app().url(&format!("/v1/callbacks/evt_{inbound_id}/replay")), Some(&account.key), None, &[]);
    assert_eq!(replay.status, 202, "{}", replay.text);
    run_jobs_until("replayed callback", || attempts(&event) == 2);
    assert_eq!(receiver.calls().len(), 2, "called again");
    assert_eq!(sent_to(&account, "+46701239001").len(), 1, "but the reply is not sent twice");
    assert_eq!(sent_to(&account, "+46701239002").len(), 1);
    let replies = [&to_sender[0].0, &to_office[0].0];
    for id in replies {
        assert_eq!(debits_of(id), 1);
    }
    let prices: i64 = replies
        .iter()
        .map(|id| app().sql().query_row("SELECT price_minor FROM messages WHERE id = ?", [id], |r| r.get::<_, i64>(0)).unwrap())
        .sum();
    assert_eq!(app().account_balance(&account.id), before - prices, "the replies, paid once each");
    app().assert_ledger_balanced();
}

#[test]
fn a_stop_is_forwarded_in_twilios_format_and_never_answered() {
    let account = twilio_account();
    let receiver = CallbackReceiver::answering("application/xml", "<Response><Message>Sorry to see you go</Message></Response>");
    twilio_inbound_to(&account, &receiver);
    let stopped = inbound_sms(&account, "tw-stop-1", "+46701239011", "STOP");
    assert_eq!(stopped["action"], "opt_out");
    let inbound_id = stopped["inbound_id"].as_str().unwrap();
    run_jobs_until("inbound callback", || attempts(&format!("evt_{inbound_id}")) == 1);
    let calls = receiver.calls();
    assert_eq!(calls.len(), 1, "the webhook hears of it, as Twilio's would");
    assert_eq!(params(&calls[0])["Body"], "STOP");
    assert!(sent_to(&account, "+46701239011").is_empty(), "nothing goes to a number that just opted out");
    let detail: String =
        app().sql().query_row("SELECT detail FROM twiml_replies WHERE inbound_id = ?", [inbound_id], |r| r.get(0)).unwrap();
    assert!(detail.contains("opted out"), "{detail}");
    // An answer that is not TwiML sends nothing either, and is not an error of the delivery.
    let plain = CallbackReceiver::answering("application/json", "{\"ok\": true}");
    twilio_inbound_to(&account, &plain);
    let plain_sms = inbound_sms(&account, "tw-plain-1", "+46701239012", "Hi");
    run_jobs_until("inbound callback", || attempts(&format!("evt_{}", plain_sms["inbound_id"].as_str().unwrap())) == 1);
    assert_eq!(plain.calls().len(), 1);
    assert!(sent_to(&account, "+46701239012").is_empty());
}

#[test]
fn callbacks_keep_the_format_of_the_api_that_asked_for_them() {
    let account = twilio_account();
    let receiver = CallbackReceiver::start(0, 200);
    // Our API: our JSON, Standard Webhooks signed.
    let ours = app().send(&account.key, json!({"from": "ACME", "to": "+46701239021", "text": "ours", "status_callback": receiver.url}));
    assert_eq!(ours.status, 201, "{}", ours.text);
    // Twilio's API with a StatusCallback: Twilio's form; without one, the account's default
    // URL in our format (it was set for our format).
    let theirs = twilio("POST", &account, "/Messages.json", &[("To", "+46701239022"), ("From", "ACME"), ("Body", "theirs"), ("StatusCallback", &receiver.url)], &[]);
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let default = CallbackReceiver::start(0, 200);
    let patched = app().api(&account.key, "PATCH", "/v1/account/settings", Some(json!({"status_callback": default.url})));
    assert_eq!(patched.status, 200, "{}", patched.text);
    let defaulted = twilio("POST", &account, "/Messages.json", &[("To", "+46701239023"), ("From", "ACME"), ("Body", "default")], &[]);
    assert_eq!(defaulted.status, 201, "{}", defaulted.text);
    let ids = [ours.json["messages"][0]["id"].as_str().unwrap().to_owned(), id_of(theirs.json["sid"].as_str().unwrap()), id_of(defaulted.json["sid"].as_str().unwrap())];
    for id in &ids {
        app().final_message(&account.key, id);
    }
    // Every event of the three messages has been called back (or skipped, logged).
    let pending = |id: &str| -> i64 {
        app().sql().query_row("SELECT COUNT(*) FROM callback_deliveries WHERE message_id = ? AND state = 'pending'", [id], |r| r.get(0)).unwrap()
    };
    run_jobs_until("status callbacks", || ids.iter().all(|id| pending(id) == 0));
    let calls = receiver.calls();
    let json_calls: Vec<&Callback> = calls.iter().filter(|c| c.header("content-type") == Some("application/json")).collect();
    let form_calls: Vec<&Callback> = calls.iter().filter(|c| c.header("content-type") == Some("application/x-www-form-urlencoded")).collect();
    assert_eq!(json_calls.len() + form_calls.len(), calls.len(), "{calls:?}");
    assert!(json_calls.iter().all(|c| c.json()["data"]["to"] == "+46701239021" && standard_webhook_valid(&account.webhook_secret, c)));
    assert!(!form_calls.is_empty());
    for call in &form_calls {
        assert!(twilio_signature_valid(&account.webhook_secret, &receiver.url, call), "{call:?}");
        let form = params(call);
        assert_eq!(form["MessageSid"], theirs.json["sid"].as_str().unwrap());
        assert!(["queued", "sending", "sent", "delivered"].contains(&form["MessageStatus"].as_str()), "{form:?}");
    }
    assert_eq!(params(form_calls.last().unwrap())["MessageStatus"], "delivered");
    assert!(default.calls().iter().all(|c| c.json()["data"]["to"] == "+46701239023"), "ours at the default URL");
    assert!(!default.calls().is_empty());
    // The setting takes only the two formats.
    let bad = app().api(&account.key, "PATCH", "/v1/account/settings", Some(json!({"inbound_format": "xml"})));
    assert_eq!(bad.status, 400, "{}", bad.text);
    let settings = app().get(&account.key, "/v1/account/settings");
    assert_eq!(settings.json["inbound_format"], "json", "{}", settings.text);
}

#[test]
fn a_key_of_one_account_never_reaches_another() {
    let (a, b) = (twilio_account(), twilio_account());
    let sent = twilio("POST", &a, "/Messages.json", &[("To", "+46701234567"), ("From", "ACME"), ("Body", "mine")], &[]);
    assert_eq!(sent.status, 201, "{}", sent.text);
    let sid = sent.json["sid"].as_str().unwrap().to_owned();
    // B's key on A's path, A's SID with B's key, B's key reading A's message on B's path.
    let crossed = TwilioAccount { key: b.key.clone(), ..a.clone() };
    for reply in [
        twilio("GET", &crossed, &format!("/Messages/{sid}.json"), &[], &[]),
        twilio("POST", &crossed, "/Messages.json", &[("To", "+46701234567"), ("From", "ACME"), ("Body", "theirs")], &[]),
    ] {
        assert_eq!((reply.status, reply.json["code"].as_u64()), (401, Some(20003)), "{}", reply.text);
    }
    let other = twilio("GET", &b, &format!("/Messages/{sid}.json"), &[], &[]);
    assert_eq!((other.status, other.json["code"].as_u64()), (404, Some(20404)), "{}", other.text);
    let listed = twilio("GET", &b, "/Messages.json", &[], &[]);
    assert_eq!(listed.json["messages"], json!([]), "{}", listed.text);
    // A bearer key is not Basic: Twilio's paths take only Twilio's credentials.
    let bearer = call("GET", &app().url(&format!("/2010-04-01/Accounts/{}/Messages.json", a.account_sid)), Some(&a.key), None, &[]);
    assert_eq!(bearer.status, 401, "{}", bearer.text);
}

#[test]
fn one_idempotency_token_one_message_and_one_debit() {
    let account = twilio_account();
    let form = [("To", "+46701234567"), ("From", "ACME"), ("Body", "once")];
    let token = [("I-Twilio-Idempotency-Token", "retry-1".to_owned())];
    let first = twilio("POST", &account, "/Messages.json", &form, &token);
    let second = twilio("POST", &account, "/Messages.json", &form, &token);
    assert_eq!((first.status, second.status), (201, 201), "{} {}", first.text, second.text);
    assert_eq!(first.json["sid"], second.json["sid"], "the same message again");
    let other = twilio("POST", &account, "/Messages.json", &[("To", "+46701234567"), ("From", "ACME"), ("Body", "another")], &token);
    assert_eq!(other.status, 422, "{}", other.text);
    let count: i64 = app().sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&account.id], |r| r.get(0)).unwrap();
    assert_eq!(count, 1);
    app().assert_ledger_balanced();
}

#[test]
fn max_price_refuses_a_dearer_message_and_charges_nothing() {
    let account = twilio_account();
    let dear = twilio("POST", &account, "/Messages.json", &[("To", "+46701234567"), ("From", "ACME"), ("Body", "x"), ("MaxPrice", "0.00001")], &[]);
    assert_eq!((dear.status, dear.json["code"].as_u64()), (400, Some(30010)), "{}", dear.text);
    let fine = twilio("POST", &account, "/Messages.json", &[("To", "+46701234567"), ("From", "ACME"), ("Body", "x"), ("MaxPrice", "1000")], &[]);
    assert_eq!(fine.status, 201, "{}", fine.text);
    let balance: i64 = app().sql().query_row("SELECT balance_minor FROM accounts WHERE id = ?", [&account.id], |r| r.get(0)).unwrap();
    let price: i64 = app().sql().query_row("SELECT price_minor FROM messages WHERE account_id = ?", [&account.id], |r| r.get(0)).unwrap();
    assert_eq!(balance, 100_000 - price, "only the message that went is paid for");
}

#[test]
fn a_final_message_can_be_redacted_and_deleted_and_its_money_stays() {
    let account = twilio_account();
    let sent = twilio("POST", &account, "/Messages.json", &[("To", "+46701234567"), ("From", "ACME"), ("Body", "secret text")], &[]);
    assert_eq!(sent.status, 201, "{}", sent.text);
    let sid = sent.json["sid"].as_str().unwrap().to_owned();
    let id = format!("msg_{}", &sid[6..]);
    // The sandbox delivers it; once final its text can go.
    app().final_message(&account.key, &id);
    let redacted = twilio("POST", &account, &format!("/Messages/{sid}.json"), &[("Body", "")], &[]);
    assert_eq!((redacted.status, redacted.json["body"].as_str()), (200, Some("")), "{}", redacted.text);
    assert_eq!(redacted.json["status"], "delivered");
    let deleted = twilio("DELETE", &account, &format!("/Messages/{sid}.json"), &[], &[]);
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let gone = twilio("GET", &account, &format!("/Messages/{sid}.json"), &[], &[]);
    assert_eq!((gone.status, gone.json["code"].as_u64()), (404, Some(20404)));
    assert_eq!(app().get(&account.key, &format!("/v1/messages/{id}")).status, 404, "gone from our API too");
    let (body, price): (String, i64) =
        app().sql().query_row("SELECT body, price_minor FROM messages WHERE id = ?", [&id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(body, "", "no text kept");
    assert!(price > 0, "the price stays for invoices");
    app().assert_ledger_balanced();
}

#[test]
fn a_message_under_way_is_neither_redacted_nor_deleted() {
    let account = twilio_account();
    let later = rfc3339_in(3_600);
    let sent = twilio(
        "POST",
        &account,
        "/Messages.json",
        &[("To", "+46701234567"), ("From", "ACME"), ("Body", "later"), ("SendAt", &later), ("ScheduleType", "fixed")],
        &[],
    );
    assert_eq!((sent.status, sent.json["status"].as_str()), (201, Some("scheduled")), "{}", sent.text);
    let sid = sent.json["sid"].as_str().unwrap().to_owned();
    let deleted = twilio("DELETE", &account, &format!("/Messages/{sid}.json"), &[], &[]);
    assert_eq!((deleted.status, deleted.json["code"].as_u64()), (409, Some(20009)), "{}", deleted.text);
    let redacted = twilio("POST", &account, &format!("/Messages/{sid}.json"), &[("Body", "")], &[]);
    assert_eq!(redacted.status, 409, "{}", redacted.text);
    let still = twilio("GET", &account, &format!("/Messages/{sid}.json"), &[], &[]);
    assert_eq!(still.json["body"], "later");
}

#[test]
fn the_accounts_messaging_service_sends_from_its_primary_number() {
    let account = twilio_account();
    let service = account.account_sid.replacen("AC", "MG", 1);
    let sent = twilio("POST", &account, "/Messages.json", &[("To", "+46701234567"), ("MessagingServiceSid", &service), ("Body", "from the pool")], &[]);
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["from"], json!(account.number), "the account's primary reception number: {}", sent.text);
    let stored: String = app().sql().query_row("SELECT sender FROM messages WHERE id = ?", [id_of(sent.json["sid"].as_str().unwrap())], |r| r.get(0)).unwrap();
    assert_eq!(stored, account.number.trim_start_matches('+'), "stored as carriers take a numeric sender");
    // Another account's service, and an account whose pool is empty.
    let other = twilio_account();
    let foreign = twilio("POST", &account, "/Messages.json", &[("To", "+46701234567"), ("MessagingServiceSid", &other.account_sid.replacen("AC", "MG", 1)), ("Body", "x")], &[]);
    assert_eq!((foreign.status, foreign.json["code"].as_u64()), (400, Some(21701)), "{}", foreign.text);
    let released = app().admin("DELETE", &format!("/v1/admin/numbers/{}", urlencoding(&other.number)), None);
    assert!(released.status < 300, "{}", released.text);
    let empty = twilio("POST", &other, "/Messages.json", &[("To", "+46701234567"), ("MessagingServiceSid", &other.account_sid.replacen("AC", "MG", 1)), ("Body", "x")], &[]);
    assert_eq!((empty.status, empty.json["code"].as_u64()), (400, Some(21703)), "{}", empty.text);
    let count: i64 = app().sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&other.id], |r| r.get(0)).unwrap();
    assert_eq!(count, 0, "a refused send stores nothing");
    app().assert_ledger_balanced();
}

fn urlencoding(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
