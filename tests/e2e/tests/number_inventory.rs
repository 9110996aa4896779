//! End-to-end: the operator's number inventory (issue 18, docs/console-api.md "Number
//! inventory") against a real `spin up`: numbers added (one or a list, all or nothing,
//! duplicates and bad entries named with their place), listed with filters, pages and
//! counts, assigned from the inventory (keeping what they were held with), released back
//! to it free (with the account's history naming the staff member), removed while free
//! and refused while assigned; inbound SMS to a free number kept without an account; the
//! database refusing a free number with a role; staff without the `numbers` area refused.
//! Each test keeps to numbers of its own country, so the shared app's counts stay its own.

use e2e::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[("carrier_webhook_secret", WEBHOOK_SECRET.into())])
    })
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}.{}.{}@numbers.example.com", now(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or("")
}

fn inventory(staff: &Browser, query: &str) -> Value {
    let listed = staff.call("GET", &format!("/v1/admin/number-inventory?{query}"), None);
    assert_eq!(listed.status, 200, "{}", listed.text);
    listed.json
}

fn numbers_of(page: &Value) -> Vec<String> {
    page["numbers"].as_array().unwrap().iter().map(|n| n["number"].as_str().unwrap().to_owned()).collect()
}

/// The one row of the inventory for `number`.
fn row(staff: &Browser, number: &str) -> Value {
    let page = inventory(staff, &format!("q={}", number.replace('+', "%2B")));
    page["numbers"].as_array().unwrap().iter().find(|n| n["number"] == number).unwrap_or_else(|| panic!("{number} not listed: {page}")).clone()
}

