//! The operator's send rules (seed 004, seed 001): making, changing and ending sender and
//! content replacement and banned-content rules, for every account or one; the countries
//! that want registered alphanumeric senders; an account's registered senders and its +1
//! campaigns. An account's changes are in its history. What the rules decide at a send is
//! domain::messaging::rules'.

use crate::http::internal;
use crate::ids::new_id;
use crate::store::{Campaign, RegisteredSender, RegistrationCountry, Store, StoredRule, Subject};
use domain::api::error::{ApiError, ErrorName};
use domain::api::patch::Patched;
use domain::identity::access::Actor;
use domain::messaging::recipient::CountryCode;
use domain::messaging::rules::{RuleFields, SendRule};
use domain::messaging::sender::Sender;
use domain::messaging::status::Status;

/// Characters of a campaign's reference and description.
const MAX_REFERENCE_CHARS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 500;

fn invalid_rule(e: impl std::fmt::Display) -> ApiError {
    ApiError::named(400, ErrorName::InvalidRule, e.to_string())
}

fn no_account() -> ApiError {
    ApiError::not_found("no such account")
}

async fn account_exists(store: &Store, account_id: &str) -> Result<(), ApiError> {
    store.accounts().account(account_id).await?.map(|_| ()).ok_or_else(no_account)
}

/// A new rule for the default list (`account_id` None) or an account's own.
pub async fn create_rule(store: &Store, account_id: Option<&str>, fields: &RuleFields, actor: &Actor) -> Result<StoredRule, ApiError> {
    let rule = SendRule::parse(0, account_id.is_some(), fields).map_err(invalid_rule)?;
    let created = match account_id {
        None => store.rules().create(None, &rule).await?,
        Some(account) => {
            store
                .audit()
                .audited(account, actor, "send_rules.created", Subject::SendRules(account), async |store| {
                    store.rules().create(Some(account), &rule).await
                })
                .await?
        }
    };
    created.ok_or_else(no_account)
}

/// A change to a rule: a field left out stays, `null` clears it; its kind stays.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePatch {
    pub name: Option<String>,
    pub scope: Option<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub from: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub from_kind: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub pattern: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub pattern_kind: Patched<String>,
    pub case_sensitive: Option<bool>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub replacement: Patched<String>,
}

impl RulePatch {
    fn applied_to(self, mut fields: RuleFields) -> RuleFields {
        let set = |field: &mut Option<String>, patch: Patched<String>| {
            if let Some(value) = patch {
                *field = value;
            }
        };
        fields.name = self.name.unwrap_or(fields.name);
        fields.scope = self.scope.unwrap_or(fields.scope);
        set(&mut fields.from, self.from);
        set(&mut fields.from_kind, self.from_kind);
        set(&mut fields.pattern, self.pattern);
        set(&mut fields.pattern_kind, self.pattern_kind);
        set(&mut fields.replacement, self.replacement);
        fields.case_sensitive = self.case_sensitive.unwrap_or(fields.case_sensitive);
        fields
    }
}

fn no_rule() -> ApiError {
    ApiError::not_found("no such send rule")
}

/// A rule by its id (`/v1/admin/send-rules/{id}`).
pub async fn rule(store: &Store, id: &str) -> Result<StoredRule, ApiError> {
    let id: i64 = id.parse().map_err(|_| no_rule())?;
    store.rules().rule(id).await?.ok_or_else(no_rule)
}

/// Changes a rule as `patch` says; checked whole, as a new rule is.
pub async fn update_rule(store: &Store, id: &str, patch: RulePatch, actor: &Actor) -> Result<StoredRule, ApiError> {
    let stored = rule(store, id).await?;
    let account = stored.account_id.clone();
    let rule = SendRule::parse(stored.id, account.is_some(), &patch.applied_to(stored.fields)).map_err(invalid_rule)?;
    let updated = match account.as_deref() {
        None => store.rules().update(stored.id, &rule).await?,
        Some(account) => {
            store
                .audit()
                .audited(account, actor, "send_rules.updated", Subject::SendRules(account), async |store| {
                    store.rules().update(stored.id, &rule).await
                })
                .await?
        }
    };
    updated.ok_or_else(no_rule)
}

pub async fn delete_rule(store: &Store, id: &str, actor: &Actor) -> Result<StoredRule, ApiError> {
    let stored = rule(store, id).await?;
    let deleted = match stored.account_id.as_deref() {
        None => store.rules().delete(stored.id).await?,
        Some(account) => {
            store
                .audit()
                .audited(account, actor, "send_rules.deleted", Subject::SendRules(account), async |store| {
                    store.rules().delete(stored.id).await
                })
                .await?
        }
    };
    if !deleted {
        return Err(no_rule());
    }
    Ok(stored)
}

