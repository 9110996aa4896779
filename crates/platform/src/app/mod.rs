//! The application layer: the workflows a request sets off. Each is an async function
//! that takes what the component parsed (typed values, never the request), the `Store`
//! and who acts, and answers a typed result or an `ApiError`; the component routes,
//! parses, calls one of them and makes the response (status, JSON, cookies).
//!
//! The portal's: `sign_in` (the password, the second step, sessions, sign-out),
//! `two_factor`, `password` (reset and change), `email_address` (change and
//! confirmation), `phone_codes`, `invitations` (inviting and accepting), `profile` and
//! `accounts` (an account's overview, name and members), all under `throttle`. The job
//! runner's: `jobs` (its rounds) and `callbacks` (customer callback delivery and its
//! signing secret); and `settings` (an account's settings).
//!
//! Messaging: `send` (a send request from start to finish, the one send path),
//! `delivery` (the durable queue to the carrier), `inbound` (an inbound SMS from arrival to
//! done). Access and billing: `people` (giving people access to an account), `invoices`
//! (issuing them, on demand and by the job runner), `topups` (money in by card: Stripe
//! Checkout and its webhook's events). The operator's: `operator` (opening an account,
//! renting a reception number), `carriers` (carrier connections, their cost prices,
//! the routing tables, the margin report), `reports` (traffic and money over days), `staff` (who calls the operator API: the token
//! or a staff member in permission groups; staff and groups; history in words).

pub mod accounts;
pub mod callbacks;
pub mod carriers;
pub mod delivery;
pub mod email_address;
pub mod inbound;
pub mod invitations;
pub mod invoices;
pub mod numbers;
pub mod jobs;
pub mod operator;
pub mod password;
pub mod people;
pub mod phone_codes;
pub mod profile;
pub mod reports;
pub mod reseller;
pub mod rules;
pub mod send;
pub mod settings;
pub mod sign_in;
pub mod signup;
pub mod staff;
pub mod throttle;
pub mod topups;
pub mod two_factor;

use crate::http::internal;
use crate::ids::now_seconds;
use crate::store::{Store, UserRecord};
use domain::identity::access::Actor;
use domain::api::error::{ApiError, ErrorName};
use domain::identity::person::Email;
use domain::identity::language::Language;
use domain::identity::onetime::Purpose;
use domain::identity::session::{new_secret_token, token_digest};

/// The client behind a request, as far as the throttle and login alerts know it.
#[derive(Debug, Clone)]
pub struct Client {
    /// Its IP address as the host saw it (`unknown` when the host gave none).
    pub address: String,
    /// The token of its known-device cookie, if it sent one.
    pub device_token: Option<String>,
}

/// The language a user's e-mails and SMS are written in.
fn language_of(user: &UserRecord) -> Language {
    Language::parse(&user.language).unwrap_or(Language::Sv)
}

fn email_of(user: &UserRecord) -> Result<Email, ApiError> {
    Email::parse(&user.email).map_err(internal)
}

/// A user acting on their own behalf, for the history.
fn actor(user_id: &str) -> Actor {
    Actor::User(user_id.to_owned())
}

/// A link into the portal at the operator's public address (e-mailed links).
async fn link(path: &str) -> String {
    format!("{}{path}", crate::config::get_or("public_base_url", "http://127.0.0.1:3000").await.trim_end_matches('/'))
}

/// A new single-use token for `purpose`, issued to the user for the address `email`
/// (only its digest is stored): the link to `path` that carries it, for an e-mail.
async fn single_use_link(store: &Store, purpose: Purpose, user_id: &str, email: &Email, path: &str) -> Result<String, ApiError> {
    let token = new_secret_token();
    let now = now_seconds();
    store.identity().issue_token(&token_digest(&token), purpose.as_str(), user_id, Some(email.as_str()), None, now + purpose.lifetime_seconds(), now).await?;
    Ok(link(&format!("{path}?token={token}")).await)
}

/// 410 for a single-use link that does not work (any more): one answer for unknown, used
/// and expired, so it tells nothing about which.
fn invalid_token() -> ApiError {
    ApiError::named(410, ErrorName::InvalidToken, "the link is unknown, used or expired; ask for a new one")
}
