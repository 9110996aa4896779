//! An account's settings, as its API key or a signed-in admin reads and changes them:
//! time zone and status callback URL, inbound handling (keyword languages, opt-out,
//! auto-replies, the inbound webhook and its format) and the profile (company, contact, date format,
//! note, currency).

use crate::http::internal;
use crate::store::{AccountProfile, AccountSettings, Caller, InboundSettings, InboundSettingsPatch, ProfileUpdate, ProfileUpdateError, Store, Subject};
use domain::accounts::account::{currency_locked, CompanyInput, ContactInput, ProfileInput, ProfilePatch};
use domain::callbacks::endpoint::CallbackUrl;
use domain::callbacks::twilio::CallbackFormat;
use domain::api::error::ApiError;
use domain::identity::language::Language;
use domain::api::patch::Patched;
use domain::messaging::schedule::TimeZone;
use domain::messaging::text::{MessageText, SegmentLimits};
use serde::Deserialize;

/// Everything an account has set.
pub struct Settings {
    pub callbacks: AccountSettings,
    pub inbound: InboundSettings,
    pub profile: AccountProfile,
    /// The currency can change only while the ledger is empty (409 CurrencyLocked).
    pub currency_locked: bool,
}

/// The settings as the API shows them (the account's own `GET /v1/account/settings` and the
/// operator's `GET /v1/admin/accounts/{id}/settings`).
pub fn view(settings: &Settings) -> serde_json::Value {
    let Settings { callbacks, inbound, profile, currency_locked } = settings;
    serde_json::json!({
        "currency": profile.currency,
        "currency_locked": currency_locked,
        "company": profile.company,
        "contact": profile.contact,
        "date_format": profile.date_format,
        "note": profile.note,
        "time_zone": callbacks.time_zone,
        "status_callback": callbacks.status_callback,
        "webhook_secret_set": callbacks.webhook_secret_set,
        "webhook_secret_rotated_at": callbacks.webhook_secret_rotated_at,
        "languages": inbound.languages,
        "stop_by_reply": inbound.stop_by_reply,
        "stop_by_link": inbound.stop_by_link,
        "help_reply": inbound.help_reply,
        "opt_out_reply": inbound.opt_out_reply,
        "save_reply": inbound.save_reply,
        "inbound_webhook": inbound.inbound_webhook,
        "inbound_format": inbound.inbound_format.as_str(),
    })
}

pub async fn current(store: &Store, account_id: &str) -> Result<Settings, ApiError> {
    let gone = || ApiError::not_found("the account no longer exists");
    let callbacks = store.accounts().account_settings(account_id).await?.ok_or_else(gone)?;
    let inbound = store.inbound().inbound_settings(account_id).await?.ok_or_else(gone)?;
    let profile = store.accounts().account_profile(account_id).await?.ok_or_else(gone)?;
    let account = store.accounts().account(account_id).await?.ok_or_else(gone)?;
    Ok(Settings { callbacks, inbound, profile, currency_locked: account.ledger_entries > 0 })
}

/// A change as sent. Absent leaves a setting as it is; `null` clears one that may be empty.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub status_callback: Patched<String>,
    /// Keyword languages, e.g. ["sv", "en"] (English is always understood).
    pub languages: Option<Vec<String>>,
    /// Opt-out by replying STOP to a reception number.
    pub stop_by_reply: Option<bool>,
    /// An unsubscribe link appended to every SMS (counted in its segments).
    pub stop_by_link: Option<bool>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub help_reply: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub opt_out_reply: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub save_reply: Patched<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub inbound_webhook: Patched<String>,
    /// How inbound SMS are POSTed to `inbound_webhook`: "json" (ours) or "twilio" (Twilio's
    /// form and signature; a TwiML answer's `<Message>`s are sent as replies).
    pub inbound_format: Option<String>,
    /// Company information; in it absent leaves a field, `null` or `""` clears it.
    pub company: Option<CompanyInput>,
    /// Contact details, likewise.
    pub contact: Option<ContactInput>,
    /// One of domain::accounts::account::DateFormat's strings.
    pub date_format: Option<String>,
    #[serde(default, deserialize_with = "domain::api::patch::explicit_null")]
    pub note: Patched<String>,
    /// Only while the account has no ledger entries (409 CurrencyLocked after).
    pub currency: Option<String>,
}

