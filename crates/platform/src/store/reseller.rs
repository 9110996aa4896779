//! SQL of the operator's own configuration (migration 0028, one row): the company, the
//! defaults for new clients, the Stripe gateway (secrets as sealed, with their hints), the
//! account test SMS are sent from, and the settings' lines of the platform history
//! (`staff_events`, targets `settings:…`).

use super::Store;
use crate::db::{opt_text, text, DbError, RowExt, RowsExt};
use domain::accounts::reseller::CompanySettings;

/// The company section as stored; every text as it was checked when set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredCompany {
    /// `None` until the operator has set the section (invoices then use `seller_*`).
    pub name: Option<String>,
    pub organisation_number: Option<String>,
    pub vat_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub default_currency: String,
    pub date_format: String,
    pub time_zone: String,
    pub updated_at: Option<String>,
}

/// The Stripe section as stored: the secrets sealed (never shown), their hints.
#[derive(Debug, Clone)]
pub struct StoredGateway {
    pub mode: String,
    pub secret_key: Option<String>,
    pub secret_key_hint: Option<String>,
    pub webhook_secret: Option<String>,
    pub webhook_secret_hint: Option<String>,
    pub publishable_key: Option<String>,
    pub updated_at: Option<String>,
}

/// A secret's change as the store takes it: `None` keeps it, `Some(None)` clears it,
/// `Some(Some((sealed, hint)))` sets it.
pub type SealedChange = Option<Option<(String, String)>>;

/// A line of the settings' history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SettingsEvent {
    pub id: i64,
    pub actor: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: String,
    /// The line as an English sentence (domain::accounts::reseller::describe_event).
    pub summary: String,
}

pub struct Reseller<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn reseller(&self) -> Reseller<'_> {
        Reseller { store: self }
    }
}

fn set_or_keep(sql: &mut Vec<String>, params: &mut Vec<crate::db::Value>, column: &str, change: &SealedChange) {
    if let Some(value) = change {
        sql.push(format!("{column} = ?, {column}_hint = ?"));
        params.push(opt_text(value.as_ref().map(|(sealed, _)| sealed.clone())));
        params.push(opt_text(value.as_ref().map(|(_, hint)| hint.clone())));
    }
}

