//! The operator's staff (issue 18): who calls the operator API (the bearer `admin_token`,
//! or a staff member signed in with the portal's sign-in, two-factor on), staff members and
//! permission groups with their history, and an account's history in words for the console.
//!
//! The rules (areas, deny over allow, no lock-out) are domain::identity::staff's; the SQL
//! store::staff's. Signing in, sessions, CSRF, two-factor and throttling are the portal's
//! (sign_in, two_factor, crate::http); nothing here does them again.

use super::sign_in::session_user;
use crate::http::SignedIn;
use crate::ids::new_id;
use crate::store::{NewStaff, StaffChange, StaffGroupView, StaffView, StaffWriteError, Store};
use domain::accounts::history::{describe, RecordedChange};
use domain::api::error::{ApiError, ErrorDetail, ErrorName};
use domain::api::paging::PageRequest;
use domain::billing::money::Currency;
use domain::identity::access::Actor;
use domain::identity::person::{hash_password, Email, Password, PersonName};
use domain::identity::staff::{initial_password, keeps_staff_area, Area, Areas, GroupName, GroupPermissions, StaffError};
use domain::identity::totp::{generate_recovery_codes, hash_recovery_code, provisioning_uri, TotpSecret};
use serde::Serialize;
use std::collections::BTreeMap;

/// Who calls the operator API, once let in.
#[derive(Debug, Clone)]
pub struct OperatorCaller {
    /// `Actor::Operator` for the bearer token, `Actor::Staff(user id)` for a staff member:
    /// who the history says made a change.
    pub actor: Actor,
    /// What the caller may use: every area for the token, the groups' verdict for staff.
    pub areas: Areas,
}

impl OperatorCaller {
    /// The bearer `admin_token`: automation and bootstrapping, every area.
    pub fn token() -> OperatorCaller {
        OperatorCaller { actor: Actor::Operator, areas: Areas::all() }
    }

    /// 403 `AreaNotPermitted` naming the area unless the caller may use it.
    pub fn check(&self, area: Area) -> Result<(), ApiError> {
        Ok(self.areas.check(area)?)
    }
}

/// A staff member behind a session, two-factor on or not: 401 once the session has ended
/// (a password change or reset), 403 `NotStaff` for a user who is no staff member, 403
/// `StaffDisabled` for one who is disabled.
async fn staff_of(store: &Store, signed_in: &SignedIn) -> Result<(crate::store::UserRecord, crate::store::StaffRecord), ApiError> {
    let user = session_user(store, &signed_in.session).await?;
    let staff = store
        .staff()
        .member(&user.id)
        .await?
        .ok_or_else(|| ApiError::named(403, ErrorName::NotStaff, "this user is not on the operator's staff"))?;
    if staff.disabled {
        return Err(ApiError::named(403, ErrorName::StaffDisabled, "this staff member is disabled"));
    }
    Ok((user, staff))
}

async fn areas_of(store: &Store, user_id: &str) -> Result<Areas, ApiError> {
    Ok(Areas::of_groups(&store.staff().permissions_of(user_id).await?))
}

/// The caller of an operator endpoint signed in with a session: a staff member, enabled,
/// with two-factor on (else 403 `TwoFactorRequired`: they may still turn it on at
/// `/v1/me/2fa`), with the areas their groups allow.
pub async fn staff_caller(store: &Store, signed_in: &SignedIn) -> Result<OperatorCaller, ApiError> {
    let (user, staff) = staff_of(store, signed_in).await?;
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::named(
            403,
            ErrorName::TwoFactorRequired,
            "staff need two-factor authentication: turn it on (POST /v1/me/2fa, then /v1/me/2fa/confirm) first",
        ));
    }
    Ok(OperatorCaller { actor: Actor::Staff(staff.user_id.clone()), areas: areas_of(store, &staff.user_id).await? })
}

/// What the console shows of the signed-in staff member (`GET /v1/console/me`).
#[derive(Debug, Serialize)]
pub struct ConsoleMe {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub two_factor_enabled: bool,
    /// Every area, true where the staff member may use it (all false until two-factor is on:
    /// no operator endpoint answers them before).
    pub areas: BTreeMap<&'static str, bool>,
    pub csrf_token: String,
    /// The operator's defaults from the Settings page, for every staff member: the new
    /// client form's currency, how dates are written, the console's time zone.
    pub defaults: ConsoleDefaults,
}

