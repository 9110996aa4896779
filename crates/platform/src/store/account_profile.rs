//! SQL of an account's profile (company, contact, date format, note, currency), its SMPP
//! credentials, and the operator's account list (migration 0009).

use super::{stored_allowlist, Store};
use crate::db::{int, opt_text, text, DbError, RowExt, RowsExt};
use domain::identity::access::IpAllowlist;
use domain::accounts::account::{AccountListQuery, AccountSort, SortValue};
use crate::db::Value;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

#[derive(Debug, Clone, serde::Serialize)]
pub struct CompanyProfile {
    pub name: Option<String>,
    pub organisation_number: Option<String>,
    pub vat_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ContactProfile {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub invoice_email: Option<String>,
}

/// The profile part of an account's settings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountProfile {
    pub currency: String,
    pub company: CompanyProfile,
    pub contact: ContactProfile,
    pub date_format: String,
    pub note: Option<String>,
}

/// A change to the profile: `None` leaves a column, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct ProfileUpdate<'a> {
    pub company_name: Option<Option<&'a str>>,
    pub organisation_number: Option<Option<&'a str>>,
    pub vat_number: Option<Option<&'a str>>,
    pub address_line1: Option<Option<&'a str>>,
    pub address_line2: Option<Option<&'a str>>,
    pub postal_code: Option<Option<&'a str>>,
    pub city: Option<Option<&'a str>>,
    pub country: Option<Option<&'a str>>,
    pub contact_name: Option<Option<&'a str>>,
    pub contact_email: Option<Option<&'a str>>,
    pub contact_phone: Option<Option<&'a str>>,
    pub invoice_email: Option<Option<&'a str>>,
    pub note: Option<Option<&'a str>>,
    pub date_format: Option<&'a str>,
    /// Changed only while the account has no ledger entries.
    pub currency: Option<&'a str>,
}

#[derive(Debug)]
pub enum ProfileUpdateError {
    Db(DbError),
    /// The account has ledger entries in this currency, so it stays.
    CurrencyLocked(String),
}

impl From<DbError> for ProfileUpdateError {
    fn from(e: DbError) -> Self {
        ProfileUpdateError::Db(e)
    }
}

/// An SMPP credential as it is shown: never its password or hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SmppCredentialView {
    pub id: String,
    pub account_id: String,
    pub system_id: String,
    /// Empty: any address.
    pub allowed_ips: IpAllowlist,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug)]
pub enum SmppCreated {
    Created(SmppCredentialView),
    /// Another credential (any account's, revoked or not) has the system id.
    DuplicateSystemId,
    NoAccount,
}

#[derive(Debug)]
pub enum SmppUpdate {
    Updated(SmppCredentialView),
    /// A revoked credential stays as it was revoked.
    Revoked,
    NotFound,
}

/// A row of the operator's account list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountListRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub balance_minor: i64,
    pub credit_limit_minor: i64,
    pub blocked: bool,
    /// `active` or `blocked` (the console's Status column).
    /// active, blocked, or a self-signup's approval while not approved (AccountStatus).
    pub status: String,
    pub company_name: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    /// The value it was sorted by: its cursor's position, with `id`.
    #[serde(skip)]
    pub sort_value: SortValue,
}

const SMPP_COLUMNS: &str = "id, account_id, system_id, allowed_ips, created_at, revoked_at";

fn smpp_from_row(r: &crate::host::Row) -> Result<SmppCredentialView, DbError> {
    Ok(SmppCredentialView {
        id: r.get("id")?,
        account_id: r.get("account_id")?,
        system_id: r.get("system_id")?,
        allowed_ips: stored_allowlist(&r.get::<String>("allowed_ips")?)?,
        created_at: r.get("created_at")?,
        revoked_at: r.get("revoked_at")?,
    })
}

/// An account's status (domain::accounts::account::AccountStatus) in SQL: a self-signup's
/// approval while it is not approved, else blocked or active.
const STATUS_SQL: &str = "CASE WHEN a.approval <> 'approved' THEN a.approval WHEN a.blocked THEN 'blocked' ELSE 'active' END";

