//! The portal API (seed 000): signing in with a password and, when on, a TOTP code;
//! sessions in a cookie; the profile with password change and e-mail and phone
//! confirmation; password reset; the accounts a user may act on, their members
//! (invitations, access levels) and API keys; and the users an admin shares accounts with.
//!
//! Rules live in `domain` (identity, totp, session, throttle, onetime); SQL in
//! `platform::store`; this file parses requests and maps outcomes to responses.

use domain::account::{account_name, AccountKind, AccountList, AccountListQuery};
use domain::error::{ApiError, ErrorDetail};
use domain::identity::{dummy_verify, hash_password, verify_password, AccessLevel, Email, Language, Password, PersonName};
use domain::onetime::{new_phone_code, phone_code_sms, EmailMessage, Purpose, PHONE_CODE_ATTEMPTS};
use domain::recipient::Recipient;
use domain::schedule::TimeZone;
use domain::session::{clear_cookie, new_secret_token, set_cookie, token_digest, Session};
use domain::throttle::{after_failure, retry_after, ThrottleKey};
use domain::totp::{generate_recovery_codes, hash_recovery_code, provisioning_uri, verify_code, TotpSecret};
use platform::http::{internal, json, member_caller, parse_body, percent_decode, query, require_session, respond, segments, SignedIn};
use platform::ids::now_seconds;
use platform::people::{invite, Invitation};
use platform::store::{MembershipChange, PhoneCodeCheck, ProfilePatch, Store, Subject, UserRecord};
use serde::Deserialize;
use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    respond(route(&req))
}