#[derive(Debug, Serialize)]
pub struct ConsoleDefaults {
    pub currency: String,
    pub date_format: String,
    pub time_zone: String,
}

pub async fn console_me(store: &Store, signed_in: &SignedIn) -> Result<ConsoleMe, ApiError> {
    let (user, staff) = staff_of(store, signed_in).await?;
    let two_factor_enabled = user.totp_enabled_at.is_some();
    let areas = if two_factor_enabled { areas_of(store, &user.id).await? } else { Areas::none() };
    let company = store.reseller().company().await?;
    Ok(ConsoleMe {
        user_id: user.id,
        email: user.email,
        name: staff.name,
        two_factor_enabled,
        areas: areas.to_map(),
        csrf_token: signed_in.session.csrf_token.clone(),
        defaults: ConsoleDefaults { currency: company.default_currency, date_format: company.date_format, time_zone: company.time_zone },
    })
}

// ---------------------------------------------------------------- staff members

/// A new staff member as the operator asked for them.
pub struct NewStaffMember<'a> {
    pub email: &'a str,
    pub name: &'a str,
    /// None: an initial password is made and shown once.
    pub password: Option<&'a str>,
    pub groups: &'a [String],
    /// Development only (the `development_mode` variable "true", and the admin token):
    /// two-factor turned on at once, its secret shown once (./run.sh's first operator).
    pub enrol_two_factor: bool,
}

/// Two-factor turned on at creation (development only), shown once.
#[derive(Debug, Serialize)]
pub struct EnrolledTwoFactor {
    pub secret: String,
    pub provisioning_uri: String,
    pub recovery_codes: Vec<String>,
}

/// A staff member just made, with what is shown only now.
#[derive(Debug, Serialize)]
pub struct CreatedStaff {
    #[serde(flatten)]
    pub staff: StaffView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_factor: Option<EnrolledTwoFactor>,
}

fn write_error(e: StaffWriteError) -> ApiError {
    match e {
        StaffWriteError::EmailTaken => ApiError::named(409, ErrorName::EmailTaken, "a user has this e-mail address already"),
        StaffWriteError::UnknownGroups(ids) => ApiError::not_found(format!("no such group: {}", ids.join(", ")))
            .with_details(ids.into_iter().map(|id| ErrorDetail { index: None, value: Some(id), message: "no such group".into() }).collect()),
        StaffWriteError::DuplicateGroup => ApiError::named(409, ErrorName::DuplicateGroup, "a group has this name already"),
        StaffWriteError::Db(e) => e.into(),
    }
}

/// Whether the platform runs in development (`development_mode` = "true": ./run.sh).
pub async fn development_mode() -> bool {
    crate::config::get_or("development_mode", "false").await.trim() == "true"
}

fn snapshot<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// A new user who is staff, in the given groups, recorded in the staff history.
pub async fn create(store: &Store, new: &NewStaffMember<'_>, caller: &OperatorCaller) -> Result<CreatedStaff, ApiError> {
    let email = Email::parse(new.email)?;
    let name = PersonName::parse(new.name)?;
    if new.enrol_two_factor && !(caller.actor == Actor::Operator && development_mode().await) {
        return Err(ApiError::forbidden("enrol_two_factor is for development only: the admin token, with the development_mode variable \"true\""));
    }
    let (password, initial) = match new.password {
        Some(given) => (Password::parse(given)?, false),
        None => (initial_password(), true),
    };
    let hash = hash_password(&password);
    let user_id = new_id("usr");
    let enrolled = new.enrol_two_factor.then(|| (TotpSecret::generate(), generate_recovery_codes()));
    let view = store
        .transaction(async || {
            let staff = NewStaff {
                user_id: &user_id,
                email: email.as_str(),
                name: name.as_str(),
                password_hash: &hash,
                groups: new.groups,
                created_by: &caller.actor,
            };
            store.staff().create(&staff).await.map_err(write_error)?;
            if let Some((secret, codes)) = &enrolled {
                store.identity().begin_totp(&user_id, &crate::app::two_factor::totp_at_rest(&user_id, secret).await).await?;
                let digests: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
                store.identity().enable_totp(&user_id, &digests).await?;
            }
            let view = store.staff().view(&user_id).await?.ok_or_else(|| ApiError::internal("the new staff member was not found"))?;
            store.staff().record(&caller.actor, "staff.created", &user_id, None, snapshot(&view)).await?;
            Ok::<_, ApiError>(view)
        })
        .await?;
    let two_factor = match enrolled {
        Some((secret, recovery_codes)) => {
            let issuer = crate::config::get_or("totp_issuer", "smsedge").await;
            Some(EnrolledTwoFactor { secret: secret.to_base32(), provisioning_uri: provisioning_uri(&secret, &issuer, email.as_str()), recovery_codes })
        }
        None => None,
    };
    Ok(CreatedStaff { staff: view, initial_password: initial.then(|| password.as_str().to_owned()), two_factor })
}

