//! End-to-end: the operator's own configuration (area `settings`, seed 003 "My Account",
//! issue 18) on a real `spin up`: the company section round-trips and names every bad
//! field, and invoices name it as the seller; Stripe keys set in the console are stored sealed (not in the SQLite file), never
//! answered, and used for a top-up against a fake Stripe and for its webhook, with no
//! `stripe_secret_key` variable at all; the test e-mail lands in the outbox; the test SMS
//! reaches the fake carrier and is paid by the operator's own test account, no customer's; a staff member without `settings` is
//! refused, one with it is named in the history.

use e2e::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;

const CONSOLE_STRIPE_KEY: &str = "sk_test_console_key_e2e_SECRETVALUE1234";
const CONSOLE_WEBHOOK_SECRET: &str = "whsec_console_webhook_e2e_SECRETHOOK";

/// A Checkout Session request as the fake Stripe saw it: (Authorization, form).
type Seen = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

/// A local Stripe API answering every `POST /v1/checkout/sessions` with a session.
fn fake_stripe() -> (String, Seen) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind fake Stripe");
    let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
    let seen: Seen = Arc::default();
    let recorded = seen.clone();
    thread::spawn(move || {
        for (n, mut request) in server.incoming_requests().enumerate() {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let auth = request.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string()).unwrap_or_default();
            recorded.lock().unwrap().push((auth, form_urlencoded::parse(body.as_bytes()).into_owned().collect()));
            let id = format!("cs_test_console_{n:04}");
            let reply = json!({"id": id, "object": "checkout.session", "url": format!("https://checkout.stripe.com/c/pay/{id}")});
            let response = tiny_http::Response::from_string(reply.to_string())
                .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
            let _ = request.respond(response);
        }
    });
    (base, seen)
}

struct Env {
    app: SpinApp,
    carrier: FakeCarrier,
    stripe_seen: Seen,
}

/// One app for the file: the HTTP carrier (a fake), Stripe's API (a fake) and no Stripe
/// key among the variables: whatever key a top-up uses came from the console.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        build_app();
        let carrier = FakeCarrier::start(2);
        let (stripe_base, stripe_seen) = fake_stripe();
        let app = SpinApp::start(&[
            ("carrier", "http".into()),
            ("carrier_base_url", carrier.base.clone()),
            ("carrier_api_key", CARRIER_KEY.into()),
            ("carrier_webhook_secret", WEBHOOK_SECRET.into()),
            ("stripe_api_base", stripe_base),
        ]);
        Env { app, carrier, stripe_seen }
    })
}

fn error_name(reply: &Reply) -> &str {
    reply.json["error"]["name"].as_str().unwrap_or("")
}

