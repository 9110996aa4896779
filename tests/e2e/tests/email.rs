//! End-to-end: e-mail that really leaves (`email_provider = "http"`), to a local fake of
//! an HTTP e-mail API that keeps what it is sent. Security review F3: the platform keeps a
//! copy of each e-mail, but not its single-use link (only the development outbox, where
//! nothing leaves, keeps that); and F2's header rule: the subject goes out as an RFC 2047
//! header value, never with a line break.

use base64::Engine;
use e2e::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};

const MAIL_KEY: &str = "mail-api-key";

/// What the fake e-mail API was sent: (Authorization header, JSON body), in order.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

fn start_mail_api() -> (String, Received) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind the fake e-mail API");
    let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
    let received: Received = Arc::default();
    let kept = received.clone();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut text = String::new();
            let _ = request.as_reader().read_to_string(&mut text);
            let authorization =
                request.headers().iter().find(|h| h.field.equiv("Authorization")).map(|h| h.value.to_string()).unwrap_or_default();
            kept.lock().unwrap().push((authorization, serde_json::from_str(&text).unwrap_or(Value::Null)));
            let _ = request.respond(tiny_http::Response::from_string(r#"{"id":"fake-1"}"#).with_status_code(200));
        }
    });
    (base, received)
}

fn app() -> &'static (SpinApp, Received) {
    static APP: OnceLock<(SpinApp, Received)> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        let (base, received) = start_mail_api();
        let app = SpinApp::start(&[
            ("email_provider", "http".into()),
            // A real provider's URL has a path; the host alone is what Spin may call.
            ("email_api_url", format!("{base}/v3/mail/send")),
            ("email_api_host", base),
            ("email_api_key", MAIL_KEY.into()),
        ]);
        (app, received)
    })
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}.{}.{}@mail.example.com", now(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn public(path: &str, body: Value) -> Reply {
    call("POST", &app().0.url(path), None, Some(body.to_string()), &[])
}

/// The newest e-mail the API was sent for `to`, with its Authorization header.
fn delivered(to: &str) -> (String, Value) {
    let found = app().1.lock().unwrap().iter().rev().find(|(_, body)| body["to"] == to).cloned();
    found.unwrap_or_else(|| panic!("nothing sent to {to}; the platform recorded {}", app().0.last_email(to)))
}

fn token_in(text: &str) -> String {
    let start = text.find("token=").unwrap_or_else(|| panic!("no link in: {text}")) + "token=".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// An RFC 2047 header value read back (B encoding, UTF-8), written here from the RFC.
fn decode_header(value: &str) -> String {
    value
        .split(' ')
        .map(|word| match word.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")) {
            Some(b64) => String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap(),
            None => format!("{word} "),
        })
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// How many kept e-mails (any recipient) hold `token`, read straight from the database.
fn kept_with(app: &SpinApp, token: &str) -> i64 {
    app.sql().query_row("SELECT COUNT(*) FROM emails WHERE instr(body, ?1) > 0 OR instr(subject, ?1) > 0", [token], |r| r.get(0)).unwrap()
}

#[test]
fn an_email_that_leaves_is_kept_without_its_single_use_link() {
    let (app, _) = app();
    let (account, _) = app.account("SEK", 10_000, 0);
    let email = unique("anna");
    let made = app.admin("POST", "/v1/admin/users", Some(json!({"account_id": account, "email": email, "name": "Anna Åberg", "level": "admin"})));
    assert_eq!(made.status, 201, "{}", made.text);

    // The API gets the whole invitation, link included, with a header-safe subject.
    let (authorization, sent) = delivered(&email);
    assert_eq!(authorization, format!("Bearer {MAIL_KEY}"));
    let token = token_in(sent["text"].as_str().unwrap());
    let subject = sent["subject"].as_str().unwrap();
    assert!(subject.is_ascii() && !subject.contains('\r') && !subject.contains('\n') && subject.starts_with("=?UTF-8?B?"), "{subject}");
    assert_eq!(decode_header(subject), "smsedge bjuder in dig till Test AB på smsedge");

    // What the platform keeps: the e-mail, readable, without the link.
    let kept = app.last_email(&email);
    assert_eq!((kept["status"].as_str(), kept["subject"].as_str()), (Some("sent"), Some("smsedge bjuder in dig till Test AB på smsedge")), "{kept}");
    let body = kept["body"].as_str().unwrap();
    assert!(!body.contains(&token) && !body.contains("token=") && body.contains("[single-use link: sent, not kept]"), "{body}");
    assert_eq!(kept_with(app, &token), 0, "no copy of the token anywhere in the table");

    // The link that left works.
    let accepted = public("/v1/invitations/accept", json!({"token": token, "password": PASSWORD}));
    assert_eq!(accepted.status, 204, "{}", accepted.text);

    // A password reset and an e-mail confirmation: the same.
    assert_eq!(public("/v1/auth/password-reset", json!({"email": email})).status, 202);
    let reset_token = token_in(delivered(&email).1["text"].as_str().unwrap());
    assert_eq!(kept_with(app, &reset_token), 0);
    let new_password = "Brand new pass 2";
    assert_eq!(public("/v1/auth/password-reset/confirm", json!({"token": reset_token, "password": new_password})).status, 204);
    let (_, browser) = app.login(&email, new_password);
    let moved = unique("moved");
    let asked = browser.unwrap().call("POST", "/v1/me/email", Some(json!({"email": moved, "password": new_password})));
    assert_eq!(asked.status, 202, "{}", asked.text);
    let confirm_token = token_in(delivered(&moved).1["text"].as_str().unwrap());
    assert_eq!(kept_with(app, &confirm_token), 0);
    assert_eq!(public("/v1/auth/email-confirmation", json!({"token": confirm_token})).status, 200);

    // The operator's view of what was sent has the e-mails, and none of their links.
    let outbox = app.admin("GET", "/v1/admin/emails?limit=500", None);
    assert!(outbox.text.contains(&email) && outbox.text.contains(&moved), "{}", outbox.text);
    for token in [&token, &reset_token, &confirm_token] {
        assert!(!outbox.text.contains(token.as_str()), "{}", outbox.text);
    }
}
