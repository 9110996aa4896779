//! The portal API (seed 000): signing in with a password and, when on, a TOTP code;
//! sessions in a cookie; the profile with password change and e-mail and phone
//! confirmation; password reset; the accounts a user may act on, their members
//! (invitations, access levels) and API keys; and the users an admin shares accounts with.
//!
//! Rules live in `domain` (identity, totp, session, throttle, onetime); SQL in
//! `platform::store`; this file parses requests and maps outcomes to responses.

use domain::access::Actor;
use domain::error::ErrorName;
use domain::account::{account_name, AccountKind, AccountList, AccountListQuery};
use domain::error::{ApiError, ErrorDetail};
use domain::identity::{dummy_verify, hash_password, verify_password, AccessLevel, Email, IdentityError, Password, PersonName};
use domain::language::Language;
use domain::onetime::{new_phone_code, phone_code_sms, EmailMessage, Purpose, PHONE_CODE_ATTEMPTS};
use domain::recipient::Recipient;
use domain::schedule::TimeZone;
use domain::session::{clear_cookie, cookie_value, new_secret_token, set_cookie, set_device_cookie, token_digest, KnownDevice, Session, DEVICE_COOKIE};
use domain::throttle::{admit, after_failure, retry_after, LoginClient, ThrottleKey};
use domain::totp::{generate_recovery_codes, hash_recovery_code, provisioning_uri, verify_code, TotpSecret};
use platform::axum::http::{header, HeaderValue};
use platform::http::{internal, json, member_caller, parse_body, query, require_session, respond_with, Reply, Req, Response, Routes, SignedIn};
use platform::ids::now_seconds;
use platform::people::{invite, Grant, Invitation};
use platform::store::{IssuedToken, MembershipChange, PhoneCodeCheck, ProfilePatch, Store, Subject, UserRecord};
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

// ---------------------------------------------------------------- small helpers

/// Served over TLS — reached over https, or the operator's public address is https (a
/// proxy in front terminates TLS, so the request itself arrives as http): cookies are
/// then `Secure`.
async fn over_tls(req: &Req) -> bool {
    req.header("spin-full-url").is_some_and(|u| u.starts_with("https://")) || platform::config::public_base_is_https().await
}

fn client_address(req: &Req) -> String {
    let addr = req.header(platform::http::CLIENT_ADDR_HEADER).unwrap_or("");
    domain::access::client_ip(Some(addr)).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".to_owned())
}

async fn link(path: &str) -> String {
    format!("{}{path}", platform::config::get_or("public_base_url", "http://127.0.0.1:3000").await.trim_end_matches('/'))
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
    let user = session_user(store, &signed_in.session).await?;
    Ok((signed_in, user))
}

/// The user of a session, signed in or half-way through two-factor: 401 once a password
/// change or reset has ended it (its epoch is not the user's).
async fn session_user(store: &Store, session: &Session) -> Result<UserRecord, ApiError> {
    let ended = || ApiError::unauthorized("the session has ended; sign in again");
    let user = store.user(&session.user_id).await?.ok_or_else(ended)?;
    if session.epoch != user.session_epoch {
        return Err(ended());
    }
    Ok(user)
}

fn language_of(user: &UserRecord) -> Language {
    Language::parse(&user.language).unwrap_or(Language::Sv)
}

fn email_of(user: &UserRecord) -> Result<Email, ApiError> {
    Email::parse(&user.email).map_err(internal)
}

fn actor(user_id: &str) -> Actor {
    Actor::User(user_id.to_owned())
}

/// 429 with `Retry-After`, for a throttled key.
fn throttled(wait: i64) -> Response {
    let seconds = wait.max(1) as u64;
    platform::http::error(&ApiError::too_many_attempts(format!("too many attempts; try again in {seconds} seconds")).with_retry_after(seconds))
}

/// How long the longest of the counted keys still has to wait, if any.
async fn wait_for(store: &Store, counted: &[(ThrottleKey, &str)]) -> Result<Option<i64>, ApiError> {
    let now = now_seconds();
    let mut wait = None;
    for (kind, subject) in counted {
        if let Some(state) = store.login_failures(&kind.key(subject)).await? {
            wait = wait.max(retry_after(*kind, &state, now));
        }
    }
    Ok(wait)
}

