//! Usage reports and invoices (seed 003, 004) through a real `spin up` with the sandbox
//! carrier: usage totals equal what was sent and charged, CSV reads back to the same
//! totals, and a past month's invoice is issued once however many job runners run, cannot
//! be changed, and prints every name as text.

use e2e::*;
use serde_json::{json, Value};
use std::collections::HashMap;

const SE: &str = "+46701234567";
const NO: &str = "+4791234567";
const DK: &str = "+4520123456";
const FI: &str = "+358401234567";

fn ok(reply: Reply) -> Value {
    assert!((200..300).contains(&reply.status), "{}", reply.text);
    reply.json
}

/// Sends one message and returns its id.
/// Sends one message and waits for the sandbox's delivery report (it follows the answer).
fn send(app: &SpinApp, key: &str, to: &str, text: &str) -> String {
    let sent = ok(app.send(key, json!({"from": "ACME", "to": to, "text": text})));
    let id = sent["messages"][0]["id"].as_str().or(sent["id"].as_str()).unwrap_or_else(|| panic!("{sent}")).to_owned();
    app.final_message(key, &id);
    id
}

/// A message scheduled an hour ahead and cancelled: Canceled (203), refunded.
fn send_cancelled(app: &SpinApp, key: &str, to: &str) {
    let sent = ok(app.send(key, json!({"from": "ACME", "to": to, "text": "later", "send_at": rfc3339_in(3600)})));
    let id = sent["messages"][0]["id"].as_str().or(sent["id"].as_str()).unwrap().to_owned();
    ok(app.api(key, "DELETE", &format!("/v1/messages/{id}"), None));
}

fn get_full(app: &SpinApp, key: &str, path: &str, accept: Option<&str>) -> FullReply {
    let mut headers = vec![("Authorization", format!("Bearer {key}"))];
    if let Some(a) = accept {
        headers.push(("Accept", a.to_owned()));
    }
    call_full("GET", &app.url(path), None, &headers)
}

/// The account's money for its messages straight from the ledger: (debits, refunds) as
/// positive sums.
fn ledger_charged_refunded(app: &SpinApp, account: &str) -> (i64, i64) {
    let rows = app.ledger_rows(account);
    let debits: i64 = rows.iter().filter(|(k, _, _)| k == "debit").map(|(_, a, _)| -a).sum();
    let refunds: i64 = rows.iter().filter(|(k, _, _)| k == "refund").map(|(_, a, _)| *a).sum();
    (debits, refunds)
}

fn figures(v: &Value) -> [i64; 5] {
    ["messages", "segments", "charged_minor", "refunded_minor", "spend_minor"].map(|f| v[f].as_i64().unwrap_or_else(|| panic!("{f} in {v}")))
}

