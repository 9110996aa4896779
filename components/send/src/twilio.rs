//! Twilio's Messages API (2010-04-01) over our send path, so an application written for
//! Twilio's SDKs switches by changing its base URL and credentials (docs/twilio.md):
//! `POST`/`GET /2010-04-01/Accounts/{AccountSid}/Messages.json`, and `GET`/`POST`/`DELETE
//! …/Messages/{Sid}.json`. The rules (SIDs, statuses, error codes, parameters) are
//! `domain::api::twilio`; sends are ours (`send_messages`): prices, ledger, opt-out,
//! routing and idempotency (`I-Twilio-Idempotency-Token`) as for `POST /v1/messages`.

use domain::api::error::ApiError;
use domain::api::twilio::{
    from_field, has_left, page_token, price, rfc2822, status, status_error_code, within_max_price, CreateMessage, ListQuery, Sid,
    SidKind, TwilioError, UpdateMessage, API_VERSION,
};
use domain::billing::money::Currency;
use domain::callbacks::twilio::CallbackFormat;
use domain::identity::access::Scope;
use platform::app::delivery::deliver_soon;
use platform::app::send::{quote_messages, send_messages, SendRequest, Sent};
use platform::http::{authenticate_twilio, form_pairs, idempotency, internal, query, respond_with, Reply, Req};
use platform::store::{CancelOutcome, Caller, Created, MessageFilter, MessageRecord, RemoveOutcome, Store};

/// A Twilio answer: its JSON, or its error shape.
fn reply(result: Result<(u16, serde_json::Value), TwilioError>) -> Reply {
    Ok(match result {
        Ok((204, _)) => respond_with(204, &[], ""),
        Ok((code, body)) => respond_with(code, &[("content-type", "application/json"), ("cache-control", "no-store")], body.to_string()),
        Err(e) => respond_with(e.status, &[("content-type", "application/json"), ("cache-control", "no-store")], e.body().to_string()),
    })
}

fn messages_uri(account_sid: &str) -> String {
    format!("/{API_VERSION}/Accounts/{account_sid}/Messages")
}

/// A message in Twilio's shape.
fn message_json(account_sid: &str, m: &MessageRecord, fallback: Currency) -> serde_json::Value {
    let sid = Sid::of_id(SidKind::Message, &m.id).map(|s| s.to_string()).unwrap_or_else(|| m.id.clone());
    let currency = Currency::parse(&m.currency).unwrap_or(fallback);
    let twilio_status = status(m.status, m.send_at.is_some());
    let (price, price_unit) = price(m.price_minor, currency);
    let error_code = status_error_code(m.status);
    let uri = format!("{}/{sid}", messages_uri(account_sid));
    serde_json::json!({
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": m.body,
        "date_created": rfc2822(&m.created_at),
        "date_sent": if has_left(m.status) { rfc2822(&m.status_at) } else { None },
        "date_updated": rfc2822(&m.status_at),
        "direction": "outbound-api",
        "error_code": error_code,
        "error_message": error_code.and(m.status_detail.clone().or_else(|| Some(m.status.description().to_owned()))),
        "from": from_field(&m.sender),
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": m.segments.to_string(),
        "price": price,
        "price_unit": price_unit,
        "sid": sid,
        "status": twilio_status,
        "subresource_uris": {"media": format!("{uri}/Media.json"), "feedback": format!("{uri}/Feedback.json")},
        "to": m.recipient,
        "uri": format!("{uri}.json"),
    })
}

/// The caller, for the account in the path.
async fn caller(req: &Req, store: &Store, scope: Scope) -> Result<(Caller, String), TwilioError> {
    let account_sid = req.param("account_sid").map_err(TwilioError::from)?.to_owned();
    let caller = authenticate_twilio(req, store, scope, &account_sid).await?;
    Ok((caller, account_sid))
}

/// One message of the caller's by the SID in the path (`{Sid}.json`).
fn message_id(req: &Req) -> Result<String, TwilioError> {
    let file = req.param("message").map_err(TwilioError::from)?;
    let not_found = || TwilioError::not_found(&format!("/Messages/{file}"));
    let sid = file.strip_suffix(".json").ok_or_else(not_found)?;
    Ok(Sid::parse(SidKind::Message, sid).map_err(|_| not_found())?.id())
}

