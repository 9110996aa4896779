//! End-to-end: the operator's traffic and money report (`GET /v1/admin/reports/traffic`,
//! docs/console.md "Reports") against a real `spin up`: messages sent through a sandbox
//! connection with cost prices, in SEK and EUR; one scheduled and canceled (refunded),
//! one scheduled and left pending. The report's counts, revenue, cost and margin are
//! checked against the database read independently, its CSV parsed, one account's
//! report kept to it, and a too-long range refused by name. (Staff without the `reports`
//! area are refused by tests/access.rs, which walks every operator operation.)

use e2e::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

const SECRETS_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[("secrets_key", SECRETS_KEY.into())])
    })
}

fn ok(reply: Reply) -> Reply {
    assert!((200..300).contains(&reply.status), "{}", reply.text);
    reply
}

/// Sends one message now; its id.
fn send(app: &SpinApp, key: &str, to: &str) -> String {
    let sent = ok(app.send(key, json!({"from": "ACME", "to": to, "text": "traffic report"})));
    sent.json["messages"][0]["id"].as_str().or(sent.json["id"].as_str()).expect("a message id").to_owned()
}

/// What the database says, per currency: (messages, revenue_minor, cost_milli).
fn money_in_db(app: &SpinApp, currency: &str) -> (i64, i64, i64) {
    app.sql()
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(price_minor), 0) \
               - COALESCE((SELECT SUM(l.amount_minor) FROM ledger_entries l JOIN messages m2 ON m2.id = l.reference \
                           WHERE l.kind = 'refund' AND m2.currency = ?1), 0), \
               COALESCE(SUM(cost_milli), 0) FROM messages WHERE currency = ?1",
            [currency],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn count_in_db(app: &SpinApp, condition: &str) -> i64 {
    app.sql().query_row(&format!("SELECT COUNT(*) FROM messages WHERE {condition}"), [], |r| r.get(0)).unwrap()
}

fn money_of<'a>(list: &'a Value, currency: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|m| m["currency"] == currency).unwrap_or_else(|| panic!("no {currency} in {list}"))
}