#[test]
fn usage_per_day_status_and_destination_matches_what_was_sent_and_charged() {
    let app = SpinApp::sandbox();
    let (account, key) = app.account("SEK", 100_000, 0);
    ok(app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"time_zone": "Europe/Stockholm"}))));
    send(&app, &key, SE, "Hej 1");
    send(&app, &key, SE, &"Lång text över flera delar. ".repeat(8));
    send(&app, &key, NO, "Hei");
    send(&app, &key, DK, "Hej");
    send_cancelled(&app, &key, FI);

    // Only what the database holds, counted independently of the app's report code.
    let db = app.sql();
    let (messages, segments): (i64, i64) = db
        .query_row("SELECT COUNT(*), SUM(segments) FROM messages WHERE account_id = ?", [&account], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(messages, 5);
    assert!(segments >= 6, "the long text is several segments");
    let (charged, refunded) = ledger_charged_refunded(&app, &account);
    assert!(refunded > 0, "the cancelled message was refunded");
    let expected = [messages, segments, charged, refunded, charged - refunded];

    // A range holding today in Stockholm whatever the hour: the first of last month to
    // tomorrow (UTC dates).
    let (from, to) = (format!("{}-01", last_month()), rfc3339_in(86_400)[..10].to_owned());
    let by_day = ok(app.get(&key, &format!("/v1/billing/usage?from={from}&to={to}")));
    assert_eq!(by_day["time_zone"], "Europe/Stockholm");
    assert_eq!(by_day["currency"], "SEK");
    assert_eq!(by_day["group_by"], "day");
    assert_eq!(figures(&by_day["totals"]), expected, "{by_day}");
    let rows = by_day["rows"].as_array().unwrap();
    assert!(rows.len() >= 29, "every day of the range has a row");
    assert_eq!(rows[0]["date"], from.as_str());
    assert_eq!(rows.iter().map(|r| r["messages"].as_i64().unwrap()).sum::<i64>(), messages);
    assert_eq!(rows.iter().filter(|r| r["messages"].as_i64().unwrap() > 0).count(), 1, "all were sent today: {by_day}");

    // One day, one UTC offset all day (a day of no clock change): the same messages.
    let today = &rfc3339_in(0)[..10];
    let one_day = ok(app.get(&key, &format!("/v1/billing/usage?from={today}&to={today}&group_by=day")));
    assert_eq!(one_day["rows"].as_array().unwrap().len(), 1);
    assert!(one_day["totals"]["messages"].as_i64().unwrap() <= messages);

    let by_status = ok(app.get(&key, &format!("/v1/billing/usage?from={from}&to={to}&group_by=status&format=json")));
    assert_eq!(figures(&by_status["totals"]), expected);
    let statuses: HashMap<i64, &Value> = by_status["rows"].as_array().unwrap().iter().map(|r| (r["status"]["code"].as_i64().unwrap(), r)).collect();
    assert_eq!(statuses[&201]["status"]["name"], "DeliveredToHandset");
    assert_eq!(statuses[&201]["messages"], 4);
    assert_eq!(statuses[&203]["status"]["name"], "Canceled");
    assert_eq!(statuses[&203]["spend_minor"], 0, "refunded in full: {by_status}");

    let by_country = ok(app.get(&key, &format!("/v1/billing/usage?from={from}&to={to}&group_by=destination")));
    assert_eq!(figures(&by_country["totals"]), expected);
    let countries: HashMap<&str, &Value> = by_country["rows"].as_array().unwrap().iter().map(|r| (r["country"].as_str().unwrap(), r)).collect();
    assert_eq!(countries.len(), 4);
    assert_eq!(countries["SE"]["messages"], 2);
    assert_eq!(countries["FI"]["spend_minor"], 0);
    // The SE price is 0.35 SEK per segment.
    assert_eq!(countries["SE"]["charged_minor"].as_i64().unwrap(), 35 * countries["SE"]["segments"].as_i64().unwrap());

    // CSV, asked for either way, reads back (csv crate) to the same totals.
    for (path, accept) in [
        (format!("/v1/billing/usage?from={from}&to={to}&group_by=destination&format=csv"), None),
        (format!("/v1/billing/usage?from={from}&to={to}&group_by=destination"), Some("text/csv")),
    ] {
        let reply = get_full(&app, &key, &path, accept);
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(
            reply.header("content-disposition").map(str::to_owned),
            Some(format!("attachment; filename=\"usage-{from}-{to}-by-destination.csv\""))
        );
        assert!(reply.text.contains("\r\n"), "RFC 4180 line ends");
        let mut reader = csv::Reader::from_reader(reply.text.as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "country");
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let mut sums = [0i64; 5];
        for record in reader.records() {
            let record = record.unwrap();
            for (i, name) in ["messages", "segments", "charged_minor", "refunded_minor", "spend_minor"].iter().enumerate() {
                sums[i] += record[col(name)].parse::<i64>().unwrap();
            }
            assert_eq!(&record[col("currency")], "SEK");
        }
        assert_eq!(sums, expected);
    }

    // Clear 400s, each with its name.
    for (query, name) in [
        (format!("from={to}&to={from}"), "InvalidDateRange"),
        ("from=2025-01-01&to=2026-12-31".to_owned(), "InvalidDateRange"),
        (format!("to={to}"), "InvalidDateRange"),
        ("from=2026-13-01&to=2026-12-31".to_owned(), "InvalidDateRange"),
        (format!("from={from}&to={to}&group_by=week"), "InvalidGroupBy"),
        (format!("from={from}&to={to}&format=xml"), "InvalidFormat"),
    ] {
        let reply = app.get(&key, &format!("/v1/billing/usage?{query}"));
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (400, Some(name)), "{query}: {}", reply.text);
    }
    app.assert_ledger_balanced();
}