async fn count(store: &Store, counted: &[(ThrottleKey, &str)]) -> Result<(), ApiError> {
    let keys: Vec<String> = counted.iter().map(|(kind, subject)| kind.key(subject)).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    Ok(store.record_login_failure(&keys, now_seconds(), after_failure).await?)
}

async fn forget(store: &Store, (kind, subject): (ThrottleKey, &str)) -> Result<(), ApiError> {
    Ok(store.clear_login_failures(&kind.key(subject)).await?)
}

/// The token of the request's known-device cookie, if it carries one.
fn device_token(req: &Req) -> Option<&str> {
    cookie_value(req.header("cookie")?, DEVICE_COOKIE)
}

/// Who is checking a secret of `user` (or of whoever has the address `email`), for the
/// throttle: the holder of a known-device cookie that vouches for the user, or a client
/// known only by its address (domain::throttle).
async fn login_client(req: &Req, user: Option<&UserRecord>, email: &str) -> Result<LoginClient, ApiError> {
    if let (Some(user), Some(token)) = (user, device_token(req)) {
        let device = platform::session::load_device(token).await?;
        if device.is_some_and(|d| d.vouches_for(&user.id, user.session_epoch, now_seconds())) {
            return Ok(LoginClient::KnownDevice(token_digest(token)));
        }
    }
    Ok(LoginClient::Unknown { email: email.to_owned(), address: client_address(req) })
}

/// Every check of a user's secret (password, TOTP or recovery code) goes through here:
/// while the client must wait it is not made and the answer is `Some` 429 with
/// `Retry-After`; a failed check counts against the client and is `wrong`.
async fn throttled_check(store: &Store, client: &LoginClient, wrong: ApiError, check: impl AsyncFnOnce() -> Result<bool, ApiError>) -> Result<Option<Response>, ApiError> {
    let keys = client.keys();
    if let Some(wait) = wait_for(store, &keys).await? {
        return Ok(Some(throttled(wait)));
    }
    if !check().await? {
        count(store, &keys).await?;
        return Err(wrong);
    }
    Ok(None)
}

/// A second factor of a signed-in (or half-signed-in) user, checked under the throttle:
/// the login's second step and every change that needs a code.
async fn checked_second_factor(req: &Req, store: &Store, user: &UserRecord, factor: &SecondFactor, wrong: ApiError) -> Result<Option<Response>, ApiError> {
    let client = login_client(req, Some(user), &user.email).await?;
    throttled_check(store, &client, wrong, async || second_factor_ok(store, user, factor).await).await
}

/// Counts one more request against every key (domain::throttle::admit): the wait when one
/// of them must wait first, and then nothing is counted.
async fn ration(store: &Store, keys: &[(ThrottleKey, &str)]) -> Result<Option<i64>, ApiError> {
    Ok(store.ration(keys, now_seconds(), admit).await?.err())
}

async fn profile(store: &Store, user: &UserRecord) -> Result<serde_json::Value, ApiError> {
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
        "recovery_codes_left": if user.totp_enabled_at.is_some() { store.recovery_codes_left(&user.id).await? } else { 0 },
        "default_account_id": user.default_account_id,
        "created_at": user.created_at,
    }))
}

/// A new session for the user: the cookie and the CSRF token the client sends back on
/// every state-changing request. A full sign-in also makes the browser a known device of
/// the user (a new one, replacing the one it held).
async fn start_session(req: &Req, store: &Store, user: &UserRecord, two_factor_pending: bool) -> Reply {
    let now = now_seconds();
    let csrf = new_secret_token();
    let session = Session::new(&user.id, &csrf, now, two_factor_pending).in_epoch(user.session_epoch);
    let token = platform::session::create(&session).await?;
    let body = serde_json::json!({
        "two_factor_required": two_factor_pending,
        "csrf_token": csrf,
        "user": if two_factor_pending { serde_json::Value::Null } else { profile(store, user).await? },
    });
    let response = with_cookie(json(200, &body), &set_cookie(&token, over_tls(req).await))?;
    if two_factor_pending {
        return Ok(response);
    }
    if let Some(old) = device_token(req) {
        platform::session::delete_device(old).await?;
    }
    let device = platform::session::create_device(&KnownDevice::new(&user.id, user.session_epoch, now)).await?;
    with_cookie(response, &set_device_cookie(&device, over_tls(req).await))
}