async fn stored(store: &Store, caller: &Caller, id: &str) -> Result<MessageRecord, TwilioError> {
    let found = store.messages().message(&caller.account_id, id).await.map_err(ApiError::from)?;
    found.map(|(message, _)| message).ok_or_else(|| TwilioError::not_found(&format!("message {id}")))
}

/// `POST …/Messages.json`.
pub async fn create(req: Req) -> Reply {
    reply(create_message(&req).await)
}

async fn create_message(req: &Req) -> Result<(u16, serde_json::Value), TwilioError> {
    let store = Store::open().await.map_err(ApiError::from)?;
    let (caller, account_sid) = caller(req, &store, Scope::MessagesSend).await?;
    let params = CreateMessage::parse(&form_pairs(req)?)?;
    // The Messaging Service's sender pool is read only when it is to choose.
    let pool = match params.from {
        Some(_) => Vec::new(),
        None => store.inbound().numbers(&caller.account_id).await.map_err(ApiError::from)?.into_iter().map(|n| n.number).collect(),
    };
    let from = params.sender(&account_sid, &pool)?;
    let to = [params.to.clone()];
    let request = SendRequest {
        from: &from,
        to: &to,
        text: &params.body,
        client_reference: None,
        status_callback: params.status_callback.as_deref(),
        callback_format: CallbackFormat::Twilio,
        send_at: params.send_at.as_deref(),
        time_zone: None,
        validity: params.validity_period,
        ignore_blocklist: false,
    };
    if let Some(max_price) = &params.max_price {
        let quote = quote_messages(&store, &caller, &request).await?;
        if !within_max_price(quote.total_price.minor, caller.currency, max_price)? {
            return Err(TwilioError::new(400, 30010, format!("the message costs {} {}, more than MaxPrice {max_price}", quote.total_price.amount, quote.total_price.currency)));
        }
    }
    let idempotency = idempotency(req)?;
    let created = match send_messages(&store, &caller, &request, idempotency.as_ref(), None).await? {
        Sent::Created(created) => created,
        Sent::LookupsChanged => return Err(internal("a send without kept lookups found them changed").into()),
    };
    let id = match created {
        Created::New(outcome) => {
            let sent = outcome.messages.first().ok_or_else(|| TwilioError::from(internal("a send stored no message")))?;
            let Some(id) = sent.id.clone() else {
                // Refused before anything was stored: the account blocked the number, or
                // the person opted out.
                let detail = sent.status_detail.clone().unwrap_or_else(|| "the recipient has unsubscribed".into());
                return Err(TwilioError::new(400, 21610, format!("Attempt to send to unsubscribed recipient: {detail}")));
            };
            if outcome.send_at.is_none() {
                deliver_soon().await;
            }
            id
        }
        // The same token again: the message the first request made.
        Created::Replayed(answer) => {
            let first: serde_json::Value = serde_json::from_str(&answer.body).map_err(|e| TwilioError::from(internal(e)))?;
            match first["messages"][0]["id"].as_str() {
                Some(id) => id.to_owned(),
                None => return Err(TwilioError::new(answer.status, 21610, "Attempt to send to unsubscribed recipient")),
            }
        }
        Created::KeyReused => return Err(platform::http::idempotency_key_reused().into()),
        Created::InProgress => return Err(platform::http::idempotency_key_in_use().into()),
    };
    let message = stored(&store, &caller, &id).await?;
    Ok((201, message_json(&account_sid, &message, caller.currency)))
}

/// `GET …/Messages/{Sid}.json`.
pub async fn fetch(req: Req) -> Reply {
    reply(fetch_message(&req).await)
}

async fn fetch_message(req: &Req) -> Result<(u16, serde_json::Value), TwilioError> {
    let store = Store::open().await.map_err(ApiError::from)?;
    let (caller, account_sid) = caller(req, &store, Scope::MessagesRead).await?;
    let message = stored(&store, &caller, &message_id(req)?).await?;
    Ok((200, message_json(&account_sid, &message, caller.currency)))
}

/// `POST …/Messages/{Sid}.json`: `Status=canceled` or `Body=` (redaction).
pub async fn update(req: Req) -> Reply {
    reply(update_message(&req).await)
}

