//! HTTP glue shared by the components: the router (axum) and its one handler shape, the
//! request a handler reads, JSON responses, the one error shape, body limits, and
//! authentication (API keys, sessions, tokens).
//!
//! Every handler is `async fn(Req) -> Reply`; a component lists them in a [`Routes`]
//! table (which tests read) and the entry point (`platform::http_entry!`) runs it.

use domain::api::error::ErrorName;
use domain::api::idempotency::{IdempotencyKey, IdempotentRequest};
use crate::store::{Created, StoredAnswer};
use crate::db::DbError;
use crate::host::HostError;
use crate::store::{Caller, Lookups, SendDestinations, SendLookups, Store};
use axum::extract::{FromRequest, FromRequestParts, Path};
use axum::response::IntoResponse;
use bytes::Bytes;
use domain::identity::access::{client_ip, KeyAccess, Scope};
use domain::identity::staff::Area;
use domain::identity::apikey::{bearer_token, hash_api_key};
use domain::api::error::ApiError;
use domain::api::paging::PageRequest;
use domain::identity::person::AccessLevel;
use domain::identity::session::{cookie_value, Session, SESSION_COOKIE};
use http::{HeaderValue, Method, StatusCode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;

/// Bodies larger than this are refused before parsing (1,000 recipients fit easily).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What a handler answers.
pub type Response = axum::response::Response;
/// A handler's result: a response, or an error said in the one error shape.
pub type Reply = Result<Response, ApiError>;

// ---------------------------------------------------------------- routes

/// The one handler shape: `async fn(Req) -> Reply`.
pub trait Handler: Fn(Req) -> Self::Answer + Clone + Send + Sync + 'static {
    type Answer: Future<Output = Reply> + Send + 'static;
}

impl<H, F> Handler for H
where
    H: Fn(Req) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    type Answer = F;
}

