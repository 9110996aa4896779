//! Twilio's Messages API (2010-04-01) as a dialect of ours: its SIDs, its status
//! vocabulary, its error codes and shapes, its dates and prices, and its request
//! parameters — the rules, without I/O (docs/twilio.md has the tables).
//!
//! A Twilio SID is two letters and 32 hex digits. Our ids are a three-letter prefix, `_`
//! and 28 hex digits (`platform::ids`), so each SID is its kind's letters, four digits of
//! its kind (`0000`; `0001` for an inbound SMS, which Twilio also names `SM…`) and our id's
//! digits: one SID per id and back, no table.

use crate::api::error::ApiError;
use crate::billing::money::{Currency, Money};
use crate::messaging::status::Status;
use std::fmt;

/// The API version in every path and answer.
pub const API_VERSION: &str = "2010-04-01";

/// What a SID names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidKind {
    Account,
    Message,
    ApiKey,
    /// An inbound SMS (our `inb_…`): Twilio's `SM…` too, told from a sent one by its pad.
    InboundMessage,
    /// An account's one Messaging Service (`MG…`): its reception numbers as the sender
    /// pool. It has no id of its own: the account's (`acc_…`).
    MessagingService,
}

impl SidKind {
    fn letters(self) -> &'static str {
        match self {
            SidKind::Account => "AC",
            SidKind::Message | SidKind::InboundMessage => "SM",
            SidKind::ApiKey => "SK",
            SidKind::MessagingService => "MG",
        }
    }

    /// The four digits between the letters and our id's: what keeps an inbound SMS's SID
    /// apart from a sent one's.
    fn pad(self) -> &'static str {
        match self {
            SidKind::InboundMessage => "0001",
            _ => "0000",
        }
    }

    fn our_prefix(self) -> &'static str {
        match self {
            SidKind::Account | SidKind::MessagingService => "acc",
            SidKind::Message => "msg",
            SidKind::ApiKey => "key",
            SidKind::InboundMessage => "inb",
        }
    }
}

const DIGITS: usize = 28;

/// A SID of a known kind, as Twilio writes it (`AC` + 32 hex digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sid {
    kind: SidKind,
    hex: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SidError {
    #[error("'{given}' is not a {expected}… SID (two letters and 32 hex digits)")]
    Malformed { given: String, expected: &'static str },
}

impl Sid {
    /// A SID from its text: the kind's letters, then 32 hex digits of which the first
    /// four are the kind's pad.
    pub fn parse(kind: SidKind, text: &str) -> Result<Sid, SidError> {
        let malformed = || SidError::Malformed { given: text.chars().take(64).collect(), expected: kind.letters() };
        let rest = text.strip_prefix(kind.letters()).ok_or_else(malformed)?;
        let hex = rest.strip_prefix(kind.pad()).ok_or_else(malformed)?;
        if hex.len() != DIGITS || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed());
        }
        Ok(Sid { kind, hex: hex.to_ascii_lowercase() })
    }

    /// The SID of one of our ids (`msg_…`); `None` when the id is not of that kind's shape.
    pub fn of_id(kind: SidKind, id: &str) -> Option<Sid> {
        let hex = id.strip_prefix(kind.our_prefix())?.strip_prefix('_')?;
        (hex.len() == DIGITS && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Sid { kind, hex: hex.to_ascii_lowercase() })
    }

    /// Our id it stands for.
    pub fn id(&self) -> String {
        format!("{}_{}", self.kind.our_prefix(), self.hex)
    }
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.kind.letters(), self.kind.pad(), self.hex)
    }
}

/// Who a Twilio-style request says it is: HTTP Basic with an account SID (`AC…`, the
/// password one of the account's API keys, as Twilio's auth token) or an API key SID
/// (`SK…`, the password that key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    pub user: BasicUser,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BasicUser {
    Account(Sid),
    ApiKey(Sid),
}

impl BasicCredentials {
    /// From an `Authorization` header's value; `None` for anything but Basic with an
    /// `AC…` or `SK…` user and a password.
    pub fn parse(header: &str) -> Option<BasicCredentials> {
        use base64::Engine;
        let (scheme, encoded) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        let user = match user.get(..2)? {
            "AC" => BasicUser::Account(Sid::parse(SidKind::Account, user).ok()?),
            "SK" => BasicUser::ApiKey(Sid::parse(SidKind::ApiKey, user).ok()?),
            _ => return None,
        };
        (!password.is_empty()).then(|| BasicCredentials { user, password: password.to_owned() })
    }
}

