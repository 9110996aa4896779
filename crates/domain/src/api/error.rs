//! The one error shape every endpoint returns:
//! `{"error": {"code": 409, "name": "InvalidRecipient", "message": "...", "details": [...]}}`.
//! `name` is the stable machine-readable identifier; `code` is the seed-001 status code
//! when the error is one of the seed's rejections, and null otherwise.

use crate::carriers::receipt::ReceiptError;
use crate::messaging::schedule::ScheduleError;
use crate::messaging::send::SendRejection;
use crate::messaging::rules::RuleRejection;
use crate::messaging::status::Status;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub message: String,
}

/// Every stable error name the API answers with, besides the seed's statuses
/// (`Status::name`, for the seed's rejections): named once, here. `api/openapi.json` lists
/// them all in the error schema (tests/e2e/tests/openapi.rs checks both ways).
macro_rules! error_names {
    ($($name:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorName {
            $($name),*
        }

        impl ErrorName {
            pub const ALL: &'static [ErrorName] = &[$(ErrorName::$name),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorName::$name => stringify!($name)),*
                }
            }
        }
    };
}

error_names! {
    AccessLevelTooLow,
    AlreadyConfirmed,
    AreaNotPermitted,
    AlreadyMember,
    ApprovalNotPossible,
    AlreadySignedIn,
    Conflict,
    ConnectionExists,
    CorrectionTooLarge,
    CsrfTokenInvalid,
    CurrencyLocked,
    DomainExists,
    DuplicateContact,
    DuplicateGroup,
    DuplicateKeyword,
    DuplicateNumber,
    DuplicateReference,
    DuplicateSender,
    DuplicateSystemId,
    EmailTaken,
    Forbidden,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidAccessLevel,
    InvalidAccountSettings,
    InvalidAllowedIps,
    InvalidAreaCode,
    InvalidCallbackUrl,
    InvalidCampaign,
    InvalidConnection,
    InvalidCode,
    InvalidCompanySettings,
    InvalidContactName,
    InvalidCountry,
    InvalidCredentials,
    InvalidCursor,
    InvalidDateRange,
    InvalidEmail,
    InvalidFormat,
    InvalidForwardUrl,
    InvalidGroupBy,
    InvalidGroupName,
    InvalidHost,
    InvalidIdempotencyKey,
    InvalidKeyword,
    InvalidKeywordReply,
    InvalidLanguage,
    InvalidLimit,
    InvalidMembers,
    InvalidName,
    InvalidNote,
    InvalidNumberKind,
    InvalidPackage,
    InvalidPaymentGateway,
    InvalidPeriod,
    InvalidPermissions,
    InvalidPortalAreas,
    InvalidPrice,
    InvalidQuery,
    InvalidReceptionNumber,
    InvalidRule,
    InvalidRoute,
    InvalidScope,
    InvalidSearch,
    InvalidSendAt,
    InvalidSort,
    InvalidSystemId,
    InvalidTimeZone,
    InvalidToken,
    InvalidTopupAmount,
    InvalidUnsubscribeLink,
    InvalidValidity,
    IpNotAllowed,
    LastAdmin,
    MalformedRequest,
    MethodNotAllowed,
    NoCodePending,
    NoPhone,
    NotFound,
    NotStaff,
    NotYourInvitation,
    NothingToCorrect,
    NothingToInvoice,
    NumberAssigned,
    NumberNotAvailable,
    NumberSubscriptionRequired,
    PayloadTooLarge,
    PeriodNotEnded,
    RateLimited,
    SameEmail,
    ScopeMissing,
    ServiceUnavailable,
    SignInToAccept,
    SignupClosed,
    SignatureInvalid,
    StaffDisabled,
    StripeMisconfigured,
    StripeRefused,
    StripeUnavailable,
    SubscriptionEnded,
    TooManyAttempts,
    TopupsNotConfigured,
    TwoFactorDisabled,
    TwoFactorEnabled,
    TwoFactorNotBegun,
    TwoFactorRequired,
    Unauthorized,
    UnsupportedMediaType,
    WeakPassword,
    WouldLockOut,
    WrongPassword,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub http_status: u16,
    pub code: Option<u16>,
    pub name: &'static str,
    pub message: String,
    pub details: Vec<ErrorDetail>,
    /// Seconds the client should wait before trying again (`Retry-After`), for 429s and 503s.
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: Option<u16>,
    name: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[ErrorDetail]>::is_empty")]
    details: &'a [ErrorDetail],
}

/// One bad field of a request checked whole: its path (`company.vat_number`), what was
/// sent, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub value: String,
    pub message: String,
}

