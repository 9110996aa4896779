//! End-to-end: a carrier added as an adapter component (docs/carriers.md "Writing a
//! carrier adapter"): the TextMesh example (adapters/example-carrier), composed by Spin
//! into the components that deliver and receive, selected by a connection's `adapter`,
//! against a fake TextMesh speaking its own protocol — submits, a refusal, a signed
//! receipt, signed inbound SMS read by its `parse-inbound` — and the built component's
//! imports, which hold no network, storage or variables.

use e2e::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};

const SECRETS_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const API_KEY: &str = "tm-live-0123456789abcdef";
const RECEIPTS_SECRET: &str = "textmesh-receipts-secret";

fn app() -> &'static SpinApp {
    static APP: OnceLock<SpinApp> = OnceLock::new();
    APP.get_or_init(|| {
        build_app();
        SpinApp::start(&[("secrets_key", SECRETS_KEY.into()), ("carrier_hosts", "http://127.0.0.1:*".into())])
    })
}

/// A fake TextMesh: `POST /v2/sms` with `X-Api-Key`, JSON in; 202 `{"state":"queued",
/// "sms_id"}`, or 200 `{"state":"rejected","reason"}` for destinations starting 4670999.
/// It notes each request's path, key and body.
struct TextMesh {
    base: String,
    got: Arc<Mutex<Vec<(String, String, Value)>>>,
}

impl TextMesh {
    fn start() -> TextMesh {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
        let got: Arc<Mutex<Vec<(String, String, Value)>>> = Arc::default();
        let noted = got.clone();
        std::thread::spawn(move || {
            for (n, mut request) in server.incoming_requests().enumerate() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let key = request.headers().iter().find(|h| h.field.equiv("X-Api-Key")).map(|h| h.value.to_string()).unwrap_or_default();
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                noted.lock().unwrap().push((request.url().to_owned(), key.clone(), body.clone()));
                let (status, reply) = if request.url() != "/v2/sms" || key != API_KEY {
                    (401, json!({"state": "rejected", "reason": "unknown key"}))
                } else if body["destination"].as_str().unwrap_or("").starts_with("4670999") {
                    (200, json!({"state": "rejected", "reason": "number barred"}))
                } else {
                    (202, json!({"state": "queued", "sms_id": format!("TM-{:06}", n + 1)}))
                };
                let _ = request.respond(tiny_http::Response::from_string(reply.to_string()).with_status_code(status));
            }
        });
        TextMesh { base, got }
    }
}

#[test]
fn a_connection_naming_the_adapter_component_submits_and_takes_receipts_in_its_carriers_protocol() {
    let app = app();
    let textmesh = TextMesh::start();
    let made = app.admin(
        "POST",
        "/v1/admin/carriers",
        Some(json!({"name": "tm-main", "adapter": "textmesh", "base_url": textmesh.base, "credentials": API_KEY, "webhook_secret": RECEIPTS_SECRET})),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.json["adapter"], "textmesh");
    let routed = app.admin("PUT", "/v1/admin/routes", Some(json!({"scope": "46709", "connections": [{"name": "tm-main"}]})));
    assert_eq!(routed.status, 200, "{}", routed.text);
    let (account, key) = app.account("SEK", 10_000, 0);

    let sent = app.send(&key, json!({"from": "ACME", "to": "+46709100001", "text": "Привет från TextMesh"}));
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let message = app.at_carrier(&key, &id);
    assert_eq!(message["status"]["code"], 111, "{message}");
    // TextMesh got it in its own words, with the key opened from its sealed form.
    let got = textmesh.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (path, api_key, body) = &got[0];
    assert_eq!((path.as_str(), api_key.as_str()), ("/v2/sms", API_KEY));
    assert_eq!(body["client_ref"], id.as_str());
    assert_eq!(body["destination"], "46709100001");
    assert_eq!(body["source"], "ACME");
    assert_eq!(body["coding"], "ucs2");
    let carrier_id = message["carrier_message_id"].as_str().unwrap().to_owned();
    assert!(carrier_id.eq_ignore_ascii_case("TM-000001"), "{message}");

    // Its receipt, form-encoded as TextMesh posts them, signed with the connection's secret.
    let receipt = "sms_id=TM-000001&client_ref=&state=failed&code=27";
    let form = Some("application/x-www-form-urlencoded");
    let forged = post_receipt(app, "tm-main", form, receipt, Some(carrier_signature("not-the-secret", now(), receipt)));
    assert_eq!(forged.status, 401, "{}", forged.text);
    let malformed = "state=delivered";
    let refused = post_receipt(app, "tm-main", form, malformed, Some(carrier_signature(RECEIPTS_SECRET, now(), malformed)));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.text.contains("sms_id"), "{}", refused.text);
    let applied = post_receipt(app, "tm-main", form, receipt, Some(carrier_signature(RECEIPTS_SECRET, now(), receipt)));
    assert_eq!((applied.status, applied.json["outcome"].as_str()), (200, Some("applied")), "{}", applied.text);
    let message = app.final_message(&key, &id);
    assert_eq!(message["status"]["code"], 514, "{message}");
    let refunds = app.ledger_rows(&account).into_iter().filter(|(kind, _, r)| kind == "refund" && *r == id).count();
    assert_eq!(refunds, 0, "the carrier tried to deliver it: not refunded (docs/billing.md \"Refund policy\")");

    // A message TextMesh refuses fails for sure and is refunded.
    let sent = app.send(&key, json!({"from": "ACME", "to": "+46709990001", "text": "hi"}));
    let id = sent.json["messages"][0]["id"].as_str().unwrap().to_owned();
    let message = app.final_message(&key, &id);
    assert_eq!(message["status"]["code"], 511, "{message}");
    assert!(message.to_string().contains("number barred"), "{message}");
    app.assert_ledger_balanced();
}