/// `YYYY-MM` of the month before the current UTC one, from the system clock alone.
fn last_month() -> String {
    let now = rfc3339_in(0);
    let (year, month): (i32, u32) = (now[..4].parse().unwrap(), now[5..7].parse().unwrap());
    if month == 1 {
        format!("{:04}-12", year - 1)
    } else {
        format!("{year:04}-{:02}", month - 1)
    }
}

/// Time travel: moves everything the account has (messages and ledger entries) to the 15th
/// of `period`, 12:00 UTC. The app cannot be driven to write in the past (its clock is
/// the real one) and ledger rows are immutable by design, so the test lifts the ledger's
/// UPDATE trigger for this one transaction and puts it back exactly as it was.
fn backdate(app: &SpinApp, account: &str, period: &str) {
    let at = format!("{period}-15T12:00:00.000Z");
    let mut db = app.sql_write();
    // IMMEDIATE: the app may be writing (deliveries after a send); wait for it, do not fail.
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
    let trigger: String =
        tx.query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ledger_entries_are_immutable'", [], |r| r.get(0)).unwrap();
    tx.execute_batch("DROP TRIGGER ledger_entries_are_immutable").unwrap();
    tx.execute("UPDATE ledger_entries SET created_at = ? WHERE account_id = ?", [&at, account]).unwrap();
    tx.execute("UPDATE messages SET created_at = ? WHERE account_id = ?", [&at, account]).unwrap();
    tx.execute_batch(&trigger).unwrap();
    tx.commit().unwrap();
}