/// The ORDER BY expression of a sort column: fixed SQL per whitelisted name.
pub(super) fn sort_sql(sort: AccountSort) -> &'static str {
    match sort {
        AccountSort::Id => "a.id",
        AccountSort::Name => "a.name COLLATE NOCASE",
        AccountSort::Kind => "a.kind",
        AccountSort::Balance => "a.balance_minor",
        AccountSort::CreditLimit => "a.credit_limit_minor",
        AccountSort::Status => STATUS_SQL,
        AccountSort::CreatedAt => "a.created_at",
        // Only a user's own list offers it, where `m` is their membership.
        AccountSort::Level => "CASE m.level WHEN 'user' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END",
    }
}

/// The keyset condition of an account list's page: after the previous page's last
/// (sort value, id) in the list's order, as `AND …` with parameters `?n` and `?n+1`.
pub(super) fn keyset_sql(query: &AccountListQuery, n: usize) -> (String, [Value; 2]) {
    let op = if query.descending { "<" } else { ">" };
    let sql = format!("AND (?{n} IS NULL OR ({}, a.id) {op} (?{n}, ?{}))", sort_sql(query.sort), n + 1);
    let values = match &query.after {
        None => [Value::Null, Value::Null],
        Some(p) => [
            match &p.value {
                SortValue::Number(v) => int(*v),
                SortValue::Text(v) => text(v),
            },
            text(&p.id),
        ],
    };
    (sql, values)
}

/// The sort value of a row read with `{sort_sql} AS sort_value`.
pub(super) fn sort_value_of(r: &crate::host::Row, sort: AccountSort) -> Result<SortValue, DbError> {
    Ok(if sort.is_numeric() { SortValue::Number(r.get("sort_value")?) } else { SortValue::Text(r.get("sort_value")?) })
}

/// `col = CASE WHEN ?n THEN ?n+1 ELSE col END`: set or clear a column when asked to.
fn optional(update: Option<Option<&str>>, params: &mut Vec<Value>) -> (usize, usize) {
    params.push(int(update.is_some() as i64));
    params.push(opt_text(update.flatten()));
    (params.len() - 1, params.len())
}

/// Accounts: creating and changing them (operator), their profile and settings, SMPP credentials, the account list: `store.accounts()`.
#[derive(Clone, Copy)]
pub struct Accounts<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { store: self }
    }
}