/// The app's SQLite files (the database and its write-ahead log) as bytes.
fn database_bytes(app: &SpinApp) -> Vec<u8> {
    let mut bytes = std::fs::read(app.database()).unwrap();
    let wal = app.database().with_extension("db-wal");
    bytes.extend(std::fs::read(wal).unwrap_or_default());
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn history(app: &SpinApp) -> Vec<Value> {
    let reply = app.admin("GET", "/v1/admin/settings/history", None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["events"].as_array().unwrap().clone()
}

#[test]
fn the_company_section_round_trips_and_names_every_bad_field() {
    let app = &env().app;
    let bad = app.admin(
        "PUT",
        "/v1/admin/settings/company",
        Some(json!({"name": "", "vat_number": "not a vat", "email": "nope", "website": "reseller.se", "default_currency": "XYZ",
            "date_format": "tomorrow", "time_zone": "Mars/Olympus"})),
    );
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidCompanySettings"), "{}", bad.text);
    let named: Vec<String> = bad.json["error"]["details"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap().split(':').next().unwrap().to_owned()).collect();
    assert_eq!(named, ["name", "vat_number", "email", "website", "default_currency", "date_format", "time_zone"], "{}", bad.text);
    assert_eq!(app.admin("GET", "/v1/admin/settings/company", None).json["name"], Value::Null, "nothing was written");

    let company = json!({
        "name": "Reseller Nord AB", "organisation_number": "556677-8899", "vat_number": "SE556677889901",
        "address_line1": "Storgatan 1", "postal_code": "111 22", "city": "Stockholm", "country": "SE",
        "email": "billing@reseller.example", "phone": "+46701234567", "website": "https://reseller.example",
        "default_currency": "EUR", "date_format": "DD.MM.YYYY", "time_zone": "Europe/Helsinki"
    });
    let set = app.admin("PUT", "/v1/admin/settings/company", Some(company.clone()));
    assert_eq!(set.status, 200, "{}", set.text);
    let read = app.admin("GET", "/v1/admin/settings/company", None);
    for (field, value) in company.as_object().unwrap() {
        assert_eq!(&read.json[field], value, "{field}: {}", read.text);
    }
    assert!(read.json["updated_at"].is_string(), "{}", read.text);

    // A staff member with the settings area changes it, and the history names them.
    let group = app.staff_group(&format!("settings-{}", now()), json!({"settings": "allow"}));
    let (staff, user_id, _) = app.signed_in_staff(&format!("settings.{}@staff.example.com", now()), "Sara Settings", &[&group]);
    let me = staff.call("GET", "/v1/console/me", None);
    assert_eq!(me.json["defaults"], json!({"currency": "EUR", "date_format": "DD.MM.YYYY", "time_zone": "Europe/Helsinki"}), "{}", me.text);
    let mut changed = company.clone();
    changed["city"] = json!("Uppsala");
    changed["website"] = Value::Null;
    let by_staff = staff.call("PUT", "/v1/admin/settings/company", Some(changed));
    assert_eq!(by_staff.status, 200, "{}", by_staff.text);
    assert_eq!((by_staff.json["city"].as_str(), &by_staff.json["website"]), (Some("Uppsala"), &Value::Null));
    let line = history(app).into_iter().find(|e| e["action"] == "settings.company_updated" && e["actor"] == format!("staff:{user_id}").as_str()).expect("recorded");
    assert_eq!(line["actor_name"], "Sara Settings");
    assert_eq!((line["before"]["city"].as_str(), line["after"]["city"].as_str()), (Some("Stockholm"), Some("Uppsala")));

    // An invoice issued now names the company as the seller (not the seller_* variables).
    let (account, _) = app.account("SEK", 0, 0);
    let credit = app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"amount_minor": 500, "kind": "credit_note"})));
    assert_eq!(credit.status, 201, "{}", credit.text);
    let period = last_month();
    backdate_ledger(app, &account, &period);
    let invoice = app.admin("POST", &format!("/v1/admin/accounts/{account}/invoices"), Some(json!({"period": period})));
    assert!(invoice.status == 200 || invoice.status == 201, "{}", invoice.text);
    assert_eq!(invoice.json["seller"]["name"], "Reseller Nord AB", "{}", invoice.text);
    assert_eq!(invoice.json["seller"]["vat_number"], "SE556677889901");
    let address = invoice.json["seller"]["address"].as_str().unwrap();
    assert!(address.contains("Storgatan 1") && address.contains("Uppsala"), "{address}");
}

fn last_month() -> String {
    let now = rfc3339_in(0);
    let (year, month): (i32, u32) = (now[..4].parse().unwrap(), now[5..7].parse().unwrap());
    if month == 1 { format!("{:04}-12", year - 1) } else { format!("{year:04}-{:02}", month - 1) }
}