/// Twilio's status of a message of ours. `scheduled`: it waits for its `send_at`.
pub fn status(status: Status, scheduled: bool) -> &'static str {
    use Status::*;
    match status {
        Accepted | Queued | Funded if scheduled => "scheduled",
        Accepted | Queued | Funded | Refunded => "queued",
        Sending => "sending",
        // With the carrier and no final word (SubscriberOffline: it retries; Unknown: the
        // submit's answer never came, and it may have the message).
        DeliveredToGateway | DeliveredToCarrier | DeliveredToGsm | QueuedAtGateway | SubscriberOffline | Unknown => "sent",
        DeliveredToHandset => "delivered",
        Canceled => "canceled",
        // Refused before any carrier took it.
        InsufficientFunds | SenderRejected | ContentRejected | RecipientRejected | GenericRejected | InvalidSender
        | InvalidContent | InvalidRecipient | MissingSmsSubscription | InternalError | DeliveryToGatewayFailed => "failed",
        // A carrier had it and reports it not delivered.
        Expired | UnknownSubscriber | SubscriberUnreachable | DeliveryToCarrierFailed | DeliveryToGsmFailed
        | DeliveryToHandsetFailed | GenericDeliveryFailure | GatewayError => "undelivered",
    }
}

/// Twilio's error code for a message that failed or was not delivered (its `error_code`).
pub fn status_error_code(status: Status) -> Option<u32> {
    use Status::*;
    Some(match status {
        InsufficientFunds => 30002,
        ContentRejected => 30007,
        SenderRejected | InvalidSender => 21212,
        RecipientRejected => 21610,
        InvalidRecipient => 21211,
        InvalidContent => 21617,
        Expired => 30001,
        UnknownSubscriber => 30005,
        SubscriberUnreachable => 30003,
        GenericRejected | MissingSmsSubscription | InternalError | DeliveryToGatewayFailed | DeliveryToCarrierFailed
        | DeliveryToGsmFailed | DeliveryToHandsetFailed | GenericDeliveryFailure | GatewayError => 30008,
        _ => return None,
    })
}

/// A refusal in Twilio's words: its HTTP status, code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioError {
    pub status: u16,
    pub code: u32,
    pub message: String,
}

impl TwilioError {
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> TwilioError {
        TwilioError { status, code, message: message.into() }
    }

    /// Twilio's error body: `{"code","message","more_info","status"}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code,
            "message": self.message,
            "more_info": format!("https://www.twilio.com/docs/errors/{}", self.code),
            "status": self.status,
        })
    }

    pub fn not_found(what: &str) -> TwilioError {
        TwilioError::new(404, 20404, format!("The requested resource {what} was not found"))
    }
}

/// One of our refusals as Twilio would have said it (the table in docs/twilio.md): the
/// code by our stable error name, the message ours.
impl From<ApiError> for TwilioError {
    fn from(error: ApiError) -> TwilioError {
        let unroutable = error.message.contains("no price") || error.details.iter().any(|d| d.message.contains("connection of the route"));
        let by_status = |status: Status| match status {
            Status::InvalidRecipient => (400, 21211),
            Status::InvalidSender => (400, 21212),
            Status::SenderRejected => (400, 21606),
            // No price, or no route, for the destination: Twilio's "not enabled for the region".
            Status::RecipientRejected if unroutable => (400, 21408),
            Status::RecipientRejected => (400, 21610),
            Status::InvalidContent if error.message.contains("empty") => (400, 21602),
            Status::InvalidContent => (400, 21617),
            Status::ContentRejected => (400, 30007),
            Status::InsufficientFunds => (400, 30002),
            _ => (400, 21000),
        };
        let (status, code) = match error.code.and_then(Status::from_code) {
            Some(status) => by_status(status),
            None => match error.name {
                "Unauthorized" | "IpNotAllowed" => (401, 20003),
                "ScopeMissing" | "Forbidden" | "AccessLevelTooLow" => (403, 20003),
                "NotFound" => (404, 20404),
                "MethodNotAllowed" => (405, 20004),
                "RateLimited" | "TooManyAttempts" => (429, 20429),
                "IdempotencyKeyReused" => (422, 20001),
                "IdempotencyKeyInUse" | "Conflict" => (409, 20409),
                "InvalidSendAt" => (400, 35114),
                "InvalidValidity" => (400, 21000),
                "InvalidCallbackUrl" => (400, 21609),
                "PayloadTooLarge" => (413, 21000),
                "ServiceUnavailable" => (503, 20503),
                "InternalError" => (500, 20500),
                _ => (400, 21000),
            },
        };
        TwilioError::new(status, code, error.message)
    }
}

