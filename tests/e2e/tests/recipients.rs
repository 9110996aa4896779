//! End-to-end: how recipients are read (checked against libphonenumber) — national numbers
//! in a Swedish account's country, digits without a country code refused on an
//! International account rather than guessed, and non-geographic numbers (+800, +870, …)
//! valid, priced only by a prefix rule.

use e2e::*;
use serde_json::json;

fn app() -> &'static SpinApp {
    shared_sandbox()
}

/// An account of seed 000's type `kind` with money and a key: (id, key).
fn account_of_kind(app: &SpinApp, currency: &str, kind: &str) -> (String, String) {
    let created = app.admin(
        "POST",
        "/v1/admin/accounts",
        Some(json!({"name": "Nummer AB", "currency": currency, "kind": kind, "initial_balance_minor": 100_000})),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let key = app.admin("POST", &format!("/v1/admin/accounts/{id}/keys"), Some(json!({"name": "tests"})));
    assert_eq!(key.status, 201, "{}", key.text);
    (id, key.json["key"].as_str().unwrap().to_owned())
}

fn stored_recipients(app: &SpinApp, account: &str) -> Vec<(String, String)> {
    let db = app.sql();
    let mut query = db.prepare("SELECT recipient, country FROM messages WHERE account_id = ? ORDER BY recipient").unwrap();
    query.query_map([account], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_swedish_account_reads_national_numbers_in_sweden() {
    let app = app();
    let (account, key) = account_of_kind(app, "SEK", "swedish");
    let sent = app.send(&key, json!({"from": "ACME", "to": ["070-123 45 67", "08-123 456 78", "46731234567"], "text": "Hej"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let to: Vec<&str> = sent.json["messages"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(to, ["+46701234567", "+46812345678", "+46731234567"]);
    assert!(sent.json["messages"].as_array().unwrap().iter().all(|m| m["country"] == "SE"), "{}", sent.text);
    assert_eq!(stored_recipients(app, &account)[0], ("+46701234567".to_owned(), "SE".to_owned()));

    // A number that is not Swedish is not guessed to be another country's.
    let refused = app.send(&key, json!({"from": "ACME", "to": ["0701234567", "2015550123"], "text": "Hej"}));
    assert_eq!((refused.status, refused.json["error"]["name"].as_str()), (400, Some("InvalidRecipient")), "{}", refused.text);
    assert_eq!(refused.json["error"]["details"][0]["index"], 1, "{}", refused.text);
    assert!(refused.json["error"]["details"][0]["message"].as_str().unwrap().contains("not a valid number in SE"), "{}", refused.text);

    // The contact book and the message log read numbers the same way.
    let contact = app.api(&key, "POST", "/v1/contacts", Some(json!({"number": "070-111 22 33"})));
    assert_eq!((contact.status, contact.json["number"].as_str()), (201, Some("+46701112233")), "{}", contact.text);
    let listed = app.get(&key, "/v1/messages?to=070-123%2045%2067");
    assert_eq!(listed.json["messages"].as_array().map(Vec::len), Some(1), "{}", listed.text);
    assert_eq!(stored_recipients(app, &account).len(), 3, "the refused send stored nothing");
}

#[test]
fn an_international_account_refuses_numbers_without_a_country_code() {
    let app = app();
    let (account, key) = account_of_kind(app, "SEK", "international");
    // 2015550123 is a US number written without its country code; it was read as Egypt.
    for to in ["2015550123", "0701234567", "46701234567"] {
        let refused = app.send(&key, json!({"from": "ACME", "to": to, "text": "Hi"}));
        assert_eq!((refused.status, refused.json["error"]["code"].as_u64()), (400, Some(409)), "{to}: {}", refused.text);
        let message = refused.json["error"]["details"][0]["message"].as_str().unwrap();
        assert!(message.contains("no country code") && message.contains("+ or 00"), "{message}");
    }
    let contact = app.api(&key, "POST", "/v1/contacts", Some(json!({"number": "2015550123"})));
    assert_eq!((contact.status, contact.json["error"]["name"].as_str()), (400, Some("InvalidRecipient")), "{}", contact.text);
    assert!(stored_recipients(app, &account).is_empty());

    // North America needs a campaign on the account (seed 001).
    let booked = app.admin("POST", &format!("/v1/admin/accounts/{account}/campaigns"), Some(json!({"reference": "C123"})));
    assert_eq!(booked.status, 201, "{}", booked.text);
    let sent = app.send(&key, json!({"from": "ACME", "to": ["+12015550123", "001 201 555 0124"], "text": "Hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(
        stored_recipients(app, &account),
        vec![("+12015550123".to_owned(), "US".to_owned()), ("+12015550124".to_owned(), "US".to_owned())]
    );
}

#[test]
fn non_geographic_numbers_go_when_a_prefix_prices_them() {
    let app = app();
    let (account, key) = account_of_kind(app, "SEK", "swedish");
    let to = ["+800 1234 5678", "+870301234567"];
    // Valid numbers, but the catch-all price (`*`) does not cover satellite or freephone.
    let unpriced = app.send(&key, json!({"from": "ACME", "to": to, "text": "Hi"}));
    assert_eq!((unpriced.status, unpriced.json["error"]["code"].as_u64()), (400, Some(405)), "{}", unpriced.text);
    assert_eq!(unpriced.json["error"]["name"], "RecipientRejected");
    assert!(unpriced.json["error"]["message"].as_str().unwrap().contains("no price for +80012345678"), "{}", unpriced.text);
    assert!(stored_recipients(app, &account).is_empty());

    for (scope, minor) in [("800", 60), ("870", 900)] {
        let set = app.admin("PUT", &format!("/v1/admin/accounts/{account}/prices"), Some(json!({"scope": scope, "per_segment_minor": minor})));
        assert_eq!(set.status, 200, "{}", set.text);
    }
    let sent = app.send(&key, json!({"from": "ACME", "to": to, "text": "Hi"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let prices: Vec<(String, String, i64)> = sent.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["to"].as_str().unwrap().to_owned(), m["country"].as_str().unwrap().to_owned(), m["price"]["minor"].as_i64().unwrap()))
        .collect();
    assert_eq!(prices, vec![("+80012345678".into(), "001".into(), 60), ("+870301234567".into(), "001".into(), 900)]);
    assert_eq!(stored_recipients(app, &account)[0], ("+80012345678".to_owned(), "001".to_owned()));
    app.assert_ledger_balanced();
}