impl Accounts<'_> {
    // ------------------------------------------------------------ profile

    pub async fn account_profile(self, account_id: &str) -> Result<Option<AccountProfile>, DbError> {
        let rows = self.store.db.query(
            "SELECT currency, company_name, organisation_number, vat_number, address_line1, address_line2, postal_code, city, \
             country, contact_name, contact_email, contact_phone, invoice_email, date_format, note FROM accounts WHERE id = ?",
            &[text(account_id)],
        ).await?;
        let Some(r) = rows.rows.first() else { return Ok(None) };
        Ok(Some(AccountProfile {
            currency: r.get("currency")?,
            company: CompanyProfile {
                name: r.get("company_name")?,
                organisation_number: r.get("organisation_number")?,
                vat_number: r.get("vat_number")?,
                address_line1: r.get("address_line1")?,
                address_line2: r.get("address_line2")?,
                postal_code: r.get("postal_code")?,
                city: r.get("city")?,
                country: r.get("country")?,
            },
            contact: ContactProfile {
                name: r.get("contact_name")?,
                email: r.get("contact_email")?,
                phone: r.get("contact_phone")?,
                invoice_email: r.get("invoice_email")?,
            },
            date_format: r.get("date_format")?,
            note: r.get("note")?,
        }))
    }

    /// Writes the profile fields asked for (no transaction of its own: run it inside
    /// [`Audit::audited`]). A new currency is written only while the account has no ledger
    /// entry, decided in the same statement; otherwise `CurrencyLocked` (and the caller's
    /// transaction is rolled back with it).
    pub async fn update_account_profile(self, account_id: &str, update: &ProfileUpdate<'_>) -> Result<(), ProfileUpdateError> {
        let mut params = vec![text(account_id)];
        let mut sets = Vec::new();
        for (column, value) in [
            ("company_name", update.company_name),
            ("organisation_number", update.organisation_number),
            ("vat_number", update.vat_number),
            ("address_line1", update.address_line1),
            ("address_line2", update.address_line2),
            ("postal_code", update.postal_code),
            ("city", update.city),
            ("country", update.country),
            ("contact_name", update.contact_name),
            ("contact_email", update.contact_email),
            ("contact_phone", update.contact_phone),
            ("invoice_email", update.invoice_email),
            ("note", update.note),
        ] {
            let (flag, value) = optional(value, &mut params);
            sets.push(format!("{column} = CASE WHEN ?{flag} THEN ?{value} ELSE {column} END"));
        }
        params.push(opt_text(update.date_format));
        sets.push(format!("date_format = COALESCE(?{}, date_format)", params.len()));
        self.store.db.execute(&format!("UPDATE accounts SET {} WHERE id = ?1", sets.join(", ")), &params).await?;
        if let Some(currency) = update.currency {
            let changed = self.store.db.query(
                "UPDATE accounts SET currency = ?2 WHERE id = ?1 AND currency <> ?2 \
                 AND NOT EXISTS (SELECT 1 FROM ledger_entries WHERE account_id = ?1) RETURNING id",
                &[text(account_id), text(currency)],
            ).await?;
            if changed.rows.is_empty() {
                let current = self.store.db.query("SELECT currency FROM accounts WHERE id = ?", &[text(account_id)]).await?;
                // The caller's own account: no row is a broken database, not a locked currency.
                let Some(current) = current.rows.first() else {
                    return Err(DbError(format!("account {account_id} has no row")).into());
                };
                let current: String = current.get("currency")?;
                if current != currency {
                    return Err(ProfileUpdateError::CurrencyLocked(current));
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ SMPP credentials

    /// A credential `id` for the account, storing only the password's hash.
    pub async fn create_smpp_credential(
        self,
        id: &str,
        account_id: &str,
        system_id: &str,
        password_hash: &str,
        allowed_ips: &IpAllowlist,
    ) -> Result<SmppCreated, DbError> {
        let rows = self.store.db.query(
            &format!(
                "INSERT INTO smpp_credentials (id, account_id, system_id, password_hash, allowed_ips) \
                 SELECT ?1, id, ?3, ?4, ?5 FROM accounts WHERE id = ?2 \
                 ON CONFLICT (system_id) DO NOTHING RETURNING {SMPP_COLUMNS}"
            ),
            &[text(id), text(account_id), text(system_id), text(password_hash), text(allowed_ips.to_stored())],
        ).await?;
        if let Some(row) = rows.rows.first() {
            return Ok(SmppCreated::Created(smpp_from_row(row)?));
        }
        let account = self.store.db.query("SELECT 1 FROM accounts WHERE id = ?", &[text(account_id)]).await?;
        Ok(if account.rows.is_empty() { SmppCreated::NoAccount } else { SmppCreated::DuplicateSystemId })
    }

    /// The account's credentials, revoked ones included, oldest first.
    pub async fn smpp_credentials(self, account_id: &str) -> Result<Vec<SmppCredentialView>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {SMPP_COLUMNS} FROM smpp_credentials WHERE account_id = ? ORDER BY created_at, id"),
            &[text(account_id)],
        ).await?;
        rows.rows.iter().map(smpp_from_row).collect()
    }

    /// The account a credential belongs to.
    pub async fn smpp_credential_account(self, id: &str) -> Result<Option<String>, DbError> {
        let rows = self.store.db.query("SELECT account_id FROM smpp_credentials WHERE id = ?", &[text(id)]).await?;
        rows.rows.first().map(|r| r.get("account_id")).transpose()
    }

    /// Revokes the account's credential (kept, with `revoked_at`; revoking again keeps the
    /// first time). Returns it, or None when the account has no such credential.
    pub async fn revoke_smpp_credential(self, account_id: &str, id: &str) -> Result<Option<SmppCredentialView>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE smpp_credentials SET revoked_at = COALESCE(revoked_at, {NOW}) \
                 WHERE id = ? AND account_id = ? RETURNING {SMPP_COLUMNS}"
            ),
            &[text(id), text(account_id)],
        ).await?;
        rows.rows.first().map(smpp_from_row).transpose()
    }

    /// Replaces the allowlist of the account's unrevoked credential.
    pub async fn update_smpp_allowed_ips(self, account_id: &str, id: &str, allowed_ips: &IpAllowlist) -> Result<SmppUpdate, DbError> {
        let rows = self.store.db.query(
            &format!(
                "UPDATE smpp_credentials SET allowed_ips = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL \
                 RETURNING {SMPP_COLUMNS}"
            ),
            &[text(allowed_ips.to_stored()), text(id), text(account_id)],
        ).await?;
        if let Some(row) = rows.rows.first() {
            return Ok(SmppUpdate::Updated(smpp_from_row(row)?));
        }
        let exists = self.store.db.query("SELECT 1 FROM smpp_credentials WHERE id = ? AND account_id = ?", &[text(id), text(account_id)]).await?;
        Ok(if exists.rows.is_empty() { SmppUpdate::NotFound } else { SmppUpdate::Revoked })
    }

    // ------------------------------------------------------------ the operator's list

    /// Every account, searched (`q` in id, name, note, company name, contact or invoice
    /// e-mail, or the e-mail of a user with access, any case), sorted by a whitelisted
    /// column (ties by id), a page from the query's position on; with the number that match.
    pub async fn list_accounts(self, query: &AccountListQuery) -> Result<(Vec<AccountListRow>, i64), DbError> {
        let filter = format!(
            "FROM accounts a WHERE (?1 IS NULL OR a.id GLOB ?1 OR a.name GLOB ?1 \
             OR a.note GLOB ?1 OR a.company_name GLOB ?1 OR a.contact_email GLOB ?1 OR a.invoice_email GLOB ?1 \
             OR EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id \
                        WHERE m.account_id = a.id AND u.email GLOB ?1)) \
             AND (?5 IS NULL OR {STATUS_SQL} = ?5)"
        );
        let status = opt_text(query.status.map(|s| s.as_str()));
        let direction = if query.descending { "DESC" } else { "ASC" };
        let pattern = opt_text(query.pattern.as_deref());
        let (keyset, [value, id]) = keyset_sql(query, 3);
        let sort = sort_sql(query.sort);
        let rows = self.store.db.query(
            &format!(
                "SELECT a.id, a.name, a.kind, a.currency, a.balance_minor, a.credit_limit_minor, a.blocked, a.company_name, \
                 a.note, a.created_at, {STATUS_SQL} AS status, {sort} AS sort_value {filter} {keyset} \
                 ORDER BY {sort} {direction}, a.id {direction} LIMIT ?2"
            ),
            &[pattern.clone(), int(query.page.fetch()), value, id, status.clone()],
        ).await?;
        // ?2–?4 are the page's and unused here; SQLite numbers parameters by the highest.
        let total = self.store.db.query(&format!("SELECT COUNT(*) AS total {filter}"), &[pattern, Value::Null, Value::Null, Value::Null, status]).await?;
        let accounts = rows
            .rows
            .iter()
            .map(|r| {
                Ok(AccountListRow {
                    id: r.get("id")?,
                    name: r.get("name")?,
                    kind: r.get("kind")?,
                    currency: r.get("currency")?,
                    balance_minor: r.get("balance_minor")?,
                    credit_limit_minor: r.get("credit_limit_minor")?,
                    blocked: r.get("blocked")?,
                    status: r.get("status")?,
                    company_name: r.get("company_name")?,
                    note: r.get("note")?,
                    created_at: r.get("created_at")?,
                    sort_value: sort_value_of(r, query.sort)?,
                })
            })
            .collect::<Result<_, DbError>>()?;
        Ok((accounts, total.one()?.get("total")?))
    }
}
