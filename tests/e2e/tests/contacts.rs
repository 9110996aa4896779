//! End-to-end tests of the contact book, groups, group sends and the blocklist, against
//! the real `spin up` and its SQLite file.

use e2e::*;
use serde_json::{json, Value};

/// One sandbox app shared by the tests of this binary; each test works in its own account.
fn app() -> &'static SpinApp {
    shared_sandbox()
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or_else(|| panic!("not an error: {}", reply.text))
}

fn count(app: &SpinApp, sql: &str, account: &str) -> i64 {
    app.sql().query_row(sql, [account], |r| r.get(0)).unwrap()
}

fn contacts_stored(app: &SpinApp, account: &str) -> i64 {
    count(app, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", account)
}

fn messages_stored(app: &SpinApp, account: &str) -> i64 {
    count(app, "SELECT COUNT(*) FROM messages WHERE account_id = ?", account)
}

fn create_contact(app: &SpinApp, key: &str, body: Value) -> String {
    let reply = app.api(key, "POST", "/v1/contacts", Some(body));
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json["id"].as_str().unwrap().to_owned()
}

fn create_group(app: &SpinApp, key: &str, name: &str) -> String {
    let reply = app.api(key, "POST", "/v1/groups", Some(json!({"name": name})));
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json["id"].as_str().unwrap().to_owned()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect()
}

#[test]
fn contacts_crud_search_and_pages() {
    let app = app();
    let (account, key) = app.account("SEK", 0, 0);
    let asa = create_contact(
        app,
        &key,
        json!({"number": "+46 70-111 22 01", "first_name": " Åsa ", "last_name": "Berg", "note": "VIP"}),
    );
    assert!(asa.starts_with("con_"));
    let got = app.api(&key, "GET", &format!("/v1/contacts/{asa}"), None);
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["number"], "+46701112201");
    assert_eq!((got.json["first_name"].as_str(), got.json["last_name"].as_str()), (Some("Åsa"), Some("Berg")));
    assert_eq!(got.json["note"], "VIP");
    assert_eq!(got.json["groups"], json!([]));

    // The same number in another form is the same contact.
    let again = app.api(&key, "POST", "/v1/contacts", Some(json!({"number": "0046701112201"})));
    assert_eq!((again.status, error_name(&again)), (409, "DuplicateContact"), "{}", again.text);
    let anna =
        create_contact(app, &key, json!({"number": "46701112202", "first_name": "Anna", "last_name": "Svensson"}));
    let bare = create_contact(app, &key, json!({"number": "+4790012345"}));
    assert_eq!(app.api(&key, "GET", &format!("/v1/contacts/{bare}"), None).json["first_name"], "");

    let search = |term: &str| {
        let reply = app.api(&key, "GET", &format!("/v1/contacts?search={term}"), None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        ids(&reply.json["contacts"]).into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(search("%C3%A5sa"), vec![asa.clone()], "åsa");
    assert_eq!(search("%C3%85SA"), vec![asa.clone()], "ÅSA");
    assert_eq!(search("svens"), vec![anna.clone()]);
    assert_eq!(search("070-111"), vec![asa.clone(), anna.clone()], "a national prefix finds both Swedish numbers");
    assert_eq!(search("%2B4790"), vec![bare.clone()]);
    assert!(search("nobody").is_empty());

    // Pages of two, in creation order.
    let first = app.api(&key, "GET", "/v1/contacts?limit=2", None);
    assert_eq!(ids(&first.json["contacts"]), vec![asa.as_str(), anna.as_str()]);
    let cursor = first.json["next_cursor"].as_str().expect("a second page").to_owned();
    let second = app.api(&key, "GET", &format!("/v1/contacts?limit=2&cursor={cursor}"), None);
    assert_eq!(ids(&second.json["contacts"]), vec![bare.as_str()]);
    assert!(second.json["next_cursor"].is_null());

    // PATCH changes only what it names; the names stay a pair.
    let patched =
        app.api(&key, "PATCH", &format!("/v1/contacts/{asa}"), Some(json!({"first_name": "Åse", "note": ""})));
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!((patched.json["first_name"].as_str(), patched.json["last_name"].as_str()), (Some("Åse"), Some("Berg")));
    assert_eq!(patched.json["note"], "");
    assert_eq!(search("%C3%A5se"), vec![asa.clone()], "the search follows the new name");
    let taken = app.api(&key, "PATCH", &format!("/v1/contacts/{asa}"), Some(json!({"number": "+46701112202"})));
    assert_eq!((taken.status, error_name(&taken)), (409, "DuplicateContact"));
    let half = app.api(&key, "PATCH", &format!("/v1/contacts/{asa}"), Some(json!({"last_name": ""})));
    assert_eq!((half.status, error_name(&half)), (400, "InvalidContactName"));
    let moved = app.api(&key, "PATCH", &format!("/v1/contacts/{asa}"), Some(json!({"number": "0046701112209"})));
    assert_eq!(moved.json["number"], "+46701112209");
    let cleared =
        app.api(&key, "PATCH", &format!("/v1/contacts/{anna}"), Some(json!({"first_name": "", "last_name": ""})));
    assert_eq!((cleared.status, cleared.json["first_name"].as_str()), (200, Some("")));

    assert_eq!(app.api(&key, "DELETE", &format!("/v1/contacts/{bare}"), None).status, 200);
    assert_eq!(app.api(&key, "GET", &format!("/v1/contacts/{bare}"), None).status, 404);
    assert_eq!(app.api(&key, "DELETE", &format!("/v1/contacts/{bare}"), None).status, 404);
    assert_eq!(contacts_stored(app, &account), 2);
}

#[test]
fn bad_input_is_refused_with_stable_names_and_stores_nothing() {
    let app = app();
    let (account, key) = app.account("SEK", 0, 0);
    let cases = [
        (json!({"number": "0701234"}), "InvalidRecipient"),
        (json!({"number": "junk"}), "InvalidRecipient"),
        (json!({"number": "+46701234567", "first_name": "Anna"}), "InvalidContactName"),
        (json!({"number": "+46701234567", "first_name": "An\u{7}na", "last_name": "S"}), "InvalidContactName"),
        (json!({"number": "+46701234567", "first_name": "x".repeat(65), "last_name": "S"}), "InvalidContactName"),
        (json!({"number": "+46701234567", "note": "x".repeat(1001)}), "InvalidNote"),
        (json!({"number": "+46701234567", "nickname": "x"}), "MalformedRequest"),
        (json!({"first_name": "Anna"}), "MalformedRequest"),
    ];
    for (body, name) in cases {
        let reply = app.api(&key, "POST", "/v1/contacts", Some(body.clone()));
        assert_eq!((reply.status, error_name(&reply)), (400, name), "{body}: {}", reply.text);
    }
    let reply = app.api(&key, "POST", "/v1/contacts", Some(json!({"number": "0701234"})));
    assert_eq!(reply.json["error"]["code"], 409, "InvalidRecipient carries its seed code");
    for (body, name) in [
        (json!({"name": ""}), "InvalidGroupName"),
        (json!({"name": "g".repeat(65)}), "InvalidGroupName"),
        (json!({"title": "x"}), "MalformedRequest"),
    ] {
        let reply = app.api(&key, "POST", "/v1/groups", Some(body.clone()));
        assert_eq!((reply.status, error_name(&reply)), (400, name), "{body}: {}", reply.text);
    }
    for (path, name) in [
        ("/v1/contacts?limit=0", "InvalidLimit"),
        ("/v1/contacts?limit=501", "InvalidLimit"),
        ("/v1/contacts?limit=ten", "InvalidLimit"),
        ("/v1/contacts?cursor=drop%20table", "InvalidCursor"),
        ("/v1/groups?cursor=con_00", "InvalidCursor"),
        ("/v1/blocklist?cursor=abc", "InvalidCursor"),
        ("/v1/blocklist?include_removed=maybe", "InvalidQuery"),
        ("/v1/blocklist?number=123", "InvalidRecipient"),
    ] {
        let reply = app.api(&key, "GET", path, None);
        assert_eq!((reply.status, error_name(&reply)), (400, name), "{path}: {}", reply.text);
    }
    let blocked = app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": "070123"})));
    assert_eq!((blocked.status, error_name(&blocked)), (400, "InvalidRecipient"));
    let group = create_group(app, &key, "Kunder");
    let members = app.api(
        &key,
        "POST",
        &format!("/v1/groups/{group}/members"),
        Some(json!({"numbers": ["+46701234567", "nope"]})),
    );
    assert_eq!((members.status, error_name(&members)), (400, "InvalidRecipient"));
    assert_eq!(members.json["error"]["details"][0]["index"], 1);
    let empty = app.api(&key, "POST", &format!("/v1/groups/{group}/members"), Some(json!({})));
    assert_eq!((empty.status, error_name(&empty)), (400, "InvalidMembers"));

    assert_eq!(contacts_stored(app, &account), 0, "nothing was stored");
    assert_eq!(count(app, "SELECT COUNT(*) FROM blocklist WHERE account_id = ?", &account), 0);
    assert_eq!(count(app, "SELECT COUNT(*) FROM contact_groups WHERE account_id = ?", &account), 1);

    // Without a key nothing answers.
    let anonymous = call("GET", &app.url("/v1/contacts"), None, None, &[]);
    assert_eq!((anonymous.status, error_name(&anonymous)), (401, "Unauthorized"));
    let wrong = app.api(&key, "PUT", "/v1/contacts", None);
    assert_eq!((wrong.status, error_name(&wrong)), (405, "MethodNotAllowed"));
}

#[test]
fn groups_and_membership() {
    let app = app();
    let (_, key) = app.account("SEK", 0, 0);
    let kunder = create_group(app, &key, "Kunder");
    assert!(kunder.starts_with("grp_"));
    let same = app.api(&key, "POST", "/v1/groups", Some(json!({"name": " KUNDER "})));
    assert_eq!((same.status, error_name(&same)), (409, "DuplicateGroup"), "names are compared without case");
    let vip = create_group(app, &key, "VIP");
    let clash = app.api(&key, "PATCH", &format!("/v1/groups/{vip}"), Some(json!({"name": "kunder"})));
    assert_eq!((clash.status, error_name(&clash)), (409, "DuplicateGroup"));
    let renamed = app.api(&key, "PATCH", &format!("/v1/groups/{vip}"), Some(json!({"name": "Guld"})));
    assert_eq!((renamed.status, renamed.json["name"].as_str()), (200, Some("Guld")));
    let recased = app.api(&key, "PATCH", &format!("/v1/groups/{vip}"), Some(json!({"name": "GULD"})));
    assert_eq!(recased.status, 200, "a group may change the case of its own name: {}", recased.text);

    let anna = create_contact(app, &key, json!({"number": "+46701113301", "first_name": "Anna", "last_name": "A"}));
    let bo = create_contact(app, &key, json!({"number": "+46701113302", "first_name": "Bo", "last_name": "B"}));
    let added = app.api(
        &key,
        "POST",
        &format!("/v1/groups/{kunder}/members"),
        Some(json!({"contact_ids": [anna, bo], "numbers": ["0046 70 111 33 01", "+46701113303"]})),
    );
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!((added.json["added"].as_u64(), added.json["contacts_created"].as_u64()), (Some(3), Some(1)));
    assert_eq!(added.json["group"]["members"], 3);
    let again = app.api(&key, "POST", &format!("/v1/groups/{kunder}/members"), Some(json!({"contact_ids": [anna]})));
    assert_eq!((again.json["added"].as_u64(), again.json["already_members"].as_u64()), (Some(0), Some(1)));

    let members = app.api(&key, "GET", &format!("/v1/groups/{kunder}/members?limit=2"), None);
    assert_eq!(members.status, 200, "{}", members.text);
    assert_eq!(ids(&members.json["members"]), vec![anna.as_str(), bo.as_str()]);
    let cursor = members.json["next_cursor"].as_str().unwrap();
    let rest = app.api(&key, "GET", &format!("/v1/groups/{kunder}/members?cursor={cursor}"), None);
    assert_eq!(rest.json["members"][0]["number"], "+46701113303");
    assert_eq!(rest.json["members"][0]["first_name"], "", "made from a number, without a name");

    let with_groups = app.api(&key, "GET", &format!("/v1/contacts/{anna}"), None);
    assert_eq!(with_groups.json["groups"], json!([{"id": kunder, "name": "Kunder"}]));

    // An unknown contact id adds nobody.
    let unknown = app.api(
        &key,
        "POST",
        &format!("/v1/groups/{vip}/members"),
        Some(json!({"contact_ids": [anna, "con_0000000000000000000000000000"]})),
    );
    assert_eq!((unknown.status, error_name(&unknown)), (404, "NotFound"), "{}", unknown.text);
    assert_eq!(app.api(&key, "GET", &format!("/v1/groups/{vip}"), None).json["members"], 0);

    let removed = app.api(&key, "DELETE", &format!("/v1/groups/{kunder}/members/{bo}"), None);
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(app.api(&key, "DELETE", &format!("/v1/groups/{kunder}/members/{bo}"), None).status, 404);
    // Deleting a contact takes it out of its groups; deleting a group keeps its contacts.
    assert_eq!(app.api(&key, "DELETE", &format!("/v1/contacts/{anna}"), None).status, 200);
    assert_eq!(app.api(&key, "GET", &format!("/v1/groups/{kunder}"), None).json["members"], 1);
    let listed = app.api(&key, "GET", "/v1/groups", None);
    assert_eq!(ids(&listed.json["groups"]), vec![kunder.as_str(), vip.as_str()]);
    assert_eq!(app.api(&key, "DELETE", &format!("/v1/groups/{kunder}"), None).status, 200);
    assert_eq!(app.api(&key, "GET", &format!("/v1/groups/{kunder}"), None).status, 404);
    assert_eq!(app.api(&key, "GET", &format!("/v1/contacts/{bo}"), None).status, 200);
    assert_eq!(app.api(&key, "GET", "/v1/contacts", None).json["contacts"].as_array().unwrap().len(), 2);
}

#[test]
fn a_group_send_reaches_every_number_once() {
    let app = app();
    let (account, key) = app.account("SEK", 1_000, 0);
    let x = create_contact(app, &key, json!({"number": "+46701114401"}));
    let y = create_contact(app, &key, json!({"number": "+46701114402"}));
    let z = create_contact(app, &key, json!({"number": "+46701114403"}));
    let (a, b) = (create_group(app, &key, "A"), create_group(app, &key, "B"));
    for (group, members) in [(&a, [&x, &y]), (&b, [&y, &z])] {
        let reply =
            app.api(&key, "POST", &format!("/v1/groups/{group}/members"), Some(json!({"contact_ids": members})));
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    // y is in both groups and x is also written directly (in another form).
    let sent = app.send(&key, json!({"from": "ACME", "to": [a, b, "0046701114401", "+46701114404"], "text": "Rea!"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let to: Vec<&str> = sent.json["messages"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(to, vec!["+46701114401", "+46701114402", "+46701114403", "+46701114404"]);
    assert_eq!(sent.json["duplicates_removed"], 2);
    assert_eq!(sent.json["rejected"], 0);
    assert_eq!(sent.json["total_price"]["minor"], 140);
    assert_eq!(sent.json["balance"]["minor"], 860);
    assert_eq!(messages_stored(app, &account), 4);
    let debits: Vec<_> = app.ledger_rows(&account).into_iter().filter(|(kind, _, _)| kind == "debit").collect();
    assert_eq!(debits.len(), 4);

    // One group id as `to`.
    let one = app.send(&key, json!({"from": "ACME", "to": b, "text": "Hej"}));
    assert_eq!((one.status, one.json["messages"].as_array().unwrap().len()), (201, 2), "{}", one.text);

    // Members added in one request join, and are sent to, in the order the request lists
    // them (their contacts are made in the same millisecond, so id order would shuffle them).
    let ordered = create_group(app, &key, "Ordered");
    let numbers = ["+46701114499", "+46701114405", "+46701114498", "+46701114406", "+46701114497"];
    let added = app.api(&key, "POST", &format!("/v1/groups/{ordered}/members"), Some(json!({"numbers": numbers})));
    assert_eq!(added.status, 200, "{}", added.text);
    let quote = app.api(&key, "POST", "/v1/billing/quote", Some(json!({"to": [ordered], "text": "x"})));
    assert_eq!(quote.status, 200, "{}", quote.text);
    let quoted: Vec<&str> = quote.json["messages"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(quoted, numbers);

    // Unknown groups are invalid recipients, reported where they were written.
    let before = messages_stored(app, &account);
    let unknown = app.send(
        &key,
        json!({"from": "ACME", "to": ["+46701114401", "grp_0000000000000000000000000000", "junk"], "text": "x"}),
    );
    assert_eq!((unknown.status, error_name(&unknown)), (400, "InvalidRecipient"), "{}", unknown.text);
    let indexes: Vec<u64> =
        unknown.json["error"]["details"].as_array().unwrap().iter().map(|d| d["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, vec![1, 2]);
    let empty = create_group(app, &key, "Empty");
    let nobody = app.send(&key, json!({"from": "ACME", "to": [empty], "text": "x"}));
    assert_eq!((nobody.status, error_name(&nobody)), (400, "InvalidRecipient"), "{}", nobody.text);
    assert_eq!(messages_stored(app, &account), before, "a refused send stores nothing");
    app.assert_ledger_balanced();
}

#[test]
fn a_blocked_number_is_refused_and_not_charged_while_the_others_go() {
    let app = app();
    let (account, key) = app.account("SEK", 1_000, 0);
    let blocked_number = "+46701115502";
    let block = app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": "0046 70 111 55 02"})));
    assert_eq!(block.status, 201, "{}", block.text);
    assert_eq!(block.json["entry"]["number"], blocked_number);
    assert_eq!(
        (block.json["entry"]["source"].as_str(), block.json["entry"]["reason"].as_str()),
        (Some("api"), Some("api"))
    );
    let since = block.json["entry"]["created_at"].as_str().unwrap().to_owned();
    let twice = app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": blocked_number})));
    assert_eq!((twice.status, twice.json["created"].as_bool()), (200, Some(false)), "blocking is idempotent");

    let sent =
        app.send(&key, json!({"from": "ACME", "to": ["+46701115501", blocked_number, "+46701115503"], "text": "Hej"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let messages = sent.json["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    let refused = &messages[1];
    assert_eq!(refused["to"], blocked_number);
    assert_eq!(
        (refused["status"]["code"].as_u64(), refused["status"]["name"].as_str()),
        (Some(405), Some("RecipientRejected"))
    );
    assert!(refused["id"].is_null());
    assert_eq!(refused["price"]["minor"], 0);
    let detail = refused["status_detail"].as_str().unwrap();
    assert!(detail.contains("blocklist") && detail.contains(&since), "{detail}");
    for delivered in [&messages[0], &messages[2]] {
        assert_eq!(delivered["status"]["code"], 103);
        assert_eq!(app.final_message(&key, delivered["id"].as_str().unwrap())["status"]["code"], 201);
    }
    assert_eq!(sent.json["rejected"], 1);
    assert_eq!(sent.json["total_price"]["minor"], 70);
    assert_eq!(sent.json["balance"]["minor"], 930);
    // The ledger has the two debits, for exactly the two messages that went.
    let ledger = app.ledger_rows(&account);
    let debits: Vec<(i64, String)> =
        ledger.iter().filter(|(k, _, _)| k == "debit").map(|(_, a, r)| (*a, r.clone())).collect();
    let sent_ids = vec![
        (-35, messages[0]["id"].as_str().unwrap().to_owned()),
        (-35, messages[2]["id"].as_str().unwrap().to_owned()),
    ];
    assert_eq!(debits, sent_ids);
    let stored_blocked: i64 = app
        .sql()
        .query_row(
            "SELECT COUNT(*) FROM messages WHERE account_id = ?1 AND recipient = ?2",
            [&account, blocked_number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored_blocked, 0);

    // Only blocked recipients: refused, nothing stored or charged.
    let before = (messages_stored(app, &account), app.ledger_rows(&account).len());
    let all = app.send(&key, json!({"from": "ACME", "to": blocked_number, "text": "Hej"}));
    assert_eq!(
        (all.status, error_name(&all), all.json["error"]["code"].as_u64()),
        (400, "RecipientRejected", Some(405)),
        "{}",
        all.text
    );
    assert_eq!(all.json["error"]["details"][0]["value"], blocked_number);
    assert_eq!((messages_stored(app, &account), app.ledger_rows(&account).len()), before);

    let listed = app.api(&key, "GET", "/v1/blocklist", None);
    assert_eq!(listed.json["entries"].as_array().unwrap().len(), 1);
    assert_eq!(listed.json["entries"][0]["active"], true);

    // Unblocking restores it, and the history keeps who did what when.
    let unblock = app.api(&key, "DELETE", "/v1/blocklist/%2B46701115502", None);
    assert_eq!(unblock.status, 200, "{}", unblock.text);
    assert_eq!(unblock.json["entry"]["removed_by"], "api");
    assert_eq!(app.api(&key, "DELETE", "/v1/blocklist/46701115502", None).status, 404);
    let resent = app.send(&key, json!({"from": "ACME", "to": blocked_number, "text": "Hej igen"}));
    assert_eq!(resent.status, 201, "{}", resent.text);
    assert_eq!(resent.json["messages"][0]["status"]["code"], 103);
    assert_eq!(resent.json["balance"]["minor"], 895);
    assert!(app.api(&key, "GET", "/v1/blocklist", None).json["entries"].as_array().unwrap().is_empty());
    let history = app.api(&key, "GET", "/v1/blocklist?include_removed=true", None);
    let entry = &history.json["entries"][0];
    assert_eq!(
        (entry["active"].as_bool(), entry["source"].as_str(), entry["removed_by"].as_str()),
        (Some(false), Some("api"), Some("api"))
    );
    assert!(entry["removed_at"].as_str().unwrap() >= entry["created_at"].as_str().unwrap());

    // Blocked again: a new entry beside the old one.
    assert_eq!(app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": blocked_number}))).status, 201);
    let number = app.api(&key, "GET", "/v1/blocklist/46701115502", None);
    assert_eq!((number.status, number.json["blocked"].as_bool()), (200, Some(true)), "{}", number.text);
    assert_eq!(number.json["entries"].as_array().unwrap().len(), 2);
    app.assert_ledger_balanced();
}

#[test]
fn a_blocked_group_member_is_left_out_of_a_group_send() {
    let app = app();
    let (account, key) = app.account("SEK", 1_000, 0);
    let group = create_group(app, &key, "Alla");
    let add = app.api(
        &key,
        "POST",
        &format!("/v1/groups/{group}/members"),
        Some(json!({"numbers": ["+46701116601", "+46701116602"]})),
    );
    assert_eq!(add.status, 200, "{}", add.text);
    assert_eq!(app.api(&key, "POST", "/v1/blocklist", Some(json!({"number": "+46701116602"}))).status, 201);
    let sent = app.send(&key, json!({"from": "ACME", "to": [group], "text": "Hej"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let mut codes: Vec<(String, u64)> = sent.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["to"].as_str().unwrap().to_owned(), m["status"]["code"].as_u64().unwrap()))
        .collect();
    codes.sort();
    assert_eq!(codes, vec![("+46701116601".to_owned(), 103), ("+46701116602".to_owned(), 405)]);
    assert_eq!(sent.json["balance"]["minor"], 965);
    assert_eq!(messages_stored(app, &account), 1);
}

#[test]
fn another_accounts_book_is_invisible() {
    let app = app();
    let (_, owner) = app.account("SEK", 1_000, 0);
    let (_, other) = app.account("SEK", 1_000, 0);
    let contact =
        create_contact(app, &owner, json!({"number": "+46701117701", "first_name": "Anna", "last_name": "A"}));
    let group = create_group(app, &owner, "Kunder");
    let add = app.api(&owner, "POST", &format!("/v1/groups/{group}/members"), Some(json!({"contact_ids": [contact]})));
    assert_eq!(add.status, 200);
    assert_eq!(app.api(&owner, "POST", "/v1/blocklist", Some(json!({"number": "+46701117702"}))).status, 201);

    for (method, path, body) in [
        ("GET", format!("/v1/contacts/{contact}"), None),
        ("PATCH", format!("/v1/contacts/{contact}"), Some(json!({"first_name": "Eve", "last_name": "E"}))),
        ("DELETE", format!("/v1/contacts/{contact}"), None),
        ("GET", format!("/v1/groups/{group}"), None),
        ("PATCH", format!("/v1/groups/{group}"), Some(json!({"name": "Mine"}))),
        ("DELETE", format!("/v1/groups/{group}"), None),
        ("GET", format!("/v1/groups/{group}/members"), None),
        ("POST", format!("/v1/groups/{group}/members"), Some(json!({"numbers": ["+46701117703"]}))),
        ("DELETE", format!("/v1/groups/{group}/members/{contact}"), None),
        ("DELETE", "/v1/blocklist/46701117702".to_owned(), None),
    ] {
        let reply = app.api(&other, method, &path, body);
        assert_eq!((reply.status, error_name(&reply)), (404, "NotFound"), "{method} {path}: {}", reply.text);
    }
    // Its own group cannot take the other account's contact either.
    let own = create_group(app, &other, "Kunder");
    let steal = app.api(&other, "POST", &format!("/v1/groups/{own}/members"), Some(json!({"contact_ids": [contact]})));
    assert_eq!(steal.status, 404, "{}", steal.text);
    for path in ["/v1/contacts", "/v1/contacts?search=anna", "/v1/blocklist?include_removed=true"] {
        let reply = app.api(&other, "GET", path, None);
        assert_eq!(reply.status, 200);
        let list = reply.json.as_object().unwrap().values().find_map(Value::as_array).unwrap();
        assert!(list.is_empty(), "{path}: {}", reply.text);
    }
    assert_eq!(ids(&app.api(&other, "GET", "/v1/groups", None).json["groups"]), vec![own.as_str()]);
    let number = app.api(&other, "GET", "/v1/blocklist/46701117702", None);
    assert_eq!(number.json["blocked"], false);
    // A blocklist is the account's own: the other account still sends there.
    let sent = app.send(&other, json!({"from": "ACME", "to": "+46701117702", "text": "Hej"}));
    assert_eq!((sent.status, sent.json["rejected"].as_u64()), (201, Some(0)), "{}", sent.text);
    // Nor can it send to the owner's group.
    let group_send = app.send(&other, json!({"from": "ACME", "to": [group], "text": "Hej"}));
    assert_eq!((group_send.status, error_name(&group_send)), (400, "InvalidRecipient"), "{}", group_send.text);
    // And the owner's book is untouched.
    let mine = app.api(&owner, "GET", &format!("/v1/contacts/{contact}"), None);
    assert_eq!((mine.status, mine.json["first_name"].as_str()), (200, Some("Anna")));
    assert_eq!(app.api(&owner, "GET", &format!("/v1/groups/{group}"), None).json["members"], 1);
}
