//! End-to-end: every paged list pages one way (docs/api.md "Paging"): `limit` 1–500
//! (default 50), rejected rather than clamped, and an opaque `cursor` = the previous page's
//! `next_cursor`, which is null on the last page. Each list is walked to its end two at a
//! time and must give what one big page gives: nothing missed, nothing repeated.

use e2e::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::OnceLock;

fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[("carrier_webhook_secret", WEBHOOK_SECRET.into())])
    })
}

/// Who asks: an API key, the operator or a signed-in browser.
enum Caller<'a> {
    Key(&'a str),
    Operator,
    Browser(&'a Browser),
}

impl Caller<'_> {
    fn get(&self, path: &str) -> Reply {
        match self {
            Caller::Key(key) => app().get(key, path),
            Caller::Operator => app().admin("GET", path, None),
            Caller::Browser(browser) => browser.call("GET", path, None),
        }
    }
}

fn with(path: &str, query: &str) -> String {
    format!("{path}{}{query}", if path.contains('?') { '&' } else { '?' })
}

/// Walks `path` (`field` its array, `id` the field naming an item) two at a time and checks
/// it against one page of 500; answers how many items it has.
fn walk(caller: &Caller, path: &str, field: &str, id: &str) -> usize {
    let key = |item: &Value| item[id].to_string();
    let whole = caller.get(&with(path, "limit=500"));
    assert_eq!(whole.status, 200, "{path}: {}", whole.text);
    assert!(whole.json["next_cursor"].is_null(), "{path}: one page of 500 is the last: {}", whole.text);
    let expected: Vec<String> = whole.json[field].as_array().unwrap_or_else(|| panic!("{path}: {}", whole.text)).iter().map(key).collect();
    assert!(expected.len() >= 3, "{path}: too few items to page: {}", whole.text);

    let (mut walked, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let query = match &cursor {
            None => "limit=2".to_owned(),
            Some(c) => format!("limit=2&cursor={c}"),
        };
        let page = caller.get(&with(path, &query));
        assert_eq!(page.status, 200, "{path} {query}: {}", page.text);
        let items = page.json[field].as_array().unwrap();
        assert!(items.len() <= 2, "{path}: a page holds at most the limit");
        walked.extend(items.iter().map(key));
        match page.json["next_cursor"].as_str() {
            None => break,
            Some(next) => cursor = Some(next.to_owned()),
        }
        assert!(walked.len() <= expected.len(), "{path}: the walk goes past the end");
    }
    assert_eq!(walked, expected, "{path}: walked two at a time");
    assert_eq!(walked.iter().collect::<HashSet<_>>().len(), walked.len(), "{path}: repeated items");

    for (query, name) in [
        ("limit=0", "InvalidLimit"),
        ("limit=501", "InvalidLimit"),
        ("limit=abc", "InvalidLimit"),
        ("cursor=forged!cursor", "InvalidCursor"),
    ] {
        let reply = caller.get(&with(path, query));
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (400, Some(name)), "{path} {query}: {}", reply.text);
    }
    expected.len()
}

fn ok(reply: Reply) -> Value {
    assert!((200..300).contains(&reply.status), "{}", reply.text);
    reply.json
}