/// A component's routes: method, path (axum's syntax, `{id}` one segment, as the OpenAPI
/// document writes them) and handler. The table is what tests compare with the document.
///
/// Operator routes declare their area of the operator API (domain::identity::staff::Area):
/// every route added after [`Routes::area`] is in that area, the handler reads it from
/// [`Req::area`], and tests compare it with the document's `x-operator-area`.
#[derive(Default)]
pub struct Routes {
    table: Vec<(Method, &'static str)>,
    areas: Vec<(Method, &'static str, Option<Area>)>,
    paths: BTreeMap<&'static str, axum::routing::MethodRouter>,
    area: Option<Area>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    /// The routes added from here on are in `area` (until the next call).
    pub fn area(mut self, area: Area) -> Routes {
        self.area = Some(area);
        self
    }

    /// Every (method, path, area) routed, in the order added; `None` outside the operator API.
    pub fn areas(&self) -> &[(Method, &'static str, Option<Area>)] {
        &self.areas
    }

    pub fn get(self, path: &'static str, handler: impl Handler) -> Routes {
        self.on(Method::GET, path, handler)
    }

    pub fn post(self, path: &'static str, handler: impl Handler) -> Routes {
        self.on(Method::POST, path, handler)
    }

    pub fn put(self, path: &'static str, handler: impl Handler) -> Routes {
        self.on(Method::PUT, path, handler)
    }

    pub fn patch(self, path: &'static str, handler: impl Handler) -> Routes {
        self.on(Method::PATCH, path, handler)
    }

    pub fn delete(self, path: &'static str, handler: impl Handler) -> Routes {
        self.on(Method::DELETE, path, handler)
    }

    fn on(mut self, method: Method, path: &'static str, handler: impl Handler) -> Routes {
        use axum::routing::MethodFilter;
        let filter = MethodFilter::try_from(method.clone()).expect("a method a route can have");
        let area = self.area;
        let endpoint = move |mut req: Req| {
            let handler = handler.clone();
            req.area = area;
            async move { handler(req).await.map_err(Failure) }
        };
        let routes = self.paths.remove(path).unwrap_or_default();
        self.paths.insert(path, routes.on(filter, endpoint));
        self.table.push((method.clone(), path));
        self.areas.push((method, path, area));
        self
    }

    /// Every (method, path) routed, in the order added.
    pub fn table(&self) -> &[(Method, &'static str)] {
        &self.table
    }

    /// The router: unknown paths are `404 NotFound`, known paths with another method
    /// `405 MethodNotAllowed` with `Allow` (see [`dispatch`]).
    pub fn into_router(self) -> axum::Router {
        let mut router = axum::Router::new();
        for (path, routes) in self.paths {
            router = router.route(path, routes);
        }
        router.fallback(|| async { Failure(ApiError::not_found("no such endpoint")) })
    }
}

/// Runs a request through a router and makes the answer whole: the body read, its
/// `content-length` set, and axum's bare 405 given the error shape (its `Allow` kept).
pub async fn dispatch(router: &axum::Router, request: http::Request<axum::body::Body>) -> http::Response<http_body_util::Full<Bytes>> {
    use tower_service::Service;
    let head = request.method() == Method::HEAD;
    let mut router = router.clone();
    let response = match router.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (mut parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let public_https = crate::config::public_base_is_https().await;
    if parts.status == StatusCode::METHOD_NOT_ALLOWED && body.is_empty() {
        let allow = parts.headers.get(http::header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("").replace(',', ", ");
        let (error_parts, error_body) = error(&ApiError::method_not_allowed(&allow)).into_parts();
        let body = axum::body::to_bytes(error_body, usize::MAX).await.unwrap_or_default();
        parts.headers.extend(error_parts.headers);
        add_security_headers(&mut parts.headers, public_https);
        return whole(parts, body, false);
    }
    add_security_headers(&mut parts.headers, public_https);
    whole(parts, body, head)
}

/// domain::api::headers, on every response of every component.
fn add_security_headers(headers: &mut http::HeaderMap, public_https: bool) {
    let text = |name: http::header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (content_type, csp) = (text(http::header::CONTENT_TYPE), text(http::header::CONTENT_SECURITY_POLICY));
    for (name, value) in domain::api::headers::security_headers(content_type.as_deref(), csp.as_deref(), public_https) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

fn whole(mut parts: http::response::Parts, body: Bytes, head: bool) -> http::Response<http_body_util::Full<Bytes>> {
    if head {
        // A HEAD answer states the length its GET would have (set by the handler).
        parts.headers.entry(http::header::CONTENT_LENGTH).or_insert_with(|| HeaderValue::from(body.len()));
    } else {
        parts.headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    http::Response::from_parts(parts, http_body_util::Full::new(body))
}

// ---------------------------------------------------------------- the request

/// A request as a handler reads it: method, URI, headers, the body (read whole, at most
/// [`MAX_BODY_BYTES`]) and the route's path parameters, percent-decoded.
pub struct Req {
    parts: http::request::Parts,
    body: Bytes,
    params: Vec<(String, String)>,
    /// The operator API area its route declares (see [`Routes::area`]).
    area: Option<Area>,
}

impl<S: Send + Sync> FromRequest<S> for Req {
    type Rejection = Failure;

    async fn from_request(request: http::Request<axum::body::Body>, state: &S) -> Result<Req, Failure> {
        let (mut parts, body) = request.into_parts();
        let params = match Path::<Vec<(String, String)>>::from_request_parts(&mut parts, state).await {
            Ok(Path(params)) => params,
            Err(axum::extract::rejection::PathRejection::MissingPathParams(_)) => Vec::new(),
            Err(e) => return Err(Failure(ApiError::malformed(format!("the path: {}", e.body_text())))),
        };
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| Failure(ApiError::payload_too_large(MAX_BODY_BYTES)))?;
        Ok(Req { parts, body, params, area: None })
    }
}

impl Req {
    /// A request built by hand (tests).
    pub fn new(request: http::Request<Bytes>, params: Vec<(String, String)>) -> Req {
        let (parts, body) = request.into_parts();
        Req { parts, body, params, area: None }
    }

    /// The operator API area the route declares; None outside the operator API.
    pub fn area(&self) -> Option<Area> {
        self.area
    }

    pub fn method(&self) -> &Method {
        &self.parts.method
    }

    pub fn path(&self) -> &str {
        self.parts.uri.path()
    }

    /// The query string, without its `?` (empty when there is none).
    pub fn query_string(&self) -> &str {
        self.parts.uri.query().unwrap_or("")
    }

    /// A header's value, when it is present and text; of a repeated header, the last.
    /// That matters for [`CLIENT_ADDR_HEADER`]: Spin appends its own after the client's.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get_all(name).iter().next_back().and_then(|v| v.to_str().ok())
    }

    /// Every header with a UTF-8 value, names lower-case, in order (for adapters that
    /// read more than the Content-Type).
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.parts.headers.iter().filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))).collect()
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The path parameter `name` of the route (`{name}`), percent-decoded.
    pub fn param(&self, name: &str) -> Result<&str, ApiError> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| internal(format!("the route has no path parameter {name}")))
    }
}

// ---------------------------------------------------------------- responses and errors

/// An error on its way out: the one place an [`ApiError`] becomes a response.
pub struct Failure(pub ApiError);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        error(&self.0)
    }
}

