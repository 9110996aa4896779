//! The portal API (seed 000): signing in with a password and, when on, a TOTP code;
//! sessions in a cookie; the profile with password change and e-mail and phone
//! confirmation; password reset; the accounts a user may act on, their members
//! (invitations, access levels) and API keys; and the users an admin shares accounts with.
//!
//! Rules live in `domain` (identity, totp, session, throttle, onetime); the workflows in
//! `platform::app`; SQL in `platform::store`. This file routes, parses requests, calls one
//! workflow and makes the response (JSON, and the session cookies).

use domain::identity::access::Actor;
use domain::accounts::account::{AccountList, AccountListQuery};
use domain::api::error::ApiError;
use domain::identity::person::{AccessLevel, Email, Password};
use domain::identity::session::{clear_cookie, cookie_value, set_cookie, set_device_cookie, DEVICE_COOKIE};
use platform::app::accounts::{self, AccountChange, AccountOverview};
use platform::app::invitations::{self, Acceptance};
use platform::app::profile::{self, Profile, ProfileChange};
use platform::app::sign_in::{self, StartedSession};
use platform::app::two_factor::{self, SecondFactor};
use platform::app::signup::{self, SignupBody, SignupPlace};
use platform::app::{email_address, password, phone_codes, Client};
use domain::accounts::signup::DomainHost;
use platform::axum::http::{header, HeaderValue};
use platform::http::{internal, json, member_caller, parse_body, query, require_session, respond_with, Reply, Req, Response, Routes, SignedIn};
use platform::app::people::Invitation;
use platform::store::{Store, UserRecord};
use serde::Deserialize;

platform::http_entry!(routes().into_router());

/// Every route of this component (tests compare the table with api/openapi.json).
pub fn routes() -> Routes {
    Routes::new()
        .post("/v1/auth/login", login)
        .post("/v1/auth/login/2fa", login_second_factor)
        .post("/v1/auth/logout", logout)
        .post("/v1/auth/password-reset", request_password_reset)
        .post("/v1/auth/password-reset/confirm", reset_password)
        .post("/v1/auth/email-confirmation", confirm_email)
        .post("/v1/auth/signup", sign_up)
        .get("/v1/site", site)
        .post("/v1/invitations/accept", accept_invitation)
        .get("/v1/me", me)
        .patch("/v1/me", update_me)
        .post("/v1/me/password", change_password)
        .post("/v1/me/email", change_email)
        .post("/v1/me/email/confirmation", resend_email_confirmation)
        .post("/v1/me/phone/confirmation", send_phone_code)
        .post("/v1/me/phone/confirm", confirm_phone)
        .post("/v1/me/2fa", begin_two_factor)
        .post("/v1/me/2fa/confirm", confirm_two_factor)
        .post("/v1/me/2fa/disable", disable_two_factor)
        .post("/v1/me/2fa/recovery-codes", new_recovery_codes)
        .put("/v1/me/default-account", set_default_account)
        .get("/v1/accounts", accounts)
        .get("/v1/accounts/{id}", account_overview)
        .patch("/v1/accounts/{id}", update_account)
        .get("/v1/accounts/{id}/members", members)
        .post("/v1/accounts/{id}/members", add_member)
        .patch("/v1/accounts/{id}/members/{user_id}", change_member)
        .delete("/v1/accounts/{id}/members/{user_id}", revoke_member)
        .get("/v1/accounts/{id}/keys", list_keys)
        .post("/v1/accounts/{id}/keys", create_key)
        .patch("/v1/accounts/{id}/keys/{key_id}", update_key)
        .delete("/v1/accounts/{id}/keys/{key_id}", revoke_key)
        .get("/v1/users", users)
        .get("/v1/users/{id}", user_overview)
}

// ---------------------------------------------------------------- API keys

async fn list_keys(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, id) = account_admin(&req, &store, req.param("id")?).await?;
    platform::keys::list_keys(&store, &id).await
}

