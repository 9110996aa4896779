//! End-to-end: a small send with an API key is decided on the lookups its instance keeps
//! for the key (store::send_lookups: the caller, the means, the price rules), with no query
//! of its own. Whatever such a send was decided on that changes — a price, the blocklist,
//! the account's block, the key's revocation, credits bought — applies to the very next
//! send, not a second later: the database refuses a message decided on out-of-date lookups
//! (migration 0022) and the send is made again from lookups read afresh.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn send_to(app: &SpinApp, key: &str, to: &str) -> Reply {
    app.send(key, json!({"from": "ACME", "to": to, "text": "hi"}))
}

fn first_message(reply: &Reply) -> &Value {
    &reply.json["messages"][0]
}

/// Whether the message was decided on kept lookups (it names their version).
fn decided_on_kept_lookups(app: &SpinApp, message_id: &str) -> bool {
    app.sql()
        .query_row("SELECT lookups_version IS NOT NULL FROM messages WHERE id = ?", [message_id], |r| r.get(0))
        .unwrap()
}

/// Two sends: the second is decided on lookups the instance keeps (read by the first, or
/// by the second itself when another instance took the first).
fn warm(app: &SpinApp, key: &str, to: &str) {
    for _ in 0..2 {
        let sent = send_to(app, key, to);
        assert_eq!(sent.status, 201, "{}", sent.text);
    }
}

fn messages_of(app: &SpinApp, account: &str) -> i64 {
    app.sql().query_row("SELECT count(*) FROM messages WHERE account_id = ?", [account], |r| r.get(0)).unwrap()
}

#[test]
fn a_small_key_send_is_decided_on_kept_lookups_and_its_answer_counts_the_instances_own_sends() {
    let app = app();
    let (_account, key) = app.account("SEK", 10_000, 0);
    let mut balances = Vec::new();
    let mut kept = 0;
    for _ in 0..5 {
        let sent = send_to(app, &key, "+46701110001");
        assert_eq!(sent.status, 201, "{}", sent.text);
        balances.push(sent.json["balance"]["minor"].as_i64().unwrap());
        kept += usize::from(decided_on_kept_lookups(app, first_message(&sent)["id"].as_str().unwrap()));
    }
    // One after another, sends reuse an instance: most are decided on kept lookups.
    assert!(kept >= 3, "only {kept} of 5 sends were decided on kept lookups");
    // Each answer's balance is after that send (35 each, the default SE price).
    assert_eq!(balances, vec![9_965, 9_930, 9_895, 9_860, 9_825]);
    app.assert_ledger_balanced();
}

#[test]
fn a_new_price_prices_the_very_next_send() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    warm(app, &key, "+46701110002");
    let set = app.admin("PUT", &format!("/v1/admin/accounts/{account}/prices"), Some(json!({"scope": "SE", "per_segment_minor": 7})));
    assert_eq!(set.status, 200, "{}", set.text);
    let sent = send_to(app, &key, "+46701110002");
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(first_message(&sent)["price"]["minor"], 7, "{}", sent.text);
    app.assert_ledger_balanced();
}

