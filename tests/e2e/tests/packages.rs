//! End-to-end: packages and credits (seed 002, 003) — the operator's catalogue, purchases
//! from the balance, sends paid with SMS credits and refunded as credits, subscriptions
//! renewed exactly once per period by the job runner however often it runs, lapsing when
//! the balance cannot pay, and number subscriptions gating secondary reception numbers.
//! After every scenario the money ledger and the credit ledger each sum to what they keep.

use e2e::*;
use serde_json::{json, Value};

fn app() -> &'static SpinApp {
    shared_sandbox()
}

/// The credit invariant straight from the database: every account's SMS and voice credits
/// equal the sums of its credit entries, and no count is negative.
fn assert_credits_balanced(app: &SpinApp) {
    let db = app.sql();
    let mut stmt = db
        .prepare(
            "SELECT a.id, a.sms_credits, a.voice_credits, \
                    COALESCE((SELECT SUM(amount) FROM credit_entries c WHERE c.account_id = a.id AND unit = 'sms'), 0), \
                    COALESCE((SELECT SUM(amount) FROM credit_entries c WHERE c.account_id = a.id AND unit = 'voice'), 0) \
             FROM accounts a",
        )
        .unwrap();
    let rows: Vec<(String, i64, i64, i64, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).unwrap().map(Result::unwrap).collect();
    for (id, sms, voice, sms_sum, voice_sum) in rows {
        assert_eq!((sms, voice), (sms_sum, voice_sum), "account {id}: credits {sms}/{voice} but the entries sum to {sms_sum}/{voice_sum}");
        assert!(sms >= 0 && voice >= 0, "account {id}: negative credits");
    }
}

fn balanced(app: &SpinApp) {
    app.assert_ledger_balanced();
    assert_credits_balanced(app);
}

fn package(app: &SpinApp, body: Value) -> String {
    let created = app.admin("POST", "/v1/admin/packages", Some(body));
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["id"].as_str().unwrap().to_owned()
}

fn purchase(app: &SpinApp, key: &str, package: &str) -> Reply {
    app.api(key, "POST", &format!("/v1/billing/packages/{package}/purchase"), None)
}

fn billing_balance(app: &SpinApp, key: &str) -> Value {
    let got = app.get(key, "/v1/billing/balance");
    assert_eq!(got.status, 200, "{}", got.text);
    got.json
}

/// Moves a subscription's period end into the past: its renewal is due.
fn period_over(app: &SpinApp, subscription: &str) {
    let changed = app
        .sql_write()
        .execute("UPDATE subscriptions SET next_renewal_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", [subscription])
        .unwrap();
    assert_eq!(changed, 1);
}

fn subscription(app: &SpinApp, key: &str, id: &str) -> Value {
    let list = app.get(key, "/v1/billing/subscriptions");
    assert_eq!(list.status, 200, "{}", list.text);
    list.json["subscriptions"].as_array().unwrap().iter().find(|s| s["id"] == id).cloned().expect("the subscription is listed")
}

