//! Twilio's Messages API: the official Twilio Python SDK (tests/twilio/requirements.txt,
//! installed by .ci/run) unmodified against the app, and what the SDK does not show:
//! money, tenancy, idempotency, deletion.

use base64::Engine;
use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

/// An account with money, an API key, its key's id, and both SIDs.
#[derive(Clone)]
struct TwilioAccount {
    id: String,
    key: String,
    account_sid: String,
    key_sid: String,
}

fn twilio_account() -> TwilioAccount {
    let (id, _) = app().account("SEK", 100_000, 0);
    let key = app().admin("POST", &format!("/v1/admin/accounts/{id}/keys"), Some(json!({"name": "twilio"})));
    assert_eq!(key.status, 201, "{}", key.text);
    let key_id = key.json["id"].as_str().unwrap();
    let account_sid = format!("AC0000{}", id.strip_prefix("acc_").unwrap());
    let key_sid = format!("SK0000{}", key_id.strip_prefix("key_").unwrap());
    TwilioAccount { id, key: key.json["key"].as_str().unwrap().to_owned(), account_sid, key_sid }
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

#[test]
fn the_official_twilio_python_sdk_sends_fetches_lists_cancels_and_gets_twilios_errors() {
    let account = twilio_account();
    let output = std::process::Command::new("python3")
        .arg(workspace_root().join("tests/twilio/sdk_test.py"))
        .args([app().url(""), account.account_sid.clone(), account.key.clone(), account.key_sid.clone()])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the SDK script failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("the script's JSON line");
    // What the SDK saw is what the database holds: each SID one of the account's messages,
    // each paid for once, the canceled one refunded.
    let db = app().sql();
    let sid_id = |sid: &str| format!("msg_{}", &sid[6..]);
    let created = sid_id(seen["created"].as_str().unwrap());
    let (account_id, body): (String, String) =
        db.query_row("SELECT account_id, body FROM messages WHERE id = ?", [&created], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((account_id.as_str(), body.as_str()), (account.id.as_str(), "Hej från Twilio-SDK:n"));
    let debits: i64 = db
        .query_row("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'debit'", [&account.id], |r| r.get(0))
        .unwrap();
    assert_eq!(debits, 9, "8 sent and 1 scheduled, each debited once");
    let canceled = sid_id(seen["canceled"].as_str().unwrap());
    let status: i64 = db.query_row("SELECT status FROM messages WHERE id = ?", [&canceled], |r| r.get(0)).unwrap();
    assert_eq!(status, 203, "canceled");
    app().assert_ledger_balanced();
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
