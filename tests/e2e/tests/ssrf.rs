//! End-to-end: customer-supplied URLs (status callbacks, inbound webhooks, keyword
//! forwards) never make the platform call into its own network — refused when saved,
//! refused again when called, redirects not followed, and with the production runtime
//! configuration blocked at the connection even when a name resolves to loopback.

use e2e::*;
use serde_json::{json, Value};
use std::thread;

/// The addresses a review got accepted (24 of 24), and more spellings of them.
const OUR_NETWORK: [&str; 24] = [
    "http://127.0.0.1:8080/",
    "http://127.0.0.1./hook",
    "http://localhost/",
    "http://localhost.:3000/x",
    "http://api.localhost/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]:8080/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "https://user:password@hooks.example.com/",
];

const PUBLIC: &str = "https://hooks.example.com/sms";

fn refused(reply: &Reply, url: &str) {
    assert_eq!(reply.status, 400, "{url}: {}", reply.text);
    assert_eq!(reply.json["error"]["name"], "InvalidCallbackUrl", "{url}: {}", reply.text);
    let message = reply.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("public internet") || message.contains("user name or password"), "{url}: the reason is given: {message}");
}

#[test]
fn urls_into_our_network_are_refused_when_saved_and_public_ones_accepted() {
    let app = SpinApp::start(&[("allow_private_endpoints", "false".to_owned())]);
    let (account, key) = app.account("SEK", 10_000, 0);
    let number = format!("+4676{:07}", std::process::id() % 10_000_000);
    let assigned = app.admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": account, "role": "primary"})));
    assert_eq!(assigned.status, 200, "{}", assigned.text);

    for url in OUR_NETWORK {
        let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej", "status_callback": url}));
        refused(&sent, url);
        for field in ["status_callback", "inbound_webhook"] {
            let patched = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({ field: url })));
            refused(&patched, url);
        }
        let keyword = app.api(&key, "PUT", "/v1/keywords/OFFER", Some(json!({"forward_url": url})));
        refused(&keyword, url);
    }
    // Nothing was stored or charged by any of them.
    assert_eq!(app.sql().query_row("SELECT COUNT(*) FROM messages WHERE account_id = ?", [&account], |r| r.get::<_, i64>(0)).unwrap(), 0);
    let settings = app.get(&key, "/v1/account/settings");
    assert_eq!(settings.json["status_callback"], Value::Null, "{}", settings.text);
    assert_eq!(app.get(&key, "/v1/keywords").json["keywords"], json!([]));

    // A public endpoint is accepted everywhere.
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej", "status_callback": PUBLIC}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let patched = app.api(&key, "PATCH", "/v1/account/settings", Some(json!({"status_callback": PUBLIC, "inbound_webhook": PUBLIC})));
    assert_eq!(patched.status, 200, "{}", patched.text);
    let keyword = app.api(&key, "PUT", "/v1/keywords/OFFER", Some(json!({"forward_url": PUBLIC})));
    assert_eq!(keyword.status, 200, "{}", keyword.text);
}

/// One callback log entry of the account (the newest), with its attempts.
fn newest_delivery(app: &SpinApp, key: &str) -> Value {
    let log = app.get(key, "/v1/callbacks");
    assert_eq!(log.status, 200, "{}", log.text);
    log.json["deliveries"][0].clone()
}

#[test]
fn a_stored_private_url_is_not_called_once_the_setting_is_off_and_the_log_says_why() {
    // Saved while the development setting allowed it…
    let development = SpinApp::start_in(SpinApp::new_state_dir(), &[("allow_private_endpoints", "true".to_owned())]);
    let (_, key) = development.account("SEK", 10_000, 0);
    let receiver = CallbackReceiver::start(0, 200);
    let patched = development.api(&key, "PATCH", "/v1/account/settings", Some(json!({"status_callback": receiver.url})));
    assert_eq!(patched.status, 200, "{}", patched.text);
    let sent = development.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let state_dir = development.crash();

    // …and called by an app where it is off: not sent, given up, the reason logged.
    let production = SpinApp::start_in(state_dir, &[("allow_private_endpoints", "false".to_owned())]);
    let run = production.run_jobs();
    assert!(run.json["callbacks_blocked"].as_u64().unwrap() >= 1, "{}", run.text);
    assert_eq!(run.json["callbacks_delivered"], 0, "{}", run.text);
    assert!(receiver.calls().is_empty(), "the private endpoint got nothing: {:?}", receiver.calls());
    let delivery = newest_delivery(&production, &key);
    assert_eq!(delivery["state"], "failed", "{delivery}");
    let error = delivery["attempt_log"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("blocked, not sent") && error.contains("loopback"), "{delivery}");
}

/// An endpoint that redirects every request to `to`.
fn redirector(to: &str) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let location = tiny_http::Header::from_bytes("Location", to).unwrap();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let _ = request.respond(tiny_http::Response::from_string("moved").with_status_code(302).with_header(location.clone()));
        }
    });
    format!("http://127.0.0.1:{port}/hook")
}

#[test]
fn a_redirect_is_not_followed_and_no_answer_body_is_kept() {
    let app = SpinApp::start(&[]);
    let (_, key) = app.account("SEK", 10_000, 0);
    let target = CallbackReceiver::start(0, 200);
    let hook = redirector(&target.url);
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej", "status_callback": hook}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    app.run_jobs();
    assert!(target.calls().is_empty(), "the redirect was not followed: {:?}", target.calls());
    let delivery = newest_delivery(&app, &key);
    assert_eq!(delivery["state"], "failed", "a 3xx is a refusal: {delivery}");
    assert_eq!(delivery["attempt_log"][0]["http_status"], 302, "{delivery}");
    assert!(!delivery.to_string().contains("moved"), "the answer's body is not kept: {delivery}");
}

#[test]
fn with_the_production_runtime_config_a_name_resolving_to_loopback_is_blocked_at_the_connection() {
    // The development setting lets `localhost` through the save-time check; the runtime
    // configuration still refuses to connect to what it resolves to.
    let app = SpinApp::start_with_args(
        SpinApp::new_state_dir(),
        &[("allow_private_endpoints", "true".to_owned())],
        &["--runtime-config-file", "runtime-config.production.toml"],
    );
    let (_, key) = app.account("SEK", 10_000, 0);
    let receiver = CallbackReceiver::start(0, 200);
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46701234567", "text": "Hej", "status_callback": by_name}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let run = app.run_jobs();
    assert!(run.json["callbacks_blocked"].as_u64().unwrap() >= 1, "{}", run.text);
    assert!(receiver.calls().is_empty(), "nothing reached loopback: {:?}", receiver.calls());
    let delivery = newest_delivery(&app, &key);
    assert_eq!(delivery["state"], "failed", "{delivery}");
    let error = delivery["attempt_log"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("blocked at the connection") && error.contains("DestinationIpProhibited"), "{delivery}");
}
