//! Inbound SMS and what customers do with it:
//! - `POST /v1/carriers/{carrier}/inbound` (carrier-signed like receipts): one inbound SMS
//!   or part, in the carrier's own format (domain::mo); see platform::inbound for the rest.
//! - `GET /v1/inbox`, `GET /v1/inbox/{id}` (API key): the inbox, filtered and paged.
//! - `GET /v1/numbers` (API key): the account's reception numbers.
//! - `GET /v1/keywords`, `PUT`/`DELETE /v1/keywords/{word}` (API key): custom keywords.
//! - `GET`/`POST /u/{token}`: the unsubscribe page an SMS links to (no login: the token is
//!   signed, see domain::optout).

use domain::access::Scope;
use domain::endpoint::CallbackUrl;
use domain::error::ApiError;
use domain::keyword::{caseless_key, CustomKeyword};
use domain::mo::inbound_format;
use domain::optout::{verify, UnsubscribeSecret};
use platform::http::{authenticate, internal, json, parse_body, query, respond, segments, verify_carrier_webhook};
use platform::inbound::receive;
use platform::store::{InboxFilter, Store};
use serde::Deserialize;
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    respond(route(&req))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = segments(req);
    match (req.method(), path.as_slice()) {
        (Method::Post, ["v1", "carriers", carrier, "inbound"]) => inbound(req, carrier),
        (Method::Get, ["v1", "inbox"]) => inbox(req),
        (Method::Get, ["v1", "inbox", id]) => inbox_message(req, id),
        (Method::Get, ["v1", "numbers"]) => numbers(req),
        (Method::Get, ["v1", "keywords"]) => keywords(req),
        (Method::Put, ["v1", "keywords", word]) => set_keyword(req, word),
        (Method::Delete, ["v1", "keywords", word]) => delete_keyword(req, word),
        (Method::Get, ["u", token]) => unsubscribe_page(token, false),
        (Method::Post, ["u", token]) => unsubscribe_page(token, true),
        (_, ["v1", "carriers", _, "inbound"]) => Err(ApiError::method_not_allowed("POST")),
        (_, ["v1", "keywords", _]) => Err(ApiError::method_not_allowed("PUT, DELETE")),
        (_, ["u", _]) => Err(ApiError::method_not_allowed("GET, POST")),
        (_, ["v1", "inbox", ..]) | (_, ["v1", "numbers"]) | (_, ["v1", "keywords"]) => Err(ApiError::method_not_allowed("GET")),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}

fn inbound(req: &Request, carrier: &str) -> Result<Response, ApiError> {
    let carrier = carrier.to_ascii_lowercase();
    let format =
        inbound_format(&carrier).ok_or_else(|| ApiError::not_found(format!("no carrier '{carrier}' delivers inbound messages here")))?;
    verify_carrier_webhook(req, &carrier)?;
    let content_type = req.header("content-type").and_then(|h| h.as_str());
    let sms = format.parse_inbound(content_type, req.body()).map_err(|e| ApiError::malformed(e.to_string()))?;
    let store = Store::open().map_err(internal)?;
    let received = receive(&store, &carrier, &sms)?;
    Ok(json(200, &received))
}

fn inbox(req: &Request) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::Inbound)?;
    let q = query(req);
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let limit = match get("limit") {
        None => 50,
        Some(l) => l.parse::<i64>().ok().filter(|l| (1..=500).contains(l)).ok_or_else(|| ApiError::malformed("limit is 1 to 500"))?,
    };
    let messages = store
        .inbox(
            &caller.account_id,
            &InboxFilter { from: get("from"), action: get("action"), since: get("since"), until: get("until"), before: get("before") },
            limit + 1,
        )
        .map_err(internal)?;
    let more = messages.len() as i64 > limit;
    let messages: Vec<_> = messages.into_iter().take(limit as usize).collect();
    let next = more.then(|| messages.last().map(|m| m.id.clone())).flatten();
    Ok(json(200, &serde_json::json!({ "messages": messages, "next_before": next })))
}

