//! White-label domains and customer self-signup (seed 003 "Domains"): what a domain's portal
//! shows (its brand, whether it takes signups, its areas), a signup (an account and its admin
//! user, confirmed by an e-mailed link on which they choose their password), and the
//! operator's approval of signups on domains that ask for it.

use super::throttle::ration;
use crate::db::DbError;
use crate::ids::{new_id, now_seconds, random_bytes};
use crate::http::internal;
use crate::store::{DomainSettings, SignupAccount, SignupDomainView, Store, Subject};
use domain::accounts::account::{account_name, AccountKind};
use domain::accounts::signup::{brand_name, new_account_credit_limit, Approval, ApprovalDecision, DomainHost, NewAccountStatus, PortalAreas};
use domain::api::error::{ApiError, ErrorName};
use domain::billing::money::Currency;
use domain::callbacks::webhook::WebhookSecret;
use domain::identity::access::Actor;
use domain::identity::language::Language;
use domain::identity::onetime::{EmailMessage, Purpose};
use domain::identity::person::{AccessLevel, Email, PersonName};
use domain::identity::session::{new_secret_token, token_digest};
use domain::identity::throttle::ThrottleKey;
use serde::{Deserialize, Serialize};

/// What the portal served on a host shows: its brand, whether it takes signups, its areas.
/// A host that is no domain is the operator's own portal: every area, no signup.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub brand_name: Option<String>,
    pub signup_enabled: bool,
    pub portal_areas: Vec<&'static str>,
}

pub async fn site(store: &Store, host: Option<&DomainHost>) -> Result<Site, ApiError> {
    let domain = match host {
        Some(host) => store.signup().domain(host.as_str()).await?,
        None => None,
    };
    Ok(match domain {
        Some(d) => Site { brand_name: Some(d.brand_name), signup_enabled: d.signup_enabled, portal_areas: d.portal_areas },
        None => Site { brand_name: None, signup_enabled: false, portal_areas: PortalAreas::all().names() },
    })
}

/// A domain as the operator writes it (POST creates, PUT replaces).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    pub brand_name: String,
    #[serde(default)]
    pub signup_enabled: bool,
    pub currency: String,
    #[serde(default)]
    pub credit_limit_minor: i64,
    /// `active` or `pending` (default: pending, the operator approves each).
    pub new_account_status: Option<String>,
    /// Absent: every area.
    pub portal_areas: Option<Vec<String>>,
}

/// The domain's settings, checked.
struct CheckedDomain {
    brand_name: String,
    signup_enabled: bool,
    currency: Currency,
    credit_limit_minor: i64,
    new_account_status: NewAccountStatus,
    portal_areas: PortalAreas,
}

fn check(body: &DomainBody) -> Result<CheckedDomain, ApiError> {
    Ok(CheckedDomain {
        brand_name: brand_name(&body.brand_name)?,
        signup_enabled: body.signup_enabled,
        currency: Currency::parse(&body.currency).map_err(|e| ApiError::malformed(e.to_string()))?,
        credit_limit_minor: new_account_credit_limit(body.credit_limit_minor)?,
        new_account_status: body.new_account_status.as_deref().map(NewAccountStatus::parse).transpose()?.unwrap_or(NewAccountStatus::Pending),
        portal_areas: match &body.portal_areas {
            Some(names) => PortalAreas::parse(names)?,
            None => PortalAreas::all(),
        },
    })
}

fn settings<'a>(checked: &'a CheckedDomain, areas: &'a str) -> DomainSettings<'a> {
    DomainSettings {
        brand_name: &checked.brand_name,
        signup_enabled: checked.signup_enabled,
        currency: checked.currency.code(),
        credit_limit_minor: checked.credit_limit_minor,
        new_account_status: checked.new_account_status.as_str(),
        portal_areas: areas,
    }
}

/// Adds a domain: 409 `DomainExists` when the host has one.
pub async fn create_domain(store: &Store, host: &str, body: &DomainBody, actor: &Actor) -> Result<SignupDomainView, ApiError> {
    let host = DomainHost::parse(host)?;
    let checked = check(body)?;
    let areas = checked.portal_areas.to_stored();
    let created = store
        .transaction(async || -> Result<bool, DbError> {
            let created = store.signup().create_domain(host.as_str(), &settings(&checked, &areas)).await?;
            if created {
                let after = store.signup().domain(host.as_str()).await?;
                store.staff().record(actor, "domain.created", host.as_str(), None, after.map(|d| json_of(&d))).await?;
            }
            Ok(created)
        })
        .await?;
    if !created {
        return Err(ApiError::named(409, ErrorName::DomainExists, format!("{} is a domain already; change it instead", host.as_str())));
    }
    domain(store, host.as_str()).await
}

