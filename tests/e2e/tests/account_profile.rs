//! End-to-end: an account's profile (company, contact, date format, note, currency) in its
//! settings, its SMPP credentials (the account's own and the operator's endpoints), the
//! history of both, the operator's account list, and blocking (seed 004).

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or_default()
}

/// An account without any ledger entry (no opening balance), and an API key for it.
fn empty_account(app: &SpinApp, name: &str) -> (String, String) {
    let created = app.admin("POST", "/v1/admin/accounts", Some(json!({"name": name, "currency": "SEK"})));
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let key = app.admin("POST", &format!("/v1/admin/accounts/{id}/keys"), Some(json!({"name": "tests"})));
    assert_eq!(key.status, 201, "{}", key.text);
    (id, key.json["key"].as_str().unwrap().to_owned())
}

fn history(app: &SpinApp, key: &str) -> Vec<Value> {
    let reply = app.api(key, "GET", "/v1/account/history", None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["events"].as_array().unwrap().clone()
}

#[test]
fn the_profile_round_trips_and_every_bad_field_is_listed() {
    let app = app();
    let (_, key) = empty_account(app, "Profile AB");
    let fresh = app.api(&key, "GET", "/v1/account/settings", None);
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(fresh.json["date_format"], "YYYY-MM-DD");
    assert_eq!(fresh.json["currency"], "SEK");
    assert_eq!(fresh.json["company"]["name"], Value::Null);
    assert_eq!(fresh.json["note"], Value::Null);

    let patched = app.api(
        &key,
        "PATCH",
        "/v1/account/settings",
        Some(json!({
            "company": {"name": " Åkesson & Co AB ", "organisation_number": "556677-8899", "vat_number": "se 5566 7788 9901",
                        "address_line1": "Storgatan 1", "postal_code": "114 55", "city": "Stockholm", "country": "se"},
            "contact": {"name": "Anna Berg", "email": "anna@akesson.se", "phone": "+46 70-123 45 67", "invoice_email": "faktura@akesson.se"},
            "date_format": "DD.MM.YYYY",
            "note": "Key account",
            "time_zone": "Europe/Stockholm"
        })),
    );
    assert_eq!(patched.status, 200, "{}", patched.text);
    let company = &patched.json["company"];
    assert_eq!(company["name"], "Åkesson & Co AB");
    assert_eq!(company["vat_number"], "SE556677889901", "kept in capitals without separators");
    assert_eq!(company["country"], "SE");
    assert_eq!(company["address_line2"], Value::Null);
    assert_eq!(patched.json["contact"]["phone"], "+46701234567", "E.164");
    assert_eq!(patched.json["date_format"], "DD.MM.YYYY");
    assert_eq!(patched.json["time_zone"], "Europe/Stockholm", "the older settings change beside the profile");
    assert_eq!(app.api(&key, "GET", "/v1/account/settings", None).json, patched.json, "as stored");

    // Every bad field at once, and nothing written.
    let refused = app.api(
        &key,
        "PATCH",
        "/v1/account/settings",
        Some(json!({
            "company": {"name": "New name AB", "vat_number": "12", "country": "Sweden"},
            "contact": {"email": "anna@", "invoice_email": "faktura@localhost"},
            "date_format": "YY/MM/DD",
            "note": "x".repeat(1001)
        })),
    );
    assert_eq!((refused.status, error_name(&refused)), (400, "InvalidAccountSettings"), "{}", refused.text);
    let fields: Vec<&str> = refused.json["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert_eq!(fields, ["company.vat_number", "company.country", "contact.email", "contact.invoice_email", "date_format", "note"]);
    assert_eq!(app.api(&key, "GET", "/v1/account/settings", None).json["company"]["name"], "Åkesson & Co AB", "nothing was written");
    let unknown = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"company": {"nmae": "x"}})));
    assert_eq!(unknown.status, 400);

    // null and "" clear; absent leaves.
    let cleared = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"company": {"vat_number": null, "city": ""}, "note": null})));
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(cleared.json["company"]["vat_number"], Value::Null);
    assert_eq!(cleared.json["company"]["city"], Value::Null);
    assert_eq!(cleared.json["company"]["postal_code"], "114 55");
    assert_eq!(cleared.json["note"], Value::Null);

    // The history has the profile before and after, with the key that changed it.
    let events = history(app, &key);
    let change = events.iter().find(|e| e["after"]["note"] == "Key account").expect("the profile change is in the history");
    assert_eq!(change["action"], "settings.updated");
    assert!(change["actor"].as_str().unwrap().starts_with("key:"));
    assert_eq!(change["before"]["company_name"], Value::Null);
    assert_eq!(change["after"]["vat_number"], "SE556677889901");
    assert_eq!(change["after"]["date_format"], "DD.MM.YYYY");
    assert_eq!(events[0]["after"]["vat_number"], Value::Null, "the clearing PATCH is the newest");
}

