//! SQL of white-label domains and self-signup: the domains (`signup_domains`), the accounts a
//! signup makes (waiting for their e-mail, then perhaps for the operator) and their approval.
//! The steps are decided in domain::accounts::signup; the database keeps an account that is
//! not approved blocked (migration 0029).

use super::Store;
use crate::db::{int, text, DbError, RowExt, Value};
use domain::accounts::signup::Approval;

/// A domain as the console and the portal read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignupDomainView {
    pub host: String,
    pub brand_name: String,
    pub signup_enabled: bool,
    pub currency: String,
    pub credit_limit_minor: i64,
    /// `active` or `pending`.
    pub new_account_status: String,
    pub portal_areas: Vec<&'static str>,
    pub created_at: String,
    pub updated_at: String,
}

/// A domain's settings as written (checked by the caller).
pub struct DomainSettings<'a> {
    pub brand_name: &'a str,
    pub signup_enabled: bool,
    pub currency: &'a str,
    pub credit_limit_minor: i64,
    pub new_account_status: &'a str,
    /// As stored: comma-separated area names.
    pub portal_areas: &'a str,
}

/// A new customer's account as a signup opens it.
pub struct SignupAccount<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub currency: &'a str,
    pub credit_limit_minor: i64,
    pub host: &'a str,
}

/// White-label domains and signups: `store.signup()`.
#[derive(Clone, Copy)]
pub struct Signup<'a> {
    store: &'a Store,
}

impl Store {
    pub fn signup(&self) -> Signup<'_> {
        Signup { store: self }
    }
}

const DOMAIN_COLUMNS: &str =
    "host, brand_name, signup_enabled, currency, credit_limit_minor, new_account_status, portal_areas, created_at, updated_at";

fn domain_from_row(row: &crate::host::Row) -> Result<SignupDomainView, DbError> {
    let areas: String = row.get("portal_areas")?;
    Ok(SignupDomainView {
        host: row.get("host")?,
        brand_name: row.get("brand_name")?,
        signup_enabled: row.get("signup_enabled")?,
        currency: row.get("currency")?,
        credit_limit_minor: row.get("credit_limit_minor")?,
        new_account_status: row.get("new_account_status")?,
        portal_areas: domain::accounts::signup::PortalAreas::from_stored(&areas).names(),
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

impl Signup<'_> {
    pub async fn domains(self) -> Result<Vec<SignupDomainView>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {DOMAIN_COLUMNS} FROM signup_domains ORDER BY host"), &[]).await?;
        rows.rows.iter().map(domain_from_row).collect()
    }

    pub async fn domain(self, host: &str) -> Result<Option<SignupDomainView>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {DOMAIN_COLUMNS} FROM signup_domains WHERE host = ?"), &[text(host)]).await?;
        rows.rows.first().map(domain_from_row).transpose()
    }

    /// `false` when the host has a domain already.
    pub async fn create_domain(self, host: &str, settings: &DomainSettings<'_>) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO signup_domains (host, brand_name, signup_enabled, currency, credit_limit_minor, new_account_status, portal_areas) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (host) DO NOTHING RETURNING host",
            &settings_values(host, settings),
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// `false` when the host has no domain.
    pub async fn update_domain(self, host: &str, settings: &DomainSettings<'_>) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE signup_domains SET brand_name = ?2, signup_enabled = ?3, currency = ?4, credit_limit_minor = ?5, \
                    new_account_status = ?6, portal_areas = ?7, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             WHERE host = ?1 RETURNING host",
            &settings_values(host, settings),
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// `false` when the host has no domain. Accounts that signed up there keep its name.
    pub async fn delete_domain(self, host: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query("DELETE FROM signup_domains WHERE host = ? RETURNING host", &[text(host)]).await?;
        Ok(!rows.rows.is_empty())
    }

    /// Opens a signup's account: blocked, waiting for its e-mail.
    pub async fn create_account(self, id: &str, account: &SignupAccount<'_>) -> Result<(), DbError> {
        self.store.db.execute(
            "INSERT INTO accounts (id, name, kind, currency, credit_limit_minor, blocked, approval, signup_domain) \
             VALUES (?, ?, ?, ?, ?, 1, 'awaiting_email', ?)",
            &[text(id), text(account.name), text(account.kind), text(account.currency), int(account.credit_limit_minor), text(account.host)],
        ).await
    }

    /// The account's approval and the domain it signed up on.
    pub async fn approval(self, account_id: &str) -> Result<Option<(Approval, Option<String>)>, DbError> {
        let rows = self.store.db.query("SELECT approval, signup_domain FROM accounts WHERE id = ?", &[text(account_id)]).await?;
        let Some(row) = rows.rows.first() else { return Ok(None) };
        let stored: String = row.get("approval")?;
        let approval = Approval::parse(&stored).ok_or_else(|| DbError(format!("unknown approval '{stored}'")))?;
        Ok(Some((approval, row.get("signup_domain")?)))
    }

    /// Moves the account from `from` to `to` (decided by the caller): an approved account is
    /// unblocked, any other stays blocked. `false` when it was no longer at `from`.
    pub async fn set_approval(self, account_id: &str, from: Approval, to: Approval) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE accounts SET approval = ?3, blocked = CASE WHEN ?4 THEN 0 ELSE 1 END \
             WHERE id = ?1 AND approval = ?2 RETURNING id",
            &[text(account_id), text(from.as_str()), text(to.as_str()), Value::Integer(to.is_approved() as i64)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }
}

fn settings_values(host: &str, s: &DomainSettings<'_>) -> Vec<Value> {
    vec![
        text(host),
        text(s.brand_name),
        int(s.signup_enabled as i64),
        text(s.currency),
        int(s.credit_limit_minor),
        text(s.new_account_status),
        text(s.portal_areas),
    ]
}