/// Moves the account's ledger entries into `period` (as tests/e2e/tests/reports.rs does:
/// the ledger's UPDATE trigger lifted for this one transaction and put back).
fn backdate_ledger(app: &SpinApp, account: &str, period: &str) {
    let at = format!("{period}-15T12:00:00.000Z");
    let mut db = app.sql_write();
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
    let trigger: String =
        tx.query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ledger_entries_are_immutable'", [], |r| r.get(0)).unwrap();
    tx.execute_batch("DROP TRIGGER ledger_entries_are_immutable").unwrap();
    tx.execute("UPDATE ledger_entries SET created_at = ? WHERE account_id = ?", [&at, account]).unwrap();
    tx.execute_batch(&trigger).unwrap();
    tx.commit().unwrap();
}

#[test]
fn stripe_keys_set_in_the_console_are_sealed_never_answered_and_pay_a_top_up() {
    let env = env();
    let app = &env.app;
    let (account, key) = app.account("SEK", 0, 0);
    let before = app.admin("GET", "/v1/admin/settings/payment-gateway", None);
    assert_eq!((before.json["keys_from"].as_str(), before.json["secret_key"]["set"].as_bool()), (Some("none"), Some(false)), "{}", before.text);
    let refused = app.api(&key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": 10_000})));
    assert_eq!((refused.status, error_name(&refused)), (503, "TopupsNotConfigured"), "no key anywhere yet: {}", refused.text);
    // The customer is not told the operator's configuration (issue 19 item 2).
    assert!(!refused.text.contains("stripe_") && !refused.text.contains("variable"), "{}", refused.text);

    // A live key in test mode, a bad webhook secret: named, and the secrets not repeated.
    let wrong = app.admin(
        "PUT",
        "/v1/admin/settings/payment-gateway",
        Some(json!({"mode": "test", "secret_key": "sk_live_SECRETVALUE999", "webhook_secret": "SECRETHOOK999"})),
    );
    assert_eq!((wrong.status, error_name(&wrong)), (400, "InvalidPaymentGateway"), "{}", wrong.text);
    assert!(!wrong.text.contains("SECRETVALUE999") && !wrong.text.contains("SECRETHOOK999"), "{}", wrong.text);

    let set = app.admin(
        "PUT",
        "/v1/admin/settings/payment-gateway",
        Some(json!({"mode": "test", "secret_key": CONSOLE_STRIPE_KEY, "webhook_secret": CONSOLE_WEBHOOK_SECRET, "publishable_key": "pk_test_console"})),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    let read = app.admin("GET", "/v1/admin/settings/payment-gateway", None);
    for reply in [&set, &read] {
        assert!(!reply.text.contains("SECRETVALUE") && !reply.text.contains("SECRETHOOK"), "never answered: {}", reply.text);
        assert_eq!(reply.json["secret_key"], json!({"set": true, "ending": "…1234"}), "{}", reply.text);
        assert_eq!(reply.json["webhook_secret"], json!({"set": true, "ending": "…HOOK"}), "{}", reply.text);
        assert_eq!((reply.json["keys_from"].as_str(), reply.json["publishable_key"].as_str()), (Some("console"), Some("pk_test_console")));
    }
    // Sealed at rest: neither secret's text is anywhere in the SQLite files.
    let bytes = database_bytes(app);
    assert!(!contains(&bytes, CONSOLE_STRIPE_KEY) && !contains(&bytes, "SECRETVALUE1234"), "the secret key is in the database file");
    assert!(!contains(&bytes, CONSOLE_WEBHOOK_SECRET), "the webhook secret is in the database file");
    let stored: String = app.sql().query_row("SELECT stripe_secret_key FROM reseller_settings", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("v1."), "sealed: {stored}");
    // The history says the gateway changed, not what the secrets are.
    let lines = history(app);
    let line = lines.iter().find(|e| e["action"] == "settings.payment_gateway_updated").expect("recorded");
    assert_eq!((line["after"]["secret_key"].as_str(), line["actor"].as_str()), (Some("set"), Some("operator")), "{line}");
    assert!(!Value::Array(lines.clone()).to_string().contains("SECRET"), "{lines:?}");

    // A mode change that would leave the test key in live mode is refused; keeping the
    // key (absent) with the same mode changes only the publishable key.
    let switch = app.admin("PUT", "/v1/admin/settings/payment-gateway", Some(json!({"mode": "live"})));
    assert_eq!((switch.status, error_name(&switch)), (400, "InvalidPaymentGateway"), "{}", switch.text);

    // A top-up uses the console's key with the fake Stripe, and its webhook secret credits.
    let topup = app.api(&key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": 10_000})));
    assert_eq!(topup.status, 201, "{}", topup.text);
    assert_eq!(topup.json["stripe_mode"], "test");
    let topup_id = topup.json["id"].as_str().unwrap().to_owned();
    let (auth, form) = env
        .stripe_seen
        .lock()
        .unwrap()
        .iter()
        .find(|(_, f)| f.iter().any(|(n, v)| n == "metadata[topup_id]" && *v == topup_id))
        .cloned()
        .expect("Stripe was asked for a session");
    assert_eq!(auth, format!("Bearer {CONSOLE_STRIPE_KEY}"));
    let session = topup.json["checkout_session_id"].as_str().unwrap();
    let event = json!({
        "id": format!("evt_console_{}", now()), "object": "event", "type": "checkout.session.completed", "livemode": false,
        "data": {"object": {"id": session, "object": "checkout.session", "payment_status": "paid", "status": "complete",
            "amount_total": 10_000, "currency": "sek", "payment_intent": format!("pi_console_{}", now()),
            "client_reference_id": form.iter().find(|(n, _)| n == "client_reference_id").map(|(_, v)| v.clone()),
            "metadata": {"account_id": account, "topup_id": topup_id}}}
    })
    .to_string();
    let forged = call("POST", &app.url("/v1/billing/stripe/webhook"), None, Some(event.clone()), &[("Stripe-Signature", carrier_signature("whsec_other", now(), &event))]);
    assert_eq!(forged.status, 401, "{}", forged.text);
    let signed = [("Stripe-Signature", carrier_signature(CONSOLE_WEBHOOK_SECRET, now(), &event))];
    let credited = call("POST", &app.url("/v1/billing/stripe/webhook"), None, Some(event), &signed);
    assert_eq!((credited.status, credited.json["outcome"].as_str()), (200, Some("credited")), "{}", credited.text);
    assert_eq!(app.account_balance(&account), 10_000);
    app.assert_ledger_balanced();
}

#[test]
fn the_test_email_lands_in_the_outbox() {
    let app = &env().app;
    let to = format!("test.{}@operator.example.com", now());
    let sent = app.admin("POST", "/v1/admin/settings/test-email", Some(json!({"to": to, "language": "sv"})));
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!((sent.json["provider"].as_str(), &sent.json["delivered"]), (Some("outbox"), &Value::Null), "{}", sent.text);
    let kept = app.last_email(&to);
    assert_eq!(kept["id"], sent.json["id"], "{kept}");
    assert!(kept["subject"].as_str().unwrap().starts_with("Testmejl"), "{kept}");
    let bad = app.admin("POST", "/v1/admin/settings/test-email", Some(json!({"to": "not an address"})));
    assert_eq!((bad.status, error_name(&bad)), (400, "InvalidEmail"), "{}", bad.text);
    assert!(history(app).iter().any(|e| e["action"] == "settings.test_email_sent" && e["after"]["to"] == to.as_str()));
}

#[test]
fn the_test_sms_reaches_the_carrier_and_charges_no_customer() {
    let env = env();
    let app = &env.app;
    let (customer, _) = app.account("SEK", 5_000, 0);
    let customers_ledger = app.ledger_rows(&customer);
    let to = "+46701239876";
    let sent = app.admin("POST", "/v1/admin/settings/test-sms", Some(json!({"to": to})));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let message_id = sent.json["message_id"].as_str().unwrap();
    assert!(sent.json["status"]["code"].is_u64() && sent.json["status"]["name"].is_string(), "{}", sent.text);
    let price = sent.json["price"]["minor"].as_i64().unwrap();
    let test_account = sent.json["account_id"].as_str().unwrap().to_owned();
    assert_ne!(test_account, customer);

    // Through the routing to the (fake) carrier.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !env.carrier.received.lock().unwrap().iter().any(|r| r.body["to"] == to) {
        assert!(std::time::Instant::now() < deadline, "the carrier never got the test SMS");
        thread::sleep(std::time::Duration::from_millis(100));
    }
    let status: i64 = app.sql().query_row("SELECT status FROM messages WHERE id = ?", [message_id], |r| r.get(0)).unwrap();
    assert!(status >= 110, "handed to the carrier: {status}");

    // No customer paid: theirs is untouched; the operator's test account paid, on credit.
    assert_eq!(app.account_balance(&customer), 5_000);
    assert_eq!(app.ledger_rows(&customer), customers_ledger);
    assert_eq!(app.account_balance(&test_account), -price);
    // A second test, under an Idempotency-Key: from the same account, and a repeat of the
    // key answers the same message without sending or charging again.
    let keyed = || {
        let body = json!({"to": to, "text": "second test"}).to_string();
        call("POST", &app.url("/v1/admin/settings/test-sms"), Some(ADMIN_TOKEN), Some(body), &[("Idempotency-Key", "reseller-test-sms-0001".into())])
    };
    let again = keyed();
    assert_eq!((again.status, again.json["account_id"].as_str()), (201, Some(test_account.as_str())), "the same account: {}", again.text);
    let charged = -price - again.json["price"]["minor"].as_i64().unwrap();
    assert_eq!(app.account_balance(&test_account), charged);
    let repeated = keyed();
    assert_eq!((repeated.status, &repeated.json["message_id"]), (201, &again.json["message_id"]), "{}", repeated.text);
    assert_eq!(app.account_balance(&test_account), charged, "a repeat charges nothing");
    let messages: i64 = app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&test_account], |r| r.get(0)).unwrap();
    assert_eq!(messages, 2);
    app.assert_ledger_balanced();
    let line = history(app).into_iter().find(|e| e["action"] == "settings.test_sms_sent" && e["after"]["message_id"] == message_id).expect("recorded");
    assert_eq!(line["summary"], format!("Test SMS sent to {to}"));
}

