//! A user's profile: what the portal shows of the signed-in user, and their changes to
//! it (name, phone, language, time zone, login alerts). The address, the password and
//! two-factor change by their own workflows (`email_address`, `password`, `two_factor`).

use super::actor;
use crate::store::{ProfilePatch, Store, UserRecord};
use domain::api::error::{ApiError, ErrorDetail};
use domain::identity::person::PersonName;
use domain::identity::language::Language;
use domain::api::patch::Patched;
use domain::messaging::recipient::{NumberContext, Recipient};
use domain::messaging::schedule::TimeZone;
use serde::Deserialize;

/// A user as their profile shows them.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user: UserRecord,
    /// Unused recovery codes (0 while two-factor is off).
    pub recovery_codes_left: i64,
}

pub async fn profile(store: &Store, user: &UserRecord) -> Result<Profile, ApiError> {
    let recovery_codes_left = if user.totp_enabled_at.is_some() { store.identity().recovery_codes_left(&user.id).await? } else { 0 };
    Ok(Profile { user: user.clone(), recovery_codes_left })
}

/// A change to the profile as sent: absent leaves a field, `null` clears the phone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub phone: Patched<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub login_alerts: Option<bool>,
}

/// Every field is checked and every bad one reported at once; a new phone number is
/// unconfirmed until its code comes back.
pub async fn update(store: &Store, user: &UserRecord, change: &ProfileChange) -> Result<Profile, ApiError> {
    let mut bad = Vec::new();
    let mut field = |name: &str, message: String| bad.push(ErrorDetail { index: None, value: Some(name.to_owned()), message });
    let name = match change.name.as_deref().map(PersonName::parse) {
        Some(Err(e)) => {
            field("name", e.to_string());
            None
        }
        other => other.and_then(Result::ok),
    };
    let phone = match &change.phone {
        Some(Some(p)) => match Recipient::parse(p, NumberContext::Account(None)) {
            Ok(r) => Some(Some(r.e164().to_owned())),
            Err(e) => {
                field("phone", e.to_string());
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    };
    let language = match change.language.as_deref().map(Language::parse) {
        Some(Err(e)) => {
            field("language", e.to_string());
            None
        }
        other => other.and_then(Result::ok),
    };
    if let Some(Err(e)) = change.time_zone.as_deref().map(TimeZone::parse) {
        field("time_zone", e.to_string());
    }
    if !bad.is_empty() {
        return Err(ApiError::malformed("some fields are not valid").with_details(bad));
    }
    let patch = ProfilePatch {
        name: name.as_ref().map(PersonName::as_str),
        phone: phone.as_ref().map(|p| p.as_deref()),
        language: language.map(Language::code),
        time_zone: change.time_zone.as_deref().map(str::trim),
        login_alerts: change.login_alerts,
    };
    store.audit().audited_user(&user.id, &actor(&user.id), "user.updated", async |store| store.identity().update_profile(&user.id, &patch).await).await?;
    let user = store.identity().user(&user.id).await?.ok_or_else(|| ApiError::unauthorized("sign in again"))?;
    profile(store, &user).await
}