#[test]
fn the_traffic_report_matches_the_database_in_json_and_csv() {
    let app = app();
    ok(app.admin("POST", "/v1/admin/carriers", Some(json!({"name": "rep-sandbox", "adapter": "sandbox"}))));
    ok(app.admin("PUT", "/v1/admin/carriers/rep-sandbox/costs", Some(json!({"currency": "SEK", "scope": "SE", "per_segment_minor": 12.345}))));
    ok(app.admin("PUT", "/v1/admin/carriers/rep-sandbox/costs", Some(json!({"currency": "EUR", "scope": "FI", "per_segment_minor": 0.5}))));
    let (sek, sek_key) = app.account("SEK", 100_000, 0);
    let (eur, eur_key) = app.account("EUR", 100_000, 0);
    ok(app.admin("PUT", &format!("/v1/admin/accounts/{sek}/routes"), Some(json!({"scope": "SE", "connections": [{"name": "rep-sandbox"}]}))));
    ok(app.admin("PUT", &format!("/v1/admin/accounts/{eur}/routes"), Some(json!({"scope": "FI", "connections": [{"name": "rep-sandbox"}]}))));

    let mut sent = Vec::new();
    for n in 1..=3 {
        sent.push((sek_key.clone(), send(app, &sek_key, &format!("+4670520000{n}"))));
    }
    for n in 1..=2 {
        sent.push((eur_key.clone(), send(app, &eur_key, &format!("+35840123456{n}"))));
    }
    // Scheduled a year on: one canceled (refunded, "other"), one left pending.
    let later = rfc3339_in(365 * 86_400);
    let scheduled = |to: &str| {
        let r = ok(app.send(&sek_key, json!({"from": "ACME", "to": to, "text": "later", "send_at": later})));
        r.json["messages"][0]["id"].as_str().or(r.json["id"].as_str()).unwrap().to_owned()
    };
    let canceled = scheduled("+46705200008");
    scheduled("+46705200009");
    ok(call("DELETE", &app.url(&format!("/v1/messages/{canceled}")), Some(&sek_key), None, &[]));
    app.drain_queue();
    for (key, id) in &sent {
        app.final_message(key, id);
    }

    let today: String = app.sql().query_row("SELECT date('now')", [], |r| r.get(0)).unwrap();
    let report = ok(app.admin("GET", &format!("/v1/admin/reports/traffic?from={today}&to={today}"), None)).json;
    let totals = &report["totals"];
    assert_eq!(totals["messages"], count_in_db(app, "1"), "{report}");
    assert_eq!(totals["messages"], 7);
    assert_eq!(totals["delivered"], count_in_db(app, "status = 201"));
    assert_eq!(totals["pending"], count_in_db(app, "status < 200 OR status = 503"));
    assert_eq!(totals["other"], count_in_db(app, "status IN (202, 203, 599)"));
    assert_eq!(totals["failed"], count_in_db(app, "status >= 400 AND status NOT IN (503, 599)"));
    assert_eq!((totals["pending"].as_i64(), totals["other"].as_i64()), (Some(1), Some(1)), "{report}");

    let days = report["days"].as_array().unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0]["date"], today.as_str());
    assert_eq!(days[0]["messages"], 7);
    let connections = report["connections"].as_array().unwrap();
    assert_eq!(connections.iter().map(|c| c["messages"].as_i64().unwrap()).sum::<i64>(), 7);
    let at_sandbox = connections.iter().find(|c| c["connection"] == "rep-sandbox").expect("the routed connection");
    assert_eq!(at_sandbox["messages"], count_in_db(app, "carrier = 'rep-sandbox'"));
    assert_eq!(report["destinations"], json!([{"country": "SE", "messages": 5}, {"country": "FI", "messages": 2}]));

    // Money per currency, never added across currencies.
    assert_eq!(report["money"].as_array().unwrap().len(), 2, "{report}");
    for currency in ["SEK", "EUR"] {
        let m = money_of(&report["money"], currency);
        let (messages, revenue, cost) = money_in_db(app, currency);
        assert_eq!((m["messages"].as_i64(), m["revenue_minor"].as_i64(), m["cost_milli"].as_i64()), (Some(messages), Some(revenue), Some(cost)), "{currency}: {m}");
        assert_eq!(m["margin_milli"].as_i64(), Some(revenue * 1000 - cost));
        assert_eq!(money_of(&days[0]["money"], currency), m);
    }
    // The canceled message's refund is not revenue; the delivered SEK ones cost 12.345 each.
    let sek_money = money_of(&report["money"], "SEK");
    let charged: i64 = app.sql().query_row("SELECT SUM(price_minor) FROM messages WHERE currency = 'SEK'", [], |r| r.get(0)).unwrap();
    assert!(sek_money["revenue_minor"].as_i64().unwrap() < charged, "{sek_money}");
    assert_eq!(sek_money["cost_milli"], 3 * 12_345, "{sek_money}");

    // One account's report has its messages only.
    let one = ok(app.admin("GET", &format!("/v1/admin/reports/traffic?from={today}&to={today}&account_id={eur}"), None)).json;
    assert_eq!((one["totals"]["messages"].as_i64(), one["account_id"].as_str()), (Some(2), Some(eur.as_str())));
    assert_eq!(one["money"].as_array().unwrap().iter().map(|m| m["currency"].as_str().unwrap()).collect::<Vec<_>>(), ["EUR"]);

    // CSV: by ?format=csv and by Accept, one row per day and currency.
    let auth = ("Authorization", format!("Bearer {ADMIN_TOKEN}"));
    let path = format!("/v1/admin/reports/traffic?from={today}&to={today}");
    let by_format = call_full("GET", &app.url(&format!("{path}&format=csv")), None, &[auth.clone()]);
    let by_accept = call_full("GET", &app.url(&path), None, &[auth.clone(), ("Accept", "text/csv".into())]);
    for csv in [&by_format, &by_accept] {
        assert_eq!(csv.status, 200, "{}", csv.text);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(csv.header("content-disposition"), Some(format!("attachment; filename=\"traffic-{today}-{today}.csv\"").as_str()));
    }
    assert_eq!(by_format.text, by_accept.text);
    let mut reader = csv::Reader::from_reader(by_format.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let column = |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
    for row in &rows {
        assert_eq!(column(row, "date"), today);
        let m = money_of(&report["money"], &column(row, "currency"));
        for field in ["messages", "delivered", "failed", "pending", "other", "revenue_minor", "cost_milli", "margin_milli", "without_cost"] {
            assert_eq!(column(row, field), m[field].to_string(), "{field}");
        }
    }

    // A range over 366 days, or reversed, is refused by name.
    let long = app.admin("GET", "/v1/admin/reports/traffic?from=2024-01-01&to=2025-12-31", None);
    assert_eq!((long.status, long.json["error"]["name"].as_str()), (400, Some("InvalidDateRange")), "{}", long.text);
    let missing = app.admin("GET", "/v1/admin/reports/traffic?from=2026-01-01", None);
    assert_eq!((missing.status, missing.json["error"]["name"].as_str()), (400, Some("InvalidDateRange")));
    // Customers' keys are not operators.
    let customer = app.get(&sek_key, &path);
    assert!(matches!(customer.status, 401 | 403), "{}", customer.text);
}