#[test]
fn a_staff_member_without_the_settings_area_is_refused() {
    let app = &env().app;
    let group = app.staff_group(&format!("support-{}", now()), json!({"customers": "allow"}));
    let (staff, _, _) = app.signed_in_staff(&format!("support.{}@staff.example.com", now()), "Sam Support", &[&group]);
    for (method, path, body) in [
        ("GET", "/v1/admin/settings/company", None),
        ("PUT", "/v1/admin/settings/company", Some(json!({"name": "Taken Over AB"}))),
        ("GET", "/v1/admin/settings/payment-gateway", None),
        ("PUT", "/v1/admin/settings/payment-gateway", Some(json!({"mode": "test", "secret_key": null}))),
        ("POST", "/v1/admin/settings/test-email", Some(json!({"to": "x@example.com"}))),
        ("POST", "/v1/admin/settings/test-sms", Some(json!({"to": "+46701230000"}))),
        ("GET", "/v1/admin/settings/history", None),
    ] {
        let refused = staff.call(method, path, body);
        assert_eq!((refused.status, error_name(&refused)), (403, "AreaNotPermitted"), "{method} {path}: {}", refused.text);
        assert_eq!(refused.json["error"]["details"][0]["value"], "settings", "{}", refused.text);
    }
    assert_ne!(app.admin("GET", "/v1/admin/settings/company", None).json["name"], "Taken Over AB");
    // The console still tells them the operator's defaults (the new-client form needs them).
    assert!(staff.call("GET", "/v1/console/me", None).json["defaults"]["currency"].is_string());
}