/// Replaces a domain's settings: 404 for a host that is no domain.
pub async fn update_domain(store: &Store, host: &str, body: &DomainBody, actor: &Actor) -> Result<SignupDomainView, ApiError> {
    let host = DomainHost::parse(host)?;
    let checked = check(body)?;
    let areas = checked.portal_areas.to_stored();
    let updated = store
        .transaction(async || -> Result<bool, DbError> {
            let before = store.signup().domain(host.as_str()).await?;
            if !store.signup().update_domain(host.as_str(), &settings(&checked, &areas)).await? {
                return Ok(false);
            }
            let after = store.signup().domain(host.as_str()).await?;
            store.staff().record(actor, "domain.updated", host.as_str(), before.map(|d| json_of(&d)), after.map(|d| json_of(&d))).await?;
            Ok(true)
        })
        .await?;
    if !updated {
        return Err(ApiError::not_found("no such domain"));
    }
    domain(store, host.as_str()).await
}

pub async fn delete_domain(store: &Store, host: &str, actor: &Actor) -> Result<(), ApiError> {
    let host = DomainHost::parse(host)?;
    let deleted = store
        .transaction(async || -> Result<bool, DbError> {
            let before = store.signup().domain(host.as_str()).await?;
            if !store.signup().delete_domain(host.as_str()).await? {
                return Ok(false);
            }
            store.staff().record(actor, "domain.deleted", host.as_str(), before.map(|d| json_of(&d)), None).await?;
            Ok(true)
        })
        .await?;
    if !deleted {
        return Err(ApiError::not_found("no such domain"));
    }
    Ok(())
}

pub async fn domain(store: &Store, host: &str) -> Result<SignupDomainView, ApiError> {
    store.signup().domain(host).await?.ok_or_else(|| ApiError::not_found("no such domain"))
}

fn json_of(view: &SignupDomainView) -> String {
    serde_json::to_string(view).unwrap_or_default()
}

/// A signup as the form sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    /// The company (the account's name).
    pub company: String,
    /// The person signing up (the account's first admin).
    pub name: String,
    pub email: String,
    /// sv or en: the e-mails' language (default sv).
    pub language: Option<String>,
}

/// Where the request came from: the domain's host it was sent to, and the origin the
/// e-mailed link points at (the same host, as the browser reached it).
pub struct SignupPlace<'a> {
    pub host: Option<DomainHost>,
    pub origin: &'a str,
    pub client_address: &'a str,
}

/// A self-signup on a domain that takes them: an account (blocked, waiting for its e-mail)
/// with the person as its admin, and a link to choose a password, e-mailed. An address that
/// has a user gets a notice instead and nothing is made; the answer is the same either way,
/// so it tells nobody who has a user. Rationed per client address and per e-mail address.
/// 404 `SignupClosed` on a host that is no domain or takes no signups.
pub async fn sign_up(store: &Store, place: &SignupPlace<'_>, body: &SignupBody) -> Result<(), ApiError> {
    let closed = || ApiError::named(404, ErrorName::SignupClosed, "this site takes no signups");
    let host = place.host.as_ref().ok_or_else(closed)?;
    let domain = store.signup().domain(host.as_str()).await?.filter(|d| d.signup_enabled).ok_or_else(closed)?;
    let company = account_name(&body.company)?;
    let person = PersonName::parse(&body.name)?;
    let email = Email::parse(&body.email)?;
    let language = body.language.as_deref().map(Language::parse).transpose()?.unwrap_or(Language::Sv);
    ration(store, &ThrottleKey::for_signup(place.client_address, email.as_str())).await?;
    let origin = place.origin.trim_end_matches('/');
    if store.identity().user_by_email(email.as_str()).await?.is_some() {
        let message = EmailMessage::signup_existing_user(&email, &domain.brand_name, &format!("{origin}/login"), language);
        return Ok(crate::email::send(store, &message).await?);
    }
    let currency = Currency::parse(&domain.currency).map_err(internal)?;
    let kind = AccountKind::default_for(currency.code()).as_str();
    let account_id = new_id("acc");
    let user_id = new_id("usr");
    let secret = WebhookSecret::from_random_bytes(&random_bytes::<32>()).map_err(internal)?.to_string();
    let stored_secret = crate::app::callbacks::secret_at_rest(&account_id, &secret).await;
    let token = new_secret_token();
    let now = now_seconds();
    let account = SignupAccount { name: &company, kind, currency: currency.code(), credit_limit_minor: domain.credit_limit_minor, host: host.as_str() };
    let actor = Actor::User(user_id.clone());
    store
        .audit()
        .audited(&account_id, &actor, "account.signed_up", Subject::Account(&account_id), async |store| -> Result<(), DbError> {
            store.signup().create_account(&account_id, &account).await?;
            store.callbacks().rotate_webhook_secret(&account_id, &stored_secret).await?;
            store.identity().create_user_with_id(&user_id, email.as_str(), person.as_str(), language.code()).await?;
            store.identity().add_membership(&user_id, &account_id, AccessLevel::Admin, false).await?;
            store
                .identity()
                .issue_token(&token_digest(&token), Purpose::Invitation.as_str(), &user_id, Some(email.as_str()), Some(&account_id), now + Purpose::Invitation.lifetime_seconds(), now)
                .await
        })
        .await?;
    let link = format!("{origin}/invitation?token={token}");
    Ok(crate::email::send(store, &EmailMessage::signup_confirmation(&email, &domain.brand_name, &link, language)).await?)
}