/// A change to a staff member as sent.
pub struct StaffPatch {
    pub name: Option<String>,
    pub groups: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

/// Changes a staff member (404 for no such one); a staff member's change may not take the
/// staff area from themselves (409 `WouldLockOut`), disabling themselves included.
pub async fn update(store: &Store, user_id: &str, patch: &StaffPatch, caller: &OperatorCaller) -> Result<StaffView, ApiError> {
    let name = patch.name.as_deref().map(PersonName::parse).transpose()?;
    let change = StaffChange { name: name.as_ref().map(PersonName::as_str), groups: patch.groups.as_deref(), disabled: patch.disabled };
    store
        .transaction(async || {
            let before = store.staff().view(user_id).await?.ok_or_else(|| ApiError::not_found("no such staff member"))?;
            store.staff().update(user_id, &change).await.map_err(write_error)?;
            keeps_access(store, caller).await?;
            let after = store.staff().view(user_id).await?.ok_or_else(|| ApiError::not_found("no such staff member"))?;
            store.staff().record(&caller.actor, "staff.updated", user_id, snapshot(&before), snapshot(&after)).await?;
            Ok(after)
        })
        .await
}

/// No lock-out: after a staff member's change (inside its transaction, so a refusal undoes
/// it) they are still enabled and still have the staff area. The admin token always has it.
async fn keeps_access(store: &Store, caller: &OperatorCaller) -> Result<(), ApiError> {
    let Actor::Staff(me) = &caller.actor else { return Ok(()) };
    let enabled = store.staff().member(me).await?.is_some_and(|m| !m.disabled);
    if !enabled {
        return Err(StaffError::WouldLockOut.into());
    }
    Ok(keeps_staff_area(&store.staff().permissions_of(me).await?)?)
}

// ---------------------------------------------------------------- permission groups

/// A group as sent: a name and `{area: "allow" | "deny"}`.
pub struct GroupInput<'a> {
    pub name: Option<&'a str>,
    pub permissions: Option<&'a BTreeMap<String, String>>,
}

pub async fn create_group(store: &Store, input: &GroupInput<'_>, caller: &OperatorCaller) -> Result<StaffGroupView, ApiError> {
    let name = GroupName::parse(input.name.ok_or_else(|| ApiError::malformed("name is needed"))?)?;
    let permissions = GroupPermissions::parse(input.permissions.unwrap_or(&BTreeMap::new()))?;
    let id = new_id("grp");
    store
        .transaction(async || {
            store.staff().create_group(&id, name.as_str(), &permissions).await.map_err(write_error)?;
            let view = store.staff().group(&id).await?.ok_or_else(|| ApiError::internal("the new group was not found"))?;
            store.staff().record(&caller.actor, "staff_group.created", &id, None, snapshot(&view)).await?;
            Ok(view)
        })
        .await
}

pub async fn update_group(store: &Store, id: &str, input: &GroupInput<'_>, caller: &OperatorCaller) -> Result<StaffGroupView, ApiError> {
    let name = input.name.map(GroupName::parse).transpose()?;
    let permissions = input.permissions.map(GroupPermissions::parse).transpose()?;
    store
        .transaction(async || {
            let before = store.staff().group(id).await?.ok_or_else(|| ApiError::not_found("no such group"))?;
            store.staff().update_group(id, name.as_ref().map(GroupName::as_str), permissions.as_ref()).await.map_err(write_error)?;
            keeps_access(store, caller).await?;
            let after = store.staff().group(id).await?.ok_or_else(|| ApiError::not_found("no such group"))?;
            store.staff().record(&caller.actor, "staff_group.updated", id, snapshot(&before), snapshot(&after)).await?;
            Ok(after)
        })
        .await
}

pub async fn delete_group(store: &Store, id: &str, caller: &OperatorCaller) -> Result<(), ApiError> {
    store
        .transaction(async || {
            let before = store.staff().group(id).await?.ok_or_else(|| ApiError::not_found("no such group"))?;
            store.staff().delete_group(id).await?;
            keeps_access(store, caller).await?;
            store.staff().record(&caller.actor, "staff_group.deleted", id, snapshot(&before), None).await?;
            Ok(())
        })
        .await
}