/// A stored timestamp (`2026-12-07T21:00:00.123Z`, RFC 3339) as Twilio writes dates (RFC
/// 2822: `Mon, 07 Dec 2026 21:00:00 +0000`); `None` if it is not one.
pub fn rfc2822(stored: &str) -> Option<String> {
    let at = chrono::DateTime::parse_from_rfc3339(stored).ok()?.with_timezone(&chrono::Utc);
    Some(at.format("%a, %d %b %Y %H:%M:%S +0000").to_string())
}

/// A message's price as Twilio writes one: what it cost, negative, with five decimals
/// (`"-0.45000"`), and its currency code as `price_unit`.
pub fn price(minor: i64, currency: Currency) -> (String, &'static str) {
    let decimal = Money::new(minor.abs(), currency).decimal();
    let (whole, fraction) = decimal.split_once('.').unwrap_or((&decimal, ""));
    let fraction = format!("{fraction:0<5}");
    let sign = if minor == 0 { "" } else { "-" };
    (format!("{sign}{whole}.{fraction}"), currency.code())
}

/// A message's `from` as Twilio writes it: we store a numeric sender as its digits (as
/// carriers take it); Twilio shows a phone number in E.164, so one longer than a short
/// code (more than 6 digits) gets its `+` back. Names and short codes are as stored.
pub fn from_field(sender: &str) -> String {
    if sender.len() > 6 && sender.bytes().all(|b| b.is_ascii_digit()) {
        format!("+{sender}")
    } else {
        sender.to_owned()
    }
}

/// `POST Messages.json`, read from its form: what we can do, or Twilio's refusal for what
/// we cannot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateMessage {
    pub to: String,
    /// `From`; absent when a `MessagingServiceSid` is to choose the sender
    /// ([`CreateMessage::sender`]).
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub status_callback: Option<String>,
    /// Seconds (Twilio: 1–36,000).
    pub validity_period: Option<i64>,
    /// RFC 3339 / ISO 8601, with `ScheduleType=fixed`.
    pub send_at: Option<String>,
    /// The most the caller will pay for the message, in its account's currency.
    pub max_price: Option<String>,
}

impl CreateMessage {
    /// Who the message is from. `From` when given; else the Messaging Service's choice:
    /// each account has one (`MG` + the account's digits), whose sender pool is the
    /// account's reception numbers, primary first (`pool` in that order) — it takes the
    /// first. A Messaging Service of another account is refused (21701, as Twilio refuses
    /// an unknown one), and so is a send from a pool with no number (21703).
    pub fn sender(&self, account_sid: &str, pool: &[String]) -> Result<String, TwilioError> {
        if let Some(service) = &self.messaging_service_sid {
            let ours = Sid::parse(SidKind::Account, account_sid).map(|account| format!("{}{}{}", SidKind::MessagingService.letters(), SidKind::MessagingService.pad(), account.hex));
            if ours.as_deref() != Ok(service.as_str()) {
                return Err(TwilioError::new(400, 21701, format!("The Messaging Service Sid {service} is invalid: this account's is {}", ours.unwrap_or_default())));
            }
        }
        match (&self.from, pool.first()) {
            (Some(from), _) => Ok(from.clone()),
            (None, Some(number)) => Ok(number.clone()),
            (None, None) => Err(TwilioError::new(400, 21703, "The Messaging Service has no phone number to send from: the account has no reception number")),
        }
    }
}

/// Parameters we take and do nothing with: Twilio's own knobs that change nothing here.
const IGNORED: [&str; 5] = ["ProvideFeedback", "Attempt", "SmartEncoded", "ShortenUrls", "ApplicationSid"];