#[test]
fn the_currency_changes_only_until_money_moves() {
    let app = app();
    let (account, key) = empty_account(app, "Currency AB");
    let changed = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"currency": "eur"})));
    assert_eq!((changed.status, changed.json["currency"].as_str()), (200, Some("EUR")), "{}", changed.text);
    let bad = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"currency": "XXX"})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidAccountSettings"));
    assert!(history(app, &key).iter().any(|e| e["before"]["currency"] == "SEK" && e["after"]["currency"] == "EUR"));

    let topup = app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": 1_000, "kind": "topup"})));
    assert_eq!(topup.status, 201, "{}", topup.text);
    let locked = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"currency": "SEK", "note": "not written either"})));
    assert_eq!((locked.status, error_name(&locked)), (409, "CurrencyLocked"), "{}", locked.text);
    let now = app.api(&key, "GET", "/v1/account/settings", None);
    assert_eq!((now.json["currency"].as_str(), &now.json["note"]), (Some("EUR"), &Value::Null), "the whole PATCH was refused");
    let same = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"currency": "EUR", "note": "same currency is fine"})));
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["currency"], "EUR");
}

#[test]
fn smpp_credentials_show_the_password_once_and_are_private_to_their_account() {
    let app = app();
    let (account, key) = empty_account(app, "SMPP AB");
    let (_, other_key) = empty_account(app, "Other SMPP AB");
    let system_id = format!("acme{}", &account[account.len() - 8..]);

    let created = app.api(&key, "POST", "/v1/account/smpp", Some(json!({"system_id": system_id, "allowed_ips": ["192.0.2.0/24"]})));
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let password = created.json["password"].as_str().unwrap().to_owned();
    assert_eq!(password.len(), 8, "SMPP 3.4 passwords are at most 8 characters");
    assert_eq!(created.json["allowed_ips"], json!(["192.0.2.0/24"]));
    assert!(created.json.get("password_hash").is_none());

    let hash: String = app.sql().query_row("SELECT password_hash FROM smpp_credentials WHERE id = ?", [&id], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(&password));
    let listed = app.api(&key, "GET", "/v1/account/smpp", None);
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json["credentials"][0]["system_id"], system_id.as_str());
    for shown in [&listed.text, &app.api(&key, "GET", "/v1/account/history", None).text] {
        assert!(!shown.contains(&password) && !shown.contains("argon2"), "neither password nor hash is shown again: {shown}");
    }

    // The system id is unique over every account, whatever the case; bad ones are 400.
    let taken = app.api(&other_key, "POST", "/v1/account/smpp", Some(json!({"system_id": system_id.to_uppercase()})));
    assert_eq!((taken.status, error_name(&taken)), (409, "DuplicateSystemId"), "{}", taken.text);
    for bad in ["", "has space", "sixteen-chars-xx", "åäö"] {
        let reply = app.api(&key, "POST", "/v1/account/smpp", Some(json!({"system_id": bad})));
        assert_eq!((reply.status, error_name(&reply)), (400, "InvalidSystemId"), "{bad}");
    }
    let bad_ips = app.api(&key, "POST", "/v1/account/smpp", Some(json!({"system_id": "okname", "allowed_ips": ["10.0.0.0/40"]})));
    assert_eq!((bad_ips.status, error_name(&bad_ips)), (400, "InvalidAllowedIps"));

    // Another account's credential does not exist for this key.
    let path = format!("/v1/account/smpp/{id}");
    assert_eq!(app.api(&other_key, "DELETE", &path, None).status, 404);
    assert_eq!(app.api(&other_key, "PATCH", &path, Some(json!({"allowed_ips": null}))).status, 404);
    assert!(app.api(&other_key, "GET", "/v1/account/smpp", None).json["credentials"].as_array().unwrap().is_empty());

    let widened = app.api(&key, "PATCH", &path, Some(json!({"allowed_ips": ["192.0.2.7", "2001:db8::/32"]})));
    assert_eq!(widened.status, 200, "{}", widened.text);
    assert_eq!(widened.json["allowed_ips"], json!(["192.0.2.7/32", "2001:db8::/32"]));
    assert_eq!(app.api(&key, "PATCH", &path, Some(json!({}))).status, 400, "allowed_ips is required");
    let revoked = app.api(&key, "DELETE", &path, None);
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(revoked.json["revoked_at"].is_string());
    let again = app.api(&key, "PATCH", &path, Some(json!({"allowed_ips": null})));
    assert_eq!(again.status, 409, "a revoked credential stays as it was revoked");

    let events = history(app, &key);
    let actions: Vec<&str> = events.iter().filter(|e| e["target"] == id.as_str()).map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["smpp.revoked", "smpp.updated", "smpp.created"]);
    let created_event = events.iter().find(|e| e["action"] == "smpp.created").unwrap();
    assert_eq!(created_event["before"], Value::Null);
    assert_eq!(created_event["after"], json!({"system_id": system_id, "allowed_ips": "192.0.2.0/24", "revoked_at": null}));
    assert!(events[0]["after"]["revoked_at"].is_string());

    // A key without the account scope cannot manage them.
    let reader = app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "r", "scopes": ["messages:read"]})));
    let reader = reader.json["key"].as_str().unwrap();
    assert_eq!(app.api(reader, "GET", "/v1/account/smpp", None).status, 403);
    assert_eq!(app.api(reader, "POST", "/v1/account/smpp", Some(json!({"system_id": "nope"}))).status, 403);
}

