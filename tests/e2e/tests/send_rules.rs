//! End-to-end: the operator's send rules (seed 004 "sender/content replacement rules", seed
//! 001 "book a campaign" for North America) — replacement rules change the sender and the
//! text and the price follows what is sent; banned content, unregistered senders and +1
//! numbers without a campaign are refused with nothing stored or charged; each account's
//! rules, senders and campaigns are its own. Default rules here use prefixes no other test
//! of this binary sends to.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn balance(app: &SpinApp, account: &str) -> i64 {
    app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["balance_minor"].as_i64().unwrap()
}

fn messages_stored(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [account], |r| r.get(0)).unwrap()
}

fn add_rule(app: &SpinApp, account: Option<&str>, rule: Value) -> Value {
    let path = match account {
        Some(account) => format!("/v1/admin/accounts/{account}/send-rules"),
        None => "/v1/admin/send-rules".to_owned(),
    };
    let made = app.admin("POST", &path, Some(rule));
    assert_eq!(made.status, 201, "{}", made.text);
    made.json
}

fn error(reply: &Reply) -> (u16, Option<u64>, &str) {
    (reply.status, reply.json["error"]["code"].as_u64(), reply.json["error"]["name"].as_str().unwrap_or(""))
}

fn history_actions(app: &SpinApp, account: &str) -> Vec<String> {
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    history.json["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn replacement_rules_change_sender_and_text_and_the_price_follows() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    add_rule(app, Some(&account), json!({"kind": "sender", "name": "approved sender", "scope": "SE", "from_kind": "numeric", "replacement": "ACME"}));
    add_rule(
        app,
        Some(&account),
        json!({"kind": "content", "name": "long links", "scope": "*", "pattern": "LINK\\d", "pattern_kind": "regex",
               "replacement": "https://acme.example/a/rather/long/path"}),
    );
    let text = format!("{} LINK1", "x".repeat(150)); // 156 characters: one part, until the link
    let request = json!({"from": "+46701234567", "to": "+46701234567", "text": text});

    // The quote says what the send charges: the replaced text takes two parts (SE 35).
    let quote = app.api(&key, "POST", "/v1/billing/quote", Some(json!({"to": "+46701234567", "text": text})));
    assert_eq!(quote.status, 200, "{}", quote.text);
    assert_eq!((quote.json["segments"].as_u64(), quote.json["total_price"]["minor"].as_i64()), (Some(2), Some(70)), "{}", quote.text);
    let sent = app.send(&key, request.clone());
    assert_eq!(sent.status, 201, "{}", sent.text);
    let message = &sent.json["messages"][0];
    assert_eq!((message["segments"].as_u64(), message["price"]["minor"].as_i64()), (Some(2), Some(70)), "{}", sent.text);
    assert_eq!(message["rules"], json!(["approved sender", "long links"]));
    assert_eq!(balance(app, &account), 10_000 - 70);

    // The message shows what was asked and what is sent.
    let id = message["id"].as_str().unwrap();
    let shown = app.get(&key, &format!("/v1/messages/{id}"));
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!((shown.json["from"].as_str(), shown.json["original_from"].as_str()), (Some("ACME"), Some("46701234567")), "{}", shown.text);
    assert_eq!(shown.json["original_text"], text);
    assert_eq!(shown.json["text"], format!("{} https://acme.example/a/rather/long/path", "x".repeat(150)));
    let (sender, body): (String, String) =
        app.sql().query_row("SELECT sender, body FROM messages WHERE id = ?", [id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((sender.as_str(), body.contains("acme.example")), ("ACME", true), "what goes to the carrier");

    // Another account's send is as asked: the rules are the account's own.
    let (other, other_key) = app.account("SEK", 10_000, 0);
    let sent = app.send(&other_key, request);
    assert_eq!((sent.json["messages"][0]["segments"].as_u64(), sent.json["messages"][0]["price"]["minor"].as_i64()), (Some(1), Some(35)));
    let id = sent.json["messages"][0]["id"].as_str().unwrap();
    let shown = app.get(&other_key, &format!("/v1/messages/{id}"));
    assert_eq!((shown.json["from"].as_str(), shown.json["original_from"].as_str()), (Some("46701234567"), None), "{}", shown.text);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{other}/send-rules"), None).json["rules"], json!([]));
    assert_eq!(history_actions(app, &account).iter().filter(|a| *a == "send_rules.created").count(), 2);
    app.assert_ledger_balanced();
}

#[test]
fn banned_content_is_refused_with_the_rule_name_and_nothing_charged() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    add_rule(app, Some(&account), json!({"kind": "banned", "name": "no gambling", "scope": "*", "pattern": "casino"}));
    let refused = app.send(&key, json!({"from": "ACME", "to": ["+46701234567", "+4915112345678"], "text": "Win big at our CASINO"}));
    assert_eq!(error(&refused), (400, Some(404), "ContentRejected"), "{}", refused.text);
    assert!(refused.json["error"]["message"].as_str().unwrap().contains("'no gambling'"), "{}", refused.text);
    assert_eq!(refused.json["error"]["details"].as_array().map(Vec::len), Some(2), "{}", refused.text);
    assert_eq!((balance(app, &account), messages_stored(app, &account)), (10_000, 0));
    let quote = app.api(&key, "POST", "/v1/billing/quote", Some(json!({"to": "+46701234567", "text": "casino"})));
    assert_eq!(error(&quote), (400, Some(404), "ContentRejected"));
    assert_eq!(app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Win big"})).status, 201);

    // A default rule covers every account, for its scope only.
    add_rule(app, None, json!({"kind": "banned", "name": "lottery scam", "scope": "467099", "pattern": "(?:lotto|lottery) winner", "pattern_kind": "regex"}));
    let (other, other_key) = app.account("SEK", 10_000, 0);
    let refused = app.send(&other_key, json!({"from": "ACME", "to": "+46709991234", "text": "You are a LOTTO winner"}));
    assert_eq!(error(&refused), (400, Some(404), "ContentRejected"), "{}", refused.text);
    assert!(refused.json["error"]["message"].as_str().unwrap().contains("lottery scam"));
    assert_eq!(app.send(&other_key, json!({"from": "ACME", "to": "+46701234567", "text": "You are a LOTTO winner"})).status, 201);
    assert_eq!(balance(app, &other), 10_000 - 35);
}

#[test]
fn countries_that_want_registered_senders_refuse_unregistered_ones() {
    let app = app();
    let listed = app.admin("PUT", "/v1/admin/sender-registration/no", None);
    assert_eq!((listed.status, listed.json["country"].as_str()), (200, Some("NO")), "{}", listed.text);
    let (account, key) = app.account("SEK", 10_000, 0);
    let to_norway = |from: &str| app.send(&key, json!({"from": from, "to": "+4790012345", "text": "Hei"}));

    let refused = to_norway("ACME");
    assert_eq!(error(&refused), (400, Some(403), "SenderRejected"), "{}", refused.text);
    assert!(refused.json["error"]["message"].as_str().unwrap().contains("'ACME' is not registered"), "{}", refused.text);
    assert_eq!((balance(app, &account), messages_stored(app, &account)), (10_000, 0));
    // A number needs no registration, and Sweden is not listed.
    assert_eq!(to_norway("4670123456").status, 201);
    assert_eq!(app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej"})).status, 201);

    let registered = app.admin("POST", &format!("/v1/admin/accounts/{account}/registered-senders"), Some(json!({"sender": "ACME", "country": "NO"})));
    assert_eq!(registered.status, 201, "{}", registered.text);
    let again = app.admin("POST", &format!("/v1/admin/accounts/{account}/registered-senders"), Some(json!({"sender": "ACME", "country": "NO"})));
    assert_eq!((again.status, again.json["error"]["name"].as_str()), (409, Some("DuplicateSender")));
    assert_eq!(to_norway("ACME").status, 201);

    // Registered for one account only.
    let (other, other_key) = app.account("SEK", 10_000, 0);
    let refused = app.send(&other_key, json!({"from": "ACME", "to": "+4790012345", "text": "Hei"}));
    assert_eq!(error(&refused), (400, Some(403), "SenderRejected"));
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{other}/registered-senders"), None).json["senders"], json!([]));

    let id = registered.json["id"].as_i64().unwrap();
    let removed = app.admin("DELETE", &format!("/v1/admin/accounts/{other}/registered-senders/{id}"), None);
    assert_eq!(removed.status, 404, "another account's registration is not found through this one");
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/accounts/{account}/registered-senders/{id}"), None).status, 200);
    assert_eq!(error(&to_norway("ACME")).2, "SenderRejected");
    let actions = history_actions(app, &account);
    assert!(actions.contains(&"senders.registered".to_owned()) && actions.contains(&"senders.unregistered".to_owned()), "{actions:?}");
}

#[test]
fn north_america_needs_a_campaign_on_the_account() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let to_us = || app.send(&key, json!({"from": "ACME", "to": ["+46701234567", "+12015550123"], "text": "Hi"}));
    let refused = to_us();
    assert_eq!(error(&refused), (400, Some(405), "RecipientRejected"), "{}", refused.text);
    assert!(refused.json["error"]["message"].as_str().unwrap().contains("needs a campaign"), "{}", refused.text);
    assert_eq!((balance(app, &account), messages_stored(app, &account)), (10_000, 0));

    let booked = app.admin("POST", &format!("/v1/admin/accounts/{account}/campaigns"), Some(json!({"reference": "CX4T2B9", "description": "order updates"})));
    assert_eq!(booked.status, 201, "{}", booked.text);
    let sent = to_us();
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["messages"][1]["country"], "US");

    // Another account has no campaign of its own.
    let (other, other_key) = app.account("SEK", 10_000, 0);
    assert_eq!(error(&app.send(&other_key, json!({"from": "ACME", "to": "+12015550123", "text": "Hi"}))).1, Some(405));
    let campaign = booked.json["id"].as_str().unwrap();
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/accounts/{other}/campaigns/{campaign}"), None).status, 404);

    // An ended campaign no longer counts, and stays listed.
    let ended = app.admin("DELETE", &format!("/v1/admin/accounts/{account}/campaigns/{campaign}"), None);
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert!(ended.json["ended_at"].is_string());
    assert_eq!(error(&to_us()).1, Some(405));
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/campaigns"), None);
    assert_eq!(listed.json["campaigns"][0]["reference"], "CX4T2B9", "{}", listed.text);
    assert!(history_actions(app, &account).contains(&"campaign.ended".to_owned()));

    // The customer reads its own campaigns (and registered senders), never another's.
    let own = app.get(&key, "/v1/account/campaigns");
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.json["campaigns"][0]["reference"], "CX4T2B9", "{}", own.text);
    assert!(own.json["campaigns"][0]["ended_at"].is_string());
    assert_eq!(app.get(&other_key, "/v1/account/campaigns").json["campaigns"], json!([]));
    let registered = app.admin("POST", &format!("/v1/admin/accounts/{account}/registered-senders"), Some(json!({"sender": "ACME", "country": "SE"})));
    assert_eq!(registered.status, 201, "{}", registered.text);
    let senders = app.get(&key, "/v1/account/senders");
    assert_eq!((senders.json["senders"][0]["sender"].as_str(), senders.json["senders"][0]["country"].as_str()), (Some("ACME"), Some("SE")), "{}", senders.text);
    assert_eq!(app.get(&other_key, "/v1/account/senders").json["senders"], json!([]));
}

#[test]
fn rules_are_checked_whole_changed_and_paged() {
    let app = app();
    let (account, _) = app.account("SEK", 0, 0);
    let path = format!("/v1/admin/accounts/{account}/send-rules");
    for (body, name) in [
        (json!({"kind": "banned", "name": "x", "scope": "*", "pattern": "(unclosed", "pattern_kind": "regex"}), "InvalidRule"),
        (json!({"kind": "banned", "name": "x", "scope": "*", "pattern": "a*", "pattern_kind": "regex"}), "InvalidRule"),
        (json!({"kind": "sender", "name": "x", "scope": "SE", "replacement": "Far too long sender"}), "InvalidRule"),
        (json!({"kind": "content", "name": "x", "scope": "Sweden", "pattern": "a", "replacement": "b"}), "InvalidRule"),
        (json!({"kind": "banned", "name": "x", "scope": "*", "pattern": "a", "colour": "red"}), "MalformedRequest"),
    ] {
        let reply = app.admin("POST", &path, Some(body.clone()));
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (400, Some(name)), "{body}: {}", reply.text);
    }
    assert_eq!(app.admin("POST", "/v1/admin/accounts/acc_nobody/send-rules", Some(json!({"kind": "banned", "name": "x", "scope": "*", "pattern": "a"}))).status, 404);
    let first = add_rule(app, Some(&account), json!({"kind": "banned", "name": "one", "scope": "SE", "pattern": "one"}));
    add_rule(app, Some(&account), json!({"kind": "banned", "name": "two", "scope": "SE", "pattern": "two"}));
    let id = first["id"].as_i64().unwrap();
    let patched = app.admin("PATCH", &format!("/v1/admin/send-rules/{id}"), Some(json!({"pattern": "uno", "case_sensitive": true})));
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!((patched.json["pattern"].as_str(), patched.json["name"].as_str(), patched.json["case_sensitive"].as_bool()), (Some("uno"), Some("one"), Some(true)));
    let bad = app.admin("PATCH", &format!("/v1/admin/send-rules/{id}"), Some(json!({"pattern": null})));
    assert_eq!((bad.status, bad.json["error"]["name"].as_str()), (400, Some("InvalidRule")), "{}", bad.text);

    let page = app.admin("GET", &format!("{path}?limit=1"), None);
    assert_eq!(page.json["rules"][0]["id"], id, "{}", page.text);
    let cursor = page.json["next_cursor"].as_str().unwrap();
    let next = app.admin("GET", &format!("{path}?limit=1&cursor={cursor}"), None);
    assert_eq!((next.json["rules"][0]["name"].as_str(), next.json["next_cursor"].as_str()), (Some("two"), None), "{}", next.text);
    assert_eq!(app.admin("GET", &format!("{path}?limit=0"), None).json["error"]["name"], "InvalidLimit");

    assert_eq!(app.admin("DELETE", &format!("/v1/admin/send-rules/{id}"), None).status, 200);
    assert_eq!(app.admin("GET", &format!("/v1/admin/send-rules/{id}"), None).status, 404);
    let actions = history_actions(app, &account);
    for action in ["send_rules.created", "send_rules.updated", "send_rules.deleted"] {
        assert!(actions.contains(&action.to_owned()), "{action}: {actions:?}");
    }
    // The operator's API only.
    let (_, key) = app.account("SEK", 0, 0);
    assert_eq!(call("GET", &app.url("/v1/admin/send-rules"), Some(&key), None, &[]).status, 401);
}
