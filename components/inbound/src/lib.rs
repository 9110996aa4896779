//! Inbound SMS and what customers do with it:
//! - `POST /v1/carriers/{carrier}/inbound` (carrier-signed like receipts): one inbound SMS
//!   or part, in the carrier's own format: a default carrier's by its adapter's name
//!   (domain::carriers::mo, secrets in Spin variables), or a managed connection's by the
//!   connection's name, verified with its own webhook secret and read by its adapter (a
//!   built-in one's format, or the installed adapter component's `parse-inbound`); see
//!   platform::app::inbound for the rest.
//! - `GET /v1/inbox`, `GET /v1/inbox/{id}` (API key): the inbox, filtered and paged.
//! - `GET /v1/numbers` (API key): the account's reception numbers.
//! - `GET /v1/keywords`, `PUT`/`DELETE /v1/keywords/{word}` (API key): custom keywords.
//! - `GET`/`POST /u/{token}`: the unsubscribe page an SMS links to (no login: the token is
//!   signed, see domain::contacts::optout).

use domain::identity::access::Scope;
use domain::callbacks::endpoint::CallbackUrl;
use domain::api::error::ApiError;
use domain::inbound::keyword::{CustomKeyword, KeywordError};
use domain::messaging::text::caseless_key;
use domain::contacts::optout::{verify, UnsubscribeSecret};
use platform::http::{
    authenticate, json, parse_body, query, respond_with, verify_carrier_webhook, CarrierWebhook, Reply, Req, Response, Routes,
};
use platform::app::inbound::receive;
use platform::app::numbers as app_numbers;
use domain::inbound::inventory::InventoryFilter;
use platform::store::{InboxFilter, Store};
use serde::Deserialize;

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        .post("/v1/carriers/{carrier}/inbound", inbound)
        .get("/v1/inbox", inbox)
        .get("/v1/inbox/{id}", inbox_message)
        .get("/v1/numbers", numbers)
        .post("/v1/numbers", take_number)
        .get("/v1/numbers/available", available_numbers)
        .delete("/v1/numbers/{number}", release_number)
        .get("/v1/keywords", keywords)
        .put("/v1/keywords/{word}", set_keyword)
        .delete("/v1/keywords/{word}", delete_keyword)
        .get("/u/{token}", unsubscribe_ask)
        .post("/u/{token}", unsubscribe_confirm)
}

async fn inbound(req: Req) -> Reply {
    let carrier = req.param("carrier")?.to_ascii_lowercase();
    // A disabled connection still takes inbound: disabling stops sending through it, but
    // a message already sent to one of our numbers is the customer's to receive
    // (docs/carriers.md).
    let CarrierWebhook { carrier, protocol, store } = verify_carrier_webhook(&req, &carrier).await?;
    let sms = protocol.parse_inbound(&req.header_pairs(), req.body()).map_err(ApiError::malformed)?;
    let received = receive(&store, &carrier, &sms).await?;
    Ok(json(200, &received))
}

async fn inbox(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    let q = query(&req);
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let page = platform::http::page_of(&q)?;
    let after: Option<String> = page.after()?;
    let filter = InboxFilter { from: get("from"), action: get("action"), since: get("since"), until: get("until"), before: after.as_deref() };
    let messages = page.page(store.inbound().inbox(&caller.account_id, &filter, page.fetch()).await?, |m| m.id.clone());
    Ok(json(200, &serde_json::json!({ "messages": messages.items, "next_cursor": messages.next_cursor })))
}

