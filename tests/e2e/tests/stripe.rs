//! Money in, end to end through the real `spin up`: top-ups through a local fake Stripe
//! (it records the Checkout Session request), Stripe's signed webhook crediting exactly
//! once (replays, a second event of the same payment, concurrent deliveries), forged,
//! stale and unsigned webhooks refused, an amount mismatch recorded but not credited, an
//! operator's payments, credit notes and corrections, and the payments log. Every
//! scenario ends with the ledger balanced.

use e2e::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;

const STRIPE_KEY: &str = "sk_test_e2e_fake_key";
const STRIPE_WEBHOOK_SECRET: &str = "whsec_e2e_webhook_secret";

/// A Checkout Session request as the fake Stripe received it.
#[derive(Debug, Clone)]
struct SessionRequest {
    authorization: String,
    content_type: String,
    idempotency_key: String,
    form: Vec<(String, String)>,
    session_id: String,
}

impl SessionRequest {
    fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A local Stripe API: `POST /v1/checkout/sessions` answers a session (or, for a unit
/// amount below 300, Stripe's "amount too small" error) and records the request.
struct FakeStripe {
    base: String,
    sessions: Arc<Mutex<Vec<SessionRequest>>>,
}

impl FakeStripe {
    fn start() -> FakeStripe {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind fake Stripe"));
        let port = server.server_addr().to_ip().unwrap().port();
        let sessions = Arc::new(Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicU64::new(1));
        for _ in 0..2 {
            let (server, sessions, counter) = (server.clone(), sessions.clone(), counter.clone());
            thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let header = |name: &'static str| {
                        request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.to_string()).unwrap_or_default()
                    };
                    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                    let amount: i64 = form
                        .iter()
                        .find(|(n, _)| n == "line_items[0][price_data][unit_amount]")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    let (status, reply, session_id) = if request.url() != "/v1/checkout/sessions" {
                        (404, json!({"error": {"message": "Unrecognized request URL"}}), String::new())
                    } else if amount < 300 {
                        (400, json!({"error": {"code": "amount_too_small", "message": "The Checkout Session's total amount due must add up to at least kr3.00 sek", "type": "invalid_request_error"}}), String::new())
                    } else {
                        let id = format!("cs_test_{:08}", counter.fetch_add(1, Ordering::Relaxed));
                        let url = format!("https://checkout.stripe.com/c/pay/{id}");
                        (200, json!({"id": id, "object": "checkout.session", "url": url, "payment_status": "unpaid"}), id)
                    };
                    sessions.lock().unwrap().push(SessionRequest {
                        authorization: header("Authorization"),
                        content_type: header("Content-Type"),
                        idempotency_key: header("Idempotency-Key"),
                        form,
                        session_id,
                    });
                    let response = tiny_http::Response::from_string(reply.to_string())
                        .with_status_code(status)
                        .with_header("Content-Type: application/json".parse::<tiny_http::Header>().unwrap());
                    let _ = request.respond(response);
                }
            });
        }
        FakeStripe { base: format!("http://127.0.0.1:{port}"), sessions }
    }

    fn for_topup(&self, topup_id: &str) -> SessionRequest {
        self.sessions.lock().unwrap().iter().find(|s| s.field("metadata[topup_id]") == Some(topup_id)).cloned().expect("session request")
    }
}

struct Env {
    stripe: FakeStripe,
    app: SpinApp,
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        build_app();
        let stripe = FakeStripe::start();
        let app = SpinApp::start(&[
            ("stripe_api_base", stripe.base.clone()),
            ("stripe_secret_key", STRIPE_KEY.into()),
            ("stripe_webhook_secret", STRIPE_WEBHOOK_SECRET.into()),
            ("stripe_mode", "test".into()),
        ]);
        Env { stripe, app }
    })
}