async fn login_alert(req: &Req, store: &Store, user: &UserRecord) -> Result<(), ApiError> {
    if !user.login_alerts {
        return Ok(());
    }
    let email = email_of(user)?;
    let at = chrono_now();
    let message = EmailMessage::login_alert(&email, &email, &client_address(req), &at, language_of(user));
    Ok(platform::email::send(store, &message).await?)
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
/// Failures make the next attempt wait (domain::throttle: capped at 15 minutes, forgotten
/// after a day), counted per client: a browser the user has signed in on before by its
/// own failures, anyone else per e-mail address and client address. So guessing is slow,
/// and a stranger's failures never keep the owner out of their own browser.
async fn login(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: Login = parse_body(&req)?;
    let email = Email::parse(&body.email)?;
    let user = store.user_by_email(email.as_str()).await?;
    let client = login_client(&req, user.as_ref(), email.as_str()).await?;
    let invalid = ApiError::named(401, ErrorName::InvalidCredentials, "the e-mail address or the password is wrong");
    let check = async || {
        Ok(match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(hash) => verify_password(&body.password, hash),
            None => {
                // The same work as a real check, so timing does not tell who has a user.
                dummy_verify(&body.password);
                false
            }
        })
    };
    if let Some(throttled) = throttled_check(&store, &client, invalid, check).await? {
        return Ok(throttled);
    }
    let user = user.ok_or_else(|| internal("a password was accepted without a user"))?;
    let two_factor = user.totp_enabled_at.is_some();
    if !two_factor {
        forget(&store, client.forgotten_on_success()).await?;
        login_alert(&req, &store, &user).await?;
    }
    start_session(&req, &store, &user, two_factor).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecondFactor {
    code: Option<String>,
    recovery_code: Option<String>,
}

/// Checks a TOTP code (each time step once) or spends a recovery code.
async fn second_factor_ok(store: &Store, user: &UserRecord, factor: &SecondFactor) -> Result<bool, ApiError> {
    match (&factor.code, &factor.recovery_code) {
        (Some(code), None) => {
            let Some(secret) = user.totp_secret.as_deref().and_then(TotpSecret::from_base32) else { return Ok(false) };
            match verify_code(&secret, code, now_seconds() as u64, None) {
                Some(step) => Ok(store.use_totp_step(&user.id, step).await?),
                None => Ok(false),
            }
        }
        (None, Some(code)) => Ok(store.use_recovery_code(&user.id, &hash_recovery_code(code)).await?),
        _ => Err(ApiError::malformed("give either code (from the authenticator app) or recovery_code")),
    }
}

/// The login's second step. A password change or reset since the first step ended the
/// half-signed-in session as it ends every other (401).
async fn login_second_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let token = platform::http::session_token(&req).ok_or_else(|| ApiError::unauthorized("sign in with your password first"))?;
    let session = platform::http::load_session(&req, &token).await?;
    if !session.two_factor_pending {
        return Err(ApiError::named(409, ErrorName::AlreadySignedIn, "this session is already signed in"));
    }
    let user = match session_user(&store, &session).await {
        Ok(user) => user,
        Err(ended) => {
            platform::session::delete(&token).await?;
            return Err(ended);
        }
    };
    let body: SecondFactor = parse_body(&req)?;
    let wrong = ApiError::named(401, ErrorName::InvalidCode, "the code is wrong or was used already");
    if let Some(throttled) = checked_second_factor(&req, &store, &user, &body, wrong).await? {
        return Ok(throttled);
    }
    // A new token for the signed-in session: the half-signed-in one is never promoted.
    platform::session::delete(&token).await?;
    let client = login_client(&req, Some(&user), &user.email).await?;
    forget(&store, client.forgotten_on_success()).await?;
    login_alert(&req, &store, &user).await?;
    start_session(&req, &store, &user, false).await
}