async fn create_key(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    platform::keys::create_key(&req, &store, &id, &actor).await
}

async fn update_key(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    platform::keys::update_key(&req, &store, req.param("key_id")?, Some(&id), &actor).await
}

async fn revoke_key(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    platform::keys::revoke_key(&store, req.param("key_id")?, Some(&id), &actor).await
}

// ---------------------------------------------------------------- white-label domains

/// The host the request was sent to, as a domain name (platform::app::signup).
fn request_host(req: &Req) -> Option<DomainHost> {
    DomainHost::from_host_header(req.header("host"))
}

/// `GET /v1/site`: what the portal on this host shows (public: the sign-in page needs it).
async fn site(req: Req) -> Reply {
    let store = Store::open().await?;
    Ok(json(200, &signup::site(&store, request_host(&req).as_ref()).await?))
}

/// `POST /v1/auth/signup`: a self-signup on a white-label domain that takes them. 202 and
/// the same words whether or not the address has a user.
async fn sign_up(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: SignupBody = parse_body(&req)?;
    let host = request_host(&req);
    // The link goes back to this host as the browser reached it (a configured domain: the
    // workflow refuses any other host before anything is sent).
    let scheme = if over_tls(&req).await { "https" } else { "http" };
    let origin = format!("{scheme}://{}", req.header("host").unwrap_or_default().trim());
    let place = SignupPlace { host, origin: &origin, client_address: &client_address(&req) };
    signup::sign_up(&store, &place, &body).await?;
    Ok(json(202, &serde_json::json!({"message": "check your e-mail: the link in it confirms the address and opens your account"})))
}

// ---------------------------------------------------------------- small helpers

/// Served over TLS — reached over https, or the operator's public address is https (a
/// proxy in front terminates TLS, so the request itself arrives as http): cookies are
/// then `Secure`.
async fn over_tls(req: &Req) -> bool {
    req.header("spin-full-url").is_some_and(|u| u.starts_with("https://")) || platform::config::public_base_is_https().await
}

fn client_address(req: &Req) -> String {
    let addr = req.header(platform::http::CLIENT_ADDR_HEADER).unwrap_or("");
    domain::identity::access::client_ip(Some(addr)).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".to_owned())
}

/// The client as the throttle knows it: its address and its known-device cookie.
fn client(req: &Req) -> Client {
    let device_token = req.header("cookie").and_then(|cookies| cookie_value(cookies, DEVICE_COOKIE));
    Client { address: client_address(req), device_token: device_token.map(str::to_owned) }
}

fn with_cookie(mut response: Response, cookie: &str) -> Reply {
    response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(cookie).map_err(internal)?);
    Ok(response)
}

fn no_content() -> Response {
    respond_with(204, &[("cache-control", "no-store")], "")
}

async fn signed_in_user(req: &Req, store: &Store) -> Result<(SignedIn, UserRecord), ApiError> {
    let signed_in = require_session(req).await?;
    let user = sign_in::session_user(store, &signed_in.session).await?;
    Ok((signed_in, user))
}

fn profile_json(profile: &Profile) -> serde_json::Value {
    let user = &profile.user;
    serde_json::json!({
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
        "recovery_codes_left": profile.recovery_codes_left,
        "default_account_id": user.default_account_id,
        "created_at": user.created_at,
    })
}

/// A started session as the client gets it: the session cookie, the CSRF token it sends
/// back on every state-changing request, and once fully signed in the profile and the
/// known-device cookie.
async fn session_started(req: &Req, started: StartedSession) -> Reply {
    let tls = over_tls(req).await;
    let body = serde_json::json!({
        "two_factor_required": started.two_factor_pending,
        "csrf_token": started.csrf_token,
        "user": started.profile.as_ref().map(profile_json),
    });
    let response = with_cookie(json(200, &body), &set_cookie(&started.token, tls))?;
    match &started.device_token {
        Some(device) => with_cookie(response, &set_device_cookie(device, tls)),
        None => Ok(response),
    }
}