#[test]
fn a_past_month_is_invoiced_once_and_the_invoice_never_changes() {
    let app = SpinApp::sandbox();
    let evil = "Evil <script>alert(1)</script> AB";
    let created = ok(app.admin("POST", "/v1/admin/accounts", Some(json!({"name": evil, "currency": "SEK", "initial_balance_minor": 50_000}))));
    let account = created["id"].as_str().unwrap().to_owned();
    let key = ok(app.admin("POST", &format!("/v1/admin/accounts/{account}/keys"), Some(json!({"name": "tests"}))))["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (other, other_key) = app.account("SEK", 10_000, 0);

    send(&app, &key, SE, "Faktura 1");
    send(&app, &key, SE, "Faktura 2");
    send(&app, &key, NO, "Faktura 3");
    send_cancelled(&app, &key, FI);
    ok(app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": 500, "kind": "credit_note", "description": "goodwill <b>"}))));
    ok(app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": -200, "kind": "correction"}))));
    ok(app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": 5_000, "kind": "topup"}))));
    send(&app, &other_key, DK, "Annan");

    let period = last_month();
    backdate(&app, &account, &period);
    backdate(&app, &other, &period);

    // Two runners at once, then a third: each month of each account is invoiced once.
    let runs: Vec<Value> = std::thread::scope(|s| {
        let a = s.spawn(|| app.run_jobs().json);
        let b = s.spawn(|| app.run_jobs().json);
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let issued: i64 = runs.iter().map(|r| r["invoices_issued"].as_i64().unwrap()).sum();
    assert_eq!(issued, 2, "{runs:?}");
    assert_eq!(app.run_jobs().json["invoices_issued"], 0);
    let db = app.sql();
    let numbers: Vec<(String, i64)> = db
        .prepare("SELECT number, sequence FROM invoices ORDER BY sequence")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let year = &rfc3339_in(0)[..4];
    assert_eq!(numbers, vec![(format!("INV-{year}-000001"), 1), (format!("INV-{year}-000002"), 2)], "gapless");

    let list = ok(app.get(&key, "/v1/billing/invoices"));
    let invoices = list["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1, "{list}");
    let id = invoices[0]["id"].as_str().unwrap().to_owned();
    let invoice = ok(app.get(&key, &format!("/v1/billing/invoices/{id}")));
    assert_eq!(invoice["period"], period.as_str());
    assert_eq!(invoice["currency"], "SEK");
    assert_eq!(invoice["buyer"]["name"], evil);
    assert_eq!(invoice["seller"]["name"], "smsedge");

    // The lines are the month's ledger: every entry but the payments, in what is owed.
    let rows = app.ledger_rows(&account);
    let owed: i64 = -rows.iter().filter(|(k, _, _)| k != "topup" && k != "payment").map(|(_, a, _)| a).sum::<i64>();
    assert_eq!(invoice["total_minor"].as_i64(), Some(owed), "{invoice}");
    let received: i64 = rows.iter().filter(|(k, _, _)| k == "topup").map(|(_, a, _)| a).sum();
    assert_eq!(invoice["payments_received_minor"].as_i64(), Some(received));
    let lines = invoice["lines"].as_array().unwrap();
    let line = |kind: &str, country: Option<&str>| {
        lines
            .iter()
            .find(|l| l["kind"] == kind && country.is_none_or(|c| l["country"] == c))
            .unwrap_or_else(|| panic!("no {kind} line in {invoice}"))
    };
    assert_eq!(line("sms", Some("SE"))["messages"], 2);
    assert_eq!(line("sms", Some("SE"))["amount_minor"], 70);
    assert_eq!(line("sms", Some("NO"))["section"], "charges");
    assert_eq!(line("sms_refund", Some("FI"))["section"], "credits_and_corrections");
    assert_eq!(line("credit_note", None)["amount_minor"], -500);
    assert_eq!(line("correction", None)["amount_minor"], 200);
    assert_eq!(invoice["payments"].as_array().unwrap().len(), 2, "opening balance and top-up");

    // The operator issuing the same month again gets the same invoice.
    let again = app.admin("POST", &format!("/v1/admin/accounts/{account}/invoices"), Some(json!({"period": period})));
    assert_eq!((again.status, again.json["id"].as_str()), (200, Some(id.as_str())), "{}", again.text);
    let listed = ok(app.admin("GET", &format!("/v1/admin/accounts/{account}/invoices"), None));
    assert_eq!(listed["invoices"][0]["id"], id.as_str());
    let this_month = &rfc3339_in(0)[..7];
    for (body, status, name) in [
        (json!({"period": this_month}), 409, "PeriodNotEnded"),
        (json!({"period": "2001-01"}), 409, "NothingToInvoice"),
        (json!({"period": "2026-13"}), 400, "InvalidPeriod"),
    ] {
        let reply = app.admin("POST", &format!("/v1/admin/accounts/{account}/invoices"), Some(body.clone()));
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (status, Some(name)), "{body}: {}", reply.text);
    }

    // The document: printable HTML with the number and lines, every name as text.
    let doc = get_full(&app, &key, &format!("/v1/billing/invoices/{id}/document"), None);
    assert_eq!(doc.status, 200, "{}", doc.text);
    assert_eq!(doc.header("content-type"), Some("text/html; charset=utf-8"));
    // Nothing runs, loads or frames it: only its own inline styles.
    let policy = doc.header("content-security-policy").unwrap_or_default();
    for directive in ["default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'none'", "form-action 'none'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert_eq!(doc.header("x-content-type-options"), Some("nosniff"));
    let number = invoice["number"].as_str().unwrap();
    assert!(doc.text.contains(number));
    assert!(doc.text.contains("SMS to SE") && doc.text.contains("SMS to NO") && doc.text.contains("Refunded SMS to FI"));
    assert!(doc.text.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt; AB"), "{}", doc.text);
    assert!(!doc.text.contains("<script>") && !doc.text.contains("<b>"));
    assert!(doc.text.contains("@media print"));

    // Another account sees none of it.
    assert_eq!(app.get(&other_key, &format!("/v1/billing/invoices/{id}")).status, 404);
    assert_eq!(get_full(&app, &other_key, &format!("/v1/billing/invoices/{id}/document"), None).status, 404);

    // Immutable: the triggers refuse any change to an issued invoice or its lines.
    let write = app.sql_write();
    for sql in [
        format!("UPDATE invoices SET total_minor = 0 WHERE id = '{id}'"),
        format!("DELETE FROM invoices WHERE id = '{id}'"),
        format!("UPDATE invoice_lines SET amount_minor = 0 WHERE invoice_id = '{id}'"),
        format!("DELETE FROM invoice_lines WHERE invoice_id = '{id}'"),
        format!("INSERT INTO invoice_lines (invoice_id, section, kind, description, amount_minor) VALUES ('{id}', 'charges', 'sms', 'extra', 1)"),
    ] {
        let err = write.execute(&sql, []).expect_err(&sql).to_string();
        assert!(err.contains("immutable"), "{sql}: {err}");
    }
    let after = ok(app.get(&key, &format!("/v1/billing/invoices/{id}")));
    assert_eq!(after, invoice);
    app.assert_ledger_balanced();
}