/// A top-up of `amount` for the key's account: (top-up id, what Stripe was asked).
fn topup(key: &str, amount: i64) -> (String, SessionRequest) {
    let env = env();
    let reply = env.app.api(key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": amount})));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.json["id"].as_str().unwrap().to_owned();
    let session = env.stripe.for_topup(&id);
    assert_eq!(reply.json["checkout_session_id"], session.session_id.as_str());
    (id, session)
}

/// The event Stripe sends when a Checkout Session is paid, as Stripe shapes it.
fn session_completed(topup_id: &str, session: &SessionRequest, payment_intent: &str, amount: i64, currency: &str) -> String {
    json!({
        "id": format!("evt_{}", &payment_intent[3..]),
        "object": "event",
        "type": "checkout.session.completed",
        "livemode": false,
        "api_version": "2024-06-20",
        "data": {"object": {
            "id": session.session_id, "object": "checkout.session", "mode": "payment",
            "payment_status": "paid", "status": "complete",
            "amount_total": amount, "currency": currency, "payment_intent": payment_intent,
            "client_reference_id": session.field("client_reference_id"),
            "metadata": {"account_id": session.field("metadata[account_id]"), "topup_id": topup_id}
        }}
    })
    .to_string()
}

fn intent_succeeded(topup_id: &str, payment_intent: &str, amount: i64) -> String {
    json!({
        "id": format!("evt_pi_{}", &payment_intent[3..]),
        "object": "event",
        "type": "payment_intent.succeeded",
        "livemode": false,
        "data": {"object": {"id": payment_intent, "object": "payment_intent", "amount": amount, "amount_received": amount,
                            "currency": "sek", "status": "succeeded", "metadata": {"topup_id": topup_id}}}
    })
    .to_string()
}

/// Posts `body` to the webhook with a `Stripe-Signature` header (or none).
fn deliver(body: &str, signature: Option<String>) -> Reply {
    let headers: Vec<(&str, String)> = signature.into_iter().map(|s| ("Stripe-Signature", s)).collect();
    call("POST", &env().app.url("/v1/billing/stripe/webhook"), None, Some(body.to_owned()), &headers)
}

/// Signed as Stripe signs, by the tests' own signer (e2e::carrier_signature: the scheme
/// is the same, `t=…,v1=hex(HMAC-SHA256(secret, "t.body"))`), plus a v0 as Stripe sends.
fn signed(body: &str) -> Option<String> {
    Some(format!("{},v0=0000", carrier_signature(STRIPE_WEBHOOK_SECRET, now(), body)))
}

fn payments(key: &str) -> Vec<Value> {
    let reply = env().app.get(key, "/v1/billing/payments");
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["payments"].as_array().unwrap().clone()
}

fn payment<'a>(log: &'a [Value], id: &str) -> &'a Value {
    log.iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("{id} not in {log:?}"))
}

fn topup_entries(account: &str) -> Vec<(String, i64, String)> {
    env().app.ledger_rows(account).into_iter().filter(|(kind, _, _)| kind == "topup").collect()
}