// ---------------------------------------------------------------- history in words

/// Who made a change, as the console shows them.
#[derive(Debug, Serialize)]
pub struct HistoryActor {
    /// `operator` (the admin token), `staff`, `user`, `key`, `system`, `stripe`.
    pub kind: &'static str,
    /// The user, staff member's user, API key or Stripe event; null for the operator and the system.
    pub id: Option<String>,
    pub name: String,
}

/// A line of an account's history in words.
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: String,
    pub actor: HistoryActor,
    /// A stable key for the console to translate (`account.updated`, `balance.topup`, …).
    pub action: String,
    /// The change in an English sentence, money in the account's currency.
    pub summary: String,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

fn history_actor(stored: &str, name: Option<String>) -> HistoryActor {
    match Actor::parse(stored) {
        Some(actor) => {
            let (id, fallback) = match &actor {
                Actor::Operator => (None, "operator".to_owned()),
                Actor::System => (None, "system".to_owned()),
                Actor::Staff(id) => (Some(id.clone()), format!("staff member {id}")),
                Actor::User(id) => (Some(id.clone()), format!("user {id}")),
                Actor::Key(id) => (Some(id.clone()), format!("API key {id}")),
                Actor::Stripe(id) => (Some(id.clone()), "Stripe".to_owned()),
            };
            let name = match (&actor, name) {
                (Actor::Key(_), Some(key)) => format!("API key '{key}'"),
                (Actor::Operator | Actor::System | Actor::Stripe(_), _) => fallback,
                (_, Some(name)) if !name.is_empty() => name,
                _ => fallback,
            };
            HistoryActor { kind: actor.kind(), id, name }
        }
        None => HistoryActor { kind: "unknown", id: None, name: stored.to_owned() },
    }
}

/// A page of the account's history in words (404 for no such account), newest first.
pub async fn history(store: &Store, account_id: &str, page: &PageRequest) -> Result<(Vec<HistoryEntry>, Option<String>), ApiError> {
    store.accounts().account(account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let rows = store.audit().operator_history(account_id, page.fetch(), page.after()?).await?;
    let page = page.page(rows, |e| e.id);
    let entries = page
        .items
        .into_iter()
        .map(|row| {
            let currency = Currency::parse(&row.currency).ok();
            let summary = describe(&RecordedChange {
                action: &row.action,
                target: row.target.as_deref(),
                before: row.before.as_ref(),
                after: row.after.as_ref(),
                currency,
            });
            HistoryEntry {
                id: row.id,
                at: row.at,
                actor: history_actor(&row.actor, row.actor_name),
                action: row.action,
                summary,
                target: row.target,
                before: row.before,
                after: row.after,
            }
        })
        .collect();
    Ok((entries, page.next_cursor))
}

/// A line of the account's own history (`GET /v1/account/history`): the event as recorded,
/// with the same English sentence the console shows (`summary`, money in the account's
/// currency). Staff appear as the operator there, by design of the store's view.
#[derive(Debug, Serialize)]
pub struct AccountHistoryEntry {
    #[serde(flatten)]
    pub event: crate::store::AuditEventView,
    pub summary: String,
}

/// A page of the account's own history in words, newest first.
pub async fn account_history(store: &Store, account_id: &str, currency: Currency, page: &PageRequest) -> Result<(Vec<AccountHistoryEntry>, Option<String>), ApiError> {
    let rows = store.audit().history(account_id, page.fetch(), page.after()?).await?;
    let page = page.page(rows, |e| e.id);
    let entries = page
        .items
        .into_iter()
        .map(|event| {
            let summary = describe(&RecordedChange {
                action: &event.action,
                target: event.target.as_deref(),
                before: event.before.as_ref(),
                after: event.after.as_ref(),
                currency: Some(currency),
            });
            AccountHistoryEntry { event, summary }
        })
        .collect();
    Ok((entries, page.next_cursor))
}

/// Every staff member (the console's staff list).
pub async fn list(store: &Store) -> Result<Vec<StaffView>, ApiError> {
    Ok(store.staff().list().await?)
}

/// Every permission group.
pub async fn groups(store: &Store) -> Result<Vec<StaffGroupView>, ApiError> {
    Ok(store.staff().groups().await?)
}