// ---------------------------------------------------------------- signing in

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

/// Password first; with two-factor on, the session can only finish the second step
/// (throttled: platform::app::sign_in).
async fn login(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: Login = parse_body(&req)?;
    let email = Email::parse(&body.email)?;
    let started = sign_in::login(&store, &client(&req), &email, &body.password).await?;
    session_started(&req, started).await
}

/// The login's second step. A password change or reset since the first step ended the
/// half-signed-in session as it ends every other (401).
async fn login_second_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let token = platform::http::session_token(&req).ok_or_else(|| ApiError::unauthorized("sign in with your password first"))?;
    let session = platform::http::load_session(&req, &token).await?;
    let user = sign_in::awaiting_second_factor(&store, &token, &session).await?;
    let body: SecondFactor = parse_body(&req)?;
    let started = sign_in::second_step(&store, &client(&req), &token, &user, &body).await?;
    session_started(&req, started).await
}

/// Ends the session. A live session needs its CSRF token like any other change (a forged
/// cross-site request must not sign people out); one that has already ended just loses
/// its cookie.
async fn logout(req: Req) -> Reply {
    // Every portal request opens the store first (it answers 500 when the database is down).
    Store::open().await?;
    if let Some(token) = platform::http::session_token(&req) {
        match platform::http::load_session(&req, &token).await {
            Ok(_) => sign_in::sign_out(&token).await?,
            Err(e) if e.name == "CsrfTokenInvalid" => return Err(e),
            Err(_) => {}
        }
    }
    with_cookie(no_content(), &clear_cookie(over_tls(&req).await))
}

// ---------------------------------------------------------------- tokens by e-mail

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    email: String,
}