/// After an invitation is accepted (the e-mail confirmed): a signup's account moves on to
/// what its domain says, approved (unblocked) or pending the operator. Nothing for any other
/// account.
pub async fn email_confirmed(store: &Store, account_id: &str, user_id: &str) -> Result<(), ApiError> {
    let Some((approval, host)) = store.signup().approval(account_id).await? else { return Ok(()) };
    if approval != Approval::AwaitingEmail {
        return Ok(());
    }
    // A domain removed since the signup leaves the decision to the operator.
    let status = match host {
        Some(host) => store.signup().domain(&host).await?.map(|d| NewAccountStatus::parse(&d.new_account_status)).transpose()?,
        None => None,
    }
    .unwrap_or(NewAccountStatus::Pending);
    let next = approval.after_email_confirmed(status);
    let action = if next.is_approved() { "account.approved" } else { "account.awaiting_approval" };
    store
        .audit()
        .audited(account_id, &Actor::User(user_id.to_owned()), action, Subject::Account(account_id), async |store| store.signup().set_approval(account_id, approval, next).await)
        .await?;
    Ok(())
}

/// An account may be unblocked only once approved (the database guards it too): a signup
/// that is not is approved instead (409 `ApprovalNotPossible`, saying so).
pub async fn may_unblock(store: &Store, account_id: &str) -> Result<(), ApiError> {
    match store.signup().approval(account_id).await? {
        Some((approval, _)) if !approval.is_approved() => Err(ApiError::named(
            409,
            ErrorName::ApprovalNotPossible,
            format!("the account's signup is {}: approve it instead of unblocking it", approval.as_str()),
        )),
        _ => Ok(()),
    }
}

/// The operator approves or rejects a signup (domain::accounts::signup::Approval::decide);
/// an approved account is unblocked and its admins are told by e-mail.
pub async fn decide(store: &Store, account_id: &str, decision: ApprovalDecision, actor: &Actor) -> Result<Approval, ApiError> {
    let (approval, _) = store.signup().approval(account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let next = approval.decide(decision)?;
    let action = if next.is_approved() { "account.approved" } else { "account.rejected" };
    let moved = store
        .audit()
        .audited(account_id, actor, action, Subject::Account(account_id), async |store| store.signup().set_approval(account_id, approval, next).await)
        .await?;
    if !moved {
        return Err(ApiError::conflict("the account's approval changed meanwhile; read it again"));
    }
    if next.is_approved() {
        tell_admins_approved(store, account_id).await?;
    }
    Ok(next)
}

async fn tell_admins_approved(store: &Store, account_id: &str) -> Result<(), ApiError> {
    let account = store.accounts().account(account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let login = super::link("/login").await;
    for member in store.identity().members(account_id).await? {
        if member.level != AccessLevel::Admin {
            continue;
        }
        let Some(user) = store.identity().user(&member.user_id).await? else { continue };
        let Ok(email) = Email::parse(&user.email) else { continue };
        let language = Language::parse(&user.language).unwrap_or(Language::Sv);
        crate::email::send(store, &EmailMessage::account_approved(&email, &account.name, &login, language)).await?;
    }
    Ok(())
}
