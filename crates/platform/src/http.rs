//! HTTP glue shared by the components: JSON responses, the error shape, body limits,
//! and API-key authentication.

use crate::store::{Caller, Store};
use domain::access::{client_ip, Scope};
use domain::apikey::{bearer_token, hash_api_key};
use domain::error::ApiError;
use domain::identity::AccessLevel;
use domain::session::{cookie_value, Session, SESSION_COOKIE};
use serde::Serialize;
use spin_sdk::http::{Request, Response};

/// Bodies larger than this are refused before parsing (1,000 recipients fit easily).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn json<T: Serialize>(status: u16, value: &T) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(serde_json::to_vec(value).unwrap_or_default())
        .build()
}

pub fn error(err: &ApiError) -> Response {
    let mut builder = Response::builder();
    builder
        .status(err.http_status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store");
    if err.http_status == 401 {
        builder.header("www-authenticate", "Bearer");
    }
    builder.body(err.to_json()).build()
}

/// Parses a JSON body into `T`, with errors a client can act on.
pub fn parse_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    if body.is_empty() {
        return Err(ApiError::malformed("the request needs a JSON body"));
    }
    // Every body is an object; serde would also read a struct from an array of its fields
    // in order (`[null, true]`), which no client means.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::malformed("the body must be a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::malformed(format!("the body is not valid JSON for this endpoint: {e}")))
}

/// The header Spin sets on every request to the client's address (`ip:port`, IPv6 in
/// brackets). Spin adds it after the client's own headers and the SDK keeps the last
/// value of a name, so a client cannot choose it (tests/e2e/tests/keys.rs checks that).
pub const CLIENT_ADDR_HEADER: &str = "spin-client-addr";

/// Resolves the caller of an account endpoint that needs `scope`, from either credential:
///
/// - `Authorization: Bearer <api key>`: unknown, revoked or missing keys are all 401 with
///   no hint which it was; a key used from an address outside its allowlist is 403
///   `IpNotAllowed`, one without the scope 403 `ScopeMissing`. One SQL query.
/// - the portal's session cookie: the account is the `X-Account-Id` header's, or the
///   user's default account; one the user has no access to is 404 (as if it did not
///   exist), and a level that does not reach `scope` is 403 `AccessLevelTooLow`
///   (user: send and read messages; manager: also contacts and inbound; admin: all).
///   State-changing requests must carry the session's `X-CSRF-Token`.
///
/// A blocked account is 403 `Forbidden` either way.
pub fn authenticate(req: &Request, store: &Store, scope: Scope) -> Result<Caller, ApiError> {
    let header = req.header("authorization").and_then(|h| h.as_str());
    if header.is_none() {
        if let Some(token) = session_token(req) {
            let signed_in = signed_in(req, &token)?;
            let account = req.header(ACCOUNT_HEADER).and_then(|h| h.as_str()).map(str::trim).filter(|a| !a.is_empty());
            let (caller, level) = member_caller(store, &signed_in, account)?;
            if !level.scopes().contains(scope) {
                return Err(level_too_low(level, scope));
            }
            return unblocked(caller);
        }
    }
    let token = bearer_token(header).ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <api key>, or sign in"))?;
    let (caller, access) = store
        .caller_by_key_hash(&hash_api_key(token))
        .map_err(internal)?
        .ok_or_else(|| ApiError::unauthorized("the API key is unknown or revoked"))?;
    access.check(scope, client_ip(req.header(CLIENT_ADDR_HEADER).and_then(|h| h.as_str())))?;
    unblocked(caller)
}

fn unblocked(caller: Caller) -> Result<Caller, ApiError> {
    if caller.blocked {
        return Err(ApiError::forbidden("this account is blocked; contact support"));
    }
    Ok(caller)
}

/// The header that picks which of a signed-in user's accounts a request acts on.
pub const ACCOUNT_HEADER: &str = "x-account-id";
/// The header carrying the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A request made with a live, fully signed-in session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: String,
    pub token: String,
    pub session: Session,
}