impl CreateMessage {
    /// Reads the form's pairs (names case-sensitive, as Twilio's are). Media (MMS), and
    /// any parameter we do not know, is refused rather than ignored.
    pub fn parse(pairs: &[(String, String)]) -> Result<CreateMessage, TwilioError> {
        let mut message = CreateMessage::default();
        let mut to = None;
        let mut body = None;
        let mut schedule_type = None;
        let mut from = None;
        for (name, value) in pairs {
            match name.as_str() {
                "To" => to = Some(value.trim().to_owned()),
                "From" => from = Some(value.trim().to_owned()).filter(|v| !v.is_empty()),
                "MessagingServiceSid" => message.messaging_service_sid = Some(value.trim().to_owned()).filter(|v| !v.is_empty()),
                "Body" => body = Some(value.clone()),
                "StatusCallback" => message.status_callback = Some(value.trim().to_owned()).filter(|v| !v.is_empty()),
                "ValidityPeriod" => {
                    let seconds = value.trim().parse::<i64>().ok().filter(|s| (1..=36_000).contains(s));
                    message.validity_period = Some(seconds.ok_or_else(|| TwilioError::new(400, 21000, "ValidityPeriod is a whole number of seconds from 1 to 36000"))?);
                }
                "SendAt" => message.send_at = Some(value.trim().to_owned()),
                "ScheduleType" => schedule_type = Some(value.trim().to_owned()),
                "MaxPrice" => message.max_price = Some(value.trim().to_owned()),
                "MediaUrl" | "ContentSid" | "ContentVariables" | "PersistentAction" => {
                    return Err(TwilioError::new(400, 21620, format!("{name} is not supported: this API sends SMS only (no MMS or content templates)")));
                }
                ignored if IGNORED.contains(&ignored) => {}
                other => return Err(TwilioError::new(400, 21000, format!("the parameter {other} is not supported"))),
            }
        }
        message.to = to.filter(|t| !t.is_empty()).ok_or_else(|| TwilioError::new(400, 21604, "A 'To' phone number is required."))?;
        message.body = body.filter(|b| !b.is_empty()).ok_or_else(|| TwilioError::new(400, 21602, "Message body is required."))?;
        if from.is_none() && message.messaging_service_sid.is_none() {
            return Err(TwilioError::new(400, 21603, "A 'From' phone number is required."));
        }
        message.from = from;
        match (message.send_at.is_some(), schedule_type.as_deref()) {
            (true, Some("fixed")) | (false, None) => {}
            (true, _) => return Err(TwilioError::new(400, 35111, "SendAt needs ScheduleType=fixed")),
            (false, Some(_)) => return Err(TwilioError::new(400, 35114, "ScheduleType needs a SendAt")),
        }
        Ok(message)
    }
}

/// Whether a price (minor units of `currency`) is within a `MaxPrice` (a decimal in the
/// same currency, up to 5 decimals; a sign is ignored, as Twilio's prices are negative).
pub fn within_max_price(price_minor: i64, currency: Currency, max_price: &str) -> Result<bool, TwilioError> {
    let bad = || TwilioError::new(400, 21000, format!("MaxPrice '{max_price}' is not a price (a decimal with at most 5 decimals)"));
    let text = max_price.trim().trim_start_matches(['-', '+']);
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 5 || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Both in 1e-5 of the currency's major unit.
    let max: i128 = format!("{whole}{fraction:0<5}").parse().map_err(|_| bad())?;
    let price = i128::from(price_minor) * 10_i128.pow(5 - currency.exponent().min(5));
    Ok(price <= max)
}

/// `POST Messages/{Sid}.json`: what to do to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateMessage {
    /// `Status=canceled`: a scheduled message that has not left.
    Cancel,
    /// `Body=""`: the text removed from a message with a final status.
    Redact,
}

impl UpdateMessage {
    pub fn parse(pairs: &[(String, String)]) -> Result<UpdateMessage, TwilioError> {
        match pairs {
            [(name, value)] if name == "Status" && value == "canceled" => Ok(UpdateMessage::Cancel),
            [(name, value)] if name == "Status" => Err(TwilioError::new(400, 21000, format!("Status may only be set to canceled, not '{value}'"))),
            [(name, value)] if name == "Body" && value.is_empty() => Ok(UpdateMessage::Redact),
            [(name, _)] if name == "Body" => Err(TwilioError::new(400, 21000, "Body may only be set to the empty string (redaction)")),
            _ => Err(TwilioError::new(400, 21000, "send either Status=canceled or Body= (empty)")),
        }
    }
}

/// The largest `PageSize` Twilio takes; its default is 50.
pub const MAX_PAGE_SIZE: usize = 1000;
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// `PageSize`: 1–1000, 50 when absent.
pub fn page_size(given: Option<&str>) -> Result<usize, TwilioError> {
    match given {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| TwilioError::new(400, 20001, format!("PageSize must be a number from 1 to {MAX_PAGE_SIZE}"))),
    }
}