#[test]
fn a_top_up_is_credited_once_by_stripes_signed_webhook() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let (id, session) = topup(&key, 10_000);

    // What Stripe was asked for.
    assert_eq!(session.authorization, format!("Bearer {STRIPE_KEY}"));
    assert_eq!(session.content_type, "application/x-www-form-urlencoded");
    assert_eq!(session.idempotency_key, id);
    assert_eq!(session.field("mode"), Some("payment"));
    assert_eq!(session.field("line_items[0][price_data][currency]"), Some("sek"));
    assert_eq!(session.field("line_items[0][price_data][unit_amount]"), Some("10000"));
    assert_eq!(session.field("line_items[0][quantity]"), Some("1"));
    assert_eq!(session.field("client_reference_id"), Some(account.as_str()));
    assert_eq!(session.field("metadata[account_id]"), Some(account.as_str()));
    assert_eq!(session.field("payment_intent_data[metadata][topup_id]"), Some(id.as_str()));
    assert!(session.field("success_url").unwrap().starts_with("http://127.0.0.1:3000/"), "{session:?}");
    assert!(session.field("cancel_url").unwrap().contains(&id), "{session:?}");

    // Pending, not credited, until Stripe says it is paid.
    let pending = payments(&key);
    assert_eq!(payment(&pending, &id)["status"], "pending");
    assert_eq!(payment(&pending, &id)["stripe_mode"], "test");
    assert_eq!(payment(&pending, &id)["stripe_session"], session.session_id.as_str());
    assert_eq!(app.account_balance(&account), 0);

    let event = session_completed(&id, &session, "pi_credit_once", 10_000, "sek");
    let first = deliver(&event, signed(&event));
    assert_eq!((first.status, first.json["outcome"].as_str()), (200, Some("credited")), "{}", first.text);
    assert_eq!(app.account_balance(&account), 10_000);

    // The same event again (Stripe retries), then the PaymentIntent's own event for the
    // same payment: acknowledged, nothing more credited.
    let replay = deliver(&event, signed(&event));
    assert_eq!(replay.status, 200, "{}", replay.text);
    assert!(replay.json["outcome"].as_str().unwrap().starts_with("already settled"), "{}", replay.text);
    let intent = intent_succeeded(&id, "pi_credit_once", 10_000);
    let other = deliver(&intent, signed(&intent));
    assert_eq!(other.status, 200, "{}", other.text);
    assert!(other.json["outcome"].as_str().unwrap().starts_with("already settled"), "{}", other.text);

    assert_eq!(app.account_balance(&account), 10_000);
    assert_eq!(topup_entries(&account), vec![("topup".to_owned(), 10_000, id.clone())]);
    let log = payments(&key);
    let paid = payment(&log, &id);
    assert_eq!((paid["status"].as_str(), paid["amount_minor"].as_i64()), (Some("paid"), Some(10_000)));
    assert_eq!((paid["paid_minor"].as_i64(), paid["paid_currency"].as_str()), (Some(10_000), Some("SEK")));
    assert_eq!(paid["stripe_payment"], "pi_credit_once");
    assert!(paid["ledger_entry_id"].is_i64() && paid["settled_at"].is_string(), "{paid}");
    app.assert_ledger_balanced();
}

#[test]
fn concurrent_deliveries_of_one_payment_credit_once() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let (id, session) = topup(&key, 25_000);
    let completed = session_completed(&id, &session, "pi_concurrent", 25_000, "sek");
    let intent = intent_succeeded(&id, "pi_concurrent", 25_000);
    // Eight at once: the session's event and the PaymentIntent's, four each.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let body = if i % 2 == 0 { completed.clone() } else { intent.clone() };
            thread::spawn(move || deliver(&body, signed(&body)))
        })
        .collect();
    let replies: Vec<Reply> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    let credited = replies.iter().filter(|r| r.json["outcome"] == "credited").count();
    assert_eq!(credited, 1, "{replies:?}");
    assert_eq!(app.account_balance(&account), 25_000);
    assert_eq!(topup_entries(&account).len(), 1);
    app.assert_ledger_balanced();
}

#[test]
fn forged_stale_and_unsigned_webhooks_are_refused_and_credit_nothing() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let (id, session) = topup(&key, 5_000);
    let event = session_completed(&id, &session, "pi_refused", 5_000, "sek");

    let forged = deliver(&event, Some(carrier_signature("whsec_not_the_secret", now(), &event)));
    assert_eq!((forged.status, forged.json["error"]["name"].as_str()), (401, Some("SignatureInvalid")), "{}", forged.text);
    // Signed, but for another body (the amount changed on the way).
    let tampered = event.replace("5000", "500000");
    let moved = deliver(&tampered, signed(&event));
    assert_eq!(moved.status, 401, "{}", moved.text);
    let stale = deliver(&event, Some(carrier_signature(STRIPE_WEBHOOK_SECRET, now() - 301, &event)));
    assert_eq!((stale.status, stale.json["error"]["name"].as_str()), (401, Some("SignatureInvalid")), "{}", stale.text);
    let missing = deliver(&event, None);
    assert_eq!((missing.status, missing.json["error"]["name"].as_str()), (400, Some("SignatureInvalid")), "{}", missing.text);
    let malformed = deliver(&event, Some("v1=nothex".into()));
    assert_eq!(malformed.status, 400, "{}", malformed.text);

    assert_eq!(app.account_balance(&account), 0);
    assert!(topup_entries(&account).is_empty());
    assert_eq!(payment(&payments(&key), &id)["status"], "pending");

    // The top-up is untouched: the real event still credits it.
    let real = deliver(&event, signed(&event));
    assert_eq!(real.json["outcome"], "credited", "{}", real.text);
    assert_eq!(app.account_balance(&account), 5_000);
    app.assert_ledger_balanced();
}