pub fn json<T: Serialize>(status: u16, value: &T) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(http::header::CONTENT_TYPE, "application/json"), (http::header::CACHE_CONTROL, "no-store")],
        serde_json::to_vec(value).unwrap_or_default(),
    )
        .into_response()
}

pub fn error(err: &ApiError) -> Response {
    let mut response = (
        StatusCode::from_u16(err.http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(http::header::CONTENT_TYPE, "application/json"), (http::header::CACHE_CONTROL, "no-store")],
        err.to_json(),
    )
        .into_response();
    if err.http_status == 401 {
        response.headers_mut().insert(http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(seconds) = err.retry_after {
        response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The request's Idempotency-Key (domain::api::idempotency), bound to its method, path and
/// body; None without the header; 400 when the key is not a valid one.
pub fn idempotency(req: &Req) -> Result<Option<IdempotentRequest>, ApiError> {
    // Twilio's SDKs send theirs as I-Twilio-Idempotency-Token (the Twilio-compatible API).
    let Some(value) = req.header("idempotency-key").or_else(|| req.header("i-twilio-idempotency-token")) else { return Ok(None) };
    let key = IdempotencyKey::parse(value).map_err(|e| ApiError::named(400, ErrorName::InvalidIdempotencyKey, e.to_string()))?;
    Ok(Some(IdempotentRequest::new(key, req.method().as_str(), req.path(), req.body())))
}

/// 422 IdempotencyKeyReused: the key answered another request.
pub fn idempotency_key_reused() -> ApiError {
    ApiError::named(
        422,
        ErrorName::IdempotencyKeyReused,
        "this Idempotency-Key was used within 24 hours for a different request; use a new key for a new request",
    )
}

/// 409 IdempotencyKeyInUse: the same request, with this key, is being answered now.
pub fn idempotency_key_in_use() -> ApiError {
    ApiError::named(409, ErrorName::IdempotencyKeyInUse, "a request with this Idempotency-Key is under way; retry in a moment")
}

/// Runs `work` (a creating or money-moving store call) under the request's
/// Idempotency-Key, if it has one: a repeat of the same request gets the first answer
/// (`status` and the JSON of what `work` returned) again and `work` does not run; the
/// key with another request is refused. `errors` maps what `work` may fail with.
pub async fn idempotent_json<T: Serialize, E: From<DbError>>(
    req: &Req,
    store: &Store,
    account_id: &str,
    status: u16,
    work: impl AsyncFnOnce() -> Result<T, E>,
    errors: impl FnOnce(E) -> ApiError,
) -> Reply {
    let key = idempotency(req)?;
    let respond = |done: &T| StoredAnswer { status, body: serde_json::to_string(done).unwrap_or_default() };
    match store.idempotent(account_id, key.as_ref(), respond, work).await.map_err(errors)? {
        Created::New(done) => Ok(json(status, &done)),
        Created::Replayed(answer) => Ok(replayed(&answer)),
        Created::KeyReused => Err(idempotency_key_reused()),
        Created::InProgress => Err(idempotency_key_in_use()),
    }
}

/// The answer to a creating call under an Idempotency-Key: `new` made from what was
/// created, or the kept answer again, or 422 for a key used by another request.
pub fn created_reply<T>(created: Created<T>, new: impl FnOnce(T) -> Response) -> Reply {
    match created {
        Created::New(done) => Ok(new(done)),
        Created::Replayed(answer) => Ok(replayed(&answer)),
        Created::KeyReused => Err(idempotency_key_reused()),
        Created::InProgress => Err(idempotency_key_in_use()),
    }
}

/// An answer kept for an Idempotency-Key, sent again as it was, marked as a replay.
pub fn replayed(answer: &StoredAnswer) -> Response {
    let mut response = respond_with(
        answer.status,
        &[("content-type", "application/json"), ("cache-control", "no-store"), ("idempotent-replayed", "true")],
        answer.body.clone(),
    );
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    response
}

/// A response with a status, headers and a body as given (documents, CSV, redirects).
pub fn respond_with(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Response {
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body.into()).into_response();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(*name), HeaderValue::try_from(*value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Logs the cause for operators and gives the client a stable 500.
pub fn internal(e: impl std::fmt::Display) -> ApiError {
    eprintln!("internal error: {e}");
    ApiError::internal("an internal error occurred; it has been logged")
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        internal(e)
    }
}

impl From<HostError> for ApiError {
    fn from(e: HostError) -> ApiError {
        internal(e)
    }
}

/// Parses a JSON body into `T`, with errors a client can act on. The body must be sent as
/// JSON (415 otherwise): an HTML form on another site can post `text/plain` or form
/// bodies without a CORS preflight, but not `application/json`, so this is what keeps a
/// cross-site form from, say, signing a browser in to someone else's user.
pub fn parse_body<T: serde::de::DeserializeOwned>(req: &Req) -> Result<T, ApiError> {
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    if body.is_empty() {
        return Err(ApiError::malformed("the request needs a JSON body"));
    }
    if !is_json_media_type(req.header("content-type")) {
        return Err(ApiError::unsupported_media_type());
    }
    // Every body is an object; serde would also read a struct from an array of its fields
    // in order (`[null, true]`), which no client means.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::malformed("the body must be a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::malformed(format!("the body is not valid JSON for this endpoint: {e}")))
}

/// `application/json` or `application/<anything>+json` (any case), parameters such as
/// `; charset=utf-8` allowed.
fn is_json_media_type(content_type: Option<&str>) -> bool {
    let Some(value) = content_type else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", subtype)) => subtype == "json" || subtype.strip_suffix("+json").is_some_and(|s| !s.is_empty() && !s.contains('/')),
        _ => false,
    }
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
/// A blocked account is 403 `Forbidden` either way. Over a request rate limit (the key's
/// or the account's, crate::ratelimit) it is 429 `RateLimited` with `Retry-After`.
pub async fn authenticate(req: &Req, store: &Store, scope: Scope) -> Result<Caller, ApiError> {
    match credentials(req)? {
        Credentials::Session(token) => session_caller(req, store, &token, scope).await,
        Credentials::Key(key_hash) => {
            let found = store.identity().caller_by_key_hash(&key_hash).await?;
            admit_key(req, found, scope).await
        }
    }
}

/// The caller of a Twilio-style request (`domain::api::twilio::BasicCredentials`): HTTP
/// Basic with the account's SID and one of its API keys, or an API key's SID and that key;
/// the key's scopes, IP allowlist and rate limits hold as for a bearer key. A request for
/// another account's path than the credentials' is refused as unauthenticated.
pub async fn authenticate_twilio(req: &Req, store: &Store, scope: Scope, account_in_path: &str) -> Result<Caller, ApiError> {
    use domain::api::twilio::{BasicCredentials, BasicUser};
    let credentials = req
        .header("authorization")
        .and_then(BasicCredentials::parse)
        .ok_or_else(|| ApiError::unauthorized("send HTTP Basic credentials: the account SID (AC…) or an API key SID (SK…), and an API key"))?;
    let found = store.identity().caller_by_key_hash(&hash_api_key(&credentials.password)).await?;
    let matches = match (&credentials.user, &found) {
        (BasicUser::Account(sid), Some((caller, _, _))) => sid.id() == caller.account_id,
        (BasicUser::ApiKey(sid), Some((_, _, key_id))) => sid.id() == *key_id,
        (_, None) => false,
    };
    let caller = admit_key(req, found.filter(|_| matches), scope).await?;
    if domain::api::twilio::Sid::of_id(domain::api::twilio::SidKind::Account, &caller.account_id).map(|sid| sid.to_string()).as_deref() != Some(account_in_path) {
        return Err(ApiError::unauthorized("the credentials are not this account's"));
    }
    Ok(caller)
}

/// A form-encoded body's pairs in order (`application/x-www-form-urlencoded`, what
/// Twilio's API takes); 415 for another type, 413 past the size limit.
pub fn form_pairs(req: &Req) -> Result<Vec<(String, String)>, ApiError> {
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    let media = req.header("content-type").map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    if !body.is_empty() && media.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(ApiError::named(415, ErrorName::UnsupportedMediaType, "send the body form-encoded, with Content-Type: application/x-www-form-urlencoded"));
    }
    Ok(form_urlencoded::parse(body).into_owned().collect())
}

/// As [`authenticate`], for a send to `to` at `at`: with an API key, the send's lookups
/// come in the same query as the key's caller, or from the ones the instance keeps for the
/// key (`Lookups::Kept`: no query; see store::send_lookups), `None` for a signed-in user
/// (the send reads them itself).
pub async fn authenticate_for_send(
    req: &Req,
    store: &Store,
    scope: Scope,
    to: &SendDestinations,
    at: chrono::DateTime<chrono::Utc>,
    lookups: Lookups,
) -> Result<(Caller, Option<SendLookups>), ApiError> {
    match credentials(req)? {
        Credentials::Session(token) => Ok((session_caller(req, store, &token, scope).await?, None)),
        Credentials::Key(key_hash) => {
            let found = match lookups {
                Lookups::Kept => store.messages().caller_by_key_hash_with_kept_lookups(&key_hash, at).await?,
                Lookups::Afresh => {
                    crate::store::forget_kept_lookups(&key_hash);
                    store.messages().caller_by_key_hash_with_send_lookups(&key_hash, to, at).await?
                }
            };
            let (found, lookups) = match found {
                Some((caller, access, key_id, lookups)) => (Some((caller, access, key_id)), Some(lookups)),
                None => (None, None),
            };
            Ok((admit_key(req, found, scope).await?, lookups))
        }
    }
}

/// What a request authenticates with: a session cookie (when it sends no Authorization
/// header), or an API key, by its SHA-256.
enum Credentials {
    Session(String),
    Key(String),
}

fn credentials(req: &Req) -> Result<Credentials, ApiError> {
    let header = req.header("authorization");
    if header.is_none() {
        if let Some(token) = session_token(req) {
            return Ok(Credentials::Session(token));
        }
    }
    let token = bearer_token(header).ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <api key>, or sign in"))?;
    Ok(Credentials::Key(hash_api_key(token)))
}

async fn session_caller(req: &Req, store: &Store, token: &str, scope: Scope) -> Result<Caller, ApiError> {
    let signed_in = signed_in(req, token).await?;
    let account = req.header(ACCOUNT_HEADER).map(str::trim).filter(|a| !a.is_empty());
    let (caller, level) = member_caller(store, &signed_in, account).await?;
    if !level.scopes().contains(scope) {
        return Err(level_too_low(level, scope));
    }
    crate::ratelimit::admit_account(&caller.account_id, caller.rate_limits).await?;
    unblocked(caller)
}

/// The caller of a key found by its hash (`None`: unknown or revoked), once the key may do
/// `scope` from the request's address and the request is within the rate limits.
async fn admit_key(req: &Req, found: Option<(Caller, KeyAccess, String)>, scope: Scope) -> Result<Caller, ApiError> {
    let (caller, access, key_id) = found.ok_or_else(|| ApiError::unauthorized("the API key is unknown or revoked"))?;
    access.check(scope, client_ip(req.header(CLIENT_ADDR_HEADER)))?;
    crate::ratelimit::admit_key(&key_id, &caller.account_id, caller.rate_limits).await?;
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
pub fn session_token(req: &Req) -> Option<String> {
    let header = req.header("cookie")?;
    cookie_value(header, SESSION_COOKIE).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The signed-in user behind a request's cookie: 401 when there is none or it has
/// expired, 401 `TwoFactorRequired` when the login still waits for its code, and 403
/// `CsrfTokenInvalid` for a state-changing request without the session's CSRF token.
pub async fn require_session(req: &Req) -> Result<SignedIn, ApiError> {
    let token = session_token(req).ok_or_else(|| ApiError::unauthorized("sign in first (POST /v1/auth/login)"))?;
    signed_in(req, &token).await
}

async fn signed_in(req: &Req, token: &str) -> Result<SignedIn, ApiError> {
    let session = load_session(req, token).await?;
    if session.two_factor_pending {
        return Err(ApiError::two_factor_required("enter the code from your authenticator app (POST /v1/auth/login/2fa)"));
    }
    Ok(SignedIn { user_id: session.user_id.clone(), token: token.to_owned(), session })
}

/// A session as stored, even one half-way through two-factor login; CSRF checked.
pub async fn load_session(req: &Req, token: &str) -> Result<Session, ApiError> {
    let session = crate::session::load(token, crate::ids::now_seconds())
        .await?
        .ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        use subtle::ConstantTimeEq;
        let given = req.header(CSRF_HEADER).unwrap_or("");
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
pub async fn member_caller(store: &Store, signed_in: &SignedIn, account: Option<&str>) -> Result<(Caller, AccessLevel), ApiError> {
    let (caller, level, epoch) = store
        .identity().caller_by_user(&signed_in.user_id, account)
        .await?
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

/// Guards the operator API with the `admin_token` variable alone (what only automation
/// does; operator endpoints take [`require_operator`]).
pub async fn require_admin(req: &Req) -> Result<(), ApiError> {
    require_token(req, "admin_token").await
}

/// The caller of an operator endpoint in `area`, from either credential:
///
/// - `Authorization: Bearer <admin_token>` (automation, bootstrapping): the operator,
///   every area; a wrong token is 401.
/// - the portal's session cookie (no Authorization header) of a staff member: 401 without
///   a live session (or while its two-factor code is pending), 403 `CsrfTokenInvalid` for a
///   state-changing request without the session's CSRF token, 403 `NotStaff`,
///   `StaffDisabled`, `TwoFactorRequired` (staff must have two-factor on), and 403
///   `AreaNotPermitted` naming `area` when their permission groups do not allow it
///   (domain::identity::staff).
pub async fn require_operator(req: &Req, store: &Store, area: Area) -> Result<crate::app::staff::OperatorCaller, ApiError> {
    let caller = operator_caller(req, store).await?;
    caller.check(area)?;
    Ok(caller)
}

/// The caller of the operator API, whatever the area (see [`require_operator`]).
pub async fn operator_caller(req: &Req, store: &Store) -> Result<crate::app::staff::OperatorCaller, ApiError> {
    if req.header("authorization").is_some() || session_token(req).is_none() {
        require_admin(req).await?;
        return Ok(crate::app::staff::OperatorCaller::token());
    }
    let signed_in = require_session(req).await?;
    crate::app::staff::staff_caller(store, &signed_in).await
}

/// Guards an endpoint with the bearer token held in `variable` (constant-time compare).
/// An unset token disables the endpoint rather than opening it.
pub async fn require_token(req: &Req, variable: &str) -> Result<(), ApiError> {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let configured = crate::config::get_or(variable, "").await;
    if configured.is_empty() {
        return Err(ApiError::unavailable(format!("this endpoint is disabled: set the {variable} variable")));
    }
    let header = req.header("authorization");
    let token = bearer_token(header).ok_or_else(|| ApiError::unauthorized(format!("send Authorization: Bearer <{variable}>")))?;
    // Digests make both sides the same length, so the constant-time compare leaks nothing.
    let (given, expected) = (Sha256::digest(token.as_bytes()), Sha256::digest(configured.as_bytes()));
    if !bool::from(given.ct_eq(&expected)) {
        return Err(ApiError::unauthorized(format!("the {variable} is wrong")));
    }
    Ok(())
}

/// `?limit=&cursor=` of a list, checked by the one paging rule (`domain::api::paging`):
/// 400 `InvalidLimit` or `InvalidCursor` for anything else.
pub fn page(req: &Req) -> Result<PageRequest, ApiError> {
    page_of(&query(req))
}

/// [`page`] from an already parsed query string.
pub fn page_of(q: &std::collections::HashMap<String, String>) -> Result<PageRequest, ApiError> {
    Ok(PageRequest::parse(q.get("limit").map(String::as_str), q.get("cursor").map(String::as_str))?)
}

/// The query string's parameters (the last value of a repeated name wins).
pub fn query(req: &Req) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect()
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

/// The adapter of a webhook's carrier when it takes webhooks; its signature scheme is
/// checked here (every scheme an adapter can declare is the timestamped HMAC, so a new
/// scheme fails to compile until it is verified below).
fn webhook_protocol(adapter: &str) -> Option<&'static dyn domain::carriers::adapter::CarrierProtocol> {
    use domain::carriers::adapter::SignatureScheme;
    let protocol = crate::carrier::protocol(adapter).filter(|p| p.takes_webhooks())?;
    match protocol.signature() {
        SignatureScheme::HmacSha256Timestamped => Some(protocol),
    }
}

/// A carrier's webhook (receipts, inbound messages) that passed its checks, with what
/// reads it.
pub struct CarrierWebhook {
    /// The connection's name: the default connection's adapter name, or a managed one's.
    pub carrier: String,
    pub protocol: &'static dyn domain::carriers::adapter::CarrierProtocol,
    pub store: crate::store::Store,
}

/// Checks a carrier's webhook to `/v1/carriers/{name}/…`: the default connection's by its
/// adapter's name (secret in a Spin variable, [`carrier_secret_variable`]), else a managed
/// connection by its own name, with its own webhook secret. The body within the size
/// limit and `X-Signature` valid under that secret (see domain::carriers::signature).
/// Unknown carrier → 404, forged or stale → 401, malformed → 400, no secret set → 503.
pub async fn verify_carrier_webhook(req: &Req, name: &str) -> Result<CarrierWebhook, ApiError> {
    if let Some(protocol) = domain::carriers::builtin::built_in(name).and_then(|p| webhook_protocol(p.name())) {
        let variable = carrier_secret_variable(protocol.name());
        let secret = crate::config::get_or(&variable, "").await;
        verify_webhook_signature(req, &secret, &variable)?;
        let store = crate::store::Store::open().await?;
        return Ok(CarrierWebhook { carrier: protocol.name().to_owned(), protocol, store });
    }
    let store = crate::store::Store::open().await?;
    let connection = store.carriers().connection(name).await?.ok_or_else(|| ApiError::not_found(format!("no carrier '{name}' calls webhooks here")))?;
    let protocol = verify_connection_webhook(req, &connection).await?;
    Ok(CarrierWebhook { carrier: connection.name, protocol, store })
}

/// A managed connection's webhook: its own webhook secret (opened from its sealed form;
/// empty when none is set), and its adapter (404 when the adapter is not installed or
/// takes no webhooks).
async fn verify_connection_webhook(
    req: &Req,
    connection: &crate::store::StoredConnection,
) -> Result<&'static dyn domain::carriers::adapter::CarrierProtocol, ApiError> {
    let protocol = webhook_protocol(&connection.adapter)
        .ok_or_else(|| ApiError::not_found(format!("connection '{}' takes no webhooks", connection.name)))?;
    let secret = match &connection.webhook_secret_sealed {
        None => String::new(),
        Some(sealed) => {
            let key = crate::config::secrets_key().await.map_err(|e| ApiError::unavailable(e.to_string()))?;
            key.open(sealed, &domain::carriers::sealed::purpose(&connection.name, "webhook_secret"))
                .map_err(|e| ApiError::unavailable(format!("connection '{}': {e}", connection.name)))?
        }
    };
    verify_webhook_signature(req, &secret, &format!("the webhook_secret of connection '{}'", connection.name))?;
    Ok(protocol)
}

/// `X-Signature` checked under `secret` (see domain::carriers::signature); `what_to_set`
/// names where the secret comes from, for the 503 while it is empty.
fn verify_webhook_signature(req: &Req, secret: &str, what_to_set: &str) -> Result<(), ApiError> {
    use domain::carriers::signature::{verify, SignatureError};
    let body = req.body();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    let header = req.header("x-signature");
    verify(secret.as_bytes(), header, body, crate::ids::now_seconds()).map_err(|e| match e {
        SignatureError::NoSecret => ApiError::unavailable(format!("{e}: set {what_to_set}")),
        SignatureError::Malformed => ApiError::malformed(e.to_string()),
        _ => ApiError::unauthorized(e.to_string()),
    })
}


#[cfg(test)]
mod tests {
    use super::*;

    fn request(content_type: Option<&str>, body: &str) -> Req {
        let mut builder = http::Request::builder().method("POST").uri("/v1/auth/login");
        if let Some(value) = content_type {
            builder = builder.header("content-type", value);
        }
        Req::new(builder.body(Bytes::from(body.to_owned())).unwrap(), Vec::new())
    }

    #[derive(serde::Deserialize, Debug)]
    struct Login {
        email: String,
    }

    #[test]
    fn json_bodies_need_a_json_content_type() {
        for accepted in ["application/json", "Application/JSON", "application/json; charset=utf-8", " application/json ;charset=UTF-8", "application/merge-patch+json"] {
            let parsed: Login = parse_body(&request(Some(accepted), r#"{"email":"a@b.se"}"#)).unwrap_or_else(|e| panic!("{accepted}: {e:?}"));
            assert_eq!(parsed.email, "a@b.se");
        }
        // What a cross-site form can send without a preflight, and other near misses.
        for refused in [None, Some("text/plain"), Some("text/plain; charset=utf-8"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), Some("text/json"), Some("application/jsonp"), Some("application/+json"), Some("")] {
            let err = parse_body::<Login>(&request(refused, r#"{"email":"a@b.se"}"#)).unwrap_err();
            assert_eq!((err.http_status, err.name), (415, "UnsupportedMediaType"), "{refused:?}");
        }
        // An empty body is still the clearer 400, whatever the type.
        let err = parse_body::<Login>(&request(Some("text/plain"), "")).unwrap_err();
        assert_eq!((err.http_status, err.name), (400, "MalformedRequest"));
    }
}