/// A `DateSent` filter value: a date (`2026-12-07`, the whole UTC day) or an ISO 8601 time,
/// as `[from, until)` bounds in RFC 3339.
pub fn date_sent_bounds(given: &str) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), TwilioError> {
    let bad = || TwilioError::new(400, 20001, format!("'{given}' is not a date (YYYY-MM-DD) or an ISO 8601 time"));
    let given = given.trim();
    if let Ok(day) = chrono::NaiveDate::parse_from_str(given, "%Y-%m-%d") {
        let start = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc();
        return Ok((start, start + chrono::Duration::days(1)));
    }
    let at = chrono::DateTime::parse_from_rfc3339(given).map_err(|_| bad())?.with_timezone(&chrono::Utc);
    Ok((at, at + chrono::Duration::seconds(1)))
}

/// Whether a message in this status has left for a carrier (Twilio's `date_sent` is set).
pub fn has_left(status: Status) -> bool {
    status.code() >= Status::DeliveredToGateway.code() && status != Status::Canceled
}

/// The `PageToken` of the page after the one ending with this message (`PA` + its SID).
pub fn page_token(message_id: &str) -> Option<String> {
    Sid::of_id(SidKind::Message, message_id).map(|sid| format!("PA{sid}"))
}

/// The filters a listing passes on to its page links, in this order.
const LIST_FILTERS: [&str; 5] = ["To", "From", "DateSent", "DateSent<", "DateSent>"];

/// `GET Messages.json`'s query: filters and Twilio's paging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub page_size: usize,
    pub page: usize,
    /// The page starts after this message of ours (from `PageToken`).
    pub after: Option<String>,
    /// As given: the caller reads it as a number of the account's country.
    pub to: Option<String>,
    pub from: Option<String>,
    /// Created at or after / before (`DateSent` is one day or second; `DateSent>` and
    /// `DateSent<` on or after / on or before).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    filters: Vec<(&'static str, String)>,
}

impl ListQuery {
    pub fn parse(query: &std::collections::HashMap<String, String>) -> Result<ListQuery, TwilioError> {
        let get = |name: &str| query.get(name).map(String::as_str);
        let page = match get("Page") {
            None => 0,
            Some(p) => p.trim().parse().map_err(|_| TwilioError::new(400, 20001, "Page is a page number from 0"))?,
        };
        let after = match get("PageToken") {
            None => None,
            Some(token) => Some(
                token
                    .strip_prefix("PA")
                    .and_then(|sid| Sid::parse(SidKind::Message, sid).ok())
                    .ok_or_else(|| TwilioError::new(400, 20001, "PageToken is not one this API gave"))?
                    .id(),
            ),
        };
        let (mut since, mut until) = (None, None);
        if let Some(day) = get("DateSent") {
            let (from, to) = date_sent_bounds(day)?;
            (since, until) = (Some(from), Some(to));
        }
        if let Some(before) = get("DateSent<") {
            until = Some(date_sent_bounds(before)?.1);
        }
        if let Some(after) = get("DateSent>") {
            since = Some(date_sent_bounds(after)?.0);
        }
        Ok(ListQuery {
            page_size: page_size(get("PageSize"))?,
            page,
            after,
            to: get("To").map(str::to_owned),
            from: get("From").map(str::to_owned),
            since,
            until,
            filters: LIST_FILTERS.iter().filter_map(|name| Some((*name, query.get(*name)?.clone()))).collect(),
        })
    }

