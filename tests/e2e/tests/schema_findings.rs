//! What the schema-driven API tester (tests/api-schema.sh) found, kept as regression tests.

use e2e::*;
use serde_json::json;

fn app() -> &'static SpinApp {
    shared_sandbox()
}

/// Credits of up to i64::MAX were taken, so a few made the ledger's SUM() overflow and
/// every read of the account answered 500. Amounts, balances, credit limits and prices
/// are now bounded well inside i64.
#[test]
fn operator_amounts_are_bounded_so_ledger_sums_cannot_overflow() {
    let app = app();
    const MAX: i64 = 1_000_000_000_000_000;
    let (account, _) = app.account("SEK", 0, 0);
    let credit = |amount: i64, kind: &str| {
        app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": amount, "kind": kind})))
    };
    assert_eq!(credit(MAX + 1, "topup").status, 400);
    assert_eq!(credit(i64::MIN, "correction").status, 400);
    assert_eq!(credit(MAX, "topup").status, 201);
    let past = credit(1, "topup");
    assert_eq!((past.status, past.json["error"]["name"].as_str()), (409, Some("Conflict")), "{}", past.text);
    assert_eq!(credit(-MAX, "correction").status, 201);
    assert_eq!(credit(-MAX, "correction").status, 201);
    assert_eq!(credit(-1, "correction").status, 409, "the balance stays within -MAX too");
    let view = app.admin("GET", &format!("/v1/admin/accounts/{account}"), None);
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.json["balance_minor"], -MAX);
    assert_eq!(view.json["ledger_sum_minor"], -MAX);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{account}/ledger"), None).status, 200);

    let create = app.admin("POST", "/v1/admin/accounts", Some(json!({"name": "X", "currency": "SEK", "initial_balance_minor": MAX + 1})));
    assert_eq!(create.status, 400, "{}", create.text);
    let limit = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"credit_limit_minor": MAX + 1})));
    assert_eq!(limit.status, 400, "{}", limit.text);
    let price = app.admin("PUT", "/v1/admin/prices", Some(json!({"currency": "SEK", "scope": "4670999", "per_segment_minor": 1_000_000_000_001i64})));
    assert_eq!(price.status, 400, "{}", price.text);
}

/// serde reads a struct from a JSON array of its fields in order, so `[null, true]` was
/// taken as `{"credit_limit_minor": null, "blocked": true}`. A body must be an object.
#[test]
fn a_json_array_is_not_a_request_body() {
    let app = app();
    let (account, key) = app.account("SEK", 1000, 0);
    let patch = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!([null, true])));
    assert_eq!((patch.status, patch.json["error"]["name"].as_str()), (400, Some("MalformedRequest")), "{}", patch.text);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["blocked"], false);
    let contact = app.api(&key, "POST", "/v1/contacts", Some(json!(["+46701234567"])));
    assert_eq!(contact.status, 400, "{}", contact.text);
    let send = app.send(&key, json!(["ACME", "+46701234567", "hi"]));
    assert_eq!(send.status, 400, "{}", send.text);
    let object = call("POST", &app.url("/v1/groups"), Some(&key), Some(" \n {\"name\":\"Spaced\"}".into()), &[]);
    assert_eq!(object.status, 201, "whitespace before the object is fine: {}", object.text);
}

/// `DELETE /v1/admin/numbers/{number}` did not percent-decode its segment, so a client
/// that encodes `+` as `%2B` (as URL builders do) could not release a number.
#[test]
fn a_reception_number_is_released_by_its_encoded_number() {
    let app = app();
    let (account, _) = app.account("SEK", 0, 0);
    let assigned = app.admin("POST", "/v1/admin/numbers", Some(json!({"number": "+46700000123", "account_id": account})));
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let released = app.admin("DELETE", "/v1/admin/numbers/%2B46700000123", None);
    assert_eq!((released.status, released.json["released"].as_str()), (200, Some("+46700000123")), "{}", released.text);
    assert_eq!(app.admin("DELETE", "/v1/admin/numbers/+46700000123", None).status, 404);
}
