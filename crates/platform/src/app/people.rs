//! Giving people access to an account: the one implementation behind an account admin's
//! "give a user access" (seed 000: an invitation the person accepts) and the operator's
//! user creation (seed 001: access at once; someone new sets their own password).

use domain::identity::access::Actor;
use domain::api::error::ErrorName;
use crate::db::DbError;
use crate::store::{MemberView, Store, Subject};
use domain::api::error::ApiError;
use domain::identity::person::{AccessLevel, Email, PersonName};
use domain::identity::language::Language;
use domain::identity::onetime::{EmailMessage, Purpose};
use domain::identity::session::{new_secret_token, token_digest};

/// Who is being let in, as the inviter typed it.
pub struct Invitation<'a> {
    pub account_id: &'a str,
    pub email: &'a str,
    pub level: &'a str,
    /// For someone who has no user yet (the operator must give it; an account admin's
    /// invitee may give it when they accept). Someone with a user keeps their own.
    pub name: Option<&'a str>,
    pub language: Option<&'a str>,
}

/// How the access is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The operator (seed 001): access at once. Someone with a user gets a notice, someone
    /// new a link to set their password.
    Direct,
    /// An account admin (seed 000): an invitation that grants nothing until the person
    /// accepts it, signed in as themselves or by choosing their first password. The answer
    /// is the same whether or not the address has a user: pending, no name.
    Invitation,
}

enum Added {
    Yes,
    AlreadyMember,
    NoAccount,
}

/// Gives access or invites (one transaction with the account's history), then e-mails
/// the person: an invitation link (to set a password, or to accept signed in), or a
/// notice of access given. 409 `AlreadyMember` when they have access or an invitation
/// already; 404 for an unknown account.
pub async fn invite(store: &Store, invitation: &Invitation<'_>, grant: Grant, actor: &Actor, inviter: &str) -> Result<MemberView, ApiError> {
    let email = Email::parse(invitation.email)?;
    let level = AccessLevel::parse(invitation.level)
        .ok_or_else(|| ApiError::from(domain::identity::person::IdentityError::InvalidAccessLevel(invitation.level.to_owned())))?;
    let language = invitation.language.map(Language::parse).transpose()?.unwrap_or(Language::Sv);
    // Checked whoever the address belongs to, so a refusal says nothing about that.
    let given_name = invitation.name.map(PersonName::parse).transpose()?;
    let existing = store.identity().user_by_email(email.as_str()).await?;
    let name = match (&existing, given_name, grant) {
        (Some(user), _, _) => user.name.clone(),
        (None, Some(name), _) => name.as_str().to_owned(),
        // Asking an admin for it would tell them who has no user: the invitee gives it.
        (None, None, Grant::Invitation) => String::new(),
        (None, None, Grant::Direct) => return Err(ApiError::malformed("name is needed for someone who has no user yet")),
    };
    let account_name = match store.accounts().account(invitation.account_id).await? {
        Some(account) => account.name,
        None => return Err(ApiError::not_found("no such account")),
    };
    let user_id = existing.as_ref().map(|u| u.id.clone()).unwrap_or_else(|| crate::ids::new_id("usr"));
    let added = store
        .audit().audited(invitation.account_id, actor, "member.added", Subject::Member(invitation.account_id, &user_id), async |store| {
            if store.accounts().account(invitation.account_id).await?.is_none() {
                return Ok::<_, DbError>(Added::NoAccount);
            }
            if existing.is_none() {
                store.identity().create_user_with_id(&user_id, email.as_str(), &name, language.code()).await?;
            }
            if !store.identity().add_membership(&user_id, invitation.account_id, level, grant == Grant::Direct).await? {
                return Ok(Added::AlreadyMember);
            }
            Ok(Added::Yes)
        })
        .await?;
    match added {
        Added::NoAccount => return Err(ApiError::not_found("no such account")),
        Added::AlreadyMember => {
            return Err(ApiError::named(409, ErrorName::AlreadyMember, "this person already has access or an invitation; change their level instead"));
        }
        Added::Yes => {}
    }
    let base = crate::config::get_or("public_base_url", "http://127.0.0.1:3000").await;
    let base = base.trim_end_matches('/');
    let language = existing.as_ref().and_then(|u| Language::parse(&u.language).ok()).unwrap_or(language);
    let has_password = existing.as_ref().is_some_and(|u| u.password_hash.is_some());
    let message = if grant == Grant::Direct && has_password {
        EmailMessage::access_given(&email, &account_name, &format!("{base}/login"), language)
    } else {
        let token = new_secret_token();
        let now = crate::ids::now_seconds();
        let expires_at = now + Purpose::Invitation.lifetime_seconds();
        store
            .identity().issue_token(&token_digest(&token), Purpose::Invitation.as_str(), &user_id, Some(email.as_str()), Some(invitation.account_id), expires_at, now)
            .await?;
        let link = format!("{base}/invitation?token={token}");
        match has_password {
            true => EmailMessage::invitation_for_user(&email, inviter, &account_name, &link, language),
            false => EmailMessage::invitation(&email, inviter, &account_name, &link, language),
        }
    };
    crate::email::send(store, &message).await?;
    store
        .identity().members(invitation.account_id)
        .await?
        .into_iter()
        .find(|m| m.user_id == user_id)
        .ok_or_else(|| ApiError::internal("the new member was not found"))
}