impl ApiError {
    fn new(http_status: u16, name: ErrorName, message: impl Into<String>) -> Self {
        Self { http_status, code: None, name: name.as_str(), message: message.into(), details: Vec::new(), retry_after: None }
    }

    /// An error that is one of the seed's rejection or error statuses.
    pub fn from_status(http_status: u16, status: Status, message: impl Into<String>) -> Self {
        Self { http_status, code: Some(status.code()), name: status.name(), message: message.into(), details: Vec::new(), retry_after: None }
    }

    /// The answer carries `Retry-After: seconds`.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> Self {
        self.details = details;
        self
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, ErrorName::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, ErrorName::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, ErrorName::NotFound, message)
    }
    pub fn method_not_allowed(allowed: &str) -> Self {
        Self::new(405, ErrorName::MethodNotAllowed, format!("use {allowed}"))
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(400, ErrorName::MalformedRequest, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, ErrorName::Conflict, message)
    }
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(413, ErrorName::PayloadTooLarge, format!("the body may be at most {limit} bytes"))
    }
    /// A body that is not sent as JSON (`Content-Type: application/json`). Refusing other
    /// types keeps cross-site HTML forms (which cannot send that type) from posting JSON.
    pub fn unsupported_media_type() -> Self {
        Self::new(415, ErrorName::UnsupportedMediaType, "send the body as JSON, with Content-Type: application/json")
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, ErrorName::ServiceUnavailable, message)
    }
    /// Signed in, but the user's access level on the account does not reach this far.
    pub fn access_level_too_low(message: impl Into<String>) -> Self {
        Self::new(403, ErrorName::AccessLevelTooLow, message)
    }
    /// A state-changing request on a session cookie without its CSRF token.
    pub fn csrf_token_invalid() -> Self {
        Self::new(403, ErrorName::CsrfTokenInvalid, "send the session's csrf_token in the X-CSRF-Token header")
    }
    /// The password was right; the login waits for the two-factor code.
    pub fn two_factor_required(message: impl Into<String>) -> Self {
        Self::new(401, ErrorName::TwoFactorRequired, message)
    }
    /// Throttled; the response carries `Retry-After`.
    pub fn too_many_attempts(message: impl Into<String>) -> Self {
        Self::new(429, ErrorName::TooManyAttempts, message)
    }
    /// Over a request rate limit (domain::api::ratelimit): 429 with `Retry-After`.
    pub fn rate_limited(message: impl Into<String>, retry_after: u64) -> Self {
        Self::new(429, ErrorName::RateLimited, message).with_retry_after(retry_after)
    }
    /// Input that is well-formed but breaks a rule (a weak password, a wrong code).
    pub fn rejected(name: ErrorName, message: impl Into<String>) -> Self {
        Self::new(422, name, message)
    }
    /// Any other stable error: a name the client can act on, with its HTTP status.
    pub fn named(http_status: u16, name: ErrorName, message: impl Into<String>) -> Self {
        Self::new(http_status, name, message)
    }
    /// Every bad field of a request at once: 400 `name`, one detail per field.
    pub fn invalid_fields(name: ErrorName, errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        let message = format!("{} field(s) are not valid: {}", fields.len(), fields.join(", "));
        let details = errors
            .into_iter()
            .map(|e| ErrorDetail { index: None, value: Some(e.value), message: format!("{}: {}", e.field, e.message) })
            .collect();
        Self::new(400, name, message).with_details(details)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::from_status(500, Status::InternalError, message)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&Body {
            error: Inner { code: self.code, name: self.name, message: &self.message, details: &self.details },
        })
        .unwrap_or_else(|_| r#"{"error":{"code":500,"name":"InternalError","message":"error encoding failed"}}"#.into())
    }
}

/// A customer URL that cannot be saved (or called): 400 `InvalidCallbackUrl`, the reason
/// in the message.
impl From<crate::callbacks::endpoint::EndpointError> for ApiError {
    fn from(e: crate::callbacks::endpoint::EndpointError) -> Self {
        Self::new(400, ErrorName::InvalidCallbackUrl, e.to_string())
    }
}

impl From<crate::callbacks::endpoint::NotPublic> for ApiError {
    fn from(e: crate::callbacks::endpoint::NotPublic) -> Self {
        crate::callbacks::endpoint::EndpointError::NotPublic(e).into()
    }
}

/// A language we do not speak: 400 `InvalidLanguage`.
impl From<crate::identity::language::UnknownLanguage> for ApiError {
    fn from(e: crate::identity::language::UnknownLanguage) -> Self {
        Self::new(400, ErrorName::InvalidLanguage, e.to_string())
    }
}

