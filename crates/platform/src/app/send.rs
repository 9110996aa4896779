//! A send request from start to finish — groups expanded, validated, checked against the
//! blocklist, scheduled, priced, paid for and stored in one statement, then handed to the
//! carrier — for every caller that sends: the send API and the platform's own replies
//! (keywords, confirmations).

use crate::carrier::CarrierConfig;
use crate::http::internal;
use crate::ids::new_id;
use crate::store::{
    forget_kept_lookups, kept_lookups_paid, timestamp, Caller, Created, KeptFor, MessageForm, NewSend, SendDestinations, SendLookups, Store,
    StoreError, StoredAnswer,
};
use domain::billing::funds::{Funds, Paid};
use domain::api::idempotency::IdempotentRequest;
use domain::callbacks::event::{MoneyJson, StatusJson};
use domain::contacts::contactbook::{all_recipients_blocked, blocked_detail, expand_groups, group_refs, Expansion};
use domain::callbacks::endpoint::CallbackUrl;
use domain::callbacks::twilio::CallbackFormat;
use domain::api::error::{ApiError, ErrorDetail};
use domain::billing::money::{Currency, Money};
use domain::messaging::schedule::{SendAt, TimeZone, Validity};
use domain::billing::pricing::UnitPriceJson;
use domain::messaging::recipient::{NumberContext, Recipient};
use domain::messaging::rules::{self, Outgoing, RuledSend};
use domain::messaging::send::{quote, validate_send, Quote, SendRejection, ValidSend, MAX_RECIPIENTS};
use domain::contacts::optout::{self, append_unsubscribe_link, UnsubscribeSecret};
use domain::carriers::routing::{plan_route, RoutePlan};
use domain::messaging::status::Status;
use domain::messaging::text::{MessageText, SegmentLimits};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `to` of a send or a quote as clients write it: one number (or group id), or a list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Recipients {
    One(String),
    Many(Vec<String>),
}

impl Recipients {
    pub fn as_slice(&self) -> &[String] {
        match self {
            Recipients::One(one) => std::slice::from_ref(one),
            Recipients::Many(many) => many,
        }
    }

    pub fn into_vec(self) -> Vec<String> {
        match self {
            Recipients::One(one) => vec![one],
            Recipients::Many(many) => many,
        }
    }
}

/// What the customer asked for, as received (every field is validated here).
pub struct SendRequest<'a> {
    pub from: &'a str,
    /// Numbers, and group ids (`grp_…`) standing for the group's members.
    pub to: &'a [String],
    pub text: &'a str,
    pub client_reference: Option<&'a str>,
    /// Where status changes are POSTed; the account's default when absent.
    pub status_callback: Option<&'a str>,
    /// How `status_callback` is called: Twilio's form for one given to Twilio's API. The
    /// account's default URL (used when none is given) is always called in ours.
    pub callback_format: CallbackFormat,
    /// RFC 3339, or a local time read in `time_zone` (else the account's time zone).
    pub send_at: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    /// Seconds; a message with no final status by then becomes Expired (default 72 h).
    pub validity: Option<i64>,
    /// Send to numbers on the account's blocklist too. Only for the platform's own
    /// confirmation to someone who has just opted out; the API always sends `false`.
    pub ignore_blocklist: bool,
}