fn count(page: &Value, country: &str, kind: &str) -> (i64, i64) {
    page["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["country"] == country && c["kind"] == kind)
        .map_or((0, 0), |c| (c["free"].as_i64().unwrap(), c["assigned"].as_i64().unwrap()))
}

fn path(number: &str) -> String {
    number.replace('+', "%2B")
}

/// A staff member whose groups allow the number inventory, clients and their history.
fn numbers_staff(name: &str) -> Browser {
    let app = app();
    let group = app.staff_group(&unique("numbers"), json!({"numbers": "allow", "customers": "allow", "log": "allow"}));
    app.signed_in_staff(&unique("numbers-staff"), name, &[&group]).0
}

#[test]
fn numbers_are_added_listed_assigned_released_and_removed() {
    let app = app();
    let staff = numbers_staff("Nora Numbers");
    let mobiles: Vec<String> = (1..=5).map(|n| format!("+3584012345{n:02}")).collect();

    // A block of mobile numbers with the same terms, written as carriers write them too.
    let mut given = mobiles.clone();
    given[4] = given[4].trim_start_matches('+').to_owned();
    let added = staff.call(
        "POST",
        "/v1/admin/number-inventory",
        Some(json!({"numbers": given, "kind": "mobile", "region": "Helsinki", "monthly_price_minor": 500, "currency": "EUR", "note": "block A"})),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.json["added"], json!(mobiles), "stored in E.164, in the order given");
    let landline = staff.call("POST", "/v1/admin/number-inventory", Some(json!({"number": "+35891234567", "kind": "landline", "area_code": "9"})));
    assert_eq!(landline.status, 201, "{}", landline.text);

    // Duplicates, held already or given twice, are named with their place; nothing is added.
    let duplicates = staff.call(
        "POST",
        "/v1/admin/number-inventory",
        Some(json!({"numbers": [mobiles[0], "+358401234509", "358401234509"], "kind": "mobile"})),
    );
    assert_eq!((duplicates.status, error_name(&duplicates)), (409, "DuplicateNumber"), "{}", duplicates.text);
    let details = duplicates.json["error"]["details"].as_array().unwrap();
    assert_eq!(details.iter().map(|d| d["index"].as_i64().unwrap()).collect::<Vec<_>>(), [0, 2], "{}", duplicates.text);
    assert!(details[0]["message"].as_str().unwrap().contains("in the inventory already"), "{}", duplicates.text);
    assert!(details[1]["message"].as_str().unwrap().contains("given twice"), "{}", duplicates.text);
    assert_eq!(inventory(&staff, "q=%2B358401234509")["total"], 0, "all or nothing");
    // A bad entry likewise, by name and place.
    let bad = staff.call("POST", "/v1/admin/number-inventory", Some(json!({"numbers": ["+358401234510", "nonsense"]})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidReceptionNumber"), "{}", bad.text);
    assert_eq!(bad.json["error"]["details"][0]["index"], 1, "{}", bad.text);
    assert_eq!(inventory(&staff, "q=%2B358401234510")["total"], 0);
    let short = staff.call("POST", "/v1/admin/number-inventory", Some(json!({"number": "72456"})));
    assert_eq!((short.status, error_name(&short)), (400, "InvalidCountry"), "a short code needs its country: {}", short.text);

    // Listed with filters and counts.
    let finnish = inventory(&staff, "country=fi");
    assert_eq!(finnish["total"], 6, "{finnish}");
    assert_eq!((count(&finnish, "FI", "mobile"), count(&finnish, "FI", "landline")), ((5, 0), (1, 0)), "{finnish}");
    assert_eq!(numbers_of(&inventory(&staff, "country=FI&kind=landline")), ["+35891234567"]);
    assert_eq!(numbers_of(&inventory(&staff, "q=%2B35840123450")), mobiles[..].to_vec());
    assert_eq!(inventory(&staff, "q=35840123450")["total"], 5, "without its +");
    assert_eq!(inventory(&staff, "country=FI&status=assigned")["total"], 0);
    let first = row(&staff, &mobiles[0]);
    assert_eq!(
        (&first["status"], &first["kind"], &first["account_id"], &first["role"], &first["added_by"]),
        (&json!("free"), &json!("mobile"), &Value::Null, &Value::Null, &json!("Nora Numbers")),
        "{first}"
    );
    assert_eq!((&first["region"], &first["monthly_price_minor"], &first["currency"], &first["note"]), (&json!("Helsinki"), &json!(500), &json!("EUR"), &json!("block A")));
    assert_eq!(row(&staff, "+35891234567")["area_code"], "9");
    // Paged in number order, each number once.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = format!("country=FI&limit=2{}", cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default());
        let page = inventory(&staff, &query);
        assert!(page["numbers"].as_array().unwrap().len() <= 2);
        paged.extend(numbers_of(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut all: Vec<String> = mobiles.clone();
    all.push("+35891234567".into());
    all.sort();
    assert_eq!(paged, all);
    for bad in ["status=taken", "kind=fax", "country=XX", "q=46*", "cursor=nonsense"] {
        let refused = staff.call("GET", &format!("/v1/admin/number-inventory?{bad}"), None);
        assert_eq!(refused.status, 400, "{bad}: {}", refused.text);
    }

    // Assigned from the inventory: it keeps its kind, price and note; the counts move.
    let (account, _) = app.account("EUR", 0, 0);
    let assigned = staff.call("POST", "/v1/admin/numbers", Some(json!({"number": mobiles[0], "account_id": account})));
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    assert_eq!((&assigned.json["numbers"][0]["number"], &assigned.json["numbers"][0]["role"]), (&json!(mobiles[0]), &json!("primary")));
    let taken = row(&staff, &mobiles[0]);
    assert_eq!((&taken["status"], &taken["account_id"], &taken["role"], &taken["kind"]), (&json!("assigned"), &json!(account), &json!("primary"), &json!("mobile")), "{taken}");
    assert_eq!((&taken["monthly_price_minor"], &taken["note"]), (&json!(500), &json!("block A")));
    assert!(taken["assigned_at"].is_string() && taken["account_name"].is_string(), "{taken}");
    assert_ne!(taken["assigned_at"], taken["created_at"], "held before it was rented: {taken}");
    assert_eq!(assigned.json["numbers"][0]["created_at"], taken["assigned_at"], "the account has it since its assignment");
    assert_eq!(count(&inventory(&staff, "country=FI"), "FI", "mobile"), (4, 1));
    assert_eq!(numbers_of(&inventory(&staff, "country=FI&status=assigned")), [mobiles[0].clone()]);

    // Another client cannot take it in passing: it is released first.
    let (rival, _) = app.account("EUR", 0, 0);
    let taken_away = staff.call("POST", "/v1/admin/numbers", Some(json!({"number": mobiles[0], "account_id": rival})));
    assert_eq!((taken_away.status, error_name(&taken_away)), (409, "NumberAssigned"), "{}", taken_away.text);
    assert_eq!(row(&staff, &mobiles[0])["account_id"], account.as_str());
    let role_change = staff.call("POST", "/v1/admin/numbers", Some(json!({"number": mobiles[0], "account_id": account, "role": "primary"})));
    assert_eq!(role_change.status, 200, "its own account may assign it again: {}", role_change.text);

    // An assigned number is not removed; a free one is, and then it is gone.
    let refused = staff.call("DELETE", &format!("/v1/admin/number-inventory/{}", path(&mobiles[0])), None);
    assert_eq!((refused.status, error_name(&refused)), (409, "NumberAssigned"), "{}", refused.text);
    assert_eq!(row(&staff, &mobiles[0])["status"], "assigned");

    // Released: back in the inventory, free, as it was held; the history says who did what.
    let released = staff.call("DELETE", &format!("/v1/admin/numbers/{}", path(&mobiles[0])), None);
    assert_eq!((released.status, released.json["released"].as_str()), (200, Some(mobiles[0].as_str())), "{}", released.text);
    let back = row(&staff, &mobiles[0]);
    assert_eq!((&back["status"], &back["account_id"], &back["role"], &back["assigned_at"]), (&json!("free"), &Value::Null, &Value::Null, &Value::Null), "{back}");
    assert_eq!((&back["kind"], &back["monthly_price_minor"], &back["added_by"]), (&json!("mobile"), &json!(500), &json!("Nora Numbers")));
    let own = staff.call("GET", &format!("/v1/admin/accounts/{account}/numbers"), None);
    assert_eq!(own.json["numbers"], json!([]), "{}", own.text);
    let again = staff.call("DELETE", &format!("/v1/admin/numbers/{}", path(&mobiles[0])), None);
    assert_eq!(again.status, 404, "a free number has no account to release it from: {}", again.text);
    let history = staff.call("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let events: Vec<(String, String, String)> = history.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == mobiles[0].as_str())
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actor"]["name"].as_str().unwrap().to_owned(), e["actor"]["kind"].as_str().unwrap().to_owned()))
        .collect();
    let staff_event = |action: &str| (action.to_owned(), "Nora Numbers".to_owned(), "staff".to_owned());
    assert_eq!(events, [staff_event("number.released"), staff_event("number.assigned")], "{}", history.text);

    let removed = staff.call("DELETE", &format!("/v1/admin/number-inventory/{}", path(&mobiles[0])), None);
    assert_eq!((removed.status, removed.json["removed"].as_str()), (200, Some(mobiles[0].as_str())), "{}", removed.text);
    assert_eq!(inventory(&staff, &format!("q={}", path(&mobiles[0])))["total"], 0);
    assert_eq!(staff.call("DELETE", &format!("/v1/admin/number-inventory/{}", path(&mobiles[0])), None).status, 404);
    assert_eq!(count(&inventory(&staff, ""), "FI", "mobile"), (4, 0));

    // A number the platform did not hold comes into the inventory with its assignment.
    let (other, _) = app.account("EUR", 0, 0);
    let outside = staff.call("POST", "/v1/admin/numbers", Some(json!({"number": "+358401234599", "account_id": other})));
    assert_eq!(outside.status, 200, "{}", outside.text);
    let came = row(&staff, "+358401234599");
    assert_eq!((&came["status"], &came["kind"], &came["added_by"]), (&json!("assigned"), &json!("virtual"), &Value::Null), "{came}");
    assert_eq!(staff.call("DELETE", "/v1/admin/numbers/%2B358401234599", None).status, 200);
    assert_eq!(row(&staff, "+358401234599")["status"], "free", "released, not deleted");
}

#[test]
fn the_database_refuses_a_free_number_with_a_role_and_an_assigned_one_without() {
    let app = app();
    let (account, _) = app.account("SEK", 0, 0);
    let db = app.sql_write();
    let free_with_role = db.execute("INSERT INTO numbers (number, country, kind, role) VALUES ('+4790000001', 'NO', 'mobile', 'secondary')", []);
    assert!(free_with_role.is_err(), "a free number has no role");
    let assigned_without = db.execute(
        "INSERT INTO numbers (number, country, kind, account_id, assigned_at) VALUES ('+4790000002', 'NO', 'mobile', ?, '2026-01-01T00:00:00.000Z')",
        [&account],
    );
    assert!(assigned_without.is_err(), "an assigned number has a role");
    let half_price = db.execute("INSERT INTO numbers (number, country, kind, monthly_price_minor) VALUES ('+4790000003', 'NO', 'mobile', 100)", []);
    assert!(half_price.is_err(), "a price has its currency");
    db.execute("INSERT INTO numbers (number, country, kind) VALUES ('+4790000004', 'NO', 'mobile')", []).expect("a free number");
    // Still one primary number per account.
    db.execute("UPDATE numbers SET account_id = ?, role = 'primary', assigned_at = '2026-01-01T00:00:00.000Z' WHERE number = '+4790000004'", [&account]).unwrap();
    db.execute("INSERT INTO numbers (number, country, kind) VALUES ('+4790000005', 'NO', 'mobile')", []).unwrap();
    let second_primary =
        db.execute("UPDATE numbers SET account_id = ?, role = 'primary', assigned_at = '2026-01-01T00:00:00.000Z' WHERE number = '+4790000005'", [&account]);
    assert!(second_primary.is_err(), "one primary number per account");
}

/// Posts one inbound SMS in our JSON format, signed like the carrier.
fn inbound(id: &str, from: &str, to: &str, text: &str) -> Reply {
    let body = json!({"message_id": id, "from": from, "to": to, "text": text}).to_string();
    let signature = carrier_signature(WEBHOOK_SECRET, now(), &body);
    let reply = call("POST", &app().url("/v1/carriers/http/inbound"), None, Some(body), &[("X-Signature", signature)]);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply
}

fn stored_account(id: &str) -> Option<String> {
    app().sql().query_row("SELECT account_id FROM inbound_messages WHERE id = ?", [id], |r| r.get(0)).unwrap()
}

#[test]
fn inbound_sms_to_a_free_number_is_kept_without_an_account() {
    let app = app();
    let number = "+4530123456";
    let added = app.admin("POST", "/v1/admin/number-inventory", Some(json!({"number": number})));
    assert_eq!(added.status, 201, "{}", added.text);

    // Free: acknowledged and kept for the operator, as a number nobody has.
    let free = inbound("inv-free-1", "+4520000001", number, "STOP");
    assert_eq!(free.json["outcome"], "unknown_number", "{}", free.text);
    assert_eq!(stored_account(free.json["inbound_id"].as_str().unwrap()), None);

    // Assigned: the account's; released again: nobody's.
    let (account, key) = app.account("SEK", 0, 0);
    assert_eq!(app.admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": account}))).status, 200);
    let theirs = inbound("inv-assigned-1", "+4520000002", number, "Hello");
    assert_eq!(theirs.json["outcome"], "processed", "{}", theirs.text);
    assert_eq!(stored_account(theirs.json["inbound_id"].as_str().unwrap()).as_deref(), Some(account.as_str()));
    assert_eq!(app.get(&key, "/v1/inbox").json["messages"].as_array().unwrap().len(), 1);
    assert_eq!(app.admin("DELETE", &format!("/v1/admin/numbers/{}", path(number)), None).status, 200);
    let after = inbound("inv-free-2", "+4520000003", number, "Hello again");
    assert_eq!(after.json["outcome"], "unknown_number", "{}", after.text);
    assert_eq!(stored_account(after.json["inbound_id"].as_str().unwrap()), None);
    assert_eq!(app.get(&key, "/v1/inbox").json["messages"].as_array().unwrap().len(), 1, "the former account gets nothing more");
}

#[test]
fn staff_without_the_numbers_area_are_refused() {
    let app = app();
    let group = app.staff_group(&unique("clients-only"), json!({"customers": "allow"}));
    let (staff, _, _) = app.signed_in_staff(&unique("no-numbers"), "Carl Clients", &[&group]);
    for (method, route, body) in [
        ("GET", "/v1/admin/number-inventory", None),
        ("POST", "/v1/admin/number-inventory", Some(json!({"number": "+37250123456"}))),
        ("DELETE", "/v1/admin/number-inventory/%2B37250123456", None),
    ] {
        let refused = staff.call(method, route, body);
        assert_eq!((refused.status, error_name(&refused)), (403, "AreaNotPermitted"), "{method} {route}: {}", refused.text);
        assert_eq!(refused.json["error"]["details"][0]["value"], "numbers");
    }
    assert_eq!(app.admin("GET", "/v1/admin/number-inventory?q=%2B37250123456", None).json["total"], 0, "nothing was added");
}

/// Seed 002 "Get a new number" (issue 19): a customer searches the free numbers by country
/// and area code, takes the first as its primary, needs a number subscription with room for
/// a second, cannot see or take another account's number, and releases one back to the
/// inventory. Norway's numbers (+47) are this test's own.
#[test]
fn a_customer_takes_a_free_number_and_gives_it_back() {
    let app = app();
    let added = app.admin(
        "POST",
        "/v1/admin/number-inventory",
        Some(json!({"numbers": ["+4721000001", "+4721000002"], "kind": "landline", "area_code": "21", "monthly_price_minor": 4900, "currency": "NOK", "note": "bought from the wholesale batch"})),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    let bergen = app.admin("POST", "/v1/admin/number-inventory", Some(json!({"number": "+4755000003", "kind": "landline", "area_code": "55"})));
    assert_eq!(bergen.status, 201, "{}", bergen.text);
    let (account, key) = app.account("SEK", 100_000, 0);
    let (other, other_key) = app.account("SEK", 100_000, 0);

    let found = app.get(&key, "/v1/numbers/available?country=NO&area_code=21");
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(numbers_of(&found.json), ["+4721000001", "+4721000002"], "{}", found.text);
    assert_eq!(found.json["total"], 2);
    let first = &found.json["numbers"][0];
    assert_eq!((first["monthly_price_minor"].as_i64(), first["currency"].as_str(), first["area_code"].as_str()), (Some(4900), Some("NOK"), Some("21")));
    assert!(first.get("note").is_none() && first.get("account_id").is_none(), "no operator notes or accounts: {first}");
    assert_eq!((found.json["extra_numbers"]["allowed"].as_i64(), found.json["extra_numbers"]["used"].as_i64()), (Some(0), Some(0)));
    let bad = app.get(&key, "/v1/numbers/available?area_code=2-1");
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidAreaCode"), "{}", bad.text);

    // The first number is the account's primary, at no package.
    let taken = app.api(&key, "POST", "/v1/numbers", Some(json!({"number": "+47 21 00 00 01"})));
    assert_eq!(taken.status, 201, "{}", taken.text);
    assert_eq!((taken.json["numbers"][0]["number"].as_str(), taken.json["numbers"][0]["role"].as_str()), (Some("+4721000001"), Some("primary")));
    // It is no longer offered, and another account can neither take nor release it.
    assert_eq!(numbers_of(&app.get(&other_key, "/v1/numbers/available?country=NO&area_code=21").json), ["+4721000002"]);
    let theirs = app.api(&other_key, "POST", "/v1/numbers", Some(json!({"number": "+4721000001"})));
    assert_eq!((theirs.status, error_name(&theirs)), (404, "NumberNotAvailable"), "{}", theirs.text);
    assert_eq!(app.api(&other_key, "DELETE", "/v1/numbers/%2B4721000001", None).status, 404);
    // A number the inventory does not hold is not available either (nothing is added).
    let unheld = app.api(&key, "POST", "/v1/numbers", Some(json!({"number": "+4799999999"})));
    assert_eq!((unheld.status, error_name(&unheld)), (404, "NumberNotAvailable"));

    // A second number needs a number subscription with room.
    let second = app.api(&key, "POST", "/v1/numbers", Some(json!({"number": "+4721000002"})));
    assert_eq!((second.status, error_name(&second)), (409, "NumberSubscriptionRequired"), "{}", second.text);
    let package = app.admin("POST", "/v1/admin/packages", Some(json!({"name": "Extra number", "cost_minor": 5000, "currency": "SEK", "numbers": 1, "frequency": "monthly"})));
    assert_eq!(package.status, 201, "{}", package.text);
    let bought = app.api(&key, "POST", &format!("/v1/billing/packages/{}/purchase", package.json["id"].as_str().unwrap()), None);
    assert_eq!(bought.status, 201, "{}", bought.text);
    let room = app.get(&key, "/v1/numbers/available?country=NO");
    assert_eq!((room.json["extra_numbers"]["allowed"].as_i64(), room.json["extra_numbers"]["used"].as_i64()), (Some(1), Some(0)));
    let second = app.api(&key, "POST", "/v1/numbers", Some(json!({"number": "+4721000002"})));
    assert_eq!(second.status, 201, "{}", second.text);
    let roles: Vec<(String, String)> =
        second.json["numbers"].as_array().unwrap().iter().map(|n| (n["number"].as_str().unwrap().into(), n["role"].as_str().unwrap().into())).collect();
    assert!(roles.contains(&("+4721000002".into(), "secondary".into())), "{roles:?}");

    // Released: free again, in the account's history, offered to others.
    let released = app.api(&key, "DELETE", "/v1/numbers/%2B4721000002", None);
    assert_eq!((released.status, released.json["released"].as_str()), (200, Some("+4721000002")), "{}", released.text);
    assert!(numbers_of(&app.get(&other_key, "/v1/numbers/available?country=NO").json).contains(&"+4721000002".to_owned()));
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let actions: Vec<&str> = history.json["events"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"number.assigned") && actions.contains(&"number.released"), "{actions:?}");
    let _ = other;
    app.assert_ledger_balanced();
}