fn route(req: &Request) -> Result<Response, ApiError> {
    let path = segments(req);
    let store = Store::open().map_err(internal)?;
    match (req.method(), path.as_slice()) {
        (Method::Post, ["v1", "auth", "login"]) => login(req, &store),
        (Method::Post, ["v1", "auth", "login", "2fa"]) => login_second_factor(req, &store),
        (Method::Post, ["v1", "auth", "logout"]) => logout(req),
        (Method::Post, ["v1", "auth", "password-reset"]) => request_password_reset(req, &store),
        (Method::Post, ["v1", "auth", "password-reset", "confirm"]) => reset_password(req, &store),
        (Method::Post, ["v1", "auth", "email-confirmation"]) => confirm_email(req, &store),
        (Method::Post, ["v1", "invitations", "accept"]) => accept_invitation(req, &store),
        (Method::Get, ["v1", "me"]) => me(req, &store),
        (Method::Patch, ["v1", "me"]) => update_me(req, &store),
        (Method::Post, ["v1", "me", "password"]) => change_password(req, &store),
        (Method::Post, ["v1", "me", "email"]) => change_email(req, &store),
        (Method::Post, ["v1", "me", "email", "confirmation"]) => resend_email_confirmation(req, &store),
        (Method::Post, ["v1", "me", "phone", "confirmation"]) => send_phone_code(req, &store),
        (Method::Post, ["v1", "me", "phone", "confirm"]) => confirm_phone(req, &store),
        (Method::Post, ["v1", "me", "2fa"]) => begin_two_factor(req, &store),
        (Method::Post, ["v1", "me", "2fa", "confirm"]) => confirm_two_factor(req, &store),
        (Method::Post, ["v1", "me", "2fa", "disable"]) => disable_two_factor(req, &store),
        (Method::Post, ["v1", "me", "2fa", "recovery-codes"]) => new_recovery_codes(req, &store),
        (Method::Put, ["v1", "me", "default-account"]) => set_default_account(req, &store),
        (Method::Get, ["v1", "accounts"]) => accounts(req, &store),
        (Method::Get, ["v1", "accounts", id]) => account_overview(req, &store, id),
        (Method::Patch, ["v1", "accounts", id]) => update_account(req, &store, id),
        (Method::Get, ["v1", "accounts", id, "members"]) => members(req, &store, id),
        (Method::Post, ["v1", "accounts", id, "members"]) => add_member(req, &store, id),
        (Method::Patch, ["v1", "accounts", id, "members", user]) => change_member(req, &store, id, user),
        (Method::Delete, ["v1", "accounts", id, "members", user]) => revoke_member(req, &store, id, user),
        (Method::Get, ["v1", "accounts", id, "keys"]) => {
            let (_, id) = account_admin(req, &store, id)?;
            platform::keys::list_keys(&store, &id)
        }
        (Method::Post, ["v1", "accounts", id, "keys"]) => {
            let (actor, id) = account_admin(req, &store, id)?;
            platform::keys::create_key(req, &store, &id, &actor)
        }
        (Method::Patch, ["v1", "accounts", id, "keys", key]) => {
            let (actor, id) = account_admin(req, &store, id)?;
            platform::keys::update_key(req, &store, key, Some(&id), &actor)
        }
        (Method::Delete, ["v1", "accounts", id, "keys", key]) => {
            let (actor, id) = account_admin(req, &store, id)?;
            platform::keys::revoke_key(&store, key, Some(&id), &actor)
        }
        (Method::Get, ["v1", "users"]) => users(req, &store),
        (Method::Get, ["v1", "users", id]) => user_overview(req, &store, id),
        (_, ["v1", "auth", ..] | ["v1", "invitations", "accept"] | ["v1", "me", _, ..]) => Err(ApiError::method_not_allowed("POST")),
        (_, ["v1", "me"]) => Err(ApiError::method_not_allowed("GET, PATCH")),
        (_, ["v1", "accounts"] | ["v1", "users"] | ["v1", "users", _]) => Err(ApiError::method_not_allowed("GET")),
        (_, ["v1", "accounts", _]) => Err(ApiError::method_not_allowed("GET, PATCH")),
        (_, ["v1", "accounts", _, "members" | "keys"]) => Err(ApiError::method_not_allowed("GET, POST")),
        (_, ["v1", "accounts", _, "members" | "keys", _]) => Err(ApiError::method_not_allowed("PATCH, DELETE")),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}

// ---------------------------------------------------------------- small helpers

/// Served over TLS: the session cookie is then `Secure`.
fn over_tls(req: &Request) -> bool {
    req.header("spin-full-url").and_then(|h| h.as_str()).is_some_and(|u| u.starts_with("https://"))
}

fn client_address(req: &Request) -> String {
    let addr = req.header(platform::http::CLIENT_ADDR_HEADER).and_then(|h| h.as_str()).unwrap_or("");
    domain::access::client_ip(Some(addr)).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".to_owned())
}

fn link(path: &str) -> String {
    format!("{}{path}", platform::config::get_or("public_base_url", "http://127.0.0.1:3000").trim_end_matches('/'))
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    response.set_header("set-cookie", cookie);
    response
}

fn no_content() -> Response {
    Response::builder().status(204).header("cache-control", "no-store").build()
}

fn signed_in_user(req: &Request, store: &Store) -> Result<(SignedIn, UserRecord), ApiError> {
    let signed_in = require_session(req)?;
    let user = store.user(&signed_in.user_id).map_err(internal)?.ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    if signed_in.session.epoch != user.session_epoch {
        return Err(ApiError::unauthorized("the session has ended; sign in again"));
    }
    Ok((signed_in, user))
}

fn language_of(user: &UserRecord) -> Language {
    Language::parse(&user.language).unwrap_or(Language::Sv)
}

fn email_of(user: &UserRecord) -> Result<Email, ApiError> {
    Email::parse(&user.email).map_err(internal)
}

fn actor(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// 429 with `Retry-After`, for a throttled key.
fn throttled(wait: i64) -> Response {
    let err = ApiError::too_many_attempts(format!("too many attempts; try again in {wait} seconds"));
    let mut response = platform::http::error(&err);
    response.set_header("retry-after", wait.to_string());
    response
}

/// How long the longest of the counted keys (e-mail address, client address) still has
/// to wait, if any.
fn wait_for(store: &Store, counted: [(ThrottleKey, &str); 2]) -> Result<Option<i64>, ApiError> {
    let now = now_seconds();
    let mut wait = None;
    for (kind, subject) in counted {
        if let Some(state) = store.login_failures(&kind.key(subject)).map_err(internal)? {
            wait = wait.max(retry_after(kind, &state, now));
        }
    }
    Ok(wait)
}

fn count(store: &Store, counted: [(ThrottleKey, &str); 2]) -> Result<(), ApiError> {
    let keys = counted.map(|(kind, subject)| kind.key(subject));
    store.record_login_failure(&[&keys[0], &keys[1]], now_seconds(), after_failure).map_err(internal)
}

fn login_wait(store: &Store, email: &str, address: &str) -> Result<Option<i64>, ApiError> {
    wait_for(store, ThrottleKey::for_login(email, address))
}

fn count_failure(store: &Store, email: &str, address: &str) -> Result<(), ApiError> {
    count(store, ThrottleKey::for_login(email, address))
}

fn forget_failures(store: &Store, email: &str) -> Result<(), ApiError> {
    store.clear_login_failures(&ThrottleKey::Account.key(email)).map_err(internal)
}

fn profile(store: &Store, user: &UserRecord) -> Result<serde_json::Value, ApiError> {
    Ok(serde_json::json!({
        "id": user.id,
        "email": user.email,
        "email_confirmed": user.email_confirmed_at.is_some(),
        "name": user.name,
        "phone": user.phone,
        "phone_confirmed": user.phone_confirmed_at.is_some(),
        "language": user.language,
        "time_zone": user.time_zone,
        "login_alerts": user.login_alerts,
        "two_factor_enabled": user.totp_enabled_at.is_some(),
        "recovery_codes_left": if user.totp_enabled_at.is_some() { store.recovery_codes_left(&user.id).map_err(internal)? } else { 0 },
        "default_account_id": user.default_account_id,
        "created_at": user.created_at,
    }))
}

/// A new session for the user: the cookie and the CSRF token the client sends back on
/// every state-changing request.
fn start_session(req: &Request, store: &Store, user: &UserRecord, two_factor_pending: bool) -> Result<Response, ApiError> {
    let csrf = new_secret_token();
    let session = Session::new(&user.id, &csrf, now_seconds(), two_factor_pending).in_epoch(user.session_epoch);
    let token = platform::session::create(&session).map_err(internal)?;
    let body = serde_json::json!({
        "two_factor_required": two_factor_pending,
        "csrf_token": csrf,
        "user": if two_factor_pending { serde_json::Value::Null } else { profile(store, user)? },
    });
    Ok(with_cookie(json(200, &body), &set_cookie(&token, over_tls(req))))
}

fn login_alert(req: &Request, store: &Store, user: &UserRecord) -> Result<(), ApiError> {
    if !user.login_alerts {
        return Ok(());
    }
    let email = email_of(user)?;
    let at = chrono_now();
    let message = EmailMessage::login_alert(&email, &email, &client_address(req), &at, language_of(user));
    platform::email::send(store, &message).map_err(internal)
}

fn chrono_now() -> String {
    platform::store::timestamp(platform::ids::now_utc())
}

// ---------------------------------------------------------------- signing in

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

/// Password first; with two-factor on, the session can only finish the second step.
/// Failures are counted per e-mail address and per client address and make the next
/// attempt wait (domain::throttle: capped at 15 minutes, forgotten after a day), so
/// guessing is slow and nobody can be locked out for good.
fn login(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let body: Login = parse_body(req)?;
    let email = Email::parse(&body.email)?;
    let address = client_address(req);
    if let Some(wait) = login_wait(store, email.as_str(), &address)? {
        return Ok(throttled(wait));
    }
    let user = store.user_by_email(email.as_str()).map_err(internal)?;
    let accepted = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => verify_password(&body.password, hash),
        None => {
            // The same work as a real check, so timing does not tell who has a user.
            dummy_verify(&body.password);
            false
        }
    };
    let Some(user) = user.filter(|_| accepted) else {
        count_failure(store, email.as_str(), &address)?;
        return Err(ApiError::named(401, "InvalidCredentials", "the e-mail address or the password is wrong"));
    };
    let two_factor = user.totp_enabled_at.is_some();
    if !two_factor {
        forget_failures(store, email.as_str())?;
        login_alert(req, store, &user)?;
    }
    start_session(req, store, &user, two_factor)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecondFactor {
    code: Option<String>,
    recovery_code: Option<String>,
}

/// Checks a TOTP code (each time step once) or spends a recovery code.
fn second_factor_ok(store: &Store, user: &UserRecord, factor: &SecondFactor) -> Result<bool, ApiError> {
    match (&factor.code, &factor.recovery_code) {
        (Some(code), None) => {
            let Some(secret) = user.totp_secret.as_deref().and_then(TotpSecret::from_base32) else { return Ok(false) };
            match verify_code(&secret, code, now_seconds() as u64, None) {
                Some(step) => store.use_totp_step(&user.id, step).map_err(internal),
                None => Ok(false),
            }
        }
        (None, Some(code)) => store.use_recovery_code(&user.id, &hash_recovery_code(code)).map_err(internal),
        _ => Err(ApiError::malformed("give either code (from the authenticator app) or recovery_code")),
    }
}

fn login_second_factor(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let token = platform::http::session_token(req).ok_or_else(|| ApiError::unauthorized("sign in with your password first"))?;
    let session = platform::http::load_session(req, &token)?;
    if !session.two_factor_pending {
        return Err(ApiError::named(409, "AlreadySignedIn", "this session is already signed in"));
    }
    let body: SecondFactor = parse_body(req)?;
    let user = store.user(&session.user_id).map_err(internal)?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    let address = client_address(req);
    if let Some(wait) = login_wait(store, &user.email, &address)? {
        return Ok(throttled(wait));
    }
    if !second_factor_ok(store, &user, &body)? {
        count_failure(store, &user.email, &address)?;
        return Err(ApiError::named(401, "InvalidCode", "the code is wrong or was used already"));
    }
    // A new token for the signed-in session: the half-signed-in one is never promoted.
    platform::session::delete(&token).map_err(internal)?;
    forget_failures(store, &user.email)?;
    login_alert(req, store, &user)?;
    start_session(req, store, &user, false)
}

/// Ends the session. A live session needs its CSRF token like any other change (a forged
/// cross-site request must not sign people out); one that has already ended just loses
/// its cookie.
fn logout(req: &Request) -> Result<Response, ApiError> {
    if let Some(token) = platform::http::session_token(req) {
        match platform::http::load_session(req, &token) {
            Ok(_) => platform::session::delete(&token).map_err(internal)?,
            Err(e) if e.name == "CsrfTokenInvalid" => return Err(e),
            Err(_) => {}
        }
    }
    Ok(with_cookie(no_content(), &clear_cookie(over_tls(req))))
}

// ---------------------------------------------------------------- tokens by e-mail

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    email: String,
}

/// Always 202 with the same words, so the answer tells nobody who has a user.
fn request_password_reset(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let body: ResetRequest = parse_body(req)?;
    let email = Email::parse(&body.email)?;
    let address = client_address(req);
    let counted = ThrottleKey::for_reset(email.as_str(), &address);
    if let Some(wait) = wait_for(store, counted)? {
        return Ok(throttled(wait));
    }
    count(store, counted)?;
    if let Some(user) = store.user_by_email(email.as_str()).map_err(internal)? {
        let token = new_secret_token();
        let now = now_seconds();
        store
            .issue_token(&token_digest(&token), Purpose::PasswordReset.as_str(), &user.id, Some(email.as_str()), now + Purpose::PasswordReset.lifetime_seconds(), now)
            .map_err(internal)?;
        let message = EmailMessage::password_reset(&email, &link(&format!("/reset?token={token}")), language_of(&user));
        platform::email::send(store, &message).map_err(internal)?;
    }
    Ok(json(202, &serde_json::json!({"message": "if the address belongs to a user, a link to choose a new password is on its way; it works once, for an hour"})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    token: String,
    password: String,
    name: Option<String>,
}

fn invalid_token() -> ApiError {
    ApiError::named(410, "InvalidToken", "the link is unknown, used or expired; ask for a new one")
}

/// Sets the password from a reset link. Every session of the user ends; the link is
/// used up; the address counts as confirmed (the link reached it).
fn reset_password(req: &Request, store: &Store) -> Result<Response, ApiError> {
    set_password_from_token(req, store, Purpose::PasswordReset, "user.password_reset")
}

/// An invited user sets their password (and may correct their name).
fn accept_invitation(req: &Request, store: &Store) -> Result<Response, ApiError> {
    set_password_from_token(req, store, Purpose::Invitation, "user.invitation_accepted")
}

fn set_password_from_token(req: &Request, store: &Store, purpose: Purpose, action: &str) -> Result<Response, ApiError> {
    let body: NewPassword = parse_body(req)?;
    if body.name.is_some() && purpose != Purpose::Invitation {
        return Err(ApiError::malformed("name can only be given with an invitation"));
    }
    // Everything is checked before the token is used up.
    let password = Password::parse(&body.password)?;
    let name = body.name.as_deref().map(PersonName::parse).transpose()?;
    let hash = hash_password(&password);
    let now = now_seconds();
    let (user_id, email) = store.consume_token(&token_digest(&body.token), purpose.as_str(), now).map_err(internal)?.ok_or_else(invalid_token)?;
    store
        .audited_user(&user_id, &actor(&user_id), action, |store| {
            store.set_password(&user_id, &hash)?;
            if let Some(name) = &name {
                store.update_profile(&user_id, &ProfilePatch { name: Some(name.as_str()), ..Default::default() })?;
            }
            match &email {
                Some(email) => store.confirm_email(&user_id, email).map(|_| ()),
                None => Ok(()),
            }
        })
        .map_err(internal)?;
    let user = store.user(&user_id).map_err(internal)?.ok_or_else(invalid_token)?;
    forget_failures(store, &user.email)?;
    if purpose == Purpose::PasswordReset {
        platform::email::send(store, &EmailMessage::password_changed(&email_of(&user)?, language_of(&user))).map_err(internal)?;
    }
    Ok(no_content())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenOnly {
    token: String,
}

fn confirm_email(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let body: TokenOnly = parse_body(req)?;
    let (user_id, email) =
        store.consume_token(&token_digest(&body.token), Purpose::EmailConfirmation.as_str(), now_seconds()).map_err(internal)?.ok_or_else(invalid_token)?;
    let email = email.ok_or_else(invalid_token)?;
    let moved = store
        .audited_user(&user_id, &actor(&user_id), "user.email_confirmed", |store| store.confirm_email(&user_id, &email))
        .map_err(internal)?;
    if !moved {
        return Err(ApiError::named(409, "EmailTaken", "another user has this address now"));
    }
    Ok(json(200, &serde_json::json!({"email": email, "email_confirmed": true})))
}

/// Sends a confirmation link to `email` (the user's address, or the one they move to).
fn send_email_confirmation(store: &Store, user: &UserRecord, email: &Email) -> Result<(), ApiError> {
    let token = new_secret_token();
    let now = now_seconds();
    store
        .issue_token(&token_digest(&token), Purpose::EmailConfirmation.as_str(), &user.id, Some(email.as_str()), now + Purpose::EmailConfirmation.lifetime_seconds(), now)
        .map_err(internal)?;
    let message = EmailMessage::email_confirmation(email, &link(&format!("/confirm-email?token={token}")), language_of(user));
    platform::email::send(store, &message).map_err(internal)
}

// ---------------------------------------------------------------- the profile

/// The profile, with the session's CSRF token: a page loaded in a new tab reads it here
/// (same-origin only: no CORS), so the token need not be kept in the browser's storage.
fn me(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (signed_in, user) = signed_in_user(req, store)?;
    let mut body = profile(store, &user)?;
    body["csrf_token"] = signed_in.session.csrf_token.into();
    Ok(json(200, &body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileChange {
    name: Option<String>,
    #[serde(default, deserialize_with = "explicit_null")]
    phone: Option<Option<String>>,
    language: Option<String>,
    time_zone: Option<String>,
    login_alerts: Option<bool>,
}

fn explicit_null<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Every field is checked and every bad one reported at once; a new phone number is
/// unconfirmed until its code comes back.
fn update_me(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: ProfileChange = parse_body(req)?;
    let mut bad = Vec::new();
    let mut field = |name: &str, message: String| bad.push(ErrorDetail { index: None, value: Some(name.to_owned()), message });
    let name = match body.name.as_deref().map(PersonName::parse) {
        Some(Err(e)) => {
            field("name", e.to_string());
            None
        }
        other => other.and_then(Result::ok),
    };
    let phone = match &body.phone {
        Some(Some(p)) => match Recipient::parse(p) {
            Ok(r) => Some(Some(r.e164().to_owned())),
            Err(e) => {
                field("phone", e.to_string());
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    };
    let language = match body.language.as_deref().map(Language::parse) {
        Some(Err(e)) => {
            field("language", e.to_string());
            None
        }
        other => other.and_then(Result::ok),
    };
    if let Some(Err(e)) = body.time_zone.as_deref().map(TimeZone::parse) {
        field("time_zone", e.to_string());
    }
    if !bad.is_empty() {
        return Err(ApiError::malformed("some fields are not valid").with_details(bad));
    }
    let patch = ProfilePatch {
        name: name.as_ref().map(PersonName::as_str),
        phone: phone.as_ref().map(|p| p.as_deref()),
        language: language.map(Language::as_str),
        time_zone: body.time_zone.as_deref().map(str::trim),
        login_alerts: body.login_alerts,
    };
    store.audited_user(&user.id, &actor(&user.id), "user.updated", |store| store.update_profile(&user.id, &patch)).map_err(internal)?;
    let user = store.user(&user.id).map_err(internal)?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    Ok(json(200, &profile(store, &user)?))
}

/// The current password, checked under the same throttle as a login (a stolen session
/// must not become a way to guess it).
fn check_current_password(req: &Request, store: &Store, user: &UserRecord, candidate: &str) -> Result<Option<Response>, ApiError> {
    let address = client_address(req);
    if let Some(wait) = login_wait(store, &user.email, &address)? {
        return Ok(Some(throttled(wait)));
    }
    if !user.password_hash.as_deref().is_some_and(|hash| verify_password(candidate, hash)) {
        count_failure(store, &user.email, &address)?;
        return Err(ApiError::named(403, "WrongPassword", "the current password is wrong"));
    }
    Ok(None)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Ends every other session of the user; this one goes on under a new cookie.
fn change_password(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (signed_in, user) = signed_in_user(req, store)?;
    let body: PasswordChange = parse_body(req)?;
    let password = Password::parse(&body.new_password)?;
    if let Some(throttled) = check_current_password(req, store, &user, &body.current_password)? {
        return Ok(throttled);
    }
    let hash = hash_password(&password);
    store.audited_user(&user.id, &actor(&user.id), "user.password_changed", |store| store.set_password(&user.id, &hash)).map_err(internal)?;
    platform::session::delete(&signed_in.token).map_err(internal)?;
    platform::email::send(store, &EmailMessage::password_changed(&email_of(&user)?, language_of(&user))).map_err(internal)?;
    // This browser goes on, in the new epoch.
    let user = store.user(&user.id).map_err(internal)?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    start_session(req, store, &user, false)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailChange {
    email: String,
    password: String,
}

/// The new address gets a confirmation link; the user keeps the old one until it is used.
fn change_email(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: EmailChange = parse_body(req)?;
    let email = Email::parse(&body.email)?;
    if let Some(throttled) = check_current_password(req, store, &user, &body.password)? {
        return Ok(throttled);
    }
    if email.as_str() == user.email {
        return Err(ApiError::named(409, "SameEmail", "that is your address already"));
    }
    if store.user_by_email(email.as_str()).map_err(internal)?.is_some() {
        return Err(ApiError::named(409, "EmailTaken", "another user has this address"));
    }
    send_email_confirmation(store, &user, &email)?;
    Ok(json(202, &serde_json::json!({"message": "a confirmation link is on its way to the new address; your address changes when it is used", "pending_email": email.as_str()})))
}

/// Seed 000's blue button: another confirmation e-mail for the current address.
fn resend_email_confirmation(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    if user.email_confirmed_at.is_some() {
        return Err(ApiError::named(409, "AlreadyConfirmed", "the address is confirmed already"));
    }
    send_email_confirmation(store, &user, &email_of(&user)?)?;
    Ok(json(202, &serde_json::json!({"message": "a confirmation link is on its way"})))
}

/// The code goes out through the platform's own send path from the user's default
/// account (priced and logged like any SMS of that account).
fn send_phone_code(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (signed_in, user) = signed_in_user(req, store)?;
    let phone = user.phone.clone().ok_or_else(|| ApiError::named(409, "NoPhone", "add a phone number to your profile first"))?;
    if user.phone_confirmed_at.is_some() {
        return Err(ApiError::named(409, "AlreadyConfirmed", "the phone number is confirmed already"));
    }
    let (caller, _) = member_caller(store, &signed_in, None)?;
    // A blocked account cannot send, whatever the path (as `authenticate` refuses it).
    if caller.blocked {
        return Err(ApiError::forbidden("your default account is blocked; contact support"));
    }
    let code = new_phone_code();
    let expires_at = now_seconds() + Purpose::PhoneConfirmation.lifetime_seconds();
    store.set_phone_code(&user.id, &phone, &phone_code_digest(&user.id, &code), expires_at).map_err(internal)?;
    let sender = platform::config::get_or("platform_sender", "smsedge");
    let to = [phone.clone()];
    let text = phone_code_sms(&code, language_of(&user));
    let request = platform::messages::SendRequest {
        from: &sender,
        to: &to,
        text: &text,
        client_reference: Some("phone-confirmation"),
        status_callback: None,
        send_at: None,
        time_zone: None,
        validity: Some(Purpose::PhoneConfirmation.lifetime_seconds()),
        ignore_blocklist: true,
    };
    let sent = platform::messages::send_messages(store, &caller, &request)?;
    let message_id = sent.messages.first().and_then(|m| m.id.clone());
    Ok(json(202, &serde_json::json!({"sent_to": phone, "message_id": message_id, "expires_in_seconds": Purpose::PhoneConfirmation.lifetime_seconds()})))
}

/// Codes are six digits: bound to the user before hashing, so one digest table entry
/// says nothing about another user's code.
fn phone_code_digest(user_id: &str, code: &str) -> String {
    token_digest(&format!("{user_id}:{}", code.trim()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeOnly {
    code: String,
}

fn confirm_phone(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: CodeOnly = parse_body(req)?;
    let check = store
        .audited_user(&user.id, &actor(&user.id), "user.phone_confirmed", |store| {
            store.check_phone_code(&user.id, &phone_code_digest(&user.id, &body.code), now_seconds(), PHONE_CODE_ATTEMPTS as i64)
        })
        .map_err(internal)?;
    match check {
        PhoneCodeCheck::Confirmed(phone) => Ok(json(200, &serde_json::json!({"phone": phone, "phone_confirmed": true}))),
        PhoneCodeCheck::Wrong { attempts_left } => Err(ApiError::rejected("InvalidCode", format!("the code is wrong; {attempts_left} tries left"))),
        PhoneCodeCheck::NoCode => Err(ApiError::named(409, "NoCodePending", "no code is waiting (none sent, expired or tried too often); ask for a new one")),
    }
}

// ---------------------------------------------------------------- two-factor

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordOnly {
    password: String,
}

/// A new secret, not yet on: it is turned on by the first code from it.
fn begin_two_factor(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: PasswordOnly = parse_body(req)?;
    if user.totp_enabled_at.is_some() {
        return Err(ApiError::named(409, "TwoFactorEnabled", "two-factor authentication is on already; turn it off first"));
    }
    if let Some(throttled) = check_current_password(req, store, &user, &body.password)? {
        return Ok(throttled);
    }
    let secret = TotpSecret::generate();
    store.begin_totp(&user.id, &secret.to_base32()).map_err(internal)?;
    let issuer = platform::config::get_or("totp_issuer", "smsedge");
    Ok(json(
        201,
        &serde_json::json!({"secret": secret.to_base32(), "provisioning_uri": provisioning_uri(&secret, &issuer, &user.email), "enabled": false}),
    ))
}

fn confirm_two_factor(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: CodeOnly = parse_body(req)?;
    if user.totp_enabled_at.is_some() {
        return Err(ApiError::named(409, "TwoFactorEnabled", "two-factor authentication is on already"));
    }
    if user.totp_secret.is_none() {
        return Err(ApiError::named(409, "TwoFactorNotBegun", "begin with POST /v1/me/2fa"));
    }
    if !second_factor_ok(store, &user, &SecondFactor { code: Some(body.code), recovery_code: None })? {
        return Err(ApiError::rejected("InvalidCode", "the code is wrong; check the authenticator app's clock"));
    }
    let codes = generate_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
    store.audited_user(&user.id, &actor(&user.id), "user.two_factor_enabled", |store| store.enable_totp(&user.id, &digests)).map_err(internal)?;
    Ok(json(200, &serde_json::json!({"enabled": true, "recovery_codes": codes, "note": "each recovery code works once; they are shown only now"})))
}

fn disable_two_factor(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: SecondFactor = parse_body(req)?;
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(409, "TwoFactorDisabled", "two-factor authentication is off"));
    }
    if !second_factor_ok(store, &user, &body)? {
        return Err(ApiError::rejected("InvalidCode", "the code is wrong or was used already"));
    }
    store.audited_user(&user.id, &actor(&user.id), "user.two_factor_disabled", |store| store.disable_totp(&user.id)).map_err(internal)?;
    Ok(json(200, &serde_json::json!({"enabled": false})))
}

fn new_recovery_codes(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: CodeOnly = parse_body(req)?;
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(409, "TwoFactorDisabled", "two-factor authentication is off"));
    }
    if !second_factor_ok(store, &user, &SecondFactor { code: Some(body.code), recovery_code: None })? {
        return Err(ApiError::rejected("InvalidCode", "the code is wrong or was used already"));
    }
    let codes = generate_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
    store.replace_recovery_codes(&user.id, &digests).map_err(internal)?;
    Ok(json(200, &serde_json::json!({"recovery_codes": codes, "note": "the earlier codes no longer work"})))
}

// ---------------------------------------------------------------- accounts

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultAccount {
    account_id: String,
}

fn set_default_account(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let body: DefaultAccount = parse_body(req)?;
    if !store.set_default_account(&user.id, body.account_id.trim()).map_err(internal)? {
        return Err(ApiError::not_found("no such account"));
    }
    Ok(json(200, &serde_json::json!({"default_account_id": body.account_id.trim()})))
}

/// `?q=&sort=id|name|type|balance|level&order=asc|desc&limit=&offset=` (domain::account).
fn accounts(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let q = query(req);
    let get = |name: &str| q.get(name).map(String::as_str);
    let list = AccountListQuery::parse_for(AccountList::Member, get("q"), get("sort"), get("order"), get("limit"), get("offset"))?;
    let (accounts, total) = store.accounts_of_user(&user.id, &list).map_err(internal)?;
    Ok(json(200, &serde_json::json!({"accounts": accounts, "total": total, "limit": list.limit, "offset": list.offset})))
}

/// The signed-in user's level on `account_id` (404 without access), at least `needed`.
fn account_member(req: &Request, store: &Store, account_id: &str, needed: AccessLevel) -> Result<(SignedIn, AccessLevel), ApiError> {
    let signed_in = require_session(req)?;
    let account_id = percent_decode(account_id);
    let (_, level) = member_caller(store, &signed_in, Some(&account_id))?;
    if level < needed {
        return Err(ApiError::access_level_too_low(format!("this needs the {} access level on the account; you have {}", needed.as_str(), level.as_str())));
    }
    Ok((signed_in, level))
}

/// An account admin's actor name and the account id.
fn account_admin(req: &Request, store: &Store, account_id: &str) -> Result<(String, String), ApiError> {
    let (signed_in, _) = account_member(req, store, account_id, AccessLevel::Admin)?;
    Ok((actor(&signed_in.user_id), percent_decode(account_id)))
}

fn account_overview(req: &Request, store: &Store, account_id: &str) -> Result<Response, ApiError> {
    let (signed_in, level) = account_member(req, store, account_id, AccessLevel::User)?;
    let id = percent_decode(account_id);
    let account = store.account(&id).map_err(internal)?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let user = store.user(&signed_in.user_id).map_err(internal)?;
    Ok(json(
        200,
        &serde_json::json!({
            "id": account.id,
            "name": account.name,
            "kind": account.kind,
            "currency": account.currency,
            "balance_minor": account.balance_minor,
            "credit_limit_minor": account.credit_limit_minor,
            "blocked": account.blocked,
            "created_at": account.created_at,
            "level": level,
            "is_default": user.and_then(|u| u.default_account_id).as_deref() == Some(id.as_str()),
            "members": store.members(&id).map_err(internal)?,
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountChange {
    name: Option<String>,
    kind: Option<String>,
}

/// Seed 000 "Edit Name/Note" and the account's type (Swedish or International).
fn update_account(req: &Request, store: &Store, account_id: &str) -> Result<Response, ApiError> {
    let (actor, id) = account_admin(req, store, account_id)?;
    let body: AccountChange = parse_body(req)?;
    let name = body.name.as_deref().map(account_name).transpose()?;
    let kind = body.kind.as_deref().map(AccountKind::parse).transpose()?.map(AccountKind::as_str);
    if name.is_none() && kind.is_none() {
        return Err(ApiError::malformed("give name or kind to change"));
    }
    store
        .audited(&id, &actor, "account.updated", Subject::Account(&id), |store| store.rename_account(&id, name, kind))
        .map_err(internal)?;
    account_overview(req, store, account_id)
}

fn members(req: &Request, store: &Store, account_id: &str) -> Result<Response, ApiError> {
    account_member(req, store, account_id, AccessLevel::User)?;
    Ok(json(200, &serde_json::json!({"members": store.members(&percent_decode(account_id)).map_err(internal)?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMember {
    email: String,
    level: String,
    name: Option<String>,
    language: Option<String>,
}

/// Seed 000 "Give a user access": by e-mail, with a level; someone new is invited to set
/// their own password.
fn add_member(req: &Request, store: &Store, account_id: &str) -> Result<Response, ApiError> {
    let (actor, id) = account_admin(req, store, account_id)?;
    let body: NewMember = parse_body(req)?;
    let inviter = store.user(actor.trim_start_matches("user:")).map_err(internal)?.map(|u| u.name).unwrap_or_default();
    let member = invite(
        store,
        &Invitation { account_id: &id, email: &body.email, level: &body.level, name: body.name.as_deref(), language: body.language.as_deref() },
        &actor,
        &inviter,
    )?;
    Ok(json(201, &member))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelChange {
    level: String,
}

fn change_member(req: &Request, store: &Store, account_id: &str, user_id: &str) -> Result<Response, ApiError> {
    let (actor, id) = account_admin(req, store, account_id)?;
    // Someone without access to this account is 404 whatever the body.
    store.membership(user_id, &id).map_err(internal)?.ok_or_else(|| ApiError::not_found("no such member"))?;
    let body: LevelChange = parse_body(req)?;
    let level = AccessLevel::parse(&body.level).ok_or_else(|| ApiError::from(domain::identity::IdentityError::InvalidAccessLevel(body.level.clone())))?;
    membership_change(store, &id, user_id, Some(level), &actor, "member.level_changed")?;
    let member = store.members(&id).map_err(internal)?.into_iter().find(|m| m.user_id == user_id).ok_or_else(|| ApiError::not_found("no such member"))?;
    Ok(json(200, &member))
}

fn revoke_member(req: &Request, store: &Store, account_id: &str, user_id: &str) -> Result<Response, ApiError> {
    let (actor, id) = account_admin(req, store, account_id)?;
    membership_change(store, &id, user_id, None, &actor, "member.revoked")?;
    Ok(no_content())
}

fn membership_change(store: &Store, account_id: &str, user_id: &str, level: Option<AccessLevel>, actor: &str, action: &str) -> Result<(), ApiError> {
    let change = store
        .audited(account_id, actor, action, Subject::Member(account_id, user_id), |store| store.change_membership(account_id, user_id, level))
        .map_err(internal)?;
    match change {
        MembershipChange::Done => Ok(()),
        MembershipChange::NotFound => Err(ApiError::not_found("no such member")),
        MembershipChange::LastAdmin => Err(ApiError::named(409, "LastAdmin", "the account needs at least one admin; make someone else admin first")),
    }
}

// ---------------------------------------------------------------- users

/// Seed 000 "Users": everyone on the accounts the signed-in user is admin of.
fn users(req: &Request, store: &Store) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    Ok(json(200, &serde_json::json!({"users": store.users_shared_with(&user.id, None).map_err(internal)?})))
}

fn user_overview(req: &Request, store: &Store, user_id: &str) -> Result<Response, ApiError> {
    let (_, user) = signed_in_user(req, store)?;
    let found = store.users_shared_with(&user.id, Some(&percent_decode(user_id))).map_err(internal)?;
    let overview = found.into_iter().next().ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(json(200, &overview))
}