fn inbox_message(req: &Request, id: &str) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::Inbound)?;
    let message = store
        .inbound_message(&caller.account_id, id)
        .map_err(internal)?
        .ok_or_else(|| ApiError::not_found(format!("no inbound message {id} in this account")))?;
    Ok(json(200, &message))
}

fn numbers(req: &Request) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::Inbound)?;
    Ok(json(200, &serde_json::json!({ "numbers": store.numbers(&caller.account_id).map_err(internal)? })))
}

fn keywords(req: &Request) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::Inbound)?;
    Ok(json(200, &serde_json::json!({ "keywords": store.keywords(&caller.account_id).map_err(internal)? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeywordBody {
    reply: Option<String>,
    forward_url: Option<String>,
}

fn set_keyword(req: &Request, word: &str) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::Inbound)?;
    let body: KeywordBody = parse_body(req)?;
    if body.reply.is_none() && body.forward_url.is_none() {
        return Err(ApiError::malformed("a keyword needs a reply, a forward_url, or both"));
    }
    let keyword =
        CustomKeyword::new(word, body.reply.as_deref(), body.forward_url.as_deref()).map_err(|e| ApiError::malformed(e.to_string()))?;
    store
        .set_keyword(&caller.account_id, keyword.word(), keyword.key(), keyword.reply(), keyword.forward_url().map(CallbackUrl::as_str))
        .map_err(internal)?;
    Ok(json(200, &serde_json::json!({ "keywords": store.keywords(&caller.account_id).map_err(internal)? })))
}

fn delete_keyword(req: &Request, word: &str) -> Result<Response, ApiError> {
    let store = Store::open().map_err(internal)?;
    let caller = authenticate(req, &store, Scope::Inbound)?;
    if !store.delete_keyword(&caller.account_id, &caseless_key(word)).map_err(internal)? {
        return Err(ApiError::not_found(format!("no keyword '{word}' in this account")));
    }
    Ok(json(200, &serde_json::json!({ "deleted": word })))
}

/// The page an unsubscribe link opens. GET asks (link previews and scanners open links;
/// they must not opt anyone out); the form's POST blocks the number for the account.
fn unsubscribe_page(token: &str, confirm: bool) -> Result<Response, ApiError> {
    let secret = platform::config::get_or("unsubscribe_secret", "");
    let secret = UnsubscribeSecret::new(secret.as_bytes()).map_err(|e| ApiError::unavailable(e.to_string()))?;
    let who = match verify(&secret, token) {
        Ok(who) => who,
        Err(e) => return Ok(page(400, "Link not valid", &escape(&e.to_string()), None)),
    };
    let masked = mask(&who.e164);
    if !confirm {
        let form = format!(r#"<form method="post" action="/u/{token}"><button type="submit">Unsubscribe {masked}</button></form>"#);
        return Ok(page(200, "Unsubscribe", &format!("Stop SMS from this sender to {masked}?"), Some(&form)));
    }
    let store = Store::open().map_err(internal)?;
    let reason = domain::contact::BlockReason::UnsubscribeLink.to_string();
    store.block_number(&who.account_id, &who.e164, &reason, "unsubscribe_link").map_err(internal)?;
    Ok(page(200, "Unsubscribed", &format!("{masked} will get no more SMS from this sender. Text START to undo."), None))
}

/// +46701234567 → +467012•••67: enough to recognise, not enough to harvest.
fn mask(e164: &str) -> String {
    let chars: Vec<char> = e164.chars().collect();
    if chars.len() < 8 {
        return e164.to_owned();
    }
    let keep_head = chars.len() - 5;
    chars.iter().enumerate().map(|(i, c)| if i >= keep_head && i < chars.len() - 2 { '•' } else { *c }).collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(status: u16, title: &str, message: &str, form: Option<&str>) -> Response {
    let body = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}button{{font-size:1.1rem;padding:.6rem 1.2rem}}</style></head>
<body><h1>{title}</h1><p>{message}</p>{form}</body></html>"#,
        form = form.unwrap_or("")
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        .body(body)
        .build()
}