#[test]
fn an_amount_or_currency_stripe_did_not_agree_is_recorded_not_credited() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let (id, session) = topup(&key, 10_000);
    let short = session_completed(&id, &session, "pi_short", 4_000, "sek");
    let reply = deliver(&short, signed(&short));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.json["outcome"].as_str().unwrap().starts_with("mismatch"), "{}", reply.text);
    // The right amount afterwards does not credit either: the top-up is settled as a
    // mismatch for an operator to resolve.
    let right = session_completed(&id, &session, "pi_short", 10_000, "sek");
    let again = deliver(&right, signed(&right));
    assert!(again.json["outcome"].as_str().unwrap().starts_with("already settled"), "{}", again.text);
    let log = payments(&key);
    let recorded = payment(&log, &id);
    assert_eq!((recorded["status"].as_str(), recorded["paid_minor"].as_i64()), (Some("mismatch"), Some(4_000)));
    assert!(recorded["ledger_entry_id"].is_null());

    let (other, session) = topup(&key, 10_000);
    let euros = session_completed(&other, &session, "pi_euros", 10_000, "eur");
    let reply = deliver(&euros, signed(&euros));
    assert!(reply.json["outcome"].as_str().unwrap().starts_with("mismatch"), "{}", reply.text);
    assert_eq!(app.account_balance(&account), 0);
    assert!(topup_entries(&account).is_empty());
    app.assert_ledger_balanced();
}

#[test]
fn other_events_are_acknowledged_and_ignored() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let (id, session) = topup(&key, 7_500);
    let customer = json!({"id": "evt_customer", "type": "customer.created", "livemode": false, "data": {"object": {"id": "cus_1"}}}).to_string();
    let reply = deliver(&customer, signed(&customer));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.json["outcome"].as_str().unwrap().starts_with("ignored"), "{}", reply.text);

    // A session completed by a payment method that settles later is not paid yet…
    let mut unpaid: Value = serde_json::from_str(&session_completed(&id, &session, "pi_later", 7_500, "sek")).unwrap();
    unpaid["data"]["object"]["payment_status"] = "unpaid".into();
    let unpaid = unpaid.to_string();
    let reply = deliver(&unpaid, signed(&unpaid));
    assert!(reply.json["outcome"].as_str().unwrap().starts_with("ignored"), "{}", reply.text);
    assert_eq!(payment(&payments(&key), &id)["status"], "pending");
    // …until its async_payment_succeeded.
    let mut later: Value = serde_json::from_str(&session_completed(&id, &session, "pi_later", 7_500, "sek")).unwrap();
    later["type"] = "checkout.session.async_payment_succeeded".into();
    let later = later.to_string();
    assert_eq!(deliver(&later, signed(&later)).json["outcome"], "credited");

    // A live-mode event never pays in test mode.
    let (live_id, live_session) = topup(&key, 3_000);
    let mut live: Value = serde_json::from_str(&session_completed(&live_id, &live_session, "pi_live", 3_000, "sek")).unwrap();
    live["livemode"] = true.into();
    let live = live.to_string();
    assert!(deliver(&live, signed(&live)).json["outcome"].as_str().unwrap().starts_with("ignored"));
    // An expired session fails its top-up.
    let mut expired: Value = serde_json::from_str(&session_completed(&live_id, &live_session, "pi_live", 3_000, "sek")).unwrap();
    expired["type"] = "checkout.session.expired".into();
    expired["data"]["object"]["payment_status"] = "unpaid".into();
    let expired = expired.to_string();
    assert_eq!(deliver(&expired, signed(&expired)).json["outcome"], "failed");

    let log = payments(&key);
    assert_eq!(payment(&log, &live_id)["status"], "failed");
    assert_eq!(app.account_balance(&account), 7_500);
    app.assert_ledger_balanced();
}

