//! Managing an account's SMPP credentials (for a separate SMPP front end; there is no SMPP
//! server here): the one implementation behind the account's own `/v1/account/smpp` and
//! the operator's `/v1/admin/...smpp`. The password is generated, shown once and kept
//! only as an argon2id hash; every change is in the account's history, made by `actor`.

use domain::identity::access::Actor;
use crate::http::{internal, json, parse_body};
use crate::ids::new_id;
use crate::store::{SmppCreated, SmppUpdate, Store, Subject};
use domain::identity::access::IpAllowlist;
use domain::accounts::account::{duplicate_system_id, SmppPassword, SmppSystemId};
use domain::identity::person::hash_secret;
use domain::api::error::ApiError;
use serde::Deserialize;
use crate::http::{Req, Response};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCredential {
    /// 1–15 printable ASCII characters, unique over every account.
    system_id: String,
    /// CIDR blocks or addresses the front end should accept binds from; any when absent or empty.
    allowed_ips: Option<Vec<String>>,
}

/// `allowed_ips: null` (or `[]`) lifts the limit; the field itself is required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialChange {
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    allowed_ips: Option<Option<Vec<String>>>,
}

fn not_found() -> ApiError {
    ApiError::not_found("no such SMPP credential in this account")
}

/// Everything is checked before anything is stored; the password is in the answer once.
pub async fn create(req: &Req, store: &Store, account_id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let body: NewCredential = parse_body(req)?;
    let system_id = SmppSystemId::parse(&body.system_id)?;
    let allowed_ips = body.allowed_ips.as_deref().map(IpAllowlist::parse_list).transpose()?.unwrap_or_default();
    let password = SmppPassword::generate().map_err(internal)?;
    let hash = hash_secret(password.as_str());
    let id = new_id("smpp");
    let created = store
        .audit().audited(account_id, actor, "smpp.created", Subject::Smpp(&id), async |store| {
            store.accounts().create_smpp_credential(&id, account_id, system_id.as_str(), &hash, &allowed_ips).await
        })
        .await?;
    let view = match created {
        SmppCreated::Created(view) => view,
        SmppCreated::DuplicateSystemId => return Err(duplicate_system_id(system_id.as_str())),
        SmppCreated::NoAccount => return Err(ApiError::not_found("no such account")),
    };
    let mut body = serde_json::to_value(view).map_err(internal)?;
    body["password"] = password.as_str().into();
    body["note"] = "the password is shown only now; we store only its hash".into();
    Ok(json(201, &body))
}

pub async fn list(store: &Store, account_id: &str) -> Result<Response, ApiError> {
    Ok(json(200, &serde_json::json!({ "credentials": store.accounts().smpp_credentials(account_id).await? })))
}

/// Changes the allowlist of the account's credential; a revoked one cannot change (409).
pub async fn update(req: &Req, store: &Store, account_id: &str, id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let body: CredentialChange = parse_body(req)?;
    let Some(allowed_ips) = body.allowed_ips else {
        return Err(ApiError::malformed("give allowed_ips: a list of CIDR blocks, or null (or []) for any address"));
    };
    let allowed_ips = allowed_ips.as_deref().map(IpAllowlist::parse_list).transpose()?.unwrap_or_default();
    let updated = store
        .audit().audited(account_id, actor, "smpp.updated", Subject::Smpp(id), async |store| {
            store.accounts().update_smpp_allowed_ips(account_id, id, &allowed_ips).await
        })
        .await?;
    match updated {
        SmppUpdate::Updated(view) => Ok(json(200, &view)),
        SmppUpdate::Revoked => Err(ApiError::conflict("the SMPP credential is revoked; make a new one")),
        SmppUpdate::NotFound => Err(not_found()),
    }
}

/// Revokes the account's credential (it stays listed, with `revoked_at`).
pub async fn revoke(store: &Store, account_id: &str, id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let revoked = store
        .audit().audited(account_id, actor, "smpp.revoked", Subject::Smpp(id), async |store| store.accounts().revoke_smpp_credential(account_id, id).await)
        .await?;
    Ok(json(200, &revoked.ok_or_else(not_found)?))
}

/// The operator's revoke, by credential id alone.
pub async fn revoke_any(store: &Store, id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let account = store.accounts().smpp_credential_account(id).await?.ok_or_else(|| ApiError::not_found("no such SMPP credential"))?;
    revoke(store, &account, id, actor).await
}