/// Always 202 with the same words, so the answer tells nobody who has a user.
async fn request_password_reset(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: ResetRequest = parse_body(&req)?;
    let email = Email::parse(&body.email)?;
    password::request_reset(&store, &email, &client_address(&req)).await?;
    Ok(json(202, &serde_json::json!({"message": "if the address belongs to a user, a link to choose a new password is on its way; it works once, for an hour"})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    token: String,
    password: String,
}

/// Sets the password from a reset link (platform::app::password::reset).
async fn reset_password(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: NewPassword = parse_body(&req)?;
    // Everything is checked before the token is used up.
    let password = Password::parse(&body.password)?;
    password::reset(&store, &body.token, &password).await?;
    Ok(no_content())
}

/// Accepts an invitation to one account (platform::app::invitations::accept); someone
/// who has a user accepts signed in, with the session's CSRF token.
async fn accept_invitation(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: Acceptance = parse_body(&req)?;
    let signed_in = async || match platform::http::session_token(&req) {
        Some(_) => require_session(&req).await.map(Some),
        None => Ok(None),
    };
    invitations::accept(&store, &body, signed_in).await?;
    Ok(no_content())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenOnly {
    token: String,
}

async fn confirm_email(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: TokenOnly = parse_body(&req)?;
    let email = email_address::confirm(&store, &body.token).await?;
    Ok(json(200, &serde_json::json!({"email": email, "email_confirmed": true})))
}

// ---------------------------------------------------------------- the profile

/// The profile, with the session's CSRF token: a page loaded in a new tab reads it here
/// (same-origin only: no CORS), so the token need not be kept in the browser's storage.
async fn me(req: Req) -> Reply {
    let store = Store::open().await?;
    let (signed_in, user) = signed_in_user(&req, &store).await?;
    let mut body = profile_json(&profile::profile(&store, &user).await?);
    body["csrf_token"] = signed_in.session.csrf_token.into();
    Ok(json(200, &body))
}

async fn update_me(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: ProfileChange = parse_body(&req)?;
    Ok(json(200, &profile_json(&profile::update(&store, &user, &body).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Ends every other session of the user; this one goes on under a new cookie.
async fn change_password(req: Req) -> Reply {
    let store = Store::open().await?;
    let (signed_in, user) = signed_in_user(&req, &store).await?;
    let body: PasswordChange = parse_body(&req)?;
    let new = Password::parse(&body.new_password)?;
    let started = password::change(&store, &client(&req), &signed_in.token, &user, &body.current_password, &new).await?;
    session_started(&req, started).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailChange {
    email: String,
    password: String,
}

/// The new address gets a confirmation link; the user keeps the old one until it is used.
async fn change_email(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: EmailChange = parse_body(&req)?;
    let email = Email::parse(&body.email)?;
    email_address::change(&store, &client(&req), &user, &email, &body.password).await?;
    Ok(json(202, &serde_json::json!({"message": "a confirmation link is on its way to the new address; your address changes when it is used", "pending_email": email.as_str()})))
}

/// Seed 000's blue button: another confirmation e-mail for the current address.
async fn resend_email_confirmation(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    email_address::resend_confirmation(&store, &user).await?;
    Ok(json(202, &serde_json::json!({"message": "a confirmation link is on its way"})))
}

/// A code by SMS to the profile's phone number (platform::app::phone_codes::send).
async fn send_phone_code(req: Req) -> Reply {
    let store = Store::open().await?;
    let (signed_in, user) = signed_in_user(&req, &store).await?;
    let sent = phone_codes::send(&store, &signed_in, &user).await?;
    Ok(json(202, &serde_json::json!({"sent_to": sent.phone, "message_id": sent.message_id, "expires_in_seconds": sent.expires_in_seconds})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeOnly {
    code: String,
}

async fn confirm_phone(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: CodeOnly = parse_body(&req)?;
    let phone = phone_codes::confirm(&store, &user, &body.code).await?;
    Ok(json(200, &serde_json::json!({"phone": phone, "phone_confirmed": true})))
}

// ---------------------------------------------------------------- two-factor

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordOnly {
    password: String,
}

/// A new secret, not yet on: it is turned on by the first code from it.
async fn begin_two_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: PasswordOnly = parse_body(&req)?;
    let new = two_factor::begin(&store, &client(&req), &user, &body.password).await?;
    Ok(json(201, &serde_json::json!({"secret": new.secret, "provisioning_uri": new.provisioning_uri, "enabled": false})))
}

async fn confirm_two_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: CodeOnly = parse_body(&req)?;
    let codes = two_factor::confirm(&store, &client(&req), &user, &body.code).await?;
    Ok(json(200, &serde_json::json!({"enabled": true, "recovery_codes": codes, "note": "each recovery code works once; they are shown only now"})))
}

async fn disable_two_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: SecondFactor = parse_body(&req)?;
    two_factor::disable(&store, &client(&req), &user, &body).await?;
    Ok(json(200, &serde_json::json!({"enabled": false})))
}

async fn new_recovery_codes(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: CodeOnly = parse_body(&req)?;
    let codes = two_factor::new_recovery_codes(&store, &client(&req), &user, &body.code).await?;
    Ok(json(200, &serde_json::json!({"recovery_codes": codes, "note": "the earlier codes no longer work"})))
}

// ---------------------------------------------------------------- accounts

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultAccount {
    account_id: String,
}

async fn set_default_account(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: DefaultAccount = parse_body(&req)?;
    if !store.identity().set_default_account(&user.id, body.account_id.trim()).await? {
        return Err(ApiError::not_found("no such account"));
    }
    Ok(json(200, &serde_json::json!({"default_account_id": body.account_id.trim()})))
}

/// `?q=&sort=id|name|type|balance|level&order=asc|desc&limit=&cursor=` (domain::accounts::account).
async fn accounts(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let q = query(&req);
    let get = |name: &str| q.get(name).map(String::as_str);
    let list = AccountListQuery::parse_for(AccountList::Member, get("q"), get("sort"), get("order"), get("limit"), get("cursor"))?;
    let (rows, total) = store.identity().accounts_of_user(&user.id, &list).await?;
    let accounts = list.page.page(rows, |a| list.position(a.sort_value.clone(), &a.id));
    Ok(json(200, &serde_json::json!({"accounts": accounts.items, "total": total, "next_cursor": accounts.next_cursor})))
}

/// The signed-in user's level on `account_id` (404 without access), at least `needed`.
async fn account_member(req: &Req, store: &Store, account_id: &str, needed: AccessLevel) -> Result<(SignedIn, AccessLevel), ApiError> {
    let signed_in = require_session(req).await?;
    let (_, level) = member_caller(store, &signed_in, Some(account_id)).await?;
    if level < needed {
        return Err(ApiError::access_level_too_low(format!("this needs the {} access level on the account; you have {}", needed.as_str(), level.as_str())));
    }
    Ok((signed_in, level))
}

/// An account admin as the actor, and the account id.
async fn account_admin(req: &Req, store: &Store, account_id: &str) -> Result<(Actor, String), ApiError> {
    let (signed_in, _) = account_member(req, store, account_id, AccessLevel::Admin).await?;
    Ok((Actor::User(signed_in.user_id), account_id.to_owned()))
}

async fn account_overview(req: Req) -> Reply {
    let store = Store::open().await?;
    overview(&req, &store, req.param("id")?).await
}

async fn overview(req: &Req, store: &Store, id: &str) -> Reply {
    let (signed_in, level) = account_member(req, store, id, AccessLevel::User).await?;
    let AccountOverview { account, is_default, members } = accounts::overview(store, &signed_in.user_id, id).await?;
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
            "is_default": is_default,
            "members": members,
        }),
    ))
}

/// Seed 000 "Edit Name/Note" and the account's type (Swedish or International).
async fn update_account(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    let body: AccountChange = parse_body(&req)?;
    accounts::update(&store, &id, &actor, &body).await?;
    overview(&req, &store, &id).await
}

async fn members(req: Req) -> Reply {
    let store = Store::open().await?;
    let id = req.param("id")?;
    account_member(&req, &store, id, AccessLevel::User).await?;
    Ok(json(200, &serde_json::json!({"members": store.identity().members(id).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMember {
    email: String,
    level: String,
    name: Option<String>,
    language: Option<String>,
}

/// Seed 000 "Give a user access", by e-mail with a level, as an invitation the person
/// accepts (platform::app::invitations::invite): 201, pending, whether or not the
/// address has a user.
async fn add_member(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    let body: NewMember = parse_body(&req)?;
    let email = Email::parse(&body.email)?;
    let invitation = Invitation { account_id: &id, email: email.as_str(), level: &body.level, name: body.name.as_deref(), language: body.language.as_deref() };
    let member = invitations::invite(&store, &invitation, &actor).await?;
    Ok(json(201, &member))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelChange {
    level: String,
}

async fn change_member(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    let user_id = req.param("user_id")?;
    // Someone without access to this account is 404 whatever the body.
    store.identity().membership(user_id, &id).await?.ok_or_else(|| ApiError::not_found("no such member"))?;
    let body: LevelChange = parse_body(&req)?;
    let level = AccessLevel::parse(&body.level).ok_or_else(|| ApiError::from(domain::identity::person::IdentityError::InvalidAccessLevel(body.level.clone())))?;
    let member = accounts::change_level(&store, &id, user_id, level, &actor).await?;
    Ok(json(200, &member))
}

async fn revoke_member(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    accounts::revoke(&store, &id, req.param("user_id")?, &actor).await?;
    Ok(no_content())
}

// ---------------------------------------------------------------- users

/// Seed 000 "Users": everyone on the accounts the signed-in user is admin of.
async fn users(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    Ok(json(200, &serde_json::json!({"users": store.identity().users_shared_with(&user.id, None).await?})))
}

async fn user_overview(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let found = store.identity().users_shared_with(&user.id, Some(req.param("id")?)).await?;
    let overview = found.into_iter().next().ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(json(200, &overview))
}
