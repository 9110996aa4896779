//! An account as its members see it and its admins change it: the overview, the name and
//! type (seed 000 "Edit Name/Note"), and members' levels and access taken away. Inviting
//! people in is `invitations`.

use crate::store::{AccountView, MemberView, MembershipChange, Store, Subject};
use domain::identity::access::Actor;
use domain::accounts::account::{account_name, AccountKind};
use domain::api::error::{ApiError, ErrorName};
use domain::identity::person::AccessLevel;
use serde::Deserialize;

/// An account as a member sees it.
pub struct AccountOverview {
    pub account: AccountView,
    /// It is the user's default account.
    pub is_default: bool,
    pub members: Vec<MemberView>,
}

/// The account `account_id` as the member `user_id` sees it.
pub async fn overview(store: &Store, user_id: &str, account_id: &str) -> Result<AccountOverview, ApiError> {
    let account = store.accounts().account(account_id).await?.ok_or_else(|| ApiError::not_found("no such account"))?;
    let user = store.identity().user(user_id).await?;
    Ok(AccountOverview {
        account,
        is_default: user.and_then(|u| u.default_account_id).as_deref() == Some(account_id),
        members: store.identity().members(account_id).await?,
    })
}

/// A change to an account as sent: its name, its type (Swedish or International), or both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    pub name: Option<String>,
    pub kind: Option<String>,
}

/// Renames the account or changes its type, in its history (`account.updated`).
pub async fn update(store: &Store, account_id: &str, actor: &Actor, change: &AccountChange) -> Result<(), ApiError> {
    let name = change.name.as_deref().map(account_name).transpose()?;
    let kind = change.kind.as_deref().map(AccountKind::parse).transpose()?.map(AccountKind::as_str);
    if name.is_none() && kind.is_none() {
        return Err(ApiError::malformed("give name or kind to change"));
    }
    store
        .audit().audited(account_id, actor, "account.updated", Subject::Account(account_id), async |store| store.accounts().rename_account(account_id, name.as_deref(), kind).await)
        .await?;
    Ok(())
}

/// Gives a member another level: the member as they are now.
pub async fn change_level(store: &Store, account_id: &str, user_id: &str, level: AccessLevel, actor: &Actor) -> Result<MemberView, ApiError> {
    membership_change(store, account_id, user_id, Some(level), actor, "member.level_changed").await?;
    store.identity().members(account_id).await?.into_iter().find(|m| m.user_id == user_id).ok_or_else(|| ApiError::not_found("no such member"))
}

/// Takes a member's access (or invitation) away.
pub async fn revoke(store: &Store, account_id: &str, user_id: &str, actor: &Actor) -> Result<(), ApiError> {
    membership_change(store, account_id, user_id, None, actor, "member.revoked").await
}

/// 404 for someone who is no member, 409 `LastAdmin` for a change that would leave the
/// account without an admin.
async fn membership_change(store: &Store, account_id: &str, user_id: &str, level: Option<AccessLevel>, actor: &Actor, action: &str) -> Result<(), ApiError> {
    let change = store
        .audit().audited(account_id, actor, action, Subject::Member(account_id, user_id), async |store| store.identity().change_membership(account_id, user_id, level).await)
        .await?;
    match change {
        MembershipChange::Done => Ok(()),
        MembershipChange::NotFound => Err(ApiError::not_found("no such member")),
        MembershipChange::LastAdmin => Err(ApiError::named(409, ErrorName::LastAdmin, "the account needs at least one admin; make someone else admin first")),
    }
}
