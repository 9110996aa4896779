//! Managing an account's API keys: the one implementation behind the operator's
//! `/v1/admin/...keys` and account admins' `/v1/accounts/{id}/keys`. Every change is
//! in the account's history, made by `actor`.

use domain::identity::access::Actor;
use crate::http::{internal, json, parse_body};
use crate::ids::{new_id, random_bytes};
use crate::store::{ApiKeyPatch, ApiKeyUpdate, Store, Subject};
use domain::identity::access::{IpAllowlist, KeyAccess, Scopes};
use domain::identity::apikey::{new_api_key, KEY_BYTES};
use domain::api::error::ApiError;
use serde::Deserialize;
use crate::http::{Req, Response};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
    /// Scope strings (domain::identity::access::Scope); every scope when absent.
    scopes: Option<Vec<String>>,
    /// CIDR blocks or addresses the key may be used from; any address when absent or empty.
    allowed_ips: Option<Vec<String>>,
}

/// Longest key name, in characters.
const MAX_KEY_NAME_CHARS: usize = 100;

fn key_name(name: &str) -> Result<&str, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::malformed("name must not be empty"));
    }
    if name.chars().count() > MAX_KEY_NAME_CHARS {
        return Err(ApiError::malformed(format!("name may be at most {MAX_KEY_NAME_CHARS} characters")));
    }
    Ok(name)
}

/// Everything is checked before anything is stored: a refused key leaves no row.
pub async fn create_key(req: &Req, store: &Store, account_id: &str, actor: &Actor) -> Result<Response, ApiError> {
    let body: NewKey = parse_body(req)?;
    let name = key_name(&body.name)?;
    let access = KeyAccess {
        scopes: body.scopes.as_deref().map(Scopes::parse_list).transpose()?.unwrap_or_else(Scopes::all),
        allowed_ips: body.allowed_ips.as_deref().map(IpAllowlist::parse_list).transpose()?.unwrap_or_default(),
    };
    let key = new_api_key(random_bytes::<KEY_BYTES>());
    let id = new_id("key");
    let view = store
        .audit().audited(account_id, actor, "key.created", Subject::Key(&id), async |store| {
            store.identity().create_api_key(&id, account_id, name, &key.hash, &key.hint, &access).await
        })
        .await?
        .ok_or_else(|| ApiError::not_found("no such account"))?;
    let mut body = serde_json::to_value(view).map_err(internal)?;
    body["key"] = key.secret.into();
    body["note"] = "the key is shown only now; we store only its hash".into();
    Ok(json(201, &body))
}

pub async fn list_keys(store: &Store, account_id: &str) -> Result<Response, ApiError> {
    Ok(json(200, &serde_json::json!({"keys": store.identity().api_keys(account_id).await?})))
}

/// Absent leaves a field as it is; `allowed_ips: null` (or `[]`) removes the limit.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyChange {
    name: Option<String>,
    scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    allowed_ips: Option<Option<Vec<String>>>,
}

/// The account a key belongs to; 404 for an unknown key, and for one of another account
/// than `within` (when given), so one account cannot learn of another's keys.
async fn key_account(store: &Store, key_id: &str, within: Option<&str>) -> Result<String, ApiError> {
    store
        .identity().key_account(key_id)
        .await?
        .filter(|account| within.map_or(true, |w| w == account))
        .ok_or_else(|| ApiError::not_found("no such key"))
}

/// Renames a key or changes what it may do and from where; it takes effect on the
/// key's next request. A revoked key cannot be changed (409).
pub async fn update_key(req: &Req, store: &Store, key_id: &str, within: Option<&str>, actor: &Actor) -> Result<Response, ApiError> {
    // Whose key it is comes first: another account's key is 404 whatever the body.
    let account = key_account(store, key_id, within).await?;
    let body: KeyChange = parse_body(req)?;
    if body.name.is_none() && body.scopes.is_none() && body.allowed_ips.is_none() {
        return Err(ApiError::malformed("give name, scopes or allowed_ips to change"));
    }
    let name = body.name.as_deref().map(key_name).transpose()?;
    let scopes = body.scopes.as_deref().map(Scopes::parse_list).transpose()?;
    let allowed_ips = match &body.allowed_ips {
        None => None,
        Some(None) => Some(IpAllowlist::any()),
        Some(Some(list)) => Some(IpAllowlist::parse_list(list)?),
    };
    let patch = ApiKeyPatch { name, scopes, allowed_ips: allowed_ips.as_ref() };
    let updated = store
        .audit().audited(&account, actor, "key.updated", Subject::Key(key_id), async |store| store.identity().update_api_key(key_id, &patch).await)
        .await?;
    match updated {
        ApiKeyUpdate::Updated(view) => Ok(json(200, &view)),
        ApiKeyUpdate::Revoked => Err(ApiError::conflict("the key is revoked; make a new one")),
        ApiKeyUpdate::NotFound => Err(ApiError::not_found("no such key")),
    }
}

pub async fn revoke_key(store: &Store, key_id: &str, within: Option<&str>, actor: &Actor) -> Result<Response, ApiError> {
    let account = key_account(store, key_id, within).await?;
    store
        .audit().audited(&account, actor, "key.revoked", Subject::Key(key_id), async |store| store.identity().revoke_api_key(key_id).await)
        .await?;
    Ok(json(200, &serde_json::json!({"id": key_id, "revoked": true})))
}