    /// A link to page `page` of the same listing under `base` (`…/Messages.json`).
    pub fn link(&self, base: &str, page: usize, token: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(self.filters.iter().map(|(name, value)| (*name, value.as_str())));
        query.append_pair("PageSize", &self.page_size.to_string()).append_pair("Page", &page.to_string());
        if let Some(token) = token {
            query.append_pair("PageToken", token);
        }
        format!("{base}?{}", query.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn sids_and_ids_map_one_to_one() {
        let sid = Sid::of_id(SidKind::Message, "msg_0190a1b2c3d4e5f60718293a4b5c").unwrap();
        assert_eq!(sid.to_string(), "SM00000190a1b2c3d4e5f60718293a4b5c");
        assert_eq!(sid.to_string().len(), 34);
        let back = Sid::parse(SidKind::Message, &sid.to_string()).unwrap();
        assert_eq!(back.id(), "msg_0190a1b2c3d4e5f60718293a4b5c");
        assert_eq!(Sid::parse(SidKind::Message, "SM00000190A1B2C3D4E5F60718293A4B5C").unwrap().id(), "msg_0190a1b2c3d4e5f60718293a4b5c");
        for bad in ["", "SM", "AC00000190a1b2c3d4e5f60718293a4b5c", "SM11110190a1b2c3d4e5f60718293a4b5c", "SM00000190a1b2c3d4e5f60718293a4b5", "SM0000zz90a1b2c3d4e5f60718293a4b5c"] {
            assert!(Sid::parse(SidKind::Message, bad).is_err(), "{bad}");
        }
        assert!(Sid::of_id(SidKind::Account, "msg_0190a1b2c3d4e5f60718293a4b5c").is_none(), "an id of another kind");
        assert_eq!(Sid::of_id(SidKind::Account, "acc_0190a1b2c3d4e5f60718293a4b5c").unwrap().to_string(), "AC00000190a1b2c3d4e5f60718293a4b5c");
        // An inbound SMS is SM… too, its own pad keeping it apart from a sent message.
        let inbound = Sid::of_id(SidKind::InboundMessage, "inb_0190a1b2c3d4e5f60718293a4b5c").unwrap().to_string();
        assert_eq!(inbound, "SM00010190a1b2c3d4e5f60718293a4b5c");
        assert_eq!(Sid::parse(SidKind::InboundMessage, &inbound).unwrap().id(), "inb_0190a1b2c3d4e5f60718293a4b5c");
        assert!(Sid::parse(SidKind::Message, &inbound).is_err(), "not a sent message's SID");
        assert!(Sid::parse(SidKind::InboundMessage, &sid.to_string()).is_err());
    }

    #[test]
    fn basic_credentials_name_an_account_or_a_key() {
        use base64::Engine;
        let basic = |user_pass: &str| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(user_pass));
        let account = BasicCredentials::parse(&basic("AC00000190a1b2c3d4e5f60718293a4b5c:sk_live_x")).unwrap();
        assert_eq!(account.user, BasicUser::Account(Sid::parse(SidKind::Account, "AC00000190a1b2c3d4e5f60718293a4b5c").unwrap()));
        assert_eq!(account.password, "sk_live_x");
        let key = BasicCredentials::parse(&basic("SK00000190a1b2c3d4e5f60718293a4b5c:secret")).unwrap();
        assert!(matches!(key.user, BasicUser::ApiKey(sid) if sid.id() == "key_0190a1b2c3d4e5f60718293a4b5c"));
        for bad in [basic("AC00000190a1b2c3d4e5f60718293a4b5c:"), basic("someone:pw"), "Bearer x".to_owned(), "Basic !!!".to_owned(), basic("AC12")] {
            assert!(BasicCredentials::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn every_status_has_a_twilio_status_and_failures_a_code() {
        let vocabulary = ["queued", "scheduled", "sending", "sent", "delivered", "undelivered", "failed", "canceled"];
        for s in Status::ALL {
            let twilio = status(s, false);
            assert!(vocabulary.contains(&twilio), "{s:?}");
            if twilio == "failed" || twilio == "undelivered" {
                assert!(status_error_code(s).is_some(), "{s:?} failed without a code");
            }
        }
        assert_eq!(status(Status::Funded, true), "scheduled");
        assert_eq!(status(Status::Funded, false), "queued");
        assert_eq!(status(Status::DeliveredToHandset, false), "delivered");
        assert_eq!(status(Status::Unknown, false), "sent", "the carrier may have it: not failed");
        assert_eq!(status(Status::DeliveryToGatewayFailed, false), "failed");
        assert_eq!(status(Status::DeliveryToHandsetFailed, false), "undelivered");
    }

    #[test]
    fn our_refusals_get_twilios_codes() {
        let of = |e: ApiError| {
            let t = TwilioError::from(e);
            (t.status, t.code)
        };
        assert_eq!(of(ApiError::from_status(400, Status::InvalidRecipient, "x")), (400, 21211));
        assert_eq!(of(ApiError::from_status(400, Status::InvalidSender, "x")), (400, 21212));
        assert_eq!(of(ApiError::from_status(400, Status::RecipientRejected, "on the blocklist")), (400, 21610));
        assert_eq!(of(ApiError::from_status(400, Status::RecipientRejected, "we have no price for +999")), (400, 21408));
        let unroutable = ApiError::from_status(400, Status::RecipientRejected, "none of the recipients can be sent to").with_details(vec![
            crate::api::error::ErrorDetail { index: None, value: None, message: "no carrier connection of the route for SE is enabled".into() },
        ]);
        assert_eq!(of(unroutable), (400, 21408));
        assert_eq!(of(ApiError::from_status(400, Status::InvalidContent, "the message text is empty")), (400, 21602));
        assert_eq!(of(ApiError::from_status(400, Status::InvalidContent, "the message needs 9 parts")), (400, 21617));
        assert_eq!(of(ApiError::from_status(400, Status::ContentRejected, "x")), (400, 30007));
        assert_eq!(of(ApiError::unauthorized("x")), (401, 20003));
        assert_eq!(of(ApiError::not_found("x")), (404, 20404));
        let body = TwilioError::new(400, 21211, "The 'To' number is not valid.").body();
        assert_eq!(body["more_info"], "https://www.twilio.com/docs/errors/21211");
        assert_eq!((body["code"].as_u64(), body["status"].as_u64()), (Some(21211), Some(400)));
    }

    #[test]
    fn dates_and_prices_as_twilio_writes_them() {
        assert_eq!(rfc2822("2026-12-07T21:05:09.123Z").unwrap(), "Mon, 07 Dec 2026 21:05:09 +0000");
        assert!(rfc2822("yesterday").is_none());
        let sek = Currency::parse("SEK").unwrap();
        assert_eq!(price(45, sek), ("-0.45000".to_owned(), "SEK"));
        assert_eq!(price(1234, sek), ("-12.34000".to_owned(), "SEK"));
        assert_eq!(price(0, sek).0, "0.00000");
    }

    #[test]
    fn a_create_is_read_or_refused_as_twilio_would() {
        let ok = CreateMessage::parse(&pairs(&[("To", "+46701234567"), ("From", "ACME"), ("Body", "Hej"), ("ValidityPeriod", "600")])).unwrap();
        assert_eq!((ok.to.as_str(), ok.from.as_deref(), ok.body.as_str(), ok.validity_period), ("+46701234567", Some("ACME"), "Hej", Some(600)));
        let code = |list: &[(&str, &str)]| CreateMessage::parse(&pairs(list)).unwrap_err().code;
        assert_eq!(code(&[("From", "ACME"), ("Body", "x")]), 21604);
        assert_eq!(code(&[("To", "+46701234567"), ("From", "ACME")]), 21602);
        assert_eq!(code(&[("To", "+46701234567"), ("Body", "x")]), 21603);
        assert_eq!(code(&[("To", "+46701234567"), ("From", "ACME"), ("Body", "x"), ("MediaUrl", "https://x/y.png")]), 21620);
        assert_eq!(code(&[("To", "+46701234567"), ("From", "ACME"), ("Body", "x"), ("Foo", "1")]), 21000);
        assert_eq!(code(&[("To", "+46701234567"), ("From", "ACME"), ("Body", "x"), ("SendAt", "2030-01-01T00:00:00Z")]), 35111);
        assert_eq!(code(&[("To", "+46701234567"), ("From", "ACME"), ("Body", "x"), ("ValidityPeriod", "0")]), 21000);
        let scheduled = CreateMessage::parse(&pairs(&[("To", "+1"), ("From", "ACME"), ("Body", "x"), ("SendAt", "2030-01-01T00:00:00Z"), ("ScheduleType", "fixed")])).unwrap();
        assert_eq!(scheduled.send_at.as_deref(), Some("2030-01-01T00:00:00Z"));
    }

    #[test]
    fn the_accounts_messaging_service_chooses_its_primary_number_unless_from_is_given() {
        let account = "AC0000123456789abcdef0123456789abc";
        let service = "MG0000123456789abcdef0123456789abc";
        let pool = ["+46766860001".to_owned(), "+46766860002".to_owned()];
        let create = |list: &[(&str, &str)]| CreateMessage::parse(&pairs(list)).unwrap();
        let by_service = create(&[("To", "+46701234567"), ("MessagingServiceSid", service), ("Body", "x")]);
        assert_eq!(by_service.sender(account, &pool).unwrap(), "+46766860001");
        let with_from = create(&[("To", "+46701234567"), ("From", "ACME"), ("MessagingServiceSid", service), ("Body", "x")]);
        assert_eq!(with_from.sender(account, &pool).unwrap(), "ACME");
        assert_eq!(by_service.sender(account, &[]).unwrap_err().code, 21703);
        let foreign = create(&[("To", "+46701234567"), ("MessagingServiceSid", "MG0000ffffffffffffffffffffffffffff"), ("Body", "x")]);
        assert_eq!(foreign.sender(account, &pool).unwrap_err().code, 21701);
        assert_eq!(create(&[("To", "+46701234567"), ("MessagingServiceSid", "MG1"), ("Body", "x")]).sender(account, &pool).unwrap_err().code, 21701);
        assert_eq!(create(&[("To", "+46701234567"), ("From", "ACME"), ("Body", "x")]).sender(account, &[]).unwrap(), "ACME");
    }

    #[test]
    fn a_numeric_sender_reads_as_e164_and_names_and_short_codes_as_they_are() {
        assert_eq!(from_field("46762000001"), "+46762000001");
        assert_eq!(from_field("72000"), "72000");
        assert_eq!(from_field("ACME"), "ACME");
        assert_eq!(from_field("+46762000001"), "+46762000001");
    }

    #[test]
    fn max_price_compares_exactly() {
        let sek = Currency::parse("SEK").unwrap();
        assert!(within_max_price(45, sek, "0.45").unwrap());
        assert!(within_max_price(45, sek, "-0.45000").unwrap());
        assert!(!within_max_price(46, sek, "0.45").unwrap());
        assert!(within_max_price(45, sek, "1").unwrap());
        for bad in ["", ".", "abc", "0.123456", "1,5"] {
            assert!(within_max_price(45, sek, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn updates_are_a_cancel_or_a_redaction() {
        assert_eq!(UpdateMessage::parse(&pairs(&[("Status", "canceled")])).unwrap(), UpdateMessage::Cancel);
        assert_eq!(UpdateMessage::parse(&pairs(&[("Body", "")])).unwrap(), UpdateMessage::Redact);
        assert!(UpdateMessage::parse(&pairs(&[("Body", "new text")])).is_err());
        assert!(UpdateMessage::parse(&pairs(&[("Status", "sent")])).is_err());
        assert!(UpdateMessage::parse(&[]).is_err());
    }

    #[test]
    fn a_listing_query_pages_by_token_and_keeps_its_filters_in_links() {
        let query = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let token = page_token("msg_0190a1b2c3d4e5f60718293a4b5c").unwrap();
        assert_eq!(token, "PASM00000190a1b2c3d4e5f60718293a4b5c");
        let q = ListQuery::parse(&query(&[("To", "+46701234567"), ("DateSent>", "2026-12-01"), ("PageSize", "5"), ("Page", "2"), ("PageToken", &token)])).unwrap();
        assert_eq!((q.page_size, q.page, q.after.as_deref()), (5, 2, Some("msg_0190a1b2c3d4e5f60718293a4b5c")));
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert!(q.until.is_none());
        assert_eq!(q.link("/M.json", 3, Some("PAx")), "/M.json?To=%2B46701234567&DateSent%3E=2026-12-01&PageSize=5&Page=3&PageToken=PAx");
        for bad in [&[("PageToken", "SM00000190a1b2c3d4e5f60718293a4b5c")][..], &[("Page", "-1")], &[("PageSize", "0")], &[("DateSent<", "soon")]] {
            assert!(ListQuery::parse(&query(bad)).is_err(), "{bad:?}");
        }
        assert!(has_left(Status::DeliveredToHandset) && has_left(Status::DeliveryToHandsetFailed));
        assert!(!has_left(Status::Funded) && !has_left(Status::Canceled) && !has_left(Status::Sending));
    }

    #[test]
    fn paging_and_date_filters() {
        assert_eq!(page_size(None).unwrap(), 50);
        assert_eq!(page_size(Some("1000")).unwrap(), 1000);
        assert!(page_size(Some("0")).is_err() && page_size(Some("1001")).is_err() && page_size(Some("x")).is_err());
        let (from, until) = date_sent_bounds("2026-12-07").unwrap();
        assert_eq!((from.to_rfc3339(), until.to_rfc3339()), ("2026-12-07T00:00:00+00:00".to_owned(), "2026-12-08T00:00:00+00:00".to_owned()));
        assert!(date_sent_bounds("2026-13-01").is_err());
        assert!(date_sent_bounds("2026-12-07T10:00:00Z").is_ok());
    }
}