/// A list's rules, paged by id (`account_id` None: the default rules).
pub async fn rules(store: &Store, account_id: Option<&str>, limit: i64, after: Option<i64>) -> Result<Vec<StoredRule>, ApiError> {
    if let Some(account) = account_id {
        account_exists(store, account).await?;
    }
    Ok(store.rules().list(account_id, limit, after).await?)
}

// ------------------------------------------------------------ registered senders

fn country(input: &str) -> Result<CountryCode, ApiError> {
    CountryCode::parse(input).ok_or_else(|| ApiError::named(400, ErrorName::InvalidCountry, format!("'{input}' is not a two-letter country (ISO 3166-1)")))
}

/// Lists a country whose networks take only registered alphanumeric senders.
pub async fn require_registration(store: &Store, input: &str) -> Result<RegistrationCountry, ApiError> {
    Ok(store.rules().require_registration(country(input)?.as_str()).await?)
}

pub async fn lift_registration(store: &Store, input: &str) -> Result<(), ApiError> {
    match store.rules().lift_registration(country(input)?.as_str()).await? {
        true => Ok(()),
        false => Err(ApiError::not_found(format!("{input} is not listed"))),
    }
}

/// Registers an alphanumeric sender for an account in a country.
pub async fn register_sender(store: &Store, account_id: &str, sender: &str, country_code: &str, actor: &Actor) -> Result<RegisteredSender, ApiError> {
    let parsed = Sender::parse(sender).map_err(|e| ApiError::from_status(400, Status::InvalidSender, e.to_string()))?;
    if parsed.kind() != domain::messaging::sender::SenderKind::Alphanumeric {
        return Err(ApiError::from_status(400, Status::InvalidSender, "only alphanumeric senders are registered; numbers need no registration"));
    }
    let country = country(country_code)?;
    account_exists(store, account_id).await?;
    let registered = store
        .audit()
        .audited(account_id, actor, "senders.registered", Subject::SenderRegistrations(account_id), async |store| {
            store.rules().register_sender(account_id, parsed.as_str(), country.as_str()).await
        })
        .await?;
    registered.ok_or_else(|| {
        ApiError::named(409, ErrorName::DuplicateSender, format!("'{}' is already registered for this account in {country}", parsed.as_str()))
    })
}

pub async fn unregister_sender(store: &Store, account_id: &str, id: &str, actor: &Actor) -> Result<(), ApiError> {
    let missing = || ApiError::not_found("no such registered sender in this account");
    let id: i64 = id.parse().map_err(|_| missing())?;
    let removed = store
        .audit()
        .audited(account_id, actor, "senders.unregistered", Subject::SenderRegistrations(account_id), async |store| {
            store.rules().unregister_sender(account_id, id).await
        })
        .await?;
    removed.then_some(()).ok_or_else(missing)
}

pub async fn registered_senders(store: &Store, account_id: &str, limit: i64, after: Option<i64>) -> Result<Vec<RegisteredSender>, ApiError> {
    account_exists(store, account_id).await?;
    Ok(store.rules().registered_senders(account_id, limit, after).await?)
}

// ------------------------------------------------------------ +1 campaigns

/// Records a campaign booked for the account (seed 001: North America needs one).
pub async fn add_campaign(store: &Store, account_id: &str, reference: &str, description: Option<&str>, actor: &Actor) -> Result<Campaign, ApiError> {
    let invalid = |m: String| ApiError::named(400, ErrorName::InvalidCampaign, m);
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS || reference.chars().any(char::is_control) {
        return Err(invalid(format!("reference is 1 to {MAX_REFERENCE_CHARS} characters, no control characters")));
    }
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(invalid(format!("description is at most {MAX_DESCRIPTION_CHARS} characters")));
    }
    account_exists(store, account_id).await?;
    let id = new_id("cmp");
    store
        .audit()
        .audited(account_id, actor, "campaign.added", Subject::SenderRegistrations(account_id), async |store| {
            store.rules().add_campaign(&id, account_id, reference, description).await
        })
        .await
        .map_err(|e: crate::db::DbError| internal(e))
}

pub async fn end_campaign(store: &Store, account_id: &str, id: &str, actor: &Actor) -> Result<Campaign, ApiError> {
    let ended = store
        .audit()
        .audited(account_id, actor, "campaign.ended", Subject::SenderRegistrations(account_id), async |store| {
            store.rules().end_campaign(account_id, id).await
        })
        .await?;
    ended.ok_or_else(|| ApiError::not_found("no such campaign in this account"))
}

pub async fn campaigns(store: &Store, account_id: &str, limit: i64, after: Option<&str>) -> Result<Vec<Campaign>, ApiError> {
    account_exists(store, account_id).await?;
    Ok(store.rules().campaigns(account_id, limit, after).await?)
}