#[test]
fn a_number_blocked_a_moment_ago_is_refused_and_nothing_is_charged() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    warm(app, &key, "+46701110003");
    let blocked = app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": "+46701110004"})));
    assert_eq!(blocked.status, 201, "{}", blocked.text);
    let before = messages_of(app, &account);
    let sent = send_to(app, &key, "+46701110004");
    assert_eq!(sent.status, 400, "{}", sent.text);
    assert_eq!(sent.json["error"]["name"], "RecipientRejected", "{}", sent.text);
    assert_eq!(messages_of(app, &account), before, "a message to a blocked number was stored");
    // Beside another recipient, the blocked one is left out and only the other is charged.
    let sent = app.send(&key, json!({"from": "ACME", "to": ["+46701110004", "+46701110005"], "text": "hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.json["rejected"], 1, "{}", sent.text);
    assert_eq!(sent.json["total_price"]["minor"], 35, "{}", sent.text);
    app.assert_ledger_balanced();
}

#[test]
fn a_blocked_account_and_a_revoked_key_are_refused_at_once() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    warm(app, &key, "+46701110006");
    let changed = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"blocked": true})));
    assert_eq!(changed.status, 200, "{}", changed.text);
    let sent = send_to(app, &key, "+46701110006");
    assert_eq!(sent.status, 403, "{}", sent.text);

    let changed = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"blocked": false})));
    assert_eq!(changed.status, 200, "{}", changed.text);
    warm(app, &key, "+46701110006");
    let keys = app.admin("GET", &format!("/v1/admin/accounts/{account}/keys"), None);
    let key_id = keys.json["keys"][0]["id"].as_str().unwrap().to_owned();
    let revoked = app.admin("DELETE", &format!("/v1/admin/keys/{key_id}"), None);
    assert!(revoked.status == 200 || revoked.status == 204, "{}", revoked.text);
    let before = messages_of(app, &account);
    let sent = send_to(app, &key, "+46701110006");
    assert_eq!(sent.status, 401, "{}", sent.text);
    assert_eq!(messages_of(app, &account), before);
}

#[test]
fn credits_bought_a_moment_ago_pay_the_next_send() {
    let app = app();
    let (_account, key) = app.account("SEK", 10_000, 0);
    let package = app.admin(
        "POST",
        "/v1/admin/packages",
        Some(json!({"name": "Kept lookups", "cost_minor": 100, "currency": "SEK", "sms_credits": 5, "frequency": "once"})),
    );
    assert_eq!(package.status, 201, "{}", package.text);
    warm(app, &key, "+46701110007");
    let bought = app.api(&key, "POST", &format!("/v1/billing/packages/{}/purchase", package.json["id"].as_str().unwrap()), None);
    assert!(bought.status == 200 || bought.status == 201, "{}", bought.text);
    let sent = send_to(app, &key, "+46701110007");
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(first_message(&sent)["credits"], 1, "{}", sent.text);
    assert_eq!(first_message(&sent)["price"]["minor"], 0, "{}", sent.text);
}

#[test]
fn a_destination_priced_a_moment_ago_is_accepted() {
    let app = app();
    // The default list has no NOK prices: a NOK account pays its own or cannot send.
    let (account, key) = app.account("NOK", 10_000, 0);
    let price = |scope: &str, minor: i64| {
        let set = app.admin("PUT", &format!("/v1/admin/accounts/{account}/prices"), Some(json!({"scope": scope, "per_segment_minor": minor})));
        assert_eq!(set.status, 200, "{}", set.text);
    };
    price("SE", 5);
    warm(app, &key, "+46701110008");
    let refused = send_to(app, &key, "+4915112345678");
    assert_eq!(refused.status, 400, "{}", refused.text);
    price("DE", 6);
    // A refusal is never decided on kept lookups: this send reads the new price at once.
    let sent = send_to(app, &key, "+4915112345678");
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(first_message(&sent)["price"]["minor"], 6, "{}", sent.text);
}

#[test]
fn content_banned_a_moment_ago_is_refused_and_nothing_is_charged() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let casino = |key: &str| app.send(key, json!({"from": "ACME", "to": "+46701110009", "text": "casino night"}));
    for _ in 0..2 {
        assert_eq!(casino(&key).status, 201);
    }
    let added = app.admin(
        "POST",
        &format!("/v1/admin/accounts/{account}/send-rules"),
        Some(json!({"kind": "banned", "name": "no gambling", "scope": "*", "pattern": "casino"})),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    let before = messages_of(app, &account);
    let refused = casino(&key);
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.json["error"]["name"], "ContentRejected", "{}", refused.text);
    assert_eq!(messages_of(app, &account), before);
}
