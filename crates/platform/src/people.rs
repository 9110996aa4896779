//! Giving people access to an account: the one implementation behind an account admin's
//! "give a user access" (seed 000) and the operator's user creation (seed 001: the new
//! user gets an e-mail and sets their own password).

use crate::db::DbError;
use crate::store::{MemberView, Store, Subject};
use domain::error::ApiError;
use domain::identity::{AccessLevel, Email, Language, PersonName};
use domain::onetime::{EmailMessage, Purpose};
use domain::session::{new_secret_token, token_digest};

/// Who is being let in, as the inviter typed it.
pub struct Invitation<'a> {
    pub account_id: &'a str,
    pub email: &'a str,
    pub level: &'a str,
    /// Needed for someone who has no user yet.
    pub name: Option<&'a str>,
    pub language: Option<&'a str>,
}

enum Added {
    /// A new user: they get an invitation to set their password.
    NewUser(String),
    /// Someone who already has a user: they get a notice.
    Existing,
    AlreadyMember,
    NoAccount,
}

/// Gives access (one transaction with the account's history), then e-mails the person:
/// an invitation link to set their password when they are new, a notice otherwise.
/// 409 `AlreadyMember` when they have access already; 404 for an unknown account.
pub async fn invite(store: &Store, invitation: &Invitation<'_>, actor: &str, inviter: &str) -> Result<MemberView, ApiError> {
    let email = Email::parse(invitation.email)?;
    let level = AccessLevel::parse(invitation.level)
        .ok_or_else(|| ApiError::from(domain::identity::IdentityError::InvalidAccessLevel(invitation.level.to_owned())))?;
    let language = invitation.language.map(Language::parse).transpose()?.unwrap_or(Language::Sv);
    let existing = store.user_by_email(email.as_str()).await?;
    let name = match (&existing, invitation.name) {
        (Some(user), _) => user.name.clone(),
        (None, Some(name)) => PersonName::parse(name)?.as_str().to_owned(),
        (None, None) => return Err(ApiError::malformed("name is needed for someone who has no user yet")),
    };
    let account_name = match store.account(invitation.account_id).await? {
        Some(account) => account.name,
        None => return Err(ApiError::not_found("no such account")),
    };
    let user_id = existing.as_ref().map(|u| u.id.clone()).unwrap_or_else(|| crate::ids::new_id("usr"));
    let added = store
        .audited(invitation.account_id, actor, "member.added", Subject::Member(invitation.account_id, &user_id), async |store| {
            if store.account(invitation.account_id).await?.is_none() {
                return Ok::<_, DbError>(Added::NoAccount);
            }
            if existing.is_none() {
                store.create_user_with_id(&user_id, email.as_str(), &name, language.as_str()).await?;
            }
            if !store.add_membership(&user_id, invitation.account_id, level).await? {
                return Ok(Added::AlreadyMember);
            }
            Ok(if existing.is_some() { Added::Existing } else { Added::NewUser(user_id.clone()) })
        })
        .await?;
    let base = crate::config::get_or("public_base_url", "http://127.0.0.1:3000").await;
    let base = base.trim_end_matches('/');
    let language = existing.as_ref().and_then(|u| Language::parse(&u.language).ok()).unwrap_or(language);
    let message = match added {
        Added::NoAccount => return Err(ApiError::not_found("no such account")),
        Added::AlreadyMember => return Err(ApiError::named(409, "AlreadyMember", "this person already has access; change their level instead")),
        Added::Existing => EmailMessage::invitation(&email, inviter, &account_name, &format!("{base}/login"), language),
        Added::NewUser(ref id) => {
            let token = new_secret_token();
            let now = crate::ids::now_seconds();
            let expires_at = now + Purpose::Invitation.lifetime_seconds();
            store
                .issue_token(&token_digest(&token), Purpose::Invitation.as_str(), id, Some(email.as_str()), expires_at, now)
                .await?;
            EmailMessage::invitation(&email, inviter, &account_name, &format!("{base}/invitation?token={token}"), language)
        }
    };
    crate::email::send(store, &message).await?;
    store
        .members(invitation.account_id)
        .await?
        .into_iter()
        .find(|m| m.user_id == user_id)
        .ok_or_else(|| ApiError::internal("the new member was not found"))
}