async fn update_message(req: &Req) -> Result<(u16, serde_json::Value), TwilioError> {
    let store = Store::open().await.map_err(ApiError::from)?;
    let (caller, account_sid) = caller(req, &store, Scope::MessagesSend).await?;
    let id = message_id(req)?;
    match UpdateMessage::parse(&form_pairs(req)?)? {
        UpdateMessage::Cancel => match store.messages().cancel_scheduled(&caller.account_id, &id).await.map_err(ApiError::from)? {
            CancelOutcome::Canceled { .. } => {}
            CancelOutcome::TooLate(now) => {
                return Err(TwilioError::new(400, 30409, format!("only a scheduled message that has not left can be canceled; this one is {}", status(now, false))))
            }
            CancelOutcome::NotFound => return Err(TwilioError::not_found(&format!("message {id}"))),
        },
        UpdateMessage::Redact => removed(store.messages().remove_text(&caller.account_id, &id, false).await.map_err(ApiError::from)?, &id)?,
    }
    let message = stored(&store, &caller, &id).await?;
    Ok((200, message_json(&account_sid, &message, caller.currency)))
}

fn removed(outcome: RemoveOutcome, id: &str) -> Result<(), TwilioError> {
    match outcome {
        RemoveOutcome::Removed => Ok(()),
        RemoveOutcome::NotFinal(now) => Err(TwilioError::new(409, 20009, format!("the message is still {}: its text can be removed once it is final", status(now, false)))),
        RemoveOutcome::NotFound => Err(TwilioError::not_found(&format!("message {id}"))),
    }
}

/// `DELETE …/Messages/{Sid}.json`: a final message leaves every listing, its text removed.
pub async fn delete(req: Req) -> Reply {
    reply(delete_message(&req).await)
}

async fn delete_message(req: &Req) -> Result<(u16, serde_json::Value), TwilioError> {
    let store = Store::open().await.map_err(ApiError::from)?;
    let (caller, _) = caller(req, &store, Scope::MessagesSend).await?;
    let id = message_id(req)?;
    removed(store.messages().remove_text(&caller.account_id, &id, true).await.map_err(ApiError::from)?, &id)?;
    Ok((204, serde_json::Value::Null))
}

/// `GET …/Messages.json`: newest first, filtered and paged as `ListQuery` reads it.
pub async fn list(req: Req) -> Reply {
    reply(list_messages(&req).await)
}

async fn list_messages(req: &Req) -> Result<(u16, serde_json::Value), TwilioError> {
    let store = Store::open().await.map_err(ApiError::from)?;
    let (caller, account_sid) = caller(req, &store, Scope::MessagesRead).await?;
    let list = ListQuery::parse(&query(req))?;
    let recipient = match &list.to {
        None => None,
        Some(to) => Some(
            domain::messaging::recipient::Recipient::parse(to, caller.numbers)
                .map_err(|e| TwilioError::new(400, 21211, format!("To: {e}")))?
                .e164()
                .to_owned(),
        ),
    };
    let (since, until) = (list.since.map(platform::store::timestamp), list.until.map(platform::store::timestamp));
    let filter = MessageFilter {
        recipient: recipient.as_deref(),
        sender: list.from.as_deref(),
        since: since.as_deref(),
        until: until.as_deref(),
        ..MessageFilter::default()
    };
    let mut records = store
        .messages()
        .messages(&caller.account_id, &filter, list.page_size as i64 + 1, list.after.as_deref())
        .await
        .map_err(ApiError::from)?;
    let more = records.len() > list.page_size;
    records.truncate(list.page_size);
    let base = format!("{}.json", messages_uri(&account_sid));
    let next = records.last().filter(|_| more).and_then(|m| page_token(&m.id)).map(|token| list.link(&base, list.page + 1, Some(&token)));
    let this_token = list.after.as_deref().and_then(page_token);
    let start = list.page * list.page_size;
    let messages: Vec<_> = records.iter().map(|m| message_json(&account_sid, m, caller.currency)).collect();
    Ok((
        200,
        serde_json::json!({
            "messages": messages,
            "end": (start + messages.len()).saturating_sub(1),
            "first_page_uri": list.link(&base, 0, None),
            "next_page_uri": next,
            "previous_page_uri": null,
            "page": list.page,
            "page_size": list.page_size,
            "start": start,
            "uri": list.link(&base, list.page, this_token.as_deref()),
        }),
    ))
}
