//! `POST /v1/billing/quote`: what a send would cost now — per recipient the country,
//! encoding, segments, price per segment and price — with nothing stored or charged.
//! It runs the send's own checks and pricing (platform::app::send::quote_messages), so a
//! quote and the send after it agree; `messages:send` is enough, since whoever may send
//! may see what it costs (the portal's send page asks as the text is typed).

use domain::identity::access::Scope;
use platform::http::{authenticate, json, parse_body, Reply, Req};
use platform::app::send::{quote_messages, Recipients, SendRequest};
use platform::store::Store;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuoteBody {
    /// Numbers and group ids (`grp_…`), as a send takes them.
    to: Recipients,
    text: String,
    /// Checked like a send's sender when given; it does not change the price.
    from: Option<String>,
}

/// Stands in for an absent sender: a valid one, so that only what was given is checked —
/// numeric, since only alphanumeric senders need registering (a sender changes no price).
const ANY_SENDER: &str = "0";

pub async fn quote(req: Req) -> Reply {
    let store = Store::open().await?;
    let caller = authenticate(&req, &store, Scope::MessagesSend).await?;
    let body: QuoteBody = parse_body(&req)?;
    let to = body.to.into_vec();
    let request = SendRequest {
        from: body.from.as_deref().unwrap_or(ANY_SENDER),
        to: &to,
        text: &body.text,
        client_reference: None,
        status_callback: None,
        callback_format: domain::callbacks::twilio::CallbackFormat::Json,
        send_at: None,
        time_zone: None,
        validity: None,
        ignore_blocklist: false,
    };
    Ok(json(200, &quote_messages(&store, &caller, &request).await?))
}