/// Posts one inbound SMS to `/v1/carriers/{connection}/inbound`, form-encoded as TextMesh
/// posts them, signed with `secret`.
fn post_inbound(app: &SpinApp, connection: &str, body: &str, secret: &str) -> Reply {
    let signature = carrier_signature(secret, now(), body);
    call(
        "POST",
        &app.url(&format!("/v1/carriers/{connection}/inbound")),
        None,
        Some(body.to_owned()),
        &[("Content-Type", "application/x-www-form-urlencoded".to_owned()), ("X-Signature", signature)],
    )
}

#[test]
fn a_connection_naming_the_adapter_component_takes_inbound_sms_in_its_carriers_format() {
    let app = app();
    const INBOUND_SECRET: &str = "textmesh-inbound-secret";
    let made = app.admin(
        "POST",
        "/v1/admin/carriers",
        Some(json!({"name": "tm-inbound", "adapter": "textmesh", "base_url": "http://127.0.0.1:9", "credentials": API_KEY, "webhook_secret": INBOUND_SECRET})),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let (account, key) = app.account("SEK", 10_000, 0);
    let number = "+46761990001";
    let assigned = app.admin("POST", "/v1/admin/numbers", Some(json!({"number": number, "account_id": account, "role": "primary"})));
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let sender = "+46701990001";

    // TextMesh writes numbers without '+', and form-encodes the text.
    let hello = "sms_id=TM-IN-1&source=46701990001&destination=46761990001&content=Hej+fr%C3%A5n+TextMesh";
    let forged = post_inbound(app, "tm-inbound", hello, "not-the-secret");
    assert_eq!(forged.status, 401, "{}", forged.text);
    let unknown = post_inbound(app, "tm-nowhere", hello, INBOUND_SECRET);
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let malformed = "source=46701990001&destination=46761990001&content=hi";
    let refused = post_inbound(app, "tm-inbound", malformed, INBOUND_SECRET);
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.text.contains("sms_id"), "the adapter's words: {}", refused.text);
    let inbox = app.get(&key, "/v1/inbox");
    assert_eq!(inbox.json["messages"].as_array().map(Vec::len), Some(0), "nothing refused is kept: {}", inbox.text);

    let received = post_inbound(app, "tm-inbound", hello, INBOUND_SECRET);
    assert_eq!((received.status, received.json["outcome"].as_str()), (200, Some("processed")), "{}", received.text);
    let again = post_inbound(app, "tm-inbound", hello, INBOUND_SECRET);
    assert_eq!(again.json["outcome"], "duplicate", "{}", again.text);
    let inbox = app.get(&key, "/v1/inbox");
    let messages = inbox.json["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{}", inbox.text);
    assert_eq!(messages[0]["text"], "Hej från TextMesh", "{}", inbox.text);
    assert!(inbox.text.contains(sender) && inbox.text.contains(number), "{}", inbox.text);

    // A long message in two parts, joined as for any carrier.
    let first = "sms_id=TM-IN-2&source=46701990001&destination=46761990001&content=first+half+&concat_ref=c7&concat_part=1&concat_total=2";
    let second = "sms_id=TM-IN-3&source=46701990001&destination=46761990001&content=second+half&concat_ref=c7&concat_part=2&concat_total=2";
    assert_eq!(post_inbound(app, "tm-inbound", first, INBOUND_SECRET).json["outcome"], "part_kept");
    let whole = post_inbound(app, "tm-inbound", second, INBOUND_SECRET);
    assert_eq!(whole.json["outcome"], "processed", "{}", whole.text);
    let inbox = app.get(&key, "/v1/inbox");
    assert!(inbox.text.contains("first half second half"), "{}", inbox.text);

    // STOP through it blocklists the sender for the account; a disabled connection still
    // takes inbound (a message already sent to our number is the customer's).
    let off = app.admin("PATCH", "/v1/admin/carriers/tm-inbound", Some(json!({"enabled": false})));
    assert_eq!(off.status, 200, "{}", off.text);
    let stop = post_inbound(app, "tm-inbound", "sms_id=TM-IN-4&source=46701990001&destination=46761990001&content=STOP", INBOUND_SECRET);
    assert_eq!((stop.status, stop.json["action"].as_str()), (200, Some("opt_out")), "{}", stop.text);
    let blocklist = app.get(&key, "/v1/blocklist");
    assert!(blocklist.text.contains(sender) && blocklist.text.contains("keyword:STOP"), "{}", blocklist.text);
    let refused = app.send(&key, json!({"from": "ACME", "to": sender, "text": "Offer"}));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.json["error"]["code"], 405, "{}", refused.text);
}