impl Reseller<'_> {
    pub async fn company(self) -> Result<StoredCompany, DbError> {
        let rows = self.store.db.query(
            "SELECT company_name, organisation_number, vat_number, address_line1, address_line2, postal_code, city, country, \
             email, phone, website, default_currency, date_format, time_zone, company_updated_at FROM reseller_settings WHERE id = 1",
            &[],
        ).await?;
        let r = rows.one()?;
        Ok(StoredCompany {
            name: r.get("company_name")?,
            organisation_number: r.get("organisation_number")?,
            vat_number: r.get("vat_number")?,
            address_line1: r.get("address_line1")?,
            address_line2: r.get("address_line2")?,
            postal_code: r.get("postal_code")?,
            city: r.get("city")?,
            country: r.get("country")?,
            email: r.get("email")?,
            phone: r.get("phone")?,
            website: r.get("website")?,
            default_currency: r.get("default_currency")?,
            date_format: r.get("date_format")?,
            time_zone: r.get("time_zone")?,
            updated_at: r.get("company_updated_at")?,
        })
    }

    /// Replaces the company section whole.
    pub async fn set_company(self, c: &CompanySettings) -> Result<(), DbError> {
        let s = |v: Option<&str>| opt_text(v.map(str::to_owned));
        self.store.db.execute(
            "UPDATE reseller_settings SET company_name = ?, organisation_number = ?, vat_number = ?, address_line1 = ?, \
             address_line2 = ?, postal_code = ?, city = ?, country = ?, email = ?, phone = ?, website = ?, default_currency = ?, \
             date_format = ?, time_zone = ?, company_updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1",
            &[
                text(c.name.as_ref()),
                s(c.organisation_number.as_ref().map(AsRef::as_ref)),
                s(c.vat_number.as_ref().map(AsRef::as_ref)),
                s(c.address_line1.as_ref().map(AsRef::as_ref)),
                s(c.address_line2.as_ref().map(AsRef::as_ref)),
                s(c.postal_code.as_ref().map(AsRef::as_ref)),
                s(c.city.as_ref().map(AsRef::as_ref)),
                s(c.country.as_ref().map(AsRef::as_ref)),
                s(c.email.as_ref().map(AsRef::as_ref)),
                s(c.phone.as_ref().map(AsRef::as_ref)),
                s(c.website.as_ref().map(|w| w.as_str())),
                text(c.default_currency.code()),
                text(c.date_format.as_str()),
                text(c.time_zone.name()),
            ],
        ).await
    }

    pub async fn gateway(self) -> Result<StoredGateway, DbError> {
        let rows = self.store.db.query(
            "SELECT stripe_mode, stripe_secret_key, stripe_secret_key_hint, stripe_webhook_secret, stripe_webhook_secret_hint, \
             stripe_publishable_key, gateway_updated_at FROM reseller_settings WHERE id = 1",
            &[],
        ).await?;
        let r = rows.one()?;
        Ok(StoredGateway {
            mode: r.get("stripe_mode")?,
            secret_key: r.get("stripe_secret_key")?,
            secret_key_hint: r.get("stripe_secret_key_hint")?,
            webhook_secret: r.get("stripe_webhook_secret")?,
            webhook_secret_hint: r.get("stripe_webhook_secret_hint")?,
            publishable_key: r.get("stripe_publishable_key")?,
            updated_at: r.get("gateway_updated_at")?,
        })
    }

    /// Sets the mode and publishable key, and each secret as its change says.
    pub async fn set_gateway(self, mode: &str, publishable_key: Option<&str>, secret_key: &SealedChange, webhook_secret: &SealedChange) -> Result<(), DbError> {
        let mut sql = vec![
            "stripe_mode = ?".to_owned(),
            "stripe_publishable_key = ?".to_owned(),
            "gateway_updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')".to_owned(),
        ];
        let mut params = vec![text(mode), opt_text(publishable_key.map(str::to_owned))];
        set_or_keep(&mut sql, &mut params, "stripe_secret_key", secret_key);
        set_or_keep(&mut sql, &mut params, "stripe_webhook_secret", webhook_secret);
        self.store.db.execute(&format!("UPDATE reseller_settings SET {} WHERE id = 1", sql.join(", ")), &params).await
    }

    /// The account test SMS are sent from, once made.
    pub async fn test_account(self) -> Result<Option<String>, DbError> {
        let rows = self.store.db.query("SELECT test_account_id FROM reseller_settings WHERE id = 1", &[]).await?;
        rows.one()?.get("test_account_id")
    }

    /// Names the test account unless one is named already (two first tests at once): the
    /// account named, this one or the other's.
    pub async fn set_test_account(self, account_id: &str) -> Result<String, DbError> {
        self.store
            .db
            .execute("UPDATE reseller_settings SET test_account_id = ? WHERE id = 1 AND test_account_id IS NULL", &[text(account_id)])
            .await?;
        Ok(self.test_account().await?.unwrap_or_else(|| account_id.to_owned()))
    }

    /// The settings' history, newest first (a staff member named as they are now).
    pub async fn events(self, limit: i64) -> Result<Vec<SettingsEvent>, DbError> {
        let rows = self.store.db.query(
            "SELECT e.id, e.actor, s.name AS actor_name, e.action, e.target, e.before, e.after, e.at FROM staff_events e \
             LEFT JOIN staff s ON e.actor = 'staff:' || s.user_id WHERE e.target LIKE 'settings:%' ORDER BY e.id DESC LIMIT ?",
            &[crate::db::int(limit)],
        ).await?;
        let json = |v: Option<String>| v.and_then(|t| serde_json::from_str(&t).ok());
        rows.rows
            .iter()
            .map(|r| {
                let action: String = r.get("action")?;
                let after = json(r.get("after")?);
                Ok(SettingsEvent {
                    summary: domain::accounts::reseller::describe_event(&action, after.as_ref()),
                    id: r.get("id")?,
                    actor: r.get("actor")?,
                    actor_name: r.get("actor_name")?,
                    action,
                    target: r.get("target")?,
                    before: json(r.get("before")?),
                    after,
                    at: r.get("at")?,
                })
            })
            .collect()
    }
}