/// Checks the whole change, then makes it in one step of the account's history
/// (`settings.updated`): the settings as they are now.
pub async fn update(store: &Store, caller: &Caller, mut patch: SettingsPatch) -> Result<Settings, ApiError> {
    // The profile's fields are all checked, and every bad one reported, first.
    let profile = ProfilePatch::parse(&ProfileInput {
        company: patch.company.take(),
        contact: patch.contact.take(),
        date_format: patch.date_format.take(),
        note: patch.note.take(),
        currency: patch.currency.take(),
    })?;
    let profile_update = ProfileUpdate {
        company_name: profile.company_name.as_update(),
        organisation_number: profile.organisation_number.as_update(),
        vat_number: profile.vat_number.as_update(),
        address_line1: profile.address_line1.as_update(),
        address_line2: profile.address_line2.as_update(),
        postal_code: profile.postal_code.as_update(),
        city: profile.city.as_update(),
        country: profile.country.as_update(),
        contact_name: profile.contact_name.as_update(),
        contact_email: profile.contact_email.as_update(),
        contact_phone: profile.contact_phone.as_update(),
        invoice_email: profile.invoice_email.as_update(),
        note: profile.note.as_update(),
        date_format: profile.date_format.map(|f| f.as_str()),
        currency: profile.currency.map(|c| c.code()),
    };
    let time_zone = patch.time_zone.as_deref().map(TimeZone::parse).transpose()?;
    let status_callback = url_patch(&patch.status_callback).await?;
    let inbound_webhook = url_patch(&patch.inbound_webhook).await?;
    let inbound_format = patch
        .inbound_format
        .as_deref()
        .map(CallbackFormat::parse)
        .transpose()
        .map_err(|e| ApiError::malformed(format!("inbound_format: {e}")))?;
    let languages = match &patch.languages {
        None => None,
        Some(list) => {
            let parsed = list.iter().map(|l| Language::parse_tag(l)).collect::<Result<Vec<_>, _>>().map_err(|e| ApiError::malformed(e.to_string()))?;
            Some(parsed.iter().map(|l| l.code()).collect::<Vec<_>>().join(","))
        }
    };
    let (help, opt_out, save) =
        (reply_patch(&patch.help_reply, "help_reply")?, reply_patch(&patch.opt_out_reply, "opt_out_reply")?, reply_patch(&patch.save_reply, "save_reply")?);
    store
        .audit().audited(&caller.account_id, &caller.actor, "settings.updated", Subject::Account(&caller.account_id), async |store| {
            store.accounts().update_account_settings(
                &caller.account_id,
                time_zone.as_ref().map(TimeZone::name),
                status_callback.as_ref().map(|url| url.as_ref().map(CallbackUrl::as_str)),
            ).await?;
            store.inbound().update_inbound_settings(
                &caller.account_id,
                &InboundSettingsPatch {
                    languages: languages.as_deref(),
                    stop_by_reply: patch.stop_by_reply,
                    stop_by_link: patch.stop_by_link,
                    help_reply: help.as_ref().map(|o| o.as_deref()),
                    opt_out_reply: opt_out.as_ref().map(|o| o.as_deref()),
                    save_reply: save.as_ref().map(|o| o.as_deref()),
                    inbound_webhook: inbound_webhook.as_ref().map(|url| url.as_ref().map(CallbackUrl::as_str)),
                    inbound_format,
                },
            ).await?;
            store.accounts().update_account_profile(&caller.account_id, &profile_update).await
        })
        .await
        .map_err(|e| match e {
            ProfileUpdateError::CurrencyLocked(currency) => currency_locked(&currency),
            ProfileUpdateError::Db(e) => internal(e),
        })?;
    current(store, &caller.account_id).await
}

/// A customer URL, checked against the egress policy.
async fn url_patch(field: &Patched<String>) -> Result<Patched<CallbackUrl>, ApiError> {
    match field {
        Some(Some(url)) => Ok(Some(Some(crate::config::egress_policy().await.parse(url)?))),
        Some(None) => Ok(Some(None)),
        None => Ok(None),
    }
}

/// An auto-reply must be a sendable SMS; an empty one is the same as none.
fn reply_patch(field: &Patched<String>, name: &str) -> Result<Patched<String>, ApiError> {
    match field {
        Some(Some(text)) if !text.trim().is_empty() => {
            MessageText::parse(text, SegmentLimits::default()).map_err(|e| ApiError::malformed(format!("{name}: {e}")))?;
            Ok(Some(Some(text.clone())))
        }
        Some(_) => Ok(Some(None)),
        None => Ok(None),
    }
}