#[test]
fn every_list_walks_to_its_end_and_rejects_bad_limits_and_cursors() {
    let app = app();
    let marker = format!("pg{}", now());
    let (account, key) = app.account("SEK", 100_000, 0);

    // Messages, their ledger entries and events.
    for n in 0..5 {
        ok(app.send(&key, json!({"from": "ACME", "to": format!("+4670123450{n}"), "text": "page me"})));
    }
    // Payments, history and ledger.
    for amount in [100, 200, 300] {
        ok(app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": amount, "kind": "topup"}))));
    }
    // Inbound messages on a number of the account's.
    let number = "+46761999001";
    ok(app.admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": account, "role": "primary"}))));
    for n in 0..5 {
        let body = json!({"message_id": format!("{marker}-{n}"), "from": format!("+4670765432{n}"), "to": number, "text": "hello"}).to_string();
        let signature = carrier_signature(WEBHOOK_SECRET, now(), &body);
        let reply = call("POST", &app.url("/v1/carriers/http/inbound"), None, Some(body), &[("X-Signature", signature)]);
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    // Contacts, groups, members and blocks.
    let mut contacts = Vec::new();
    for n in 0..5 {
        contacts.push(ok(app.api(&key, "POST", "/v1/contacts", Some(json!({"number": format!("+4670222330{n}")}))))["id"].clone());
        ok(app.api(&key, "POST", "/v1/groups", Some(json!({"name": format!("Group {n}")}))));
        ok(app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": format!("+4670444550{n}")}))));
    }
    let group = ok(app.api(&key, "POST", "/v1/groups", Some(json!({"name": "Members"}))))["id"].as_str().unwrap().to_owned();
    ok(app.api(&key, "POST", &format!("/v1/groups/{group}/members"), Some(json!({"contact_ids": contacts}))));
    // A user (an invitation e-mail, a phone code log) with access to more accounts, named by
    // the marker, some balances equal so that ties are broken by id.
    let browser = app.member(&account, &format!("{marker}@example.com"), "admin");
    for n in 0..2 {
        let invited = json!({"account_id": account, "email": format!("{marker}-{n}@example.com"), "name": "Invited", "level": "user", "language": "en"});
        ok(app.admin("POST", "/v1/admin/users", Some(invited)));
    }
    let user: String = app.sql().query_row("SELECT id FROM users WHERE email = ?", [format!("{marker}@example.com")], |r| r.get(0)).unwrap();
    for (n, balance) in [(0, 500), (1, 100), (2, 500), (3, 0), (4, 100)] {
        let made = ok(app.admin(
            "POST",
            "/v1/admin/accounts",
            Some(json!({"name": format!("{marker} {}", ["Delta", "alfa", "Charlie", "bravo", "Echo"][n]), "currency": "SEK", "initial_balance_minor": balance})),
        ));
        let level = ["user", "manager", "admin", "user", "manager"][n];
        app.sql_write()
            .execute(
                "INSERT INTO memberships (user_id, account_id, level, accepted_at) VALUES (?1, ?2, ?3, '2026-01-01T00:00:00Z')",
                [user.as_str(), made["id"].as_str().unwrap(), level],
            )
            .unwrap();
    }
    {
        let db = app.sql_write();
        db.execute(
            "INSERT INTO callback_deliveries (event_id, account_id, message_id, message_event_id, url, next_attempt_at) \
             SELECT 'evt_' || e.id, m.account_id, m.id, e.id, 'https://example.com/cb', '2999-01-01T00:00:00Z' \
             FROM message_events e JOIN messages m ON m.id = e.message_id WHERE m.account_id = ?1",
            [&account],
        )
        .unwrap();
        db.execute(
            "INSERT INTO phone_code_sends (message_id, user_id, created_at) \
             SELECT id, ?2, '2026-01-01T00:00:00.000Z' FROM messages WHERE account_id = ?1",
            [&account, &user],
        )
        .unwrap();
        db.execute(
            "INSERT INTO credit_entries (account_id, unit, amount, balance_after, kind, reference, reason) \
             VALUES (?1, 'sms', 1, 1, 'correction', 'a', 'test'), (?1, 'sms', 1, 2, 'correction', 'b', 'test'), \
                    (?1, 'sms', 1, 3, 'correction', 'c', 'test')",
            [&account],
        )
        .unwrap();
    }

    let customer = Caller::Key(&key);
    assert_eq!(walk(&customer, "/v1/messages", "messages", "id"), 5);
    assert_eq!(walk(&customer, "/v1/inbox", "messages", "id"), 5);
    walk(&customer, "/v1/account/history", "events", "id");
    walk(&customer, "/v1/callbacks", "deliveries", "id");
    walk(&customer, "/v1/billing/ledger", "entries", "id");
    assert_eq!(walk(&customer, "/v1/billing/payments", "payments", "seq"), 3);
    walk(&customer, "/v1/billing/credits", "entries", "id");
    assert_eq!(walk(&customer, "/v1/contacts", "contacts", "id"), 5);
    assert_eq!(walk(&customer, "/v1/groups", "groups", "id"), 6);
    assert_eq!(walk(&customer, &format!("/v1/groups/{group}/members"), "members", "id"), 5);
    assert_eq!(walk(&customer, "/v1/blocklist", "entries", "id"), 5);

    let operator = Caller::Operator;
    walk(&operator, &format!("/v1/admin/accounts/{account}/history"), "events", "id");
    walk(&operator, &format!("/v1/admin/accounts/{account}/ledger"), "entries", "id");
    assert_eq!(walk(&operator, &format!("/v1/admin/accounts/{account}/payments"), "payments", "seq"), 3);
    walk(&operator, "/v1/admin/emails", "emails", "id");
    assert_eq!(walk(&operator, "/v1/admin/phone-codes", "codes", "message_id"), 5, "one time for all: ties by message id");
    // The operator's search finds the five by name and the first account by its user's
    // e-mail address (the marker's).
    for sort in ["id", "name", "kind", "balance", "credit_limit", "status", "created_at"] {
        for order in ["asc", "desc"] {
            let path = format!("/v1/admin/accounts?q={marker}&sort={sort}&order={order}");
            assert_eq!(walk(&operator, &path, "accounts", "id"), 6, "{path}");
            assert_eq!(operator.get(&with(&path, "limit=2")).json["total"], 6, "the total stays");
            let minus = format!("/v1/admin/accounts?q={marker}&sort={}{sort}", if order == "desc" { "-" } else { "" });
            assert_eq!(walk(&operator, &minus, "accounts", "id"), 6, "{minus}");
        }
    }
    walk(&operator, "/v1/admin/accounts", "accounts", "id");

    let signed_in = Caller::Browser(&browser);
    for sort in ["id", "name", "type", "balance", "level"] {
        for order in ["asc", "desc"] {
            assert_eq!(walk(&signed_in, &format!("/v1/accounts?sort={sort}&order={order}"), "accounts", "id"), 6, "{sort} {order}");
        }
    }
    assert_eq!(walk(&signed_in, &format!("/v1/accounts?q={marker}"), "accounts", "id"), 5);
}