#[test]
fn only_the_installed_adapter_component_can_be_named() {
    let app = app();
    let unknown = app.admin("POST", "/v1/admin/carriers", Some(json!({"name": "tm-other", "adapter": "smpp", "base_url": "http://127.0.0.1:9"})));
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert!(unknown.text.contains("sinch, textmesh"), "the installed component is offered: {}", unknown.text);
    let remote = app.admin("POST", "/v1/admin/carriers", Some(json!({"name": "tm-nourl", "adapter": "textmesh"})));
    assert_eq!(remote.status, 400, "an adapter component's submits leave the process: {}", remote.text);
}

/// The top-level imports and exports of a component.
fn interface(path: &str) -> (Vec<String>, Vec<String>) {
    let bytes = std::fs::read(workspace_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (mut imports, mut exports, mut depth) = (Vec::new(), Vec::new(), 0);
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ComponentImportSection(section) if depth == 1 => {
                imports.extend(section.into_iter().map(|i| i.unwrap().name.0.to_owned()));
            }
            wasmparser::Payload::ComponentExportSection(section) if depth == 1 => {
                exports.extend(section.into_iter().map(|e| e.unwrap().name.0.to_owned()));
            }
            _ => {}
        }
    }
    (imports, exports)
}

#[test]
fn the_adapter_component_imports_no_network_storage_or_variables() {
    build_app();
    let (imports, exports) = interface("target/wasm32-wasip2/release/example_carrier.wasm");
    assert_eq!(exports, ["smsedge:carrier/adapter@0.1.0"]);
    // What Rust's standard library asks of any wasm32-wasip2 program (stdio, exit,
    // environment, clocks, random); Spin's deny-all adapter answers those it must deny.
    for import in &imports {
        for denied in ["wasi:http/", "wasi:sockets/", "wasi:filesystem/", "wasi:keyvalue/", "fermyon:spin/", "spin:"] {
            assert!(!import.starts_with(denied), "the adapter imports {import}");
        }
    }
    // The platform's delivering and receiving components import it.
    for component in ["send", "receipts", "admin", "dispatch", "inbound", "portal"] {
        let (imports, _) = interface(&format!("target/wasm32-wasip2/release/{component}.wasm"));
        assert!(imports.iter().any(|i| i == "smsedge:carrier/adapter@0.1.0"), "{component}: {imports:?}");
    }
}