#[test]
fn top_up_requests_stripe_refuses_or_we_refuse() {
    let app = &env().app;
    let (_, key) = app.account("SEK", 0, 0);
    for amount in [0, -100, 100_000_000] {
        let reply = app.api(&key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": amount})));
        assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (400, Some("InvalidTopupAmount")), "{}", reply.text);
    }
    let extra = app.api(&key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": 500, "currency": "EUR"})));
    assert_eq!(extra.status, 400, "{}", extra.text);
    // Below Stripe's minimum: Stripe's own message, and the top-up failed in the log.
    let small = app.api(&key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": 100})));
    assert_eq!((small.status, small.json["error"]["name"].as_str()), (422, Some("StripeRefused")), "{}", small.text);
    assert!(small.text.contains("at least kr3.00"), "{}", small.text);
    let log = payments(&key);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "failed");
    assert!(log[0]["detail"].as_str().unwrap().contains("HTTP 400"), "{}", log[0]);
    // Without credentials.
    let anonymous = call("POST", &app.url("/v1/billing/topups"), None, Some(json!({"amount_minor": 500}).to_string()), &[]);
    assert_eq!(anonymous.status, 401);
    app.assert_ledger_balanced();
}

#[test]
fn a_key_of_the_other_mode_and_a_missing_webhook_secret_are_refused() {
    build_app();
    let stripe = FakeStripe::start();
    let app = SpinApp::start(&[
        ("stripe_api_base", stripe.base.clone()),
        ("stripe_secret_key", STRIPE_KEY.into()),
        ("stripe_mode", "live".into()),
    ]);
    let (_, key) = app.account("SEK", 0, 0);
    let reply = app.api(&key, "POST", "/v1/billing/topups", Some(json!({"amount_minor": 10_000})));
    assert_eq!((reply.status, reply.json["error"]["name"].as_str()), (503, Some("StripeMisconfigured")), "{}", reply.text);
    assert!(stripe.sessions.lock().unwrap().is_empty(), "Stripe was never called");
    let body = "{}";
    let headers = [("Stripe-Signature", carrier_signature("whsec_x", now(), body))];
    let webhook = call("POST", &app.url("/v1/billing/stripe/webhook"), None, Some(body.into()), &headers);
    assert_eq!(webhook.status, 503, "{}", webhook.text);
    app.assert_ledger_balanced();
}

#[test]
fn an_operator_records_payments_credit_notes_and_corrections() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let credits = format!("/v1/admin/accounts/{account}/credits");
    let reference = format!("BG 5050-1055 OCR {account}");

    let paid = app.admin("POST", &credits, Some(json!({"kind": "payment", "amount_minor": 50_000, "reference": reference, "description": "Bank transfer"})));
    assert_eq!(paid.status, 201, "{}", paid.text);
    assert_eq!((paid.json["balance_minor"].as_i64(), paid.json["kind"].as_str()), (Some(50_000), Some("payment")));
    let payment_id = paid.json["payment_id"].as_str().unwrap().to_owned();
    // The same bank transfer again — in any account — is refused, and credits nothing.
    let (other, _) = app.account("SEK", 0, 0);
    for account in [&account, &other] {
        let twice = app.admin("POST", &format!("/v1/admin/accounts/{account}/credits"), Some(json!({"kind": "payment", "amount_minor": 50_000, "reference": reference})));
        assert_eq!((twice.status, twice.json["error"]["name"].as_str()), (409, Some("DuplicateReference")), "{}", twice.text);
    }
    let unreferenced = app.admin("POST", &credits, Some(json!({"kind": "payment", "amount_minor": 100})));
    assert_eq!(unreferenced.status, 400, "{}", unreferenced.text);

    let note = app.admin("POST", &credits, Some(json!({"kind": "credit_note", "amount_minor": 1_500, "reference": format!("CN-{account}")})));
    assert_eq!((note.status, note.json["balance_minor"].as_i64()), (201, Some(51_500)), "{}", note.text);
    let negative = app.admin("POST", &credits, Some(json!({"kind": "credit_note", "amount_minor": -1_500})));
    assert_eq!(negative.status, 400, "{}", negative.text);

    // Deducting an incorrect payment: a negative correction that names it, at most what is left.
    let deduct = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": -30_000, "corrects": payment_id, "description": "Transfer was 200.00, not 500.00"})));
    assert_eq!((deduct.status, deduct.json["balance_minor"].as_i64()), (201, Some(21_500)), "{}", deduct.text);
    assert_eq!(deduct.json["reference"], reference.as_str());
    let too_much = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": -20_001, "corrects": payment_id})));
    assert_eq!((too_much.status, too_much.json["error"]["name"].as_str()), (409, Some("CorrectionTooLarge")), "{}", too_much.text);
    let rest = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": -20_000, "corrects": payment_id})));
    assert_eq!((rest.status, rest.json["balance_minor"].as_i64()), (201, Some(1_500)), "{}", rest.text);
    let positive = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": 5, "corrects": payment_id})));
    assert_eq!(positive.status, 400, "{}", positive.text);
    let nothing = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": -5, "corrects": "pay_unknown"})));
    assert_eq!((nothing.status, nothing.json["error"]["name"].as_str()), (404, Some("NothingToCorrect")), "{}", nothing.text);
    // Another account's payment is not this account's to correct.
    let foreign = app.admin("POST", &format!("/v1/admin/accounts/{other}/credits"), Some(json!({"kind": "correction", "amount_minor": -5, "corrects": payment_id})));
    assert_eq!(foreign.status, 404, "{}", foreign.text);
    // A plain correction (either sign) as before.
    let plain = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": 250})));
    assert_eq!((plain.status, plain.json["balance_minor"].as_i64()), (201, Some(1_750)), "{}", plain.text);

    // A Stripe top-up can be corrected too.
    let (topup_id, session) = topup(&key, 4_000);
    let event = session_completed(&topup_id, &session, "pi_corrected", 4_000, "sek");
    assert_eq!(deliver(&event, signed(&event)).json["outcome"], "credited");
    let back = app.admin("POST", &credits, Some(json!({"kind": "correction", "amount_minor": -4_000, "corrects": topup_id})));
    assert_eq!((back.status, back.json["reference"].as_str()), (201, Some(topup_id.as_str())), "{}", back.text);
    assert_eq!(app.account_balance(&account), 1_750);

    // The payments log, for the account and for the operator: newest first, with amounts,
    // references and dates.
    let log = payments(&key);
    let operator = app.admin("GET", &format!("/v1/admin/accounts/{account}/payments"), None);
    assert_eq!(operator.status, 200, "{}", operator.text);
    assert_eq!(operator.json["payments"].as_array().unwrap(), &log);
    let summary: Vec<(String, String, i64)> = log
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().to_owned(), p["status"].as_str().unwrap().to_owned(), p["amount_minor"].as_i64().unwrap()))
        .collect();
    let expected: Vec<(String, String, i64)> = [
        ("correction", "recorded", -4_000),
        ("stripe_topup", "paid", 4_000),
        ("correction", "recorded", 250),
        ("correction", "recorded", -20_000),
        ("correction", "recorded", -30_000),
        ("credit_note", "recorded", 1_500),
        ("payment", "recorded", 50_000),
    ]
    .iter()
    .map(|(k, s, a)| (k.to_string(), s.to_string(), *a))
    .collect();
    assert_eq!(summary, expected);
    assert!(log.iter().all(|p| p["currency"] == "SEK" && p["created_at"].is_string() && p["ledger_entry_id"].is_i64()), "{log:?}");
    assert_eq!(log[3]["corrects"], payment_id.as_str());
    assert_eq!(log[5]["reference"], format!("CN-{account}"));
    assert_eq!(log[6]["reference"], reference.as_str());
    assert_eq!(log[6]["description"], "Bank transfer");
    // Paged with limit and cursor.
    let first = app.get(&key, "/v1/billing/payments?limit=2");
    assert_eq!(first.json["payments"].as_array().unwrap().as_slice(), &log[0..2]);
    let cursor = first.json["next_cursor"].as_str().expect("a second page");
    let page = app.get(&key, &format!("/v1/billing/payments?limit=2&cursor={cursor}"));
    assert_eq!(page.json["payments"].as_array().unwrap().as_slice(), &log[2..4]);

    // Each is audited in the account's history.
    let history = app.admin("GET", &format!("/v1/admin/accounts/{account}/history"), None);
    let actions: Vec<&str> = history.json["events"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["balance.payment", "balance.credit_note", "balance.correction", "balance.topup"] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
    app.assert_ledger_balanced();
}