/// (outcome, period_index) of each renewal of a subscription, oldest first.
fn renewals(app: &SpinApp, subscription: &str) -> Vec<(String, i64)> {
    let db = app.sql();
    let mut stmt = db.prepare("SELECT outcome, period_index FROM subscription_renewals WHERE subscription_id = ? ORDER BY rowid").unwrap();
    stmt.query_map([subscription], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

fn kinds(app: &SpinApp, account: &str, kind: &str) -> Vec<i64> {
    app.ledger_rows(account).into_iter().filter(|(k, _, _)| k == kind).map(|(_, amount, _)| amount).collect()
}

#[test]
fn the_catalogue_is_the_operators_and_each_account_sees_its_currency() {
    let app = app();
    let bad = app.admin(
        "POST",
        "/v1/admin/packages",
        Some(json!({"name": "", "cost_minor": -1, "currency": "SEK", "sms_credits": 10, "frequency": "yearly"})),
    );
    assert_eq!((bad.status, bad.json["error"]["name"].as_str()), (400, Some("InvalidPackage")), "{}", bad.text);
    assert_eq!(bad.json["error"]["details"].as_array().unwrap().len(), 3, "{}", bad.text);
    let once_numbers =
        app.admin("POST", "/v1/admin/packages", Some(json!({"name": "N", "cost_minor": 1, "currency": "SEK", "numbers": 1, "frequency": "once"})));
    assert_eq!(once_numbers.status, 400, "a number subscription recurs: {}", once_numbers.text);

    let sek = package(app, json!({"name": "Catalogue SEK", "cost_minor": 100, "currency": "SEK", "sms_credits": 5, "frequency": "once"}));
    let eur = package(app, json!({"name": "Catalogue EUR", "cost_minor": 100, "currency": "EUR", "sms_credits": 5, "frequency": "once"}));
    let retired = package(app, json!({"name": "Retired", "cost_minor": 100, "currency": "SEK", "voice_credits": 5, "frequency": "weekly"}));
    let patched = app.admin("PATCH", &format!("/v1/admin/packages/{retired}"), Some(json!({"active": false})));
    assert_eq!((patched.status, patched.json["active"].as_bool()), (200, Some(false)), "{}", patched.text);
    assert_eq!(patched.json["voice_credits"], 5, "a PATCH keeps what it does not name");
    let currency = app.admin("PATCH", &format!("/v1/admin/packages/{retired}"), Some(json!({"currency": "EUR"})));
    assert_eq!(currency.status, 400, "{}", currency.text);
    assert_eq!(app.admin("GET", "/v1/admin/packages/pkg_nope", None).status, 404);

    let (account, key) = app.account("SEK", 1_000, 0);
    let listed = app.get(&key, "/v1/billing/packages");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let ids: Vec<&str> = listed.json["packages"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&sek.as_str()));
    assert!(!ids.contains(&eur.as_str()) && !ids.contains(&retired.as_str()), "only active packages in the account's currency");
    assert_eq!(purchase(app, &key, &eur).status, 404);
    assert_eq!(purchase(app, &key, &retired).status, 404);
    assert_eq!(app.get(&key, "/v1/billing/balance").json["sms_credits"], 0);
    assert!(kinds(app, &account, "package_purchase").is_empty(), "nothing was bought");
    balanced(app);
}

#[test]
fn a_package_gives_credits_that_sends_spend_before_money_and_refunds_give_back() {
    let app = app();
    let hundred = package(app, json!({"name": "100 SMS", "cost_minor": 5_000, "currency": "SEK", "sms_credits": 100, "frequency": "once"}));
    let (account, key) = app.account("SEK", 10_000, 0);

    let bought = purchase(app, &key, &hundred);
    assert_eq!(bought.status, 201, "{}", bought.text);
    assert_eq!((bought.json["balance_minor"].as_i64(), bought.json["credits"]["sms"].as_i64()), (Some(5_000), Some(100)));
    assert!(bought.json["subscription"].is_null(), "a once package starts no subscription");
    assert_eq!(kinds(app, &account, "package_purchase"), vec![-5_000]);
    let balance = billing_balance(app, &key);
    assert_eq!((balance["balance_minor"].as_i64(), balance["sms_credits"].as_i64(), balance["voice_credits"].as_i64()), (Some(5_000), Some(100), Some(0)));

    // A send of one segment: one credit, no money.
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701240001", "text": "Paid with a credit"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let message = &sent.json["messages"][0];
    assert_eq!((message["credits"].as_u64(), message["price"]["minor"].as_i64()), (Some(1), Some(0)), "{}", sent.text);
    assert_eq!((sent.json["sms_credits"].as_i64(), sent.json["total_price"]["minor"].as_i64()), (Some(99), Some(0)));
    assert_eq!(billing_balance(app, &key)["balance_minor"], 5_000, "money untouched");
    assert!(kinds(app, &account, "debit").is_empty(), "no money debit for a message paid with credits");

    // A batch of three, two segments each: six credits.
    let long = "x".repeat(200);
    let batch = app.send(&key, json!({"from": "ACME", "to": ["+46701240002", "+46701240003", "+46701240004"], "text": long}));
    assert_eq!(batch.status, 201, "{}", batch.text);
    assert!(batch.json["messages"].as_array().unwrap().iter().all(|m| m["credits"] == 2 && m["price"]["minor"] == 0));
    assert_eq!(batch.json["sms_credits"], 93);

    // A scheduled send, cancelled: its credit comes back as a credit, not as money.
    let later = app.send(&key, json!({"from": "ACME", "to": "+46701240005", "text": "Later", "send_at": rfc3339_in(3_600)}));
    assert_eq!(later.status, 201, "{}", later.text);
    assert_eq!(later.json["sms_credits"], 92);
    let id = later.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let canceled = app.api(&key, "DELETE", &format!("/v1/messages/{id}"), None);
    assert_eq!(canceled.status, 200, "{}", canceled.text);
    let balance = billing_balance(app, &key);
    assert_eq!((balance["balance_minor"].as_i64(), balance["sms_credits"].as_i64()), (Some(5_000), Some(93)));
    assert!(kinds(app, &account, "refund").is_empty(), "credits come back as credits");
    let credits = app.get(&key, "/v1/billing/credits");
    assert_eq!(credits.status, 200, "{}", credits.text);
    let newest = &credits.json["entries"][0];
    assert_eq!((newest["kind"].as_str(), newest["amount"].as_i64(), newest["reference"].as_str()), (Some("refund"), Some(1), Some(id.as_str())));
    let history = app.get(&key, &format!("/v1/messages/{id}")).json["history"].clone();
    assert!(history.as_array().unwrap().iter().any(|e| e["status"] == 104 && e["detail"] == "1 SMS credit(s) returned"), "{history}");
    balanced(app);
}

#[test]
fn a_message_the_credits_cannot_pay_whole_is_paid_with_money() {
    let app = app();
    let one = package(app, json!({"name": "1 SMS", "cost_minor": 10, "currency": "SEK", "sms_credits": 1, "frequency": "once"}));
    let (account, key) = app.account("SEK", 1_000, 0);
    assert_eq!(purchase(app, &key, &one).status, 201);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701250001", "text": "y".repeat(200)}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let message = &sent.json["messages"][0];
    assert_eq!((message["credits"].as_u64(), message["price"]["minor"].as_i64()), (Some(0), Some(70)), "{}", sent.text);
    assert_eq!((sent.json["sms_credits"].as_i64(), sent.json["balance"]["minor"].as_i64()), (Some(1), Some(920)));
    assert_eq!(kinds(app, &account, "debit"), vec![-70]);

    // Without the balance for it either: 402, and neither credits nor money move.
    let (poor, poor_key) = app.account("SEK", 10, 0);
    assert_eq!(purchase(app, &poor_key, &one).status, 201);
    let refused = app.send(&poor_key, json!({"from": "ACME", "to": "+46701250002", "text": "z".repeat(200)}));
    assert_eq!(refused.status, 402, "{}", refused.text);
    let balance = billing_balance(app, &poor_key);
    assert_eq!((balance["balance_minor"].as_i64(), balance["sms_credits"].as_i64()), (Some(0), Some(1)));

    // A package the balance and credit limit cannot pay: 402, nothing written.
    let big = package(app, json!({"name": "Big", "cost_minor": 1_000_000, "currency": "SEK", "sms_credits": 10, "frequency": "once"}));
    let refused = purchase(app, &poor_key, &big);
    assert_eq!((refused.status, refused.json["error"]["name"].as_str()), (402, Some("InsufficientFunds")), "{}", refused.text);
    assert_eq!(kinds(app, &poor, "package_purchase"), vec![-10]);
    assert_eq!(billing_balance(app, &poor_key)["sms_credits"], 1);
    balanced(app);
}

#[test]
fn a_monthly_package_renews_exactly_once_per_period_however_often_the_runner_runs() {
    let app = app();
    let monthly = package(app, json!({"name": "Monthly 10", "cost_minor": 1_000, "currency": "SEK", "sms_credits": 10, "frequency": "monthly"}));
    let (account, key) = app.account("SEK", 5_000, 0);
    let bought = purchase(app, &key, &monthly);
    assert_eq!(bought.status, 201, "{}", bought.text);
    let sub = bought.json["subscription"]["id"].as_str().unwrap().to_owned();
    assert_eq!(bought.json["subscription"]["status"], "active");
    let first_end = bought.json["subscription"]["current_period_end"].as_str().unwrap().to_owned();

    // Not due: the runner leaves it alone.
    app.run_jobs();
    assert!(renewals(app, &sub).is_empty());

    // Due; two runners at once, then another: one renewal.
    period_over(app, &sub);
    std::thread::scope(|s| {
        let a = s.spawn(|| app.run_jobs());
        let b = s.spawn(|| app.run_jobs());
        a.join().unwrap();
        b.join().unwrap();
    });
    app.run_jobs();
    assert_eq!(renewals(app, &sub), vec![("renewed".to_owned(), 1)]);
    assert_eq!(kinds(app, &account, "subscription_renewal"), vec![-1_000]);
    let balance = billing_balance(app, &key);
    assert_eq!((balance["balance_minor"].as_i64(), balance["sms_credits"].as_i64()), (Some(3_000), Some(20)));
    let renewed = subscription(app, &key, &sub);
    assert_eq!(renewed["status"], "active");
    let second_end = renewed["current_period_end"].as_str().unwrap().to_owned();
    assert!(second_end > first_end, "the next period ends a month after the first: {first_end} → {second_end}");
    balanced(app);

    // The next period, once again.
    period_over(app, &sub);
    app.run_jobs();
    app.run_jobs();
    assert_eq!(renewals(app, &sub), vec![("renewed".to_owned(), 1), ("renewed".to_owned(), 2)]);
    assert_eq!(kinds(app, &account, "subscription_renewal"), vec![-1_000, -1_000]);
    assert_eq!(billing_balance(app, &key)["sms_credits"], 30);
    balanced(app);

    // Cancelled: it runs to the end of the period, then ends without a charge.
    let canceled = app.api(&key, "DELETE", &format!("/v1/billing/subscriptions/{sub}"), None);
    assert_eq!((canceled.status, canceled.json["cancel_at_period_end"].as_bool()), (200, Some(true)), "{}", canceled.text);
    assert_eq!(canceled.json["status"], "active");
    period_over(app, &sub);
    app.run_jobs();
    app.run_jobs();
    assert_eq!(renewals(app, &sub).last().unwrap().0, "ended");
    assert_eq!(subscription(app, &key, &sub)["status"], "canceled");
    assert_eq!(kinds(app, &account, "subscription_renewal").len(), 2, "no charge for a period not renewed");
    let again = app.api(&key, "DELETE", &format!("/v1/billing/subscriptions/{sub}"), None);
    assert_eq!((again.status, again.json["error"]["name"].as_str()), (409, Some("SubscriptionEnded")), "{}", again.text);
    let (_, other_key) = app.account("SEK", 0, 0);
    assert_eq!(app.api(&other_key, "DELETE", &format!("/v1/billing/subscriptions/{sub}"), None).status, 404, "another account's");
    balanced(app);
}

#[test]
fn a_renewal_the_balance_cannot_pay_lapses_the_subscription_without_partial_entries() {
    let app = app();
    let monthly = package(app, json!({"name": "Monthly lapse", "cost_minor": 1_000, "currency": "SEK", "sms_credits": 10, "voice_credits": 3, "frequency": "monthly"}));
    let (account, key) = app.account("SEK", 1_500, 0);
    let bought = purchase(app, &key, &monthly);
    assert_eq!(bought.status, 201, "{}", bought.text);
    let sub = bought.json["subscription"]["id"].as_str().unwrap().to_owned();
    let entries_before = app.ledger_rows(&account).len();

    period_over(app, &sub);
    app.run_jobs();
    app.run_jobs();
    assert_eq!(renewals(app, &sub), vec![("past_due".to_owned(), 1)], "recorded once, not retried");
    let lapsed = subscription(app, &key, &sub);
    assert_eq!(lapsed["status"], "past_due");
    assert!(lapsed["ended_at"].is_string());
    assert_eq!(app.ledger_rows(&account).len(), entries_before, "no money moved");
    let balance = billing_balance(app, &key);
    assert_eq!((balance["balance_minor"].as_i64(), balance["sms_credits"].as_i64(), balance["voice_credits"].as_i64()), (Some(500), Some(10), Some(3)));
    let history = app.get(&key, "/v1/account/history").json["events"].clone();
    assert!(history.as_array().unwrap().iter().any(|e| e["action"] == "subscription.past_due"), "{history}");
    balanced(app);
}

#[test]
fn secondary_numbers_need_a_number_subscription_with_room() {
    let app = app();
    let (account, key) = app.account("SEK", 5_000, 0);
    let assign = |number: &str, role: Option<&str>| {
        let mut body = json!({"number": number, "account_id": account});
        if let Some(role) = role {
            body["role"] = role.into();
        }
        app.admin("POST", "/v1/admin/numbers", Some(body))
    };
    // The first number is the primary one, as it always was.
    let primary = assign("+46766000001", None);
    assert_eq!(primary.status, 200, "{}", primary.text);
    assert_eq!(primary.json["numbers"][0]["role"], "primary");
    let refused = assign("+46766000002", Some("secondary"));
    assert_eq!((refused.status, refused.json["error"]["name"].as_str()), (409, Some("NumberSubscriptionRequired")), "{}", refused.text);
    assert_eq!(assign("+46766000002", None).status, 409, "a second number without a role is secondary");

    let numbers = package(app, json!({"name": "1 extra number", "cost_minor": 500, "currency": "SEK", "numbers": 1, "frequency": "monthly"}));
    let bought = purchase(app, &key, &numbers);
    assert_eq!(bought.status, 201, "{}", bought.text);
    let allowed = assign("+46766000002", Some("secondary"));
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    assert_eq!(allowed.json["numbers"].as_array().unwrap().len(), 2);
    assert_eq!(assign("+46766000002", Some("secondary")).status, 200, "the same number again takes no more room");
    assert_eq!(assign("+46766000003", Some("secondary")).status, 409, "the subscription has room for one");
    assert_eq!(assign("+46766000004", Some("primary")).status, 200, "primary numbers are as they were");
    assert_eq!(app.admin("POST", "/v1/admin/numbers", Some(json!({"number": "+46766000005", "account_id": "acc_nope", "role": "secondary"}))).status, 404);

    // Lapsed, it makes no room any more.
    let sub = bought.json["subscription"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.api(&key, "DELETE", &format!("/v1/billing/subscriptions/{sub}"), None).status, 200);
    period_over(app, &sub);
    app.run_jobs();
    assert_eq!(subscription(app, &key, &sub)["status"], "canceled");
    let released = app.admin("DELETE", "/v1/admin/numbers/+46766000002", None);
    assert_eq!(released.status, 200, "{}", released.text);
    assert_eq!(assign("+46766000002", Some("secondary")).status, 409);
    balanced(app);
}
