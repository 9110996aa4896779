//! Invitations to an account: an account admin invites someone by e-mail with a level
//! (seed 000 "Give a user access"), and the person accepts by the e-mailed link, by
//! choosing their first password or signed in as the user they have.

use super::sign_in::session_user;
use super::throttle::{forget, ration};
use super::{actor, invalid_token};
use crate::db::DbError;
use crate::http::SignedIn;
use crate::ids::now_seconds;
use crate::app::people::{Grant, Invitation};
use crate::store::{IssuedToken, MemberView, ProfilePatch, Store, Subject, UserRecord};
use domain::identity::access::Actor;
use domain::api::error::{ApiError, ErrorName};
use domain::identity::person::{hash_password, IdentityError, Password, PersonName};
use domain::identity::onetime::Purpose;
use domain::identity::session::token_digest;
use domain::identity::throttle::ThrottleKey;
use serde::Deserialize;

/// An invitation from an account admin (`actor`), as crate::app::people::Grant::Invitation:
/// the person has access once they accept it. The answer is the same whether or not the
/// address has a user (pending, no name); invitations are rationed per account and per
/// address (429 with Retry-After).
pub async fn invite(store: &Store, invitation: &Invitation<'_>, actor: &Actor) -> Result<MemberView, ApiError> {
    ration(store, &ThrottleKey::for_invitation(invitation.account_id, invitation.email)).await?;
    let inviter = match actor.user_id() {
        Some(user_id) => store.identity().user(user_id).await?.map(|u| u.name).unwrap_or_default(),
        None => String::new(),
    };
    crate::app::people::invite(store, invitation, Grant::Invitation, actor, &inviter).await
}

/// An acceptance as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub token: String,
    /// Someone with no password yet chooses one here...
    pub password: Option<String>,
    /// ...and gives or corrects their name.
    pub name: Option<String>,
}

/// Accepts an invitation to one account. Someone with no password yet chooses one (and
/// gives or corrects their name): the link proves the address, and they are in. Someone
/// who has a user accepts signed in as themselves: a link alone never puts a user into an
/// account. `signed_in` is the request's session, `None` without a session cookie; it is
/// asked for only in that second case. Everything is checked before the token is used up.
pub async fn accept(store: &Store, acceptance: &Acceptance, signed_in: impl AsyncFnOnce() -> Result<Option<SignedIn>, ApiError>) -> Result<(), ApiError> {
    let digest = token_digest(&acceptance.token);
    let issued = store.identity().live_token(&digest, Purpose::Invitation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    let invitee = store.identity().user(&issued.user_id).await?.ok_or_else(invalid_token)?;
    if invitee.password_hash.is_some() {
        let signed_in = signed_in().await?.ok_or_else(|| {
            ApiError::named(401, ErrorName::SignInToAccept, "you have a user already: sign in, then open the invitation's link again to accept it")
        })?;
        let user = session_user(store, &signed_in.session).await?;
        return accept_signed_in(store, acceptance, &digest, &issued, &invitee, &user).await;
    }
    let password = acceptance.password.as_deref().ok_or_else(|| ApiError::malformed("choose a password (password) to accept"))?;
    let password = Password::parse(password)?;
    let name = match acceptance.name.as_deref().map(PersonName::parse).transpose()? {
        None if invitee.name.is_empty() => return Err(IdentityError::InvalidName("give your name (the invitation came without one)").into()),
        name => name,
    };
    let hash = hash_password(&password);
    let issued = store.identity().consume_token(&digest, Purpose::Invitation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    let user_id = invitee.id.as_str();
    store
        .audit().audited_user(user_id, &actor(user_id), "user.invitation_accepted", async |store| {
            store.identity().set_password(user_id, &hash).await?;
            if let Some(name) = &name {
                store.identity().update_profile(user_id, &ProfilePatch { name: Some(name.as_str()), ..Default::default() }).await?;
            }
            if let Some(email) = &issued.email {
                store.identity().confirm_email(user_id, email).await?;
            }
            match &issued.account_id {
                Some(account_id) => accept_membership(store, account_id, user_id).await.map(|_| ()),
                None => Ok(()),
            }
        })
        .await?;
    // A self-signup's link: its account moves on (approved, or waiting for the operator).
    if let Some(account_id) = &issued.account_id {
        super::signup::email_confirmed(store, account_id, user_id).await?;
    }
    forget(store, (ThrottleKey::Account, &invitee.email)).await?;
    Ok(())
}

/// Someone who has a user accepts, signed in as themselves (`user`).
async fn accept_signed_in(store: &Store, acceptance: &Acceptance, digest: &str, issued: &IssuedToken, invitee: &UserRecord, user: &UserRecord) -> Result<(), ApiError> {
    if user.id != invitee.id {
        return Err(ApiError::named(403, ErrorName::NotYourInvitation, "this invitation is for another user; sign in as them to accept it"));
    }
    if acceptance.password.is_some() || acceptance.name.is_some() {
        return Err(ApiError::malformed("you have a user already: accept with the token alone"));
    }
    // An invitation from before accounts were named in tokens gave access already.
    let account_id = issued.account_id.as_deref().ok_or_else(invalid_token)?;
    store.identity().consume_token(digest, Purpose::Invitation.as_str(), now_seconds()).await?.ok_or_else(invalid_token)?;
    if !accept_membership(store, account_id, &user.id).await? {
        return Err(invalid_token());
    }
    Ok(())
}

/// The membership accepted, in the account's history (`member.accepted`); `false` when the
/// invitation was withdrawn meanwhile.
async fn accept_membership(store: &Store, account_id: &str, user_id: &str) -> Result<bool, DbError> {
    store
        .audit().audited(account_id, &actor(user_id), "member.accepted", Subject::Member(account_id, user_id), async |store| {
            store.identity().accept_membership(user_id, account_id).await
        })
        .await
}
