//! End-to-end: inbound SMS through the real `spin up`: carriers' inbound webhooks, the
//! keywords (STOP, START, HELP, Spara/SAVE, custom), multipart reassembly, the inbox,
//! forwarding to the account's webhook, and opt-out enforced at send.

use e2e::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

const UNSUBSCRIBE_SECRET: &str = "an-unsubscribe-secret-of-at-least-32-bytes";

fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[
            ("carrier_webhook_secret", WEBHOOK_SECRET.into()),
            ("vonage_webhook_secret", WEBHOOK_SECRET.into()),
            ("unsubscribe_secret", UNSUBSCRIBE_SECRET.into()),
            ("secrets_key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
        ])
    })
}

/// A fresh reception number for each test, so tests can share the app.
fn new_number() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("+4676100{:04}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// An account that receives on a number of its own: (account, key, number).
fn receiving_account() -> (String, String, String) {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let number = new_number();
    let assigned = app.admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": account, "role": "primary"})));
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    (account, key, number)
}

/// Posts one inbound SMS in our JSON format, signed like the carrier.
fn inbound(id: &str, from: &str, to: &str, text: &str, concat: Option<(&str, u32, u32)>) -> Reply {
    let mut body = json!({"message_id": id, "from": from, "to": to, "text": text});
    if let Some((reference, part, parts)) = concat {
        body["concat"] = json!({"reference": reference, "part": part, "parts": parts});
    }
    let body = body.to_string();
    let signature = carrier_signature(WEBHOOK_SECRET, now(), &body);
    let reply = call("POST", &app().url("/v1/carriers/http/inbound"), None, Some(body), &[("X-Signature", signature)]);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply
}

fn inbox(key: &str, query: &str) -> Vec<Value> {
    let got = app().get(key, &format!("/v1/inbox{query}"));
    assert_eq!(got.status, 200, "{}", got.text);
    got.json["messages"].as_array().unwrap().clone()
}

fn balance(account: &str) -> i64 {
    app().admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["balance_minor"].as_i64().unwrap()
}

fn settings(key: &str, patch: Value) {
    let reply = app().api(key, "PATCH", "/v1/account/settings", Some(patch));
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn stop_blocks_sends_to_the_number_and_start_lifts_it() {
    let app = app();
    let (account, key, number) = receiving_account();
    let sender = "+46701110001";
    let stopped = inbound("in-stop-1", sender, &number, "  Stop! ", None);
    assert_eq!(stopped.json["action"], "opt_out", "{}", stopped.text);

    let before = balance(&account);
    let refused = app.send(&key, json!({"from": "ACME", "to": sender, "text": "Offer"}));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.json["error"]["code"], 405);
    assert!(refused.text.contains("opted out (STOP"), "says why: {}", refused.text);
    // A batch with the opted-out number still goes to the others.
    let batch = app.send(&key, json!({"from": "ACME", "to": [sender, "+46701110002"], "text": "Offer"}));
    assert_eq!(batch.status, 201, "{}", batch.text);
    let rejected: Vec<&Value> = batch.json["messages"].as_array().unwrap().iter().filter(|m| m["status"]["code"] == 405).collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(balance(&account), before - 35, "only the other recipient is charged");

    let started = inbound("in-start-1", sender, &number, "START", None);
    assert_eq!(started.json["action"], "opt_in", "{}", started.text);
    let sent = app.send(&key, json!({"from": "ACME", "to": sender, "text": "Welcome back"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    assert_eq!(app.final_message(&key, id)["status"]["code"], 201);
    app.assert_ledger_balanced();

    // The Swedish word works as well, and the blocklist says who and why.
    let stopp = inbound("in-stop-2", sender, &number, "stopp", None);
    assert_eq!(stopp.json["action"], "opt_out");
    let blocklist = app.get(&key, "/v1/blocklist");
    assert!(blocklist.text.contains(sender) && blocklist.text.contains("keyword:STOPP"), "{}", blocklist.text);
}

#[test]
fn a_keyword_inside_a_sentence_does_nothing() {
    let app = app();
    let (_, key, number) = receiving_account();
    let sender = "+46701110003";
    let reply = inbound("in-sentence", sender, &number, "Please don't stop sending me offers", None);
    assert_eq!(reply.json["action"], "none");
    let sent = app.send(&key, json!({"from": "ACME", "to": sender, "text": "Offer"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(inbox(&key, "").len(), 1, "it is still in the inbox");
}

#[test]
fn spara_saves_the_sender_into_a_new_group_and_a_second_spara_updates() {
    let app = app();
    let (_, key, number) = receiving_account();
    let sender = "+46701110004";
    let first = inbound("in-spara-1", sender, &number, "Spara Niklas Niklasson kunder", None);
    assert_eq!(first.json["action"], "save", "{}", first.text);
    let groups = app.get(&key, "/v1/groups");
    assert_eq!(groups.status, 200, "{}", groups.text);
    assert!(groups.text.contains("kunder"), "the group was created: {}", groups.text);
    let contacts = app.get(&key, "/v1/contacts");
    assert!(contacts.text.contains("Niklasson") && contacts.text.contains(sender), "{}", contacts.text);

    let second = inbound("in-spara-2", sender, &number, "SPARA Niklas Nilsson Kunder", None);
    assert_eq!(second.json["action"], "save", "{}", second.text);
    let contacts = app.get(&key, "/v1/contacts");
    assert!(contacts.text.contains("Nilsson") && !contacts.text.contains("Niklasson"), "updated, not added: {}", contacts.text);
    let groups = app.get(&key, "/v1/groups");
    assert_eq!(groups.text.matches("kunder").count() + groups.text.matches("Kunder").count(), 1, "one group: {}", groups.text);

    let malformed = inbound("in-spara-3", sender, &number, "Spara Niklas", None);
    assert_eq!(malformed.json["action"], "malformed_save");
    let kept = inbox(&key, "?action=malformed_save");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["text"], "Spara Niklas");
}

#[test]
fn multipart_inbound_is_joined_once_whatever_the_order() {
    let app = app();
    let (_, key, number) = receiving_account();
    let sender = "+46701110005";
    assert_eq!(inbound("p2", sender, &number, "Niklasson ", Some(("ref-9", 2, 3))).json["outcome"], "part_kept");
    assert_eq!(inbound("p2", sender, &number, "Niklasson ", Some(("ref-9", 2, 3))).json["outcome"], "part_kept");
    assert_eq!(inbound("p1", sender, &number, "Spara Niklas ", Some(("ref-9", 1, 3))).json["outcome"], "part_kept");
    let done = inbound("p3", sender, &number, "vip", Some(("ref-9", 3, 3)));
    assert_eq!(done.json["outcome"], "processed", "{}", done.text);
    assert_eq!(done.json["action"], "save");
    // A carrier retrying the last part changes nothing.
    let again = inbound("p3", sender, &number, "vip", Some(("ref-9", 3, 3)));
    assert_ne!(again.json["outcome"], "processed", "{}", again.text);
    let messages = inbox(&key, "");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["text"], "Spara Niklas Niklasson vip");
    assert_eq!(messages[0]["parts"], 3);
    assert!(app.get(&key, "/v1/contacts").text.contains("Niklasson"));
}

#[test]
fn a_message_missing_parts_is_kept_after_the_timeout_without_keywords() {
    let app = app();
    let (_, key, number) = receiving_account();
    let sender = "+46701110006";
    inbound("q1", sender, &number, "STOP", Some(("ref-3", 1, 2)));
    assert_eq!(app.run_jobs().json["inbound_settled"], 0, "still waiting");
    app.sql_write().execute("UPDATE inbound_parts SET received_at = '2000-01-01T00:00:00.000Z' WHERE sender = ?", [sender]).unwrap();
    assert_eq!(app.run_jobs().json["inbound_settled"], 1);
    let messages = inbox(&key, "");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["missing_parts"], "2");
    assert_eq!(messages[0]["action"], "none", "half a message is no keyword");
    assert!(messages[0]["text"].as_str().unwrap().starts_with("STOP[part 2 of 2 missing]"));
    let sent = app.send(&key, json!({"from": "ACME", "to": sender, "text": "Hi"}));
    assert_eq!(sent.status, 201, "not opted out: {}", sent.text);
}

#[test]
fn inbound_messages_are_forwarded_signed_and_help_replies_through_the_send_path() {
    let app = app();
    let (account, key, number) = receiving_account();
    let secret = {
        let rotated = app.api(&key, "POST", "/v1/account/webhook-secret", None);
        rotated.json["webhook_secret"].as_str().unwrap().to_owned()
    };
    let receiver = CallbackReceiver::start(0, 200);
    settings(&key, json!({"inbound_webhook": receiver.url, "help_reply": "Acme: call 08-123 45 67. Reply STOP to opt out."}));
    let before = balance(&account);
    let sender = "+46701110007";
    let help = inbound("in-help", sender, &number, "help", None);
    assert_eq!(help.json["action"], "help", "{}", help.text);
    assert!(help.json["action_detail"].as_str().unwrap().contains("replied"), "{}", help.text);
    assert_eq!(balance(&account), before - 35, "the reply is priced and debited like any send");

    app.run_jobs();
    let calls = receiver.calls();
    let inbound_events: Vec<_> = calls.iter().filter(|c| c.json()["type"] == "message.inbound").collect();
    assert_eq!(inbound_events.len(), 1, "{calls:?}");
    let event = inbound_events[0].json();
    assert_eq!(event["data"]["from"], sender);
    assert_eq!(event["data"]["to"], number.as_str());
    assert_eq!(event["data"]["text"], "help");
    assert_eq!(event["data"]["action"], "help");
    assert!(standard_webhook_valid(&secret, inbound_events[0]));
    app.assert_ledger_balanced();
}

#[test]
fn custom_keywords_reply_and_forward() {
    let app = app();
    let (_, key, number) = receiving_account();
    let receiver = CallbackReceiver::start(0, 200);
    let set = app.api(&key, "PUT", "/v1/keywords/OFFER", Some(json!({"reply": "20% off this week", "forward_url": receiver.url})));
    assert_eq!(set.status, 200, "{}", set.text);
    let clash = app.api(&key, "PUT", "/v1/keywords/STOP", Some(json!({"reply": "no"})));
    assert_eq!(clash.status, 400, "built-in keywords cannot be taken: {}", clash.text);
    let reply = inbound("in-offer", "+46701110008", &number, "offer", None);
    assert_eq!(reply.json["action"], "custom", "{}", reply.text);
    app.run_jobs();
    assert_eq!(receiver.calls().len(), 1);
    assert_eq!(receiver.calls()[0].json()["data"]["text"], "offer");
}

/// A keyword outside ASCII, as the portal sends it (percent-encoded in the path), is
/// stored decoded, so a message saying it matches.
#[test]
fn a_keyword_with_non_ascii_letters_is_stored_decoded_and_matches() {
    let app = app();
    let (_, key, number) = receiving_account();
    let set = app.api(&key, "PUT", "/v1/keywords/R%C3%84TT", Some(json!({"reply": "Rätt svar!"})));
    assert_eq!(set.status, 200, "{}", set.text);
    let listed = app.get(&key, "/v1/keywords");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let keywords: Vec<&str> = listed.json["keywords"].as_array().unwrap().iter().filter_map(|k| k["word"].as_str()).collect();
    assert!(keywords.contains(&"RÄTT"), "stored decoded: {keywords:?}");
    let reply = inbound("in-ratt", "+46701110011", &number, "rätt", None);
    assert_eq!(reply.json["action"], "custom", "{}", reply.text);
    let removed = app.api(&key, "DELETE", "/v1/keywords/R%C3%84TT", None);
    assert_eq!((removed.status, removed.json["deleted"].as_str()), (200, Some("RÄTT")), "{}", removed.text);
}

#[test]
fn unknown_numbers_are_acknowledged_and_inboxes_are_private() {
    let app = app();
    let (_, key, number) = receiving_account();
    let (_, other_key, _) = receiving_account();
    let unknown = inbound("in-unknown", "+46701110009", "+46769999999", "Hello?", None);
    assert_eq!(unknown.json["outcome"], "unknown_number");
    let mine = inbound("in-private", "+46701110010", &number, "Hello", None);
    let id = mine.json["inbound_id"].as_str().unwrap();
    assert_eq!(app.get(&key, &format!("/v1/inbox/{id}")).status, 200);
    assert_eq!(app.get(&other_key, &format!("/v1/inbox/{id}")).status, 404);
    assert!(inbox(&other_key, "").is_empty());
    // A duplicate delivery of the same carrier message is stored once.
    assert_eq!(inbound("in-private", "+46701110010", &number, "Hello", None).json["outcome"], "duplicate");
    assert_eq!(inbox(&key, "").len(), 1);
}

#[test]
fn forged_inbound_changes_nothing() {
    let app = app();
    let (_, key, number) = receiving_account();
    let body = json!({"message_id": "forged", "from": "+46701110011", "to": number, "text": "STOP"}).to_string();
    let forged = call("POST", &app.url("/v1/carriers/http/inbound"), None, Some(body.clone()),
        &[("X-Signature", carrier_signature("wrong-secret", now(), &body))]);
    assert_eq!(forged.status, 401);
    let unsigned = call("POST", &app.url("/v1/carriers/http/inbound"), None, Some(body), &[]);
    assert_eq!(unsigned.status, 401);
    assert!(inbox(&key, "").is_empty());
    assert_eq!(call("POST", &app.url("/v1/carriers/nosuch/inbound"), None, Some("{}".into()), &[]).status, 404);
}

#[test]
fn vonage_form_inbound_is_read() {
    let app = app();
    let (_, key, number) = receiving_account();
    let body = format!("msisdn=46701110012&to={}&messageId=0B00000012&text=Spara+%C3%85sa+Berg+kunder&type=text", number.trim_start_matches('+'));
    let signature = carrier_signature(WEBHOOK_SECRET, now(), &body);
    let reply = ureq::post(&app.url("/v1/carriers/vonage/inbound"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .set("X-Signature", &signature)
        .send_string(&body)
        .unwrap();
    assert_eq!(reply.status(), 200);
    let messages = inbox(&key, "");
    assert_eq!(messages[0]["from"], "+46701110012");
    assert_eq!(messages[0]["action"], "save");
    assert!(app.get(&key, "/v1/contacts").text.contains("Åsa"));
}

#[test]
fn the_unsubscribe_link_is_counted_and_opts_out_after_the_confirmation() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    settings(&key, json!({"stop_by_link": true}));
    let recipient = "+46701110013";
    let text = "x".repeat(100);
    let sent = app.send(&key, json!({"from": "ACME", "to": recipient, "text": text}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["messages"][0]["segments"], 2, "100 characters plus the link need two parts");
    assert_eq!(sent.json["total_price"]["minor"], 70, "and both are paid for");
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    let stored = app.get(&key, &format!("/v1/messages/{id}")).json["text"].as_str().unwrap().to_owned();
    let (body, link) = stored.split_once("\nStop: ").expect("the link ends the SMS");
    assert_eq!(body, text);
    let path = link.strip_prefix("http://127.0.0.1:3000").expect("under public_base_url");
    assert!(path.starts_with("/u/"));

    // Opening the link only asks; a scanner following it opts no one out.
    let page = call_full("GET", &app.url(path), None, &[]);
    assert_eq!(page.status, 200);
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "the page cannot be framed: {policy}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    assert!(!page.text.contains(recipient), "the page masks the number");
    assert_eq!(app.send(&key, json!({"from": "ACME", "to": recipient, "text": "Still here?"})).status, 201);
    let confirmed = call("POST", &app.url(path), None, None, &[]);
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let refused = app.send(&key, json!({"from": "ACME", "to": recipient, "text": "Offer"}));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.text.contains("unsubscribe link"), "{}", refused.text);

    // A link with a changed token is refused.
    let mut forged = path.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(call("POST", &app.url(&forged), None, None, &[]).status, 400);
    let blocklist = app.get(&key, "/v1/blocklist");
    let entries = blocklist.json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", blocklist.text);
    assert_eq!(entries[0]["reason"], "unsubscribe_link");
    let _ = account;
}

#[test]
fn a_scheduled_send_to_someone_who_opted_out_meanwhile_is_refused_and_refunded() {
    let app = app();
    let (account, key, number) = receiving_account();
    let sender = "+46701110014";
    let in_two_seconds = rfc3339_in(2);
    let scheduled = app.send(&key, json!({"from": "ACME", "to": sender, "text": "Reminder", "send_at": in_two_seconds}));
    assert_eq!(scheduled.status, 201, "{}", scheduled.text);
    let id = scheduled.json["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(&account), 10_000 - 35);
    inbound("in-stop-sched", sender, &number, "STOP", None);
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    let run = app.run_jobs();
    assert_eq!(run.json["delivery"]["opted_out"], 1, "{}", run.text);
    let message = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(message.json["status"]["code"], 405, "{}", message.text);
    assert_eq!(balance(&account), 10_000, "refunded");
    app.assert_ledger_balanced();
}

#[test]
fn a_managed_connection_with_a_built_in_adapter_takes_inbound_with_its_own_secret() {
    let app = app();
    const OWN_SECRET: &str = "in-http-connection-secret";
    let made = app.admin(
        "POST",
        "/v1/admin/carriers",
        Some(json!({"name": "in-http", "adapter": "http", "base_url": "http://127.0.0.1:9", "webhook_secret": OWN_SECRET})),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let (_, key, number) = receiving_account();
    let body = json!({"message_id": "conn-1", "from": "46701110020", "to": number, "text": "Hello through a connection"}).to_string();
    let post = |secret: &str| {
        let signature = carrier_signature(secret, now(), &body);
        call("POST", &app.url("/v1/carriers/in-http/inbound"), None, Some(body.clone()), &[("X-Signature", signature)])
    };
    // The default carrier's secret is not this connection's.
    assert_eq!(post(WEBHOOK_SECRET).status, 401);
    let received = post(OWN_SECRET);
    assert_eq!((received.status, received.json["outcome"].as_str()), (200, Some("processed")), "{}", received.text);
    let messages = inbox(&key, "");
    assert_eq!(messages.len(), 1);
    assert_eq!((messages[0]["carrier"].as_str(), messages[0]["text"].as_str()), (Some("in-http"), Some("Hello through a connection")));
    // A connection whose adapter reads no inbound messages, and no connection at all: 404.
    let sandbox = app.admin("POST", "/v1/admin/carriers", Some(json!({"name": "in-sandbox", "adapter": "sandbox", "webhook_secret": OWN_SECRET})));
    assert_eq!(sandbox.status, 201, "{}", sandbox.text);
    let signature = carrier_signature(OWN_SECRET, now(), &body);
    for name in ["in-sandbox", "in-nowhere"] {
        let reply = call("POST", &app.url(&format!("/v1/carriers/{name}/inbound")), None, Some(body.clone()), &[("X-Signature", signature.clone())]);
        assert_eq!(reply.status, 404, "{name}: {}", reply.text);
    }
}