/// Seed 003: a package bought "by payment" — a card payment for exactly its cost, and the
/// package bought (once) when Stripe's signed webhook says it is paid.
#[test]
fn a_package_bought_by_card_is_bought_once_when_the_payment_is_credited() {
    let app = &env().app;
    let (account, key) = app.account("SEK", 0, 0);
    let made = app.admin(
        "POST",
        "/v1/admin/packages",
        Some(json!({"name": "Kortpaket 100", "cost_minor": 5_000, "currency": "SEK", "sms_credits": 100, "frequency": "once"})),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let package = made.json["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/billing/packages/{package}/purchase");

    let wrong = app.api(&key, "POST", &path, Some(json!({"pay": "bitcoin"})));
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    let from_balance = app.api(&key, "POST", &path, None);
    assert_eq!(from_balance.status, 402, "the balance cannot pay it: {}", from_balance.text);

    let started = app.api(&key, "POST", &path, Some(json!({"pay": "card"})));
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.json["package_id"], package.as_str());
    let id = started.json["id"].as_str().unwrap().to_owned();
    let session = env().stripe.for_topup(&id);
    assert_eq!(session.field("line_items[0][price_data][unit_amount]"), Some("5000"));
    assert_eq!(session.field("line_items[0][price_data][product_data][name]"), Some("Kortpaket 100"));
    assert_eq!(app.get(&key, "/v1/billing/balance").json["sms_credits"], 0, "nothing until it is paid");

    let event = session_completed(&id, &session, "pi_card_package_1", 5_000, "sek");
    let paid = deliver(&event, signed(&event));
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert!(paid.json["outcome"].as_str().unwrap().starts_with("credited; package bought"), "{}", paid.text);
    let replay = deliver(&event, signed(&event));
    assert!(replay.json["outcome"].as_str().unwrap().starts_with("already settled"), "{}", replay.text);

    let balance = app.get(&key, "/v1/billing/balance");
    assert_eq!((balance.json["balance_minor"].as_i64(), balance.json["sms_credits"].as_i64()), (Some(0), Some(100)), "{}", balance.text);
    let kinds: Vec<(String, i64)> = app.ledger_rows(&account).into_iter().map(|(kind, amount, _)| (kind, amount)).collect();
    assert_eq!(kinds, vec![("topup".to_owned(), 5_000), ("package_purchase".to_owned(), -5_000)], "paid in, then spent on the package, once");
    assert_eq!(payment(&payments(&key), &id)["package_id"], package.as_str());
    app.assert_ledger_balanced();
}