async fn inbox_message(req: Req) -> Reply {
    let id = req.param("id")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    let message = store
        .inbound().inbound_message(&caller.account_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no inbound message {id} in this account")))?;
    Ok(json(200, &message))
}

async fn numbers(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    Ok(json(200, &serde_json::json!({ "numbers": store.inbound().numbers(&caller.account_id).await? })))
}

/// `GET /v1/numbers/available?country=&kind=&area_code=&limit=&cursor=`: the operator's
/// free numbers a customer may take, with how many match and the account's room for extra
/// numbers (its number subscriptions).
async fn available_numbers(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    let q = query(&req);
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let filter = InventoryFilter::free_for_customers(get("country"), get("kind"), get("area_code")).map_err(ApiError::from)?;
    let (numbers, total, next_cursor) = app_numbers::available(&store, &filter, &platform::http::page_of(&q)?).await?;
    let room = app_numbers::room(&store, &caller.account_id).await?;
    Ok(json(200, &serde_json::json!({ "numbers": numbers, "total": total, "next_cursor": next_cursor, "extra_numbers": room })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TakeNumber {
    number: String,
}

/// `POST /v1/numbers`: takes a free number (the account's numbers as they are now).
async fn take_number(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let body: TakeNumber = parse_body(&req)?;
    app_numbers::take(&store, &caller, &body.number).await?;
    Ok(json(201, &serde_json::json!({ "numbers": store.inbound().numbers(&caller.account_id).await? })))
}

/// `DELETE /v1/numbers/{number}`: gives one of the account's numbers back.
async fn release_number(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Account).await?;
    let released = app_numbers::release(&store, &caller, req.param("number")?).await?;
    Ok(json(200, &serde_json::json!({ "released": released.as_str() })))
}

async fn keywords(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    Ok(json(200, &serde_json::json!({ "keywords": store.inbound().keywords(&caller.account_id).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeywordBody {
    reply: Option<String>,
    forward_url: Option<String>,
}

async fn set_keyword(req: Req) -> Reply {
    let word = req.param("word")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    let body: KeywordBody = parse_body(&req)?;
    if body.reply.is_none() && body.forward_url.is_none() {
        return Err(ApiError::malformed("a keyword needs a reply, a forward_url, or both"));
    }
    let keyword = CustomKeyword::new(word, body.reply.as_deref(), body.forward_url.as_deref()).map_err(|e| match e {
        KeywordError::ForwardUrl(url) => ApiError::from(url),
        other => ApiError::malformed(other.to_string()),
    })?;
    if let Some(url) = keyword.forward_url() {
        platform::config::egress_policy().await.check(url)?;
    }
    store
        .inbound().set_keyword(&caller.account_id, keyword.word(), keyword.key(), keyword.reply(), keyword.forward_url().map(CallbackUrl::as_str))
        .await?;
    Ok(json(200, &serde_json::json!({ "keywords": store.inbound().keywords(&caller.account_id).await? })))
}

async fn delete_keyword(req: Req) -> Reply {
    let word = req.param("word")?;
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::Inbound).await?;
    if !store.inbound().delete_keyword(&caller.account_id, &caseless_key(word)).await? {
        return Err(ApiError::not_found(format!("no keyword '{word}' in this account")));
    }
    Ok(json(200, &serde_json::json!({ "deleted": word })))
}

/// `GET /u/{token}`: the unsubscribe page asks.
async fn unsubscribe_ask(req: Req) -> Reply {
    unsubscribe_page(req.param("token")?, false).await
}

/// `POST /u/{token}`: the page's form confirms.
async fn unsubscribe_confirm(req: Req) -> Reply {
    unsubscribe_page(req.param("token")?, true).await
}

/// The page an unsubscribe link opens. GET asks (link previews and scanners open links;
/// they must not opt anyone out); the form's POST blocks the number for the account.
async fn unsubscribe_page(token: &str, confirm: bool) -> Reply {
    let secret = platform::config::get_or("unsubscribe_secret", "").await;
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
    let store = Store::open().await?;
    let reason = domain::contacts::contact::BlockReason::UnsubscribeLink.to_string();
    store.contacts().block_number(&who.account_id, &who.e164, &reason, "unsubscribe_link").await?;
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
    respond_with(
        status,
        &[
            ("content-type", "text/html; charset=utf-8"),
            ("cache-control", "no-store"),
            ("referrer-policy", "no-referrer"),
            ("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
        ],
        body,
    )
}