impl From<SendRejection> for ApiError {
    fn from(rejection: SendRejection) -> Self {
        let message = rejection.to_string();
        match rejection {
            SendRejection::Sender(_) => ApiError::from_status(400, Status::InvalidSender, message),
            SendRejection::Text(_) => ApiError::from_status(400, Status::InvalidContent, message),
            SendRejection::NoRecipients | SendRejection::TooManyRecipients(_) => {
                ApiError::from_status(400, Status::InvalidRecipient, message)
            }
            SendRejection::Recipients(list) => ApiError::from_status(400, Status::InvalidRecipient, message)
                .with_details(
                    list.into_iter()
                        .map(|r| ErrorDetail { index: Some(r.index), value: Some(r.input), message: r.error.to_string() })
                        .collect(),
                ),
            SendRejection::NoPrice(_) => ApiError::from_status(400, Status::RecipientRejected, message),
            SendRejection::ReplacedText(..) => ApiError::from_status(400, Status::InvalidContent, message),
            SendRejection::Rules(rejection) => {
                let (status, recipients) = match rejection {
                    RuleRejection::BannedContent { recipients, .. } => (Status::ContentRejected, recipients),
                    RuleRejection::UnregisteredSender { recipients, .. } => (Status::SenderRejected, recipients),
                    RuleRejection::NoCampaign { recipients } => (Status::RecipientRejected, recipients),
                };
                ApiError::from_status(400, status, message).with_details(
                    recipients.into_iter().map(|to| ErrorDetail { index: None, value: Some(to), message: status.description().to_owned() }).collect(),
                )
            }
            SendRejection::Money(_) => ApiError::internal(message),
        }
    }
}

/// A receipt we cannot read is the carrier's mistake: 400, and nothing changes.
impl From<ReceiptError> for ApiError {
    fn from(error: ReceiptError) -> Self {
        ApiError::malformed(error.to_string())
    }
}

