//! End-to-end: price lists (issue 6, seed 004 "Destinations") — the default list and an
//! account's own, prefix over country, effective dates, sub-cent prices and their
//! rounding, and the quote, which must say what the send then charges.
//! Each test works in its own account and its own prefixes; the app is this binary's own,
//! since the tests change its default list.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn minor_prices(reply: &Reply) -> Vec<i64> {
    reply.json["messages"].as_array().unwrap().iter().map(|m| m["price"]["minor"].as_i64().unwrap()).collect()
}

fn set_account_price(app: &SpinApp, account: &str, body: Value) -> Reply {
    app.admin("PUT", &format!("/v1/admin/accounts/{account}/prices"), Some(body))
}

fn balance(app: &SpinApp, account: &str) -> i64 {
    app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["balance_minor"].as_i64().unwrap()
}

/// The debits of the account's ledger, by message id.
fn debits(app: &SpinApp, account: &str) -> Vec<(String, i64)> {
    app.ledger_rows(account).into_iter().filter(|(kind, _, _)| kind == "debit").map(|(_, amount, reference)| (reference, -amount)).collect()
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or("")
}

#[test]
fn a_prefix_price_overrides_the_country_price_in_either_list() {
    let app = app();
    // Default list: SE 35 (migrated), * 80; a prefix 20 for 467055.
    let set = app.admin("PUT", "/v1/admin/prices", Some(json!({"currency": "SEK", "scope": "467055", "per_segment_minor": 20})));
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!((set.json["list"].as_str(), set.json["per_segment_minor"].as_i64()), (Some("default"), Some(20)), "{}", set.text);
    let (account, key) = app.account("SEK", 10_000, 0);
    // The account's own list: its country price and a prefix of its own.
    for (scope, minor) in [("SE", 30), ("467066", 10)] {
        let set = set_account_price(app, &account, json!({"scope": scope, "per_segment_minor": minor}));
        assert_eq!(set.status, 200, "{}", set.text);
        assert_eq!(set.json["list"], "account");
    }

    let to = ["+46705512345", "+46706612345", "+46731234567", "+4915112345678"];
    let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": "hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    // The default list's prefix beats the account's country; the account's prefix and
    // country beat the default's; nothing of the account's covers Germany.
    assert_eq!(minor_prices(&sent), vec![20, 10, 30, 80]);
    assert_eq!(sent.json["total_price"]["minor"], 140);

    // Another account pays the default list only.
    let (other, other_key) = app.account("SEK", 10_000, 0);
    let sent = app.send(&other_key, json!({"from": "ACME", "to": to, "text": "hi"}));
    assert_eq!(minor_prices(&sent), vec![20, 35, 35, 80]);

    // The account sees what it pays: one rule per scope, its own where it has one.
    let shown = app.get(&key, "/v1/billing/prices");
    assert_eq!(shown.status, 200, "{}", shown.text);
    let scopes: Vec<(String, String, i64)> = shown.json["prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["scope"].as_str().unwrap().to_owned(), p["list"].as_str().unwrap().to_owned(), p["per_segment_minor"].as_i64().unwrap()))
        .collect();
    assert!(scopes.contains(&("SE".into(), "account".into(), 30)), "{scopes:?}");
    assert!(scopes.contains(&("467066".into(), "account".into(), 10)), "{scopes:?}");
    assert!(scopes.contains(&("467055".into(), "default".into(), 20)), "{scopes:?}");
    assert!(scopes.contains(&("*".into(), "default".into(), 80)), "{scopes:?}");
    assert_eq!(scopes.iter().filter(|s| s.0 == "SE").count(), 1, "{scopes:?}");
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/prices"), None);
    assert_eq!(listed.json["prices"].as_array().unwrap().len(), 2, "{}", listed.text);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{other}/prices"), None).json["prices"], json!([]));

    // Changes to an account's prices are in its history.
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let actions: Vec<&str> = history.json["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "prices.set").count(), 2, "{}", history.text);
    app.assert_ledger_balanced();
}

#[test]
fn a_future_price_applies_only_once_its_date_passes() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let send = || app.send(&key, json!({"from": "ACME", "to": "+46721234567", "text": "hi"}));
    let scheduled = set_account_price(app, &account, json!({"scope": "4672", "per_segment_minor": 50, "effective_from": rfc3339_in(3_600)}));
    assert_eq!(scheduled.status, 200, "{}", scheduled.text);
    let rule = scheduled.json["id"].as_i64().unwrap();

    // Not yet: the default list's SE price.
    assert_eq!(minor_prices(&send()), vec![35]);
    let quote = app.api(&key, "POST", "/v1/billing/quote", Some(json!({"to": ["+46721234567"], "text": "hi"})));
    assert_eq!(quote.json["total_price"]["minor"], 35, "{}", quote.text);
    let shown = app.get(&key, "/v1/billing/prices");
    assert_eq!(shown.json["scheduled"][0]["id"], rule, "{}", shown.text);
    assert!(shown.json["prices"].as_array().unwrap().iter().all(|p| p["id"] != rule), "{}", shown.text);

    // Its date passes.
    app.sql_write()
        .execute(
            "UPDATE price_rules SET effective_from = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second') WHERE id = ?",
            [rule],
        )
        .unwrap();
    assert_eq!(minor_prices(&send()), vec![50]);
    let shown = app.get(&key, "/v1/billing/prices");
    assert!(shown.json["prices"].as_array().unwrap().iter().any(|p| p["id"] == rule), "{}", shown.text);

    // Ending a rule in effect keeps it for what it priced; a scheduled one is withdrawn.
    let ended = app.admin("DELETE", &format!("/v1/admin/accounts/{account}/prices/{rule}"), None);
    assert_eq!((ended.status, ended.json["result"].as_str()), (200, Some("ended")), "{}", ended.text);
    assert_eq!(minor_prices(&send()), vec![35]);
    let again = app.admin("DELETE", &format!("/v1/admin/accounts/{account}/prices/{rule}"), None);
    assert_eq!(again.json["result"], "already_ended", "{}", again.text);
    let later = set_account_price(app, &account, json!({"scope": "SE", "per_segment_minor": 1, "effective_from": rfc3339_in(86_400)}));
    let later = later.json["id"].as_i64().unwrap();
    let withdrawn = app.admin("DELETE", &format!("/v1/admin/accounts/{account}/prices/{later}"), None);
    assert_eq!(withdrawn.json["result"], "withdrawn", "{}", withdrawn.text);
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/prices"), None);
    assert_eq!(listed.json["prices"].as_array().unwrap().len(), 1, "{}", listed.text);
    assert!(listed.json["prices"][0]["effective_to"].is_string(), "{}", listed.text);
    // Another list's rule is not found through this account.
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/prices/{rule}"), None).status, 404);

    // The default list too: a scheduled change does not touch today's sends.
    let future = app.admin(
        "PUT",
        "/v1/admin/prices",
        Some(json!({"currency": "SEK", "scope": "467077", "per_segment_minor": 5, "effective_from": rfc3339_in(3_600)})),
    );
    assert_eq!(future.status, 200, "{}", future.text);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46707712345", "text": "hi"}));
    assert_eq!(minor_prices(&sent), vec![35]);
    let future = future.json["id"].as_i64().unwrap();
    app.sql_write()
        .execute("UPDATE price_rules SET effective_from = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 second') WHERE id = ?", [future])
        .unwrap();
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46707712345", "text": "hi"}));
    assert_eq!(minor_prices(&sent), vec![5]);
    app.assert_ledger_balanced();
}

#[test]
fn a_quote_is_what_the_send_then_charges_with_sub_cent_prices_rounded_up_per_message() {
    let app = app();
    let (account, key) = app.account("EUR", 10_000, 0);
    // 0.0035 EUR and 0.035 EUR per segment: 0.35 and 3.5 cents.
    for (scope, minor) in [("49", json!(0.35)), ("4670", json!(3.5))] {
        let set = set_account_price(app, &account, json!({"scope": scope, "per_segment_minor": minor}));
        assert_eq!(set.status, 200, "{}", set.text);
    }
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/prices"), None);
    let shown: Vec<(Value, Value)> =
        listed.json["prices"].as_array().unwrap().iter().map(|p| (p["per_segment_minor"].clone(), p["per_segment"].clone())).collect();
    assert!(shown.contains(&(json!(0.35), json!("0.0035"))), "{}", listed.text);
    assert!(shown.contains(&(json!(3.5), json!("0.035"))), "{}", listed.text);

    let to = ["+4915112345678", "+46701234567", "+46731234567"];
    // 1, 2 and 3 segments: 0.35 → 1, 0.70 → 1, 1.05 → 2 cents at 0.35; 3.5 → 4, 7 → 7,
    // 10.5 → 11 at 3.5; and the default list's SE 4 cents for +4673.
    for (text, expected) in [("a".repeat(100), [1, 4, 4]), ("a".repeat(200), [1, 7, 8]), ("a".repeat(400), [2, 11, 12])] {
        let entries_before = app.ledger_rows(&account).len();
        let quote = app.api(&key, "POST", "/v1/billing/quote", Some(json!({"to": to, "text": text, "from": "ACME"})));
        assert_eq!(quote.status, 200, "{}", quote.text);
        assert_eq!(minor_prices(&quote), expected.to_vec(), "{}", quote.text);
        // A quote stores and charges nothing.
        assert_eq!(app.ledger_rows(&account).len(), entries_before);
        let unit = &quote.json["messages"][0]["unit_price"];
        assert_eq!((unit["amount"].as_str(), unit["minor"].as_f64(), unit["currency"].as_str()), (Some("0.0035"), Some(0.35), Some("EUR")));
        assert_eq!(quote.json["messages"][0]["country"], "DE");
        assert_eq!(quote.json["messages"][0]["encoding"], "GSM-7");

        let before = balance(app, &account);
        let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": text}));
        assert_eq!(sent.status, 201, "{}", sent.text);
        assert_eq!(minor_prices(&sent), minor_prices(&quote));
        assert_eq!(sent.json["total_price"], quote.json["total_price"]);
        for (m, q) in sent.json["messages"].as_array().unwrap().iter().zip(quote.json["messages"].as_array().unwrap()) {
            assert_eq!((&m["to"], &m["segments"], &m["encoding"]), (&q["to"], &q["segments"], &q["encoding"]));
        }
        let total = quote.json["total_price"]["minor"].as_i64().unwrap();
        assert_eq!(before - balance(app, &account), total);
        // The ledger debits each message what the quote said.
        let debits = debits(app, &account);
        for m in sent.json["messages"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap();
            assert!(debits.contains(&(id.to_owned(), m["price"]["minor"].as_i64().unwrap())), "{id}: {debits:?}");
        }
    }
    app.assert_ledger_balanced();
}

#[test]
fn a_quote_takes_groups_reports_blocked_recipients_and_needs_only_messages_send() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let group = app.api(&key, "POST", "/v1/groups", Some(json!({"name": "Quoted"})));
    let group = group.json["id"].as_str().unwrap().to_owned();
    let added = app.api(&key, "POST", &format!("/v1/groups/{group}/members"), Some(json!({"numbers": ["+46701112233", "+4791234567"]})));
    assert!(added.status < 300, "{}", added.text);
    assert_eq!(app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": "+46709998877"}))).status, 201);

    let sender = app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "send", "scopes": ["messages:send"]})));
    let sender = sender.json["key"].as_str().unwrap().to_owned();
    let body = json!({"to": [group, "+46709998877", "+46701112233"], "text": "Hej €"});
    let quote = app.api(&sender, "POST", "/v1/billing/quote", Some(body));
    assert_eq!(quote.status, 200, "{}", quote.text);
    let messages = quote.json["messages"].as_array().unwrap();
    let rows: Vec<(&str, &str, bool)> =
        messages.iter().map(|m| (m["to"].as_str().unwrap(), m["country"].as_str().unwrap(), m["rejected"].as_bool().unwrap())).collect();
    assert_eq!(rows, vec![("+46701112233", "SE", false), ("+4791234567", "NO", false), ("+46709998877", "SE", true)], "{}", quote.text);
    assert_eq!(quote.json["duplicates_removed"], 1);
    assert_eq!(quote.json["rejected"], 1);
    assert_eq!(quote.json["segments"], 2);
    assert_eq!(minor_prices(&quote), vec![35, 45, 0]);
    assert!(messages[2]["unit_price"].is_null());
    assert_eq!(messages[0]["unit_price"]["minor"], 35);

    // Only messages:send: a key without it is refused; the quote's checks are the send's.
    let reader = app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "r", "scopes": ["messages:read"]})));
    let reader = reader.json["key"].as_str().unwrap().to_owned();
    let refused = app.api(&reader, "POST", "/v1/billing/quote", Some(json!({"to": ["+46701112233"], "text": "x"})));
    assert_eq!((refused.status, error_name(&refused)), (403, "ScopeMissing"), "{}", refused.text);
    assert_eq!(app.get(&sender, "/v1/billing/prices").status, 403);
    let bad = app.api(&sender, "POST", "/v1/billing/quote", Some(json!({"to": ["junk"], "text": "x"})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidRecipient"), "{}", bad.text);
    let bad = app.api(&sender, "POST", "/v1/billing/quote", Some(json!({"to": ["+46701112233"], "text": "x", "from": "far too long a sender"})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidSender"), "{}", bad.text);
    // No list has a NOK price: nowhere to send, nothing to quote.
    let (_, nok_key) = app.account("NOK", 10_000, 0);
    let nowhere = app.api(&nok_key, "POST", "/v1/billing/quote", Some(json!({"to": ["+4791234567"], "text": "x"})));
    assert_eq!((nowhere.status, error_name(&nowhere)), (400, "RecipientRejected"), "{}", nowhere.text);
    assert_eq!(app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&account], |r| r.get::<_, i64>(0)).unwrap(), 0);
    app.assert_ledger_balanced();
}

#[test]
fn bad_price_rules_are_refused() {
    let app = app();
    let (account, _) = app.account("SEK", 0, 0);
    let default = |body: Value| app.admin("PUT", "/v1/admin/prices", Some(body));
    let cases = [
        json!({"currency": "SEK", "scope": "4670", "per_segment_minor": 0.0001}),
        json!({"currency": "SEK", "scope": "4670", "per_segment_minor": -1}),
        json!({"currency": "SEK", "scope": "4670", "per_segment_minor": 1_000_000_000_001i64}),
        json!({"currency": "SEK", "scope": "+4670", "per_segment_minor": 1}),
        json!({"currency": "SEK", "scope": "4670", "per_segment_minor": 1, "effective_from": "2001-01-01T00:00:00Z"}),
        json!({"currency": "SEK", "scope": "4670", "per_segment_minor": 1, "effective_from": rfc3339_in(7_200), "effective_to": rfc3339_in(3_600)}),
        json!({"currency": "SEK", "scope": "4670", "per_segment_minor": 1, "effective_from": "soon"}),
    ];
    for body in cases {
        let reply = default(body.clone());
        assert_eq!((reply.status, error_name(&reply)), (400, "InvalidPrice"), "{body}: {}", reply.text);
    }
    let no_currency = default(json!({"scope": "4670", "per_segment_minor": 1}));
    assert_eq!(no_currency.status, 400, "{}", no_currency.text);
    let wrong_currency = set_account_price(app, &account, json!({"currency": "EUR", "scope": "SE", "per_segment_minor": 1}));
    assert_eq!((wrong_currency.status, error_name(&wrong_currency)), (400, "InvalidPrice"), "{}", wrong_currency.text);
    assert_eq!(set_account_price(app, "acc_nope", json!({"scope": "SE", "per_segment_minor": 1})).status, 404);
    assert_eq!(app.admin("GET", "/v1/admin/accounts/acc_nope/prices", None).status, 404);
    assert_eq!(app.admin("DELETE", "/v1/admin/prices/999999999", None).status, 404);
    assert_eq!(app.admin("DELETE", "/v1/admin/prices/abc", None).status, 404);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{account}/prices"), None).json["prices"], json!([]));
    app.assert_ledger_balanced();
}