/// One recipient of a send: a stored message, or a recipient refused before anything
/// was stored (blocklist: RecipientRejected 405, `id` null, price zero, not charged).
#[derive(Debug, Serialize)]
pub struct SentMessage {
    pub id: Option<String>,
    pub to: String,
    pub country: String,
    pub status: StatusJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    pub encoding: &'static str,
    pub segments: u32,
    pub price: MoneyJson,
    /// SMS credits that paid for it, one per segment (then `price` is zero).
    pub credits: u32,
    pub refunded: bool,
    /// The operator's rules that changed its sender or text (GET /v1/messages/{id} shows
    /// what was asked and what is sent).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// The answer to a send, as the API returns it.
#[derive(Debug, Serialize)]
pub struct SendOutcome {
    pub batch_id: String,
    /// The connection of the first message (each message's own is in its history).
    pub carrier: String,
    pub sandbox: bool,
    /// Every recipient in request order, refused ones included.
    pub messages: Vec<SentMessage>,
    pub duplicates_removed: usize,
    /// Recipients refused because the account has blocked them (in `messages`, no id).
    pub rejected: usize,
    pub total_price: MoneyJson,
    pub balance: MoneyJson,
    /// SMS credits left after the send.
    pub sms_credits: i64,
    pub send_at: Option<String>,
    pub expires_at: String,
}

/// A send request checked and priced, with nothing stored: what [`send_messages`] stores
/// and pays for, and what [`quote_messages`] shows.
struct PreparedSend {
    /// The recipients that go (blocked ones left out), with the sender and text asked for.
    valid: ValidSend,
    /// How each of them goes after the operator's rules: sender and text as sent (the
    /// unsubscribe link counted).
    ruled: RuledSend,
    /// Each way's text before any unsubscribe link.
    base_texts: Vec<String>,
    /// Every recipient in request order, blocked ones included.
    all_recipients: Vec<Recipient>,
    /// Blocked recipients: why and since when.
    refused: HashMap<String, String>,
    duplicates: usize,
    quote: Quote,
    send_at: Option<String>,
    expires_at: String,
    status_callback: Option<CallbackUrl>,
    callback_format: CallbackFormat,
    /// The account's means as read with the lookups.
    funds: Funds,
    /// The kept lookups the send was decided on, if it was (store::send_lookups).
    kept: Option<KeptFor>,
    /// Where each message goes (domain::carriers::routing), in the order of
    /// `valid.recipients`: never `NoUsableConnection` (those recipients are refused).
    plans: Vec<RoutePlan>,
}

/// The largest send validated before its caller is known (see [`validate_first`]).
const VALIDATE_FIRST_MAX: usize = 20;

/// A send's recipients validated before its caller was known, and its lookups if they
/// were read with the caller's key (`http::authenticate_for_send`), at `at`.
pub struct CheckedFirst {
    pub valid: ValidSend,
    pub lookups: Option<SendLookups>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The request's recipients, sender and text validated before anything is looked up —
/// for a small send that names no group (groups are the account's) — or `None`, and then
/// the send validates after authenticating, so a refusal never comes before a 401. (A
/// batch is authenticated first: parsing thousands of numbers is not work to do for a
/// caller not yet known, and a batch's one extra query costs it nothing that shows.)
pub fn validate_first(request: &SendRequest<'_>) -> Option<ValidSend> {
    if request.to.len() > VALIDATE_FIRST_MAX || !group_refs(request.to).is_empty() {
        return None;
    }
    // Only numbers in international form: how others are read depends on the account.
    validate_send(request.from, request.to, request.text, NumberContext::Account(None), SegmentLimits::default()).ok()
}

/// Everything a send does before it stores anything: groups expanded, validated,
/// scheduled, blocked recipients left out, the unsubscribe link counted, and priced by
/// the rules in effect at `now`, the send's acceptance.
async fn prepare_send(
    store: &Store,
    caller: &Caller,
    request: &SendRequest<'_>,
    now: chrono::DateTime<chrono::Utc>,
    checked_first: Option<CheckedFirst>,
) -> Result<PreparedSend, ApiError> {
    let (mut valid, group_duplicates, looked_up) = match checked_first {
        Some(first) => (first.valid, 0, first.lookups),
        None => {
            let expansion = expand_request_groups(store, caller, request.to).await?;
            let valid = validate(caller, request, expansion.as_ref())?;
            (valid, expansion.as_ref().map_or(0, |e| e.duplicates), None)
        }
    };
    let send_at = match request.send_at {
        None => None,
        Some(input) => {
            let zone = TimeZone::parse(request.time_zone.unwrap_or(&caller.time_zone))?;
            Some(SendAt::parse(input, &zone, now)?)
        }
    };
    let validity = Validity::parse(request.validity)?;
    let expires_at = timestamp(validity.expires_at(send_at.as_ref().map(SendAt::instant).unwrap_or(now)));
    let send_at = send_at.map(|at| timestamp(at.instant()));
    // The request's own URL must be a public destination; the account's default was
    // checked when it was saved (and every URL is checked again when called).
    let (status_callback, callback_format) = match (request.status_callback, caller.status_callback.as_deref()) {
        (Some(url), _) => (Some(crate::config::egress_policy().await.parse(url)?), request.callback_format),
        (None, Some(default)) => (Some(CallbackUrl::parse(default)?), CallbackFormat::Json),
        (None, None) => (None, CallbackFormat::Json),
    };

    // One read for the account's means, its blocked recipients and the price rules (made
    // already, with the caller's key, for most API sends).
    let lookups = match looked_up {
        Some(lookups) => lookups,
        None => {
            let destinations = SendDestinations::of(&valid.recipients, !request.ignore_blocklist);
            store.messages().send_lookups(&caller.account_id, &destinations, now).await.map_err(|e| store_error(e, caller.currency))?
        }
    };
    let mut refused: HashMap<String, String> =
        lookups.blocked.into_iter().map(|(number, reason, since)| (number, blocked_detail(&reason, &since))).collect();
    let blocked = refused.len();

    // Where each goes: a recipient whose route has no enabled connection is refused like
    // a blocked one (RecipientRejected, nothing charged) rather than queued for nothing.
    let mut plans: HashMap<String, RoutePlan> = HashMap::new();
    if !lookups.routes.is_empty() {
        for recipient in &valid.recipients {
            if refused.contains_key(recipient.e164()) {
                continue;
            }
            let random = u64::from_le_bytes(crate::ids::random_bytes::<8>());
            match plan_route(&lookups.routes, recipient, now, random) {
                RoutePlan::NoUsableConnection { scope } => {
                    refused.insert(
                        recipient.e164().to_owned(),
                        format!("no carrier connection of the route for {scope} is enabled: not sent, not charged"),
                    );
                }
                plan => {
                    plans.insert(recipient.e164().to_owned(), plan);
                }
            }
        }
    }

    // Refused recipients leave the batch before it is priced: they cost nothing.
    let all_recipients = valid.recipients.clone();
    if !refused.is_empty() {
        if refused.len() == valid.recipients.len() {
            let refusals = all_recipients.iter().map(|r| (r.e164().to_owned(), refused[r.e164()].clone())).collect();
            if blocked == refused.len() {
                return Err(all_recipients_blocked(refusals));
            }
            return Err(no_recipient_routable(refusals));
        }
        valid.recipients.retain(|r| !refused.contains_key(r.e164()));
    }
    let plans: Vec<RoutePlan> = valid.recipients.iter().map(|r| plans.remove(r.e164()).unwrap_or(RoutePlan::Default)).collect();

    // The operator's rules: each message's sender and text as it is sent, before it is
    // encoded, counted and priced (domain::messaging::rules); a refusal stores nothing.
    let mut ruled = rules::apply(&valid, &lookups.send_rules, SegmentLimits::default())?;
    let base_texts: Vec<String> = ruled.outgoing.iter().map(|o| o.text.as_str().to_owned()).collect();

    // Stop-service by link: each SMS ends with its recipient's own unsubscribe link, and
    // the link counts in the segments and the price (every token has the same length).
    if caller.stop_by_link {
        let links = UnsubscribeLinks::from_variables().await?;
        for outgoing in &mut ruled.outgoing {
            let sample = links.append(&caller.account_id, valid.recipients[0].e164(), outgoing.text.as_str())?;
            outgoing.text = MessageText::parse(&sample, SegmentLimits::default())
                .map_err(|e| ApiError::from_status(400, Status::InvalidContent, format!("with the unsubscribe link: {e}")))?;
        }
    }

    let quote = quote(&valid.recipients, |i| ruled.of(i).text.segments(), &lookups.rules, caller.currency, now)?;
    Ok(PreparedSend {
        ruled,
        base_texts,
        duplicates: valid.duplicates + group_duplicates,
        valid,
        all_recipients,
        refused,
        quote,
        send_at,
        expires_at,
        status_callback,
        callback_format,
        funds: lookups.funds,
        kept: lookups.kept,
        plans,
    })
}

/// Every recipient refused, some for want of a usable carrier route (the others blocked).
fn no_recipient_routable(refusals: Vec<(String, String)>) -> ApiError {
    ApiError::from_status(400, Status::RecipientRejected, "none of the recipients can be sent to (see details); nothing was sent or charged")
        .with_details(refusals.into_iter().map(|(number, detail)| ErrorDetail { index: None, value: Some(number), message: detail }).collect())
}

/// The SMS bodies for these (recipient, text) pairs: the text, with each one's own
/// unsubscribe link when the account sends them.
async fn bodies_for(caller: &Caller, messages: &[(&str, &str)]) -> Result<Vec<String>, ApiError> {
    match caller.stop_by_link {
        false => Ok(messages.iter().map(|(_, text)| (*text).to_owned()).collect()),
        true => {
            let links = UnsubscribeLinks::from_variables().await?;
            messages.iter().map(|(to, text)| links.append(&caller.account_id, to, text)).collect()
        }
    }
}

/// The operator's rules that changed a message's sender or text.
fn rules_applied(outgoing: &Outgoing) -> Vec<String> {
    outgoing.sender_rule.iter().chain(&outgoing.content_rules).cloned().collect()
}

/// One recipient of a quote: what a send would charge for it, or why it would not go.
#[derive(Debug, Serialize)]
pub struct QuotedMessage {
    pub to: String,
    pub country: String,
    pub encoding: &'static str,
    pub segments: u32,
    /// The price per segment of the rule that applies; null for a blocked recipient.
    pub unit_price: Option<UnitPriceJson>,
    pub price: MoneyJson,
    /// On the account's blocklist: a send leaves it out (RecipientRejected), uncharged.
    pub rejected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    /// The operator's rules that would change its sender or text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// The answer to a quote: what the same send would cost now.
#[derive(Debug, Serialize)]
pub struct QuoteOutcome {
    pub messages: Vec<QuotedMessage>,
    pub duplicates_removed: usize,
    pub rejected: usize,
    /// Segments of the messages that would go.
    pub segments: u64,
    pub total_price: MoneyJson,
}

/// What `request` would cost if sent now: the send's own checks and pricing, with
/// nothing stored, charged or sent.
pub async fn quote_messages(store: &Store, caller: &Caller, request: &SendRequest<'_>) -> Result<QuoteOutcome, ApiError> {
    let prepared = prepare_send(store, caller, request, chrono::Utc::now(), None).await?;
    let mut priced = prepared.quote.messages.iter().enumerate();
    let mut messages = Vec::with_capacity(prepared.all_recipients.len());
    for recipient in &prepared.all_recipients {
        let (text, unit_price, price, detail, rules) = match prepared.refused.get(recipient.e164()) {
            Some(detail) => (&prepared.valid.text, None, Money::zero(caller.currency), Some(detail.clone()), Vec::new()),
            None => {
                let (index, priced) = priced.next().ok_or_else(|| internal("a priced message is missing"))?;
                let outgoing = prepared.ruled.of(index);
                (&outgoing.text, Some(priced.unit_price.into()), priced.price, None, rules_applied(outgoing))
            }
        };
        messages.push(QuotedMessage {
            to: recipient.e164().to_owned(),
            country: recipient.region().as_str().to_owned(),
            encoding: text.encoding().as_str(),
            segments: text.segments(),
            unit_price,
            price: price.into(),
            rejected: detail.is_some(),
            status_detail: detail,
            rules,
        });
    }
    Ok(QuoteOutcome {
        messages,
        duplicates_removed: prepared.duplicates,
        rejected: prepared.refused.len(),
        segments: prepared.quote.messages.iter().map(|m| u64::from(m.segments)).sum(),
        total_price: prepared.quote.total.into(),
    })
}

/// Sends for `caller`: all recipients or none (a refused request stores and charges
/// nothing), except that recipients on the account's blocklist are left out — refused
/// in the answer, not stored, not charged — while the others go. When every recipient is
/// blocked the request is refused (400, RecipientRejected).
///
/// The answer comes once the messages are stored, paid for and queued (Funded, 103);
/// delivery to the carrier follows from the queue (`delivery`). Call
/// [`crate::app::delivery::deliver_soon`] after answering. With an Idempotency-Key, a request
/// whose key was used by the same request before gets that answer back, nothing done.
pub async fn send_messages(
    store: &Store,
    caller: &Caller,
    request: &SendRequest<'_>,
    idempotency: Option<&IdempotentRequest>,
    checked_first: Option<CheckedFirst>,
) -> Result<Sent, ApiError> {
    let now = checked_first.as_ref().map_or_else(chrono::Utc::now, |first| first.at);
    let PreparedSend {
        valid, ruled, base_texts, all_recipients, refused, duplicates, quote, send_at, expires_at, status_callback, callback_format, funds, kept,
        plans,
    } = prepare_send(store, caller, request, now, checked_first).await?;

    let carrier = CarrierConfig::from_variables().await;
    // Each message's connection: the first of its route, else the default connection.
    let carriers: Vec<String> = plans
        .iter()
        .map(|plan| match plan {
            RoutePlan::Connections(order) if !order.is_empty() => order[0].clone(),
            _ => carrier.name.clone(),
        })
        .collect();
    let route_plans: Vec<Option<String>> = plans
        .iter()
        .map(|plan| match plan {
            RoutePlan::Connections(order) => serde_json::to_string(order).ok(),
            _ => None,
        })
        .collect();
    let batch_id = new_id("bat");
    let message_ids: Vec<String> = quote.messages.iter().map(|_| new_id("msg")).collect();
    let texts: Vec<(&str, &str)> = quote
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.recipient.e164(), base_texts[ruled.outgoing_of[i]].as_str()))
        .collect();
    let bodies = bodies_for(caller, &texts).await?;
    // What the customer asked for is kept beside what is sent when a rule changed it.
    let forms: Vec<MessageForm> = (0..quote.messages.len())
        .map(|i| {
            let outgoing = ruled.of(i);
            MessageForm {
                sender: outgoing.sender.as_str(),
                encoding: outgoing.text.encoding().as_str(),
                original_sender: (outgoing.sender != valid.sender).then(|| valid.sender.as_str()),
                original_body: (base_texts[ruled.outgoing_of[i]] != valid.text.as_str()).then(|| valid.text.as_str()),
            }
        })
        .collect();
    let outcome = |paid: &Paid| -> SendOutcome {
        let mut credited_minor = 0;
        let mut stored = quote.messages.iter().zip(&message_ids).zip(&paid.payments).enumerate();
        let mut messages = Vec::with_capacity(all_recipients.len());
        for recipient in &all_recipients {
            let refusal = refused.get(recipient.e164());
            let priced = if refusal.is_none() { stored.next() } else { None };
            let message = match (refusal, priced) {
                (None, Some((index, ((priced, id), payment)))) => {
                    let by_credits = payment.credits() > 0;
                    credited_minor += if by_credits { priced.price.minor() } else { 0 };
                    let outgoing = ruled.of(index);
                    SentMessage {
                        id: Some(id.clone()),
                        to: priced.recipient.e164().to_owned(),
                        country: priced.recipient.region().as_str().to_owned(),
                        status: Status::Funded.into(),
                        status_detail: None,
                        encoding: outgoing.text.encoding().as_str(),
                        segments: priced.segments,
                        price: if by_credits { Money::zero(caller.currency).into() } else { priced.price.into() },
                        credits: if by_credits { priced.segments } else { 0 },
                        refunded: false,
                        rules: rules_applied(outgoing),
                    }
                }
                // Blocked (or, impossibly, a priced message missing: shown as refused).
                (detail, _) => SentMessage {
                    id: None,
                    to: recipient.e164().to_owned(),
                    country: recipient.region().as_str().to_owned(),
                    status: Status::RecipientRejected.into(),
                    status_detail: detail.cloned(),
                    encoding: valid.text.encoding().as_str(),
                    segments: valid.text.segments(),
                    price: Money::zero(caller.currency).into(),
                    credits: 0,
                    refunded: false,
                    rules: Vec::new(),
                },
            };
            messages.push(message);
        }
        SendOutcome {
            batch_id: batch_id.clone(),
            sandbox: carrier.is_sandbox(),
            carrier: carriers.first().cloned().unwrap_or_else(|| carrier.name.clone()),
            messages,
            duplicates_removed: duplicates,
            rejected: refused.len(),
            total_price: Money::new(quote.total.minor() - credited_minor, quote.total.currency()).into(),
            balance: Money::new(paid.left.balance_minor, caller.currency).into(),
            sms_credits: paid.left.sms_credits,
            send_at: send_at.clone(),
            expires_at: expires_at.clone(),
        }
    };
    let answer = |paid: &Paid| StoredAnswer {
        status: SEND_CREATED,
        body: serde_json::to_string(&outcome(paid)).unwrap_or_default(),
    };
    let new_send = NewSend {
        account_id: &caller.account_id,
        batch_id: &batch_id,
        client_reference: request.client_reference,
        forms: &forms,
        bodies: &bodies,
        quote: &quote,
        carriers: &carriers,
        route_plans: &route_plans,
        message_ids: &message_ids,
        status_callback: status_callback.as_ref().map(CallbackUrl::as_str),
        callback_format,
        send_at: send_at.as_deref(),
        expires_at: &expires_at,
        funds_seen: Some(funds),
        lookups_version: kept.as_ref().map(|k| k.version),
    };
    let created = store.idempotent(&caller.account_id, idempotency, answer, async || store.messages().create_send(&new_send).await).await;
    let created = match (created, &kept) {
        (Err(StoreError::StaleLookups), Some(kept)) => {
            forget_kept_lookups(&kept.key_hash);
            return Ok(Sent::LookupsChanged);
        }
        (created, _) => created.map_err(|e| store_error(e, caller.currency))?,
    };
    if let (Created::New(paid), Some(kept)) = (&created, &kept) {
        kept_lookups_paid(kept, paid.left);
    }
    Ok(Sent::Created(created.map(|paid| outcome(&paid))))
}

/// What a send made.
pub enum Sent {
    Created(Created<SendOutcome>),
    /// Nothing: the kept lookups it was decided on changed (or a recipient is blocked);
    /// make it again with lookups read afresh ([`crate::store::Lookups::Afresh`]).
    LookupsChanged,
}

/// A send with no Idempotency-Key (the platform's own replies and confirmations), its
/// delivery started.
pub async fn send_and_deliver(store: &Store, caller: &Caller, request: &SendRequest<'_>) -> Result<SendOutcome, ApiError> {
    let created = send_messages(store, caller, request, None, None).await?;
    crate::app::delivery::deliver_soon().await;
    match created {
        Sent::Created(Created::New(outcome)) => Ok(outcome),
        _ => Err(internal("a send without a key was replayed")),
    }
}

/// The HTTP status of an accepted send.
pub const SEND_CREATED: u16 = 201;

/// `to` with its group ids (`grp_…`) replaced by the members' numbers; `None` when it
/// names no group. Ids that are not groups of the caller's account are reported by
/// [`validate`] as invalid recipients, like any other entry that is not a number.
async fn expand_request_groups(store: &Store, caller: &Caller, to: &[String]) -> Result<Option<Expansion>, ApiError> {
    // An oversized request is refused by validate_send before anything is looked up.
    if to.len() > MAX_RECIPIENTS {
        return Ok(None);
    }
    let refs = group_refs(to);
    if refs.is_empty() {
        return Ok(None);
    }
    let groups = store.contacts().group_numbers(&caller.account_id, &refs).await?;
    Ok(Some(expand_groups(to, &groups)))
}

/// `validate_send` on the expanded recipients; invalid entries are reported at their
/// index in the request, unknown groups among them.
fn validate(caller: &Caller, request: &SendRequest, expansion: Option<&Expansion>) -> Result<ValidSend, ApiError> {
    let Some(expansion) = expansion else {
        return Ok(validate_send(request.from, request.to, request.text, caller.numbers, SegmentLimits::default())?);
    };
    let mut invalid: Vec<ErrorDetail> = expansion
        .unknown_groups
        .iter()
        .map(|(index, id)| ErrorDetail {
            index: Some(*index),
            value: Some(id.clone()),
            message: format!("'{id}' is not a group of this account"),
        })
        .collect();
    match validate_send(request.from, &expansion.to, request.text, caller.numbers, SegmentLimits::default()) {
        Ok(_) | Err(SendRejection::NoRecipients) if !invalid.is_empty() => Err(invalid_recipients(invalid)),
        Ok(valid) => Ok(valid),
        Err(SendRejection::Recipients(list)) => {
            invalid.extend(list.into_iter().map(|r| ErrorDetail {
                index: Some(expansion.origin[r.index]),
                value: Some(r.input),
                message: r.error.to_string(),
            }));
            invalid.sort_by_key(|d| d.index);
            Err(invalid_recipients(invalid))
        }
        Err(SendRejection::NoRecipients) => Err(ApiError::from_status(
            400,
            Status::InvalidRecipient,
            "the groups given have no members, and no other recipients were given",
        )),
        Err(other) => Err(other.into()),
    }
}

fn invalid_recipients(details: Vec<ErrorDetail>) -> ApiError {
    ApiError::from_status(
        400,
        Status::InvalidRecipient,
        format!("{} of the recipients are not valid phone numbers or groups of this account", details.len()),
    )
    .with_details(details)
}

fn store_error(e: StoreError, currency: Currency) -> ApiError {
    match e {
        StoreError::InsufficientFunds { balance, credit_limit, needed } => ApiError::from_status(
            402,
            Status::InsufficientFunds,
            format!(
                "this send costs {}; the balance is {} and the credit limit {}",
                Money::new(needed, currency),
                Money::new(balance, currency),
                Money::new(credit_limit, currency)
            ),
        ),
        StoreError::NotFound => ApiError::not_found("the account no longer exists"),
        StoreError::StaleLookups => internal("a send was refused for kept lookups it did not use"),
        StoreError::Db(e) => internal(e),
    }
}

/// Unsubscribe links for SMS: signed with `unsubscribe_secret`, pointing at
/// `public_base_url` (see domain::contacts::optout).
struct UnsubscribeLinks {
    secret: UnsubscribeSecret,
    base_url: String,
}

impl UnsubscribeLinks {
    async fn from_variables() -> Result<UnsubscribeLinks, ApiError> {
        let secret = crate::config::get_or("unsubscribe_secret", "").await;
        let secret = UnsubscribeSecret::new(secret.as_bytes()).map_err(|e| {
            ApiError::unavailable(format!("stop_by_link is on but unsubscribe links cannot be made ({e}); nothing was sent"))
        })?;
        Ok(UnsubscribeLinks { secret, base_url: crate::config::get_or("public_base_url", "http://127.0.0.1:3000").await })
    }

    fn append(&self, account_id: &str, e164: &str, text: &str) -> Result<String, ApiError> {
        let token = optout::sign(&self.secret, account_id, e164).map_err(internal)?;
        Ok(append_unsubscribe_link(text, &self.base_url, &token))
    }
}