/// Ends the session. A live session needs its CSRF token like any other change (a forged
/// cross-site request must not sign people out); one that has already ended just loses
/// its cookie.
async fn logout(req: Req) -> Reply {
    // Every portal request opens the store first (it answers 500 when the database is down).
    Store::open().await?;
    if let Some(token) = platform::http::session_token(&req) {
        match platform::http::load_session(&req, &token).await {
            Ok(_) => platform::session::delete(&token).await?,
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
    let address = client_address(&req);
    let counted = ThrottleKey::for_reset(email.as_str(), &address);
    if let Some(wait) = wait_for(&store, &counted).await? {
        return Ok(throttled(wait));
    }
    count(&store, &counted).await?;
    if let Some(user) = store.user_by_email(email.as_str()).await? {
        let token = new_secret_token();
        let now = now_seconds();
        store
            .issue_token(&token_digest(&token), Purpose::PasswordReset.as_str(), &user.id, Some(email.as_str()), None, now + Purpose::PasswordReset.lifetime_seconds(), now)
            .await?;
        let message = EmailMessage::password_reset(&email, &link(&format!("/reset?token={token}")).await, language_of(&user));
        platform::email::send(&store, &message).await?;
    }
    Ok(json(202, &serde_json::json!({"message": "if the address belongs to a user, a link to choose a new password is on its way; it works once, for an hour"})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    token: String,
    password: String,
}

fn invalid_token() -> ApiError {
    ApiError::named(410, ErrorName::InvalidToken, "the link is unknown, used or expired; ask for a new one")
}

/// Sets the password from a reset link. Every session of the user ends; the link is
/// used up; the address counts as confirmed (the link reached it).
async fn reset_password(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: NewPassword = parse_body(&req)?;
    // Everything is checked before the token is used up.
    let password = Password::parse(&body.password)?;
    let hash = hash_password(&password);
    let IssuedToken { user_id, email, .. } =
        store.consume_token(&token_digest(&body.token), Purpose::PasswordReset.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    store
        .audited_user(&user_id, &actor(&user_id), "user.password_reset", async |store| {
            store.set_password(&user_id, &hash).await?;
            match &email {
                Some(email) => store.confirm_email(&user_id, email).await.map(|_| ()),
                None => Ok(()),
            }
        })
        .await?;
    let user = store.user(&user_id).await?.ok_or_else(invalid_token)?;
    // The link reached the owner: a new browser need not wait out a stranger's failures.
    forget(&store, (ThrottleKey::Account, &user.email)).await?;
    platform::email::send(&store, &EmailMessage::password_changed(&email_of(&user)?, language_of(&user))).await?;
    Ok(no_content())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Acceptance {
    token: String,
    /// Someone with no password yet chooses one here...
    password: Option<String>,
    /// ...and gives or corrects their name.
    name: Option<String>,
}

/// Accepts an invitation to one account. Someone with no password yet chooses one (and
/// gives or corrects their name): the link proves the address, and they are in. Someone
/// who has a user accepts signed in as themselves (and with the session's CSRF token): a
/// link alone never puts a user into an account. Everything is checked before the token
/// is used up.
async fn accept_invitation(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: Acceptance = parse_body(&req)?;
    let digest = token_digest(&body.token);
    let issued = store.live_token(&digest, Purpose::Invitation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    let invitee = store.user(&issued.user_id).await?.ok_or_else(invalid_token)?;
    if invitee.password_hash.is_some() {
        return accept_signed_in(&req, &store, &body, &digest, &issued, &invitee).await;
    }
    let password = body.password.as_deref().ok_or_else(|| ApiError::malformed("choose a password (password) to accept"))?;
    let password = Password::parse(password)?;
    let name = match body.name.as_deref().map(PersonName::parse).transpose()? {
        None if invitee.name.is_empty() => return Err(IdentityError::InvalidName("give your name (the invitation came without one)").into()),
        name => name,
    };
    let hash = hash_password(&password);
    let issued = store.consume_token(&digest, Purpose::Invitation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    let user_id = invitee.id.as_str();
    store
        .audited_user(user_id, &actor(user_id), "user.invitation_accepted", async |store| {
            store.set_password(user_id, &hash).await?;
            if let Some(name) = &name {
                store.update_profile(user_id, &ProfilePatch { name: Some(name.as_str()), ..Default::default() }).await?;
            }
            if let Some(email) = &issued.email {
                store.confirm_email(user_id, email).await?;
            }
            match &issued.account_id {
                Some(account_id) => accept_membership(store, account_id, user_id).await.map(|_| ()),
                None => Ok(()),
            }
        })
        .await?;
    forget(&store, (ThrottleKey::Account, &invitee.email)).await?;
    Ok(no_content())
}

/// Someone who has a user accepts, signed in as themselves.
async fn accept_signed_in(req: &Req, store: &Store, body: &Acceptance, digest: &str, issued: &IssuedToken, invitee: &UserRecord) -> Reply {
    if platform::http::session_token(req).is_none() {
        return Err(ApiError::named(401, ErrorName::SignInToAccept, "you have a user already: sign in, then open the invitation's link again to accept it"));
    }
    let (_, user) = signed_in_user(req, store).await?;
    if user.id != invitee.id {
        return Err(ApiError::named(403, ErrorName::NotYourInvitation, "this invitation is for another user; sign in as them to accept it"));
    }
    if body.password.is_some() || body.name.is_some() {
        return Err(ApiError::malformed("you have a user already: accept with the token alone"));
    }
    // An invitation from before accounts were named in tokens gave access already.
    let account_id = issued.account_id.as_deref().ok_or_else(invalid_token)?;
    store.consume_token(digest, Purpose::Invitation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    if !accept_membership(store, account_id, &user.id).await? {
        return Err(invalid_token());
    }
    Ok(no_content())
}

/// The membership accepted, in the account's history (`member.accepted`); `false` when the
/// invitation was withdrawn meanwhile.
async fn accept_membership(store: &Store, account_id: &str, user_id: &str) -> Result<bool, platform::db::DbError> {
    store
        .audited(account_id, &actor(user_id), "member.accepted", Subject::Member(account_id, user_id), async |store| {
            store.accept_membership(user_id, account_id).await
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenOnly {
    token: String,
}

async fn confirm_email(req: Req) -> Reply {
    let store = Store::open().await?;
    let body: TokenOnly = parse_body(&req)?;
    let IssuedToken { user_id, email, .. } =
        store.consume_token(&token_digest(&body.token), Purpose::EmailConfirmation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    let email = email.ok_or_else(invalid_token)?;
    let moved = store
        .audited_user(&user_id, &actor(&user_id), "user.email_confirmed", async |store| store.confirm_email(&user_id, &email).await)
        .await?;
    if !moved {
        return Err(ApiError::named(409, ErrorName::EmailTaken, "another user has this address now"));
    }
    Ok(json(200, &serde_json::json!({"email": email, "email_confirmed": true})))
}

/// Sends a confirmation link to `email` (the user's address, or the one they move to).
async fn send_email_confirmation(store: &Store, user: &UserRecord, email: &Email) -> Result<(), ApiError> {
    let token = new_secret_token();
    let now = now_seconds();
    store
        .issue_token(&token_digest(&token), Purpose::EmailConfirmation.as_str(), &user.id, Some(email.as_str()), None, now + Purpose::EmailConfirmation.lifetime_seconds(), now)
        .await?;
    let message = EmailMessage::email_confirmation(email, &link(&format!("/confirm-email?token={token}")).await, language_of(user));
    Ok(platform::email::send(store, &message).await?)
}

// ---------------------------------------------------------------- the profile

/// The profile, with the session's CSRF token: a page loaded in a new tab reads it here
/// (same-origin only: no CORS), so the token need not be kept in the browser's storage.
async fn me(req: Req) -> Reply {
    let store = Store::open().await?;
    let (signed_in, user) = signed_in_user(&req, &store).await?;
    let mut body = profile(&store, &user).await?;
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
async fn update_me(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: ProfileChange = parse_body(&req)?;
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
        language: language.map(Language::code),
        time_zone: body.time_zone.as_deref().map(str::trim),
        login_alerts: body.login_alerts,
    };
    store.audited_user(&user.id, &actor(&user.id), "user.updated", async |store| store.update_profile(&user.id, &patch).await).await?;
    let user = store.user(&user.id).await?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    Ok(json(200, &profile(&store, &user).await?))
}

/// The current password, checked under the same throttle as a login (a stolen session
/// must not become a way to guess it).
async fn check_current_password(req: &Req, store: &Store, user: &UserRecord, candidate: &str) -> Result<Option<Response>, ApiError> {
    let client = login_client(req, Some(user), &user.email).await?;
    let wrong = ApiError::named(403, ErrorName::WrongPassword, "the current password is wrong");
    throttled_check(store, &client, wrong, async || Ok(user.password_hash.as_deref().is_some_and(|hash| verify_password(candidate, hash)))).await
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
    let password = Password::parse(&body.new_password)?;
    if let Some(throttled) = check_current_password(&req, &store, &user, &body.current_password).await? {
        return Ok(throttled);
    }
    let hash = hash_password(&password);
    store.audited_user(&user.id, &actor(&user.id), "user.password_changed", async |store| store.set_password(&user.id, &hash).await).await?;
    platform::session::delete(&signed_in.token).await?;
    platform::email::send(&store, &EmailMessage::password_changed(&email_of(&user)?, language_of(&user))).await?;
    // This browser goes on, in the new epoch.
    let user = store.user(&user.id).await?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    start_session(&req, &store, &user, false).await
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
    if let Some(throttled) = check_current_password(&req, &store, &user, &body.password).await? {
        return Ok(throttled);
    }
    if email.as_str() == user.email {
        return Err(ApiError::named(409, ErrorName::SameEmail, "that is your address already"));
    }
    // The same answer whether or not another user has the address (it must not tell who
    // has a user); a taken address gets no link, and a link can never take an address
    // from its user (confirming answers 409 EmailTaken to whoever holds the link).
    if store.user_by_email(email.as_str()).await?.is_none() {
        send_email_confirmation(&store, &user, &email).await?;
    }
    Ok(json(202, &serde_json::json!({"message": "a confirmation link is on its way to the new address; your address changes when it is used", "pending_email": email.as_str()})))
}

/// Seed 000's blue button: another confirmation e-mail for the current address.
async fn resend_email_confirmation(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    if user.email_confirmed_at.is_some() {
        return Err(ApiError::named(409, ErrorName::AlreadyConfirmed, "the address is confirmed already"));
    }
    send_email_confirmation(&store, &user, &email_of(&user)?).await?;
    Ok(json(202, &serde_json::json!({"message": "a confirmation link is on its way"})))
}

/// The code goes out through the platform's own send path from the user's default
/// account (priced and logged like any SMS of that account), and like any of its SMS never
/// to a number on that account's blocklist (400 RecipientRejected, nothing sent). The
/// platform's sender is not a free SMS gun: codes are rationed per user, per number and per
/// paying account (domain::throttle; 429 with Retry-After), and every one sent is in the
/// operator's log (GET /v1/admin/phone-codes).
async fn send_phone_code(req: Req) -> Reply {
    let store = Store::open().await?;
    let (signed_in, user) = signed_in_user(&req, &store).await?;
    let phone = user.phone.clone().ok_or_else(|| ApiError::named(409, ErrorName::NoPhone, "add a phone number to your profile first"))?;
    if user.phone_confirmed_at.is_some() {
        return Err(ApiError::named(409, ErrorName::AlreadyConfirmed, "the phone number is confirmed already"));
    }
    let (caller, _) = member_caller(&store, &signed_in, None).await?;
    // A blocked account cannot send, whatever the path (as `authenticate` refuses it).
    if caller.blocked {
        return Err(ApiError::forbidden("your default account is blocked; contact support"));
    }
    if let Some(wait) = ration(&store, &ThrottleKey::for_phone_code(&user.id, &phone, &caller.account_id)).await? {
        return Ok(throttled(wait));
    }
    let code = new_phone_code();
    let sender = platform::config::get_or("platform_sender", "smsedge").await;
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
        ignore_blocklist: false,
    };
    let sent = platform::messages::send_and_deliver(&store, &caller, &request).await?;
    let message_id = sent.messages.first().and_then(|m| m.id.clone()).ok_or_else(|| internal("the code's SMS was not stored"))?;
    let expires_at = now_seconds() + Purpose::PhoneConfirmation.lifetime_seconds();
    store.record_phone_code(&user.id, &phone, &phone_code_digest(&user.id, &code), expires_at, &message_id).await?;
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

async fn confirm_phone(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: CodeOnly = parse_body(&req)?;
    let check = store
        .audited_user(&user.id, &actor(&user.id), "user.phone_confirmed", async |store| {
            store.check_phone_code(&user.id, &phone_code_digest(&user.id, &body.code), now_seconds(), PHONE_CODE_ATTEMPTS as i64).await
        })
        .await?;
    match check {
        PhoneCodeCheck::Confirmed(phone) => Ok(json(200, &serde_json::json!({"phone": phone, "phone_confirmed": true}))),
        PhoneCodeCheck::Wrong { attempts_left } => Err(ApiError::rejected(ErrorName::InvalidCode, format!("the code is wrong; {attempts_left} tries left"))),
        PhoneCodeCheck::NoCode => Err(ApiError::named(409, ErrorName::NoCodePending, "no code is waiting (none sent, expired or tried too often); ask for a new one")),
    }
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
    if user.totp_enabled_at.is_some() {
        return Err(ApiError::named(409, ErrorName::TwoFactorEnabled, "two-factor authentication is on already; turn it off first"));
    }
    if let Some(throttled) = check_current_password(&req, &store, &user, &body.password).await? {
        return Ok(throttled);
    }
    let secret = TotpSecret::generate();
    store.begin_totp(&user.id, &secret.to_base32()).await?;
    let issuer = platform::config::get_or("totp_issuer", "smsedge").await;
    Ok(json(
        201,
        &serde_json::json!({"secret": secret.to_base32(), "provisioning_uri": provisioning_uri(&secret, &issuer, &user.email), "enabled": false}),
    ))
}

async fn confirm_two_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: CodeOnly = parse_body(&req)?;
    if user.totp_enabled_at.is_some() {
        return Err(ApiError::named(409, ErrorName::TwoFactorEnabled, "two-factor authentication is on already"));
    }
    if user.totp_secret.is_none() {
        return Err(ApiError::named(409, ErrorName::TwoFactorNotBegun, "begin with POST /v1/me/2fa"));
    }
    let wrong = ApiError::rejected(ErrorName::InvalidCode, "the code is wrong; check the authenticator app's clock");
    if let Some(throttled) = checked_second_factor(&req, &store, &user, &SecondFactor { code: Some(body.code), recovery_code: None }, wrong).await? {
        return Ok(throttled);
    }
    let codes = generate_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
    store.audited_user(&user.id, &actor(&user.id), "user.two_factor_enabled", async |store| store.enable_totp(&user.id, &digests).await).await?;
    Ok(json(200, &serde_json::json!({"enabled": true, "recovery_codes": codes, "note": "each recovery code works once; they are shown only now"})))
}

async fn disable_two_factor(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: SecondFactor = parse_body(&req)?;
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(409, ErrorName::TwoFactorDisabled, "two-factor authentication is off"));
    }
    let wrong = ApiError::rejected(ErrorName::InvalidCode, "the code is wrong or was used already");
    if let Some(throttled) = checked_second_factor(&req, &store, &user, &body, wrong).await? {
        return Ok(throttled);
    }
    store.audited_user(&user.id, &actor(&user.id), "user.two_factor_disabled", async |store| store.disable_totp(&user.id).await).await?;
    Ok(json(200, &serde_json::json!({"enabled": false})))
}

async fn new_recovery_codes(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let body: CodeOnly = parse_body(&req)?;
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(409, ErrorName::TwoFactorDisabled, "two-factor authentication is off"));
    }
    let wrong = ApiError::rejected(ErrorName::InvalidCode, "the code is wrong or was used already");
    if let Some(throttled) = checked_second_factor(&req, &store, &user, &SecondFactor { code: Some(body.code), recovery_code: None }, wrong).await? {
        return Ok(throttled);
    }
    let codes = generate_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
    store.replace_recovery_codes(&user.id, &digests).await?;
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
    if !store.set_default_account(&user.id, body.account_id.trim()).await? {
        return Err(ApiError::not_found("no such account"));
    }
    Ok(json(200, &serde_json::json!({"default_account_id": body.account_id.trim()})))
}

/// `?q=&sort=id|name|type|balance|level&order=asc|desc&limit=&offset=` (domain::account).
async fn accounts(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let q = query(&req);
    let get = |name: &str| q.get(name).map(String::as_str);
    let list = AccountListQuery::parse_for(AccountList::Member, get("q"), get("sort"), get("order"), get("limit"), get("offset"))?;
    let (accounts, total) = store.accounts_of_user(&user.id, &list).await?;
    Ok(json(200, &serde_json::json!({"accounts": accounts, "total": total, "limit": list.limit, "offset": list.offset})))
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

/// An account admin's actor name and the account id.
async fn account_admin(req: &Req, store: &Store, account_id: &str) -> Result<(Actor, String), ApiError> {
    let (signed_in, _) = account_member(req, store, account_id, AccessLevel::Admin).await?;
    Ok((actor(&signed_in.user_id), account_id.to_owned()))
}

async fn account_overview(req: Req) -> Reply {
    let store = Store::open().await?;
    overview(&req, &store, req.param("id")?).await
}

async fn overview(req: &Req, store: &Store, id: &str) -> Reply {
    let (signed_in, level) = account_member(req, store, id, AccessLevel::User).await?;
    let account = store.account(id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let user = store.user(&signed_in.user_id).await?;
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
            "is_default": user.and_then(|u| u.default_account_id).as_deref() == Some(id),
            "members": store.members(id).await?,
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
async fn update_account(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    let body: AccountChange = parse_body(&req)?;
    let name = body.name.as_deref().map(account_name).transpose()?;
    let kind = body.kind.as_deref().map(AccountKind::parse).transpose()?.map(AccountKind::as_str);
    if name.is_none() && kind.is_none() {
        return Err(ApiError::malformed("give name or kind to change"));
    }
    store
        .audited(&id, &actor, "account.updated", Subject::Account(&id), async |store| store.rename_account(&id, name.as_deref(), kind).await)
        .await?;
    overview(&req, &store, &id).await
}

async fn members(req: Req) -> Reply {
    let store = Store::open().await?;
    let id = req.param("id")?;
    account_member(&req, &store, id, AccessLevel::User).await?;
    Ok(json(200, &serde_json::json!({"members": store.members(id).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMember {
    email: String,
    level: String,
    name: Option<String>,
    language: Option<String>,
}

/// Seed 000 "Give a user access", by e-mail with a level, as an invitation: the person
/// has access once they accept it (platform::people::Grant::Invitation). The answer is the
/// same whether or not the address has a user (201, pending, no name); invitations are
/// rationed per account and per address (429 with Retry-After).
async fn add_member(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    let body: NewMember = parse_body(&req)?;
    let email = Email::parse(&body.email)?;
    if let Some(wait) = ration(&store, &ThrottleKey::for_invitation(&id, email.as_str())).await? {
        return Ok(throttled(wait));
    }
    let inviter = match actor.user_id() {
        Some(user_id) => store.user(user_id).await?.map(|u| u.name).unwrap_or_default(),
        None => String::new(),
    };
    let member = invite(
        &store,
        &Invitation { account_id: &id, email: email.as_str(), level: &body.level, name: body.name.as_deref(), language: body.language.as_deref() },
        Grant::Invitation,
        &actor,
        &inviter,
    )
    .await?;
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
    store.membership(user_id, &id).await?.ok_or_else(|| ApiError::not_found("no such member"))?;
    let body: LevelChange = parse_body(&req)?;
    let level = AccessLevel::parse(&body.level).ok_or_else(|| ApiError::from(domain::identity::IdentityError::InvalidAccessLevel(body.level.clone())))?;
    membership_change(&store, &id, user_id, Some(level), &actor, "member.level_changed").await?;
    let member = store.members(&id).await?.into_iter().find(|m| m.user_id == user_id).ok_or_else(|| ApiError::not_found("no such member"))?;
    Ok(json(200, &member))
}

async fn revoke_member(req: Req) -> Reply {
    let store = Store::open().await?;
    let (actor, id) = account_admin(&req, &store, req.param("id")?).await?;
    membership_change(&store, &id, req.param("user_id")?, None, &actor, "member.revoked").await?;
    Ok(no_content())
}

async fn membership_change(store: &Store, account_id: &str, user_id: &str, level: Option<AccessLevel>, actor: &Actor, action: &str) -> Result<(), ApiError> {
    let change = store
        .audited(account_id, actor, action, Subject::Member(account_id, user_id), async |store| store.change_membership(account_id, user_id, level).await)
        .await?;
    match change {
        MembershipChange::Done => Ok(()),
        MembershipChange::NotFound => Err(ApiError::not_found("no such member")),
        MembershipChange::LastAdmin => Err(ApiError::named(409, ErrorName::LastAdmin, "the account needs at least one admin; make someone else admin first")),
    }
}

// ---------------------------------------------------------------- users

/// Seed 000 "Users": everyone on the accounts the signed-in user is admin of.
async fn users(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    Ok(json(200, &serde_json::json!({"users": store.users_shared_with(&user.id, None).await?})))
}

async fn user_overview(req: Req) -> Reply {
    let store = Store::open().await?;
    let (_, user) = signed_in_user(&req, &store).await?;
    let found = store.users_shared_with(&user.id, Some(req.param("id")?)).await?;
    let overview = found.into_iter().next().ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(json(200, &overview))
}