/// The session cookie's token, if the request carries one.
pub fn session_token(req: &Request) -> Option<String> {
    let header = req.header("cookie").and_then(|h| h.as_str())?;
    cookie_value(header, SESSION_COOKIE).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The signed-in user behind a request's cookie: 401 when there is none or it has
/// expired, 401 `TwoFactorRequired` when the login still waits for its code, and 403
/// `CsrfTokenInvalid` for a state-changing request without the session's CSRF token.
pub fn require_session(req: &Request) -> Result<SignedIn, ApiError> {
    let token = session_token(req).ok_or_else(|| ApiError::unauthorized("sign in first (POST /v1/auth/login)"))?;
    signed_in(req, &token)
}

fn signed_in(req: &Request, token: &str) -> Result<SignedIn, ApiError> {
    let session = load_session(req, token)?;
    if session.two_factor_pending {
        return Err(ApiError::two_factor_required("enter the code from your authenticator app (POST /v1/auth/login/2fa)"));
    }
    Ok(SignedIn { user_id: session.user_id.clone(), token: token.to_owned(), session })
}

/// A session as stored, even one half-way through two-factor login; CSRF checked.
pub fn load_session(req: &Request, token: &str) -> Result<Session, ApiError> {
    let session = crate::session::load(token, crate::ids::now_seconds())
        .map_err(internal)?
        .ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    let safe = matches!(req.method(), spin_sdk::http::Method::Get | spin_sdk::http::Method::Head | spin_sdk::http::Method::Options);
    if !safe {
        use subtle::ConstantTimeEq;
        let given = req.header(CSRF_HEADER).and_then(|h| h.as_str()).unwrap_or("");
        let matches = given.len() == session.csrf_token.len() && bool::from(given.as_bytes().ct_eq(session.csrf_token.as_bytes()));
        if !matches {
            return Err(ApiError::csrf_token_invalid());
        }
    }
    Ok(session)
}

/// The caller a signed-in user stands for on `account` (their default when `None`):
/// 404 for an account they have no access to, 401 when a password change or reset
/// since the login ended the session (its epoch is not the user's).
pub fn member_caller(store: &Store, signed_in: &SignedIn, account: Option<&str>) -> Result<(Caller, AccessLevel), ApiError> {
    let (caller, level, epoch) = store
        .caller_by_user(&signed_in.user_id, account)
        .map_err(internal)?
        .ok_or_else(|| match account {
            Some(_) => ApiError::not_found("no such account"),
            None => ApiError::not_found("you have no account yet; ask an account admin to give you access"),
        })?;
    if signed_in.session.epoch != epoch {
        return Err(ApiError::unauthorized("the session has ended; sign in again"));
    }
    Ok((caller, level))
}

/// The 403 for a level below what an endpoint needs, naming the level it needs.
pub fn level_too_low(level: AccessLevel, scope: Scope) -> ApiError {
    let needed = [AccessLevel::User, AccessLevel::Manager, AccessLevel::Admin]
        .into_iter()
        .find(|l| l.scopes().contains(scope))
        .unwrap_or(AccessLevel::Admin);
    ApiError::access_level_too_low(format!(
        "this needs the {} access level on the account; you have {}",
        needed.as_str(),
        level.as_str()
    ))
}

/// Guards operator endpoints with the `admin_token` variable.
pub fn require_admin(req: &Request) -> Result<(), ApiError> {
    require_token(req, "admin_token")
}

/// Guards an endpoint with the bearer token held in `variable` (constant-time compare).
/// An unset token disables the endpoint rather than opening it.
pub fn require_token(req: &Request, variable: &str) -> Result<(), ApiError> {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let configured = spin_sdk::variables::get(variable).unwrap_or_default();
    if configured.is_empty() {
        return Err(ApiError::unavailable(format!("this endpoint is disabled: set the {variable} variable")));
    }
    let header = req.header("authorization").and_then(|h| h.as_str());
    let token = bearer_token(header).ok_or_else(|| ApiError::unauthorized(format!("send Authorization: Bearer <{variable}>")))?;
    // Digests make both sides the same length, so the constant-time compare leaks nothing.
    let (given, expected) = (Sha256::digest(token.as_bytes()), Sha256::digest(configured.as_bytes()));
    if !bool::from(given.ct_eq(&expected)) {
        return Err(ApiError::unauthorized(format!("the {variable} is wrong")));
    }
    Ok(())
}

/// `?limit=&before=` of a history listing: 1–500 (default 100), and an event id to page on.
pub fn history_page(req: &Request) -> Result<(i64, Option<i64>), ApiError> {
    let q = query(req);
    let limit = match q.get("limit") {
        None => 100,
        Some(l) => l.parse::<i64>().ok().filter(|l| (1..=500).contains(l)).ok_or_else(|| ApiError::malformed("limit is 1 to 500"))?,
    };
    let before = match q.get("before") {
        None => None,
        Some(b) => Some(b.parse::<i64>().map_err(|_| ApiError::malformed("before is an event id"))?),
    };
    Ok((limit, before))
}

/// The query string's parameters (the last value of a repeated name wins).
pub fn query(req: &Request) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(req.query().as_bytes()).into_owned().collect()
}

/// The Spin variable holding a carrier's webhook secret: `carrier_webhook_secret` for
/// our own `http` protocol (its name predates the others), `<carrier>_webhook_secret`
/// for every other carrier.
pub fn carrier_secret_variable(carrier: &str) -> String {
    if carrier == "http" {
        "carrier_webhook_secret".to_owned()
    } else {
        format!("{carrier}_webhook_secret")
    }
}

/// Checks a carrier's webhook (receipts, inbound messages): the body within the size
/// limit and `X-Signature` valid under that carrier's secret (see domain::signature).
/// Forged or stale → 401, malformed → 400, no secret configured → 503.
pub fn verify_carrier_webhook(req: &Request, carrier: &str) -> Result<(), ApiError> {
    use domain::signature::{verify, SignatureError};
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    let variable = carrier_secret_variable(carrier);
    let secret = crate::config::get_or(&variable, "");
    let header = req.header("x-signature").and_then(|h| h.as_str());
    verify(secret.as_bytes(), header, body, crate::ids::now_seconds()).map_err(|e| match e {
        SignatureError::NoSecret => ApiError::unavailable(format!("{e}: set {variable}")),
        SignatureError::Malformed => ApiError::malformed(e.to_string()),
        _ => ApiError::unauthorized(e.to_string()),
    })
}

/// Logs the cause for operators and gives the client a stable 500.
pub fn internal(e: impl std::fmt::Display) -> ApiError {
    eprintln!("internal error: {e}");
    ApiError::internal("an internal error occurred; it has been logged")
}

/// A path segment percent-decoded: `%2B46…` is `+46…` (clients encode `+` in paths); a
/// bare `+` stays a `+`, and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path split into segments, without the query string, for `match` on a slice.
pub fn segments(req: &Request) -> Vec<&str> {
    req.path().split('/').filter(|s| !s.is_empty()).collect()
}

/// Turns a handler's result into a response.
pub fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|e| error(&e))
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn path_segments_are_percent_decoded() {
        assert_eq!(percent_decode("%2B46701234567"), "+46701234567");
        assert_eq!(percent_decode("+46701234567"), "+46701234567");
        assert_eq!(percent_decode("%2b4670%20123"), "+4670 123");
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%zz%2"), "%zz%2");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }
}