/// Scheduling fields are not message content, so they get names of their own
/// (`InvalidSendAt`, `InvalidTimeZone`, `InvalidValidity`) rather than a seed code.
impl From<ScheduleError> for ApiError {
    fn from(error: ScheduleError) -> Self {
        let name = match error {
            ScheduleError::UnknownTimeZone(_) => ErrorName::InvalidTimeZone,
            ScheduleError::ValidityOutOfRange(_) => ErrorName::InvalidValidity,
            _ => ErrorName::InvalidSendAt,
        };
        ApiError::new(400, name, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::recipient::RecipientError;
    use crate::messaging::send::InvalidRecipient;

    #[test]
    fn json_shape_is_stable() {
        let err: ApiError = SendRejection::Recipients(vec![InvalidRecipient {
            index: 2,
            input: "x".into(),
            error: RecipientError::NotANumber("x".into()),
        }])
        .into();
        assert_eq!(err.http_status, 400);
        let v: serde_json::Value = serde_json::from_str(&err.to_json()).unwrap();
        assert_eq!(v["error"]["code"], 409);
        assert_eq!(v["error"]["name"], "InvalidRecipient");
        assert_eq!(v["error"]["details"][0]["index"], 2);
        let v: serde_json::Value = serde_json::from_str(&ApiError::unauthorized("no").to_json()).unwrap();
        assert!(v["error"]["code"].is_null());
        assert_eq!(v["error"]["name"], "Unauthorized");
    }

    #[test]
    fn receipt_and_schedule_errors_are_400s_with_names() {
        let err: ApiError = ReceiptError::MissingField { carrier: "http", field: "status" }.into();
        assert_eq!((err.http_status, err.name), (400, "MalformedRequest"));
        assert_eq!(err.message, "the http receipt has no 'status'");
        let err: ApiError = ScheduleError::UnknownTimeZone("Mars/Base".into()).into();
        assert_eq!((err.http_status, err.name, err.code), (400, "InvalidTimeZone", None));
        let err: ApiError = ScheduleError::ValidityOutOfRange(1).into();
        assert_eq!(err.name, "InvalidValidity");
        let err: ApiError = ScheduleError::InPast("2020-01-01T00:00:00Z".into()).into();
        assert_eq!(err.name, "InvalidSendAt");
    }
}

/// A custom keyword or a keyword language the account cannot have: 400, named by what is
/// wrong (`InvalidLanguage`, `InvalidKeywordReply`, `InvalidForwardUrl`, else `InvalidKeyword`).
impl From<crate::inbound::keyword::KeywordError> for ApiError {
    fn from(error: crate::inbound::keyword::KeywordError) -> Self {
        use crate::inbound::keyword::KeywordError;
        let name = match error {
            KeywordError::UnknownLanguage(_) => ErrorName::InvalidLanguage,
            KeywordError::Reply(_) => ErrorName::InvalidKeywordReply,
            KeywordError::ForwardUrl(_) => ErrorName::InvalidForwardUrl,
            KeywordError::Duplicate(_) => ErrorName::DuplicateKeyword,
            _ => ErrorName::InvalidKeyword,
        };
        ApiError::new(400, name, error.to_string())
    }
}

/// An unsubscribe link that is damaged or not ours is simply not found (404): it says
/// nothing about which numbers or accounts exist. The other token errors are ours (a weak
/// secret, an id or number we should never have signed): 500.
impl From<crate::contacts::optout::TokenError> for ApiError {
    fn from(error: crate::contacts::optout::TokenError) -> Self {
        use crate::contacts::optout::TokenError;
        match error {
            TokenError::Malformed | TokenError::Forged => ApiError::new(404, ErrorName::InvalidUnsubscribeLink, error.to_string()),
            _ => ApiError::internal(error.to_string()),
        }
    }
}

impl From<crate::billing::pricing::PriceError> for ApiError {
    fn from(error: crate::billing::pricing::PriceError) -> Self {
        ApiError::new(400, ErrorName::InvalidPrice, error.to_string())
    }
}

impl From<crate::carriers::connection::ConnectionError> for ApiError {
    fn from(error: crate::carriers::connection::ConnectionError) -> Self {
        ApiError::new(400, ErrorName::InvalidConnection, error.to_string())
    }
}

impl From<crate::carriers::routing::RouteError> for ApiError {
    fn from(error: crate::carriers::routing::RouteError) -> Self {
        ApiError::new(400, ErrorName::InvalidRoute, error.to_string())
    }
}

/// Concatenation data we cannot read is the carrier's mistake, like an unreadable receipt.
impl From<crate::inbound::sms::PartError> for ApiError {
    fn from(error: crate::inbound::sms::PartError) -> Self {
        ApiError::malformed(error.to_string())
    }
}

impl From<crate::inbound::sms::ReceptionNumberError> for ApiError {
    fn from(error: crate::inbound::sms::ReceptionNumberError) -> Self {
        ApiError::new(400, ErrorName::InvalidReceptionNumber, error.to_string())
    }
}

#[cfg(test)]
mod inbound_error_tests {
    use super::*;
    use crate::inbound::sms::{PartError, ReceptionNumberError};
    use crate::inbound::keyword::KeywordError;
    use crate::contacts::optout::TokenError;

    #[test]
    fn inbound_errors_map_to_api_errors() {
        let err: ApiError = KeywordError::Reserved { word: "stop".into(), builtin: "STOP" }.into();
        assert_eq!((err.http_status, err.name, err.code), (400, "InvalidKeyword", None));
        assert_eq!(err.message, "'stop' is the built-in keyword STOP, which cannot be redefined");
        let err: ApiError = KeywordError::UnknownLanguage("fi".into()).into();
        assert_eq!(err.name, "InvalidLanguage");
        let err: ApiError = TokenError::Forged.into();
        assert_eq!((err.http_status, err.name), (404, "InvalidUnsubscribeLink"));
        let err: ApiError = TokenError::WeakSecret(3).into();
        assert_eq!((err.http_status, err.name), (500, "InternalError"));
        let err: ApiError = PartError::EmptyReference.into();
        assert_eq!((err.http_status, err.name), (400, "MalformedRequest"));
        let err: ApiError = ReceptionNumberError("x".into()).into();
        assert_eq!((err.http_status, err.name), (400, "InvalidReceptionNumber"));
    }
}

/// Scopes or an allowlist a key cannot have: 400 `InvalidScope` or `InvalidAllowedIps`,
/// every bad entry in `details` with its index.
impl From<crate::identity::access::KeyAccessError> for ApiError {
    fn from(error: crate::identity::access::KeyAccessError) -> Self {
        use crate::identity::access::KeyAccessError;
        let message = error.to_string();
        match error {
            KeyAccessError::UnknownScopes(unknown) => ApiError::new(400, ErrorName::InvalidScope, message).with_details(
                unknown
                    .into_iter()
                    .map(|(index, value)| ErrorDetail {
                        index: Some(index),
                        message: format!("'{value}' is not a scope"),
                        value: Some(value),
                    })
                    .collect(),
            ),
            KeyAccessError::NoScopes => ApiError::new(400, ErrorName::InvalidScope, message),
            KeyAccessError::InvalidAllowedIps(entries) => ApiError::new(400, ErrorName::InvalidAllowedIps, message).with_details(
                entries
                    .into_iter()
                    .map(|e| ErrorDetail { index: Some(e.index), value: Some(e.value), message: e.reason.to_owned() })
                    .collect(),
            ),
            KeyAccessError::TooManyAllowedIps(_) => ApiError::new(400, ErrorName::InvalidAllowedIps, message),
        }
    }
}

/// A valid key used from an address or for an endpoint it may not: 403 `IpNotAllowed`
/// or `ScopeMissing`.
impl From<crate::identity::access::AccessDenied> for ApiError {
    fn from(denied: crate::identity::access::AccessDenied) -> Self {
        use crate::identity::access::AccessDenied;
        let name = match denied {
            AccessDenied::IpNotAllowed(_) => ErrorName::IpNotAllowed,
            AccessDenied::ScopeMissing(_) => ErrorName::ScopeMissing,
        };
        ApiError::new(403, name, denied.to_string())
    }
}

#[cfg(test)]
mod access_error_tests {
    use super::*;
    use crate::identity::access::{AccessDenied, IpAllowlist, KeyAccessError, Scope, Scopes};

    #[test]
    fn access_errors_have_stable_names() {
        let err: ApiError = Scopes::parse_list(&["contacts", "billing"]).unwrap_err().into();
        assert_eq!((err.http_status, err.name, err.code), (400, "InvalidScope", None));
        assert_eq!(err.details[0].index, Some(1));
        assert_eq!(err.details[0].value.as_deref(), Some("billing"));
        let err: ApiError = KeyAccessError::NoScopes.into();
        assert_eq!((err.http_status, err.name), (400, "InvalidScope"));
        let err: ApiError = IpAllowlist::parse_list(&["10.0.0.0/8", "10.0.0.0/40"]).unwrap_err().into();
        assert_eq!((err.http_status, err.name), (400, "InvalidAllowedIps"));
        assert_eq!(err.details.len(), 1);
        assert_eq!(err.details[0].value.as_deref(), Some("10.0.0.0/40"));
        let err: ApiError = KeyAccessError::TooManyAllowedIps(51).into();
        assert_eq!(err.name, "InvalidAllowedIps");
        let err: ApiError = AccessDenied::ScopeMissing(Scope::Inbound).into();
        assert_eq!((err.http_status, err.name), (403, "ScopeMissing"));
        let err: ApiError = AccessDenied::IpNotAllowed(None).into();
        assert_eq!((err.http_status, err.name), (403, "IpNotAllowed"));
    }
}

impl From<crate::identity::person::IdentityError> for ApiError {
    fn from(e: crate::identity::person::IdentityError) -> Self {
        use crate::identity::person::IdentityError as E;
        let name = match e {
            E::InvalidEmail(_) => ErrorName::InvalidEmail,
            E::InvalidName(_) => ErrorName::InvalidName,
            E::InvalidLanguage(_) => ErrorName::InvalidLanguage,
            E::InvalidAccessLevel(_) => ErrorName::InvalidAccessLevel,
        };
        ApiError::new(400, name, e.to_string())
    }
}

/// A password the policy refuses: 422 `WeakPassword`, every failed rule in `details`.
impl From<crate::identity::person::PasswordError> for ApiError {
    fn from(e: crate::identity::person::PasswordError) -> Self {
        let details = e
            .failures
            .iter()
            .map(|rule| ErrorDetail { index: None, value: Some(rule.as_str().to_owned()), message: rule.message().to_owned() })
            .collect();
        ApiError::new(422, ErrorName::WeakPassword, e.to_string()).with_details(details)
    }
}

/// The staff rules (domain::identity::staff): bad permissions or group names are 400, an
/// area the caller's groups do not allow 403 `AreaNotPermitted`, a change that would take
/// the staff area from the one making it 409 `WouldLockOut`.
impl From<crate::identity::staff::StaffError> for ApiError {
    fn from(e: crate::identity::staff::StaffError) -> Self {
        use crate::identity::staff::StaffError as E;
        let message = e.to_string();
        match e {
            E::UnknownArea(_) | E::InvalidPermissions(_) => ApiError::new(400, ErrorName::InvalidPermissions, message),
            E::InvalidGroupName => ApiError::new(400, ErrorName::InvalidGroupName, message),
            // The area in `details` too, for a console to name it in its own words.
            E::AreaNotPermitted(area) => ApiError::new(403, ErrorName::AreaNotPermitted, message)
                .with_details(vec![ErrorDetail { index: None, value: Some(area.as_str().to_owned()), message: "the area this endpoint is in".into() }]),
            E::WouldLockOut => ApiError::new(409, ErrorName::WouldLockOut, message),
        }
    }
}