#[test]
fn the_operator_manages_smpp_credentials_of_any_account() {
    let app = app();
    let (account, key) = empty_account(app, "Operator SMPP AB");
    let system_id = format!("op{}", &account[account.len() - 10..]);
    let created = app.admin("POST", &format!("/v1/admin/accounts/{account}/smpp"), Some(json!({"system_id": system_id})));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["password"].as_str().unwrap().len(), 8);
    assert_eq!(created.json["allowed_ips"], json!([]));
    let id = created.json["id"].as_str().unwrap();
    let listed = app.admin("GET", &format!("/v1/admin/accounts/{account}/smpp"), None);
    assert_eq!(listed.json["credentials"][0]["id"], id);
    assert_eq!(app.api(&key, "GET", "/v1/account/smpp", None).json["credentials"][0]["id"], id, "the account sees it too");
    assert_eq!(app.admin("GET", "/v1/admin/accounts/acc_nosuch/smpp", None).status, 404);
    assert_eq!(app.admin("POST", "/v1/admin/accounts/acc_nosuch/smpp", Some(json!({"system_id": "nobody1"}))).status, 404);

    let revoked = app.admin("DELETE", &format!("/v1/admin/smpp/{id}"), None);
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(revoked.json["revoked_at"].is_string());
    assert_eq!(app.admin("DELETE", "/v1/admin/smpp/smpp_nosuch", None).status, 404);
    let events = history(app, &key);
    assert_eq!(events[0]["action"], "smpp.revoked");
    assert_eq!(events[0]["actor"], "operator");
}

#[test]
fn the_operator_lists_accounts_with_search_sort_and_pages() {
    let app = app();
    // A marker unique to this test, so accounts from other tests do not match.
    let marker = format!("zq{}", std::process::id());
    let mut ids = Vec::new();
    for (name, balance) in [("Östra Bygg", 300), ("alfa data", 100), ("Beta Logistik", 200)] {
        let created = app.admin(
            "POST",
            "/v1/admin/accounts",
            Some(json!({"name": format!("{name} {marker}"), "currency": "SEK", "initial_balance_minor": balance})),
        );
        assert_eq!(created.status, 201, "{}", created.text);
        ids.push(created.json["id"].as_str().unwrap().to_owned());
    }
    // One found by its company name and note only (set through its own key).
    let (hidden, hidden_key) = empty_account(app, "Plain name");
    let patched = app.api(&hidden_key, "PATCH", "/v1/account/settings", Some(json!({"company": {"name": format!("ÅKESSON {marker}")}})));
    assert_eq!(patched.status, 200, "{}", patched.text);

    let list = |query: &str| {
        let reply = app.admin("GET", &format!("/v1/admin/accounts?{query}"), None);
        assert_eq!(reply.status, 200, "{query}: {}", reply.text);
        reply.json
    };
    let names = |page: &Value| -> Vec<String> {
        page["accounts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().split(' ').next().unwrap().to_owned()).collect()
    };
    let all = list(&format!("q={marker}&sort=name&order=asc"));
    assert_eq!(all["total"], 4);
    assert_eq!(names(&all), ["alfa", "Beta", "Plain", "Östra"], "by name, any case");
    let by_balance = list(&format!("q={}&sort=balance&order=desc", marker.to_uppercase()));
    assert_eq!(names(&by_balance), ["Östra", "Beta", "alfa", "Plain"]);
    let first = &by_balance["accounts"][0];
    for field in ["id", "name", "kind", "currency", "balance_minor", "credit_limit_minor", "blocked", "company_name", "note", "created_at"] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }

    // Paging: the total stays, the page moves.
    let page = list(&format!("q={marker}&sort=balance&order=asc&limit=2"));
    assert_eq!(names(&page), ["Plain", "alfa"]);
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let page = list(&format!("q={marker}&sort=balance&order=asc&limit=2&cursor={cursor}"));
    assert_eq!((page["total"].as_i64(), page["next_cursor"].as_str()), (Some(4), None));
    assert_eq!(names(&page), ["Beta", "Östra"]);
    // A cursor of another sort or order is refused.
    let reply = app.admin("GET", &format!("/v1/admin/accounts?q={marker}&sort=name&cursor={cursor}"), None);
    assert_eq!((reply.status, error_name(&reply)), (400, "InvalidCursor"));

    // Any case, also outside ASCII; the id; the company name.
    assert_eq!(list(&format!("q=%C3%B6stra%20bygg%20{marker}"))["accounts"][0]["id"], ids[0].as_str());
    assert_eq!(list(&format!("q={}", ids[1]))["accounts"][0]["id"], ids[1].as_str());
    let by_company = list(&format!("q=%C3%A5kesson%20{marker}"));
    assert_eq!((by_company["total"].as_i64(), by_company["accounts"][0]["id"].as_str()), (Some(1), Some(hidden.as_str())));
    // GLOB and LIKE characters are plain text.
    assert_eq!(list(&format!("q=*{marker}"))["total"], 0);
    assert_eq!(list(&format!("q=%25{marker}"))["total"], 0);

    for (query, name) in [
        ("sort=balance_minor", "InvalidSort"),
        ("sort=name;DROP TABLE accounts", "InvalidSort"),
        ("order=up", "InvalidSort"),
        ("limit=0", "InvalidLimit"),
        ("limit=501", "InvalidLimit"),
        ("cursor=2", "InvalidCursor"),
    ] {
        let reply = app.admin("GET", &format!("/v1/admin/accounts?{}", query.replace(' ', "%20")), None);
        assert_eq!((reply.status, error_name(&reply)), (400, name), "{query}");
    }
    assert_eq!(call("GET", &app.url("/v1/admin/accounts"), Some("wrong"), None, &[]).status, 401);
}

#[test]
fn a_blocked_account_cannot_send_until_unblocked() {
    let app = app();
    let (account, key) = app.account("SEK", 10_000, 0);
    let blocked = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"blocked": true})));
    assert_eq!((blocked.status, blocked.json["blocked"].as_bool()), (200, Some(true)), "{}", blocked.text);
    let refused = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej"}));
    assert_eq!((refused.status, error_name(&refused)), (403, "Forbidden"), "{}", refused.text);
    let balance = app.admin("GET", &format!("/v1/admin/accounts/{account}"), None).json["balance_minor"].as_i64();
    assert_eq!(balance, Some(10_000), "nothing charged");
    let listed = app.admin("GET", &format!("/v1/admin/accounts?q={account}"), None);
    assert_eq!(listed.json["accounts"][0]["blocked"], true);
    let unblocked = app.admin("PATCH", &format!("/v1/admin/accounts/{account}"), Some(json!({"blocked": false})));
    assert_eq!(unblocked.status, 200);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let actions: Vec<String> =
        history(app, &key).iter().filter(|e| e["action"] == "account.updated").map(|e| e["after"]["blocked"].to_string()).collect();
    assert_eq!(actions, ["0", "1"], "block and unblock are in the history, newest first");
}
