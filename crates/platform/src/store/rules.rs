//! SQL of the operator's send rules (migration 0021): sender and content replacement and
//! banned content, for every account (`account_id` NULL) or one; the countries that want
//! registered alphanumeric senders; each account's registered senders and +1 campaigns.
//! What they decide is domain::messaging::rules'; a send reads them with its lookups
//! (send_lookups.rs), never here.

use super::Store;
use crate::db::{int, opt_text, text, DbError, RowExt, RowsExt, Value};
use domain::messaging::rules::{RuleFields, SendRule};

/// A stored rule as the operator API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredRule {
    pub id: i64,
    /// None: a default rule, for every account.
    pub account_id: Option<String>,
    #[serde(flatten)]
    pub fields: RuleFields,
    pub created_at: String,
    pub updated_at: String,
}

impl StoredRule {
    /// The rule as the domain reads it (an error for a row that no longer parses: rules
    /// are checked when written, so that is a bug to see, never a rule to skip).
    pub fn rule(&self) -> Result<SendRule, DbError> {
        SendRule::parse(self.id, self.account_id.is_some(), &self.fields).map_err(|e| DbError(format!("send rule {} unreadable: {e}", self.id)))
    }
}

/// A rule's columns as a row or a JSON object (send_lookups.rs) names them.
#[derive(Debug, serde::Deserialize)]
pub(super) struct RuleColumns {
    pub id: i64,
    pub account_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub scope: String,
    pub from_sender: Option<String>,
    pub from_kind: Option<String>,
    pub pattern: Option<String>,
    pub pattern_kind: Option<String>,
    pub case_sensitive: bool,
    pub replacement: Option<String>,
}

impl RuleColumns {
    pub(super) fn fields(self) -> RuleFields {
        RuleFields {
            kind: self.kind,
            name: self.name,
            scope: self.scope,
            from: self.from_sender,
            from_kind: self.from_kind,
            pattern: self.pattern,
            pattern_kind: self.pattern_kind,
            case_sensitive: self.case_sensitive,
            replacement: self.replacement,
        }
    }
}

const RULE_COLUMNS: &str = "id, account_id, kind, name, scope, from_sender, from_kind, pattern, pattern_kind, case_sensitive, \
     replacement, created_at, updated_at";

fn rule_from_row(row: &crate::host::Row) -> Result<StoredRule, DbError> {
    let columns = RuleColumns {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        kind: row.get("kind")?,
        name: row.get("name")?,
        scope: row.get("scope")?,
        from_sender: row.get("from_sender")?,
        from_kind: row.get("from_kind")?,
        pattern: row.get("pattern")?,
        pattern_kind: row.get("pattern_kind")?,
        case_sensitive: row.get("case_sensitive")?,
        replacement: row.get("replacement")?,
    };
    Ok(StoredRule {
        id: columns.id,
        account_id: columns.account_id.clone(),
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        fields: columns.fields(),
    })
}

/// The rule's fields as parameters, in the order of [`RULE_VALUES`].
fn rule_params(rule: &SendRule) -> Vec<Value> {
    let f = rule.fields();
    vec![
        text(f.kind),
        text(f.name),
        text(f.scope),
        opt_text(f.from),
        opt_text(f.from_kind),
        opt_text(f.pattern),
        opt_text(f.pattern_kind),
        int(i64::from(f.case_sensitive)),
        opt_text(f.replacement),
    ]
}

/// A country that wants registered alphanumeric senders.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegistrationCountry {
    pub country: String,
    pub created_at: String,
}

/// An alphanumeric sender registered for an account in a country.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegisteredSender {
    pub id: i64,
    pub sender: String,
    pub country: String,
    pub created_at: String,
}

/// A +1 campaign booked for an account.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Campaign {
    pub id: String,
    pub reference: String,
    pub description: Option<String>,
    pub created_at: String,
    pub ended_at: Option<String>,
}

fn campaign_from_row(row: &crate::host::Row) -> Result<Campaign, DbError> {
    Ok(Campaign {
        id: row.get("id")?,
        reference: row.get("reference")?,
        description: row.get("description")?,
        created_at: row.get("created_at")?,
        ended_at: row.get("ended_at")?,
    })
}

fn registered_from_row(row: &crate::host::Row) -> Result<RegisteredSender, DbError> {
    Ok(RegisteredSender { id: row.get("id")?, sender: row.get("sender")?, country: row.get("country")?, created_at: row.get("created_at")? })
}

/// The operator's send rules and the senders and campaigns they look at: `store.rules()`.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn rules(&self) -> Rules<'_> {
        Rules { store: self }
    }
}

impl Rules<'_> {
    /// One list's rules (`None`: the default rules) in the order made, after the id `after`.
    pub async fn list(self, account_id: Option<&str>, limit: i64, after: Option<i64>) -> Result<Vec<StoredRule>, DbError> {
        let rows = self.store.db.query(
            &format!("SELECT {RULE_COLUMNS} FROM send_rules WHERE account_id IS ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3"),
            &[opt_text(account_id), after.map(int).unwrap_or(Value::Null), int(limit)],
        ).await?;
        rows.rows.iter().map(rule_from_row).collect()
    }

    pub async fn rule(self, id: i64) -> Result<Option<StoredRule>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {RULE_COLUMNS} FROM send_rules WHERE id = ?"), &[int(id)]).await?;
        rows.rows.first().map(rule_from_row).transpose()
    }

    /// Adds a rule to a list (`None`: the default rules); `None` when the account does not exist.
    pub async fn create(self, account_id: Option<&str>, rule: &SendRule) -> Result<Option<StoredRule>, DbError> {
        let mut params = vec![opt_text(account_id)];
        params.extend(rule_params(rule));
        let rows = self.store.db.query(
            &format!(
                "INSERT INTO send_rules (account_id, kind, name, scope, from_sender, from_kind, pattern, pattern_kind, case_sensitive, replacement) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM accounts WHERE id = ?1) \
                 RETURNING {RULE_COLUMNS}"
            ),
            &params,
        ).await?;
        rows.rows.first().map(rule_from_row).transpose()
    }

    /// Replaces rule `id` with `rule` (its list stays); `None` when there is no such rule.
    pub async fn update(self, id: i64, rule: &SendRule) -> Result<Option<StoredRule>, DbError> {
        let mut params = vec![int(id)];
        params.extend(rule_params(rule));
        let rows = self.store.db.query(
            &format!(
                "UPDATE send_rules SET kind = ?2, name = ?3, scope = ?4, from_sender = ?5, from_kind = ?6, pattern = ?7, \
                 pattern_kind = ?8, case_sensitive = ?9, replacement = ?10, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
                 WHERE id = ?1 RETURNING {RULE_COLUMNS}"
            ),
            &params,
        ).await?;
        rows.rows.first().map(rule_from_row).transpose()
    }

    pub async fn delete(self, id: i64) -> Result<bool, DbError> {
        let rows = self.store.db.query("DELETE FROM send_rules WHERE id = ? RETURNING id", &[int(id)]).await?;
        Ok(!rows.rows.is_empty())
    }

    // ------------------------------------------------------------ registered senders

    pub async fn registration_countries(self) -> Result<Vec<RegistrationCountry>, DbError> {
        let rows = self.store.db.query("SELECT country, created_at FROM sender_registration_countries ORDER BY country", &[]).await?;
        rows.rows.iter().map(|r| Ok(RegistrationCountry { country: r.get("country")?, created_at: r.get("created_at")? })).collect()
    }

    /// Lists a country (once, however often asked).
    pub async fn require_registration(self, country: &str) -> Result<RegistrationCountry, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO sender_registration_countries (country) VALUES (?1) ON CONFLICT (country) DO UPDATE SET country = excluded.country \
             RETURNING country, created_at",
            &[text(country)],
        ).await?;
        let row = rows.one()?;
        Ok(RegistrationCountry { country: row.get("country")?, created_at: row.get("created_at")? })
    }

    pub async fn lift_registration(self, country: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query("DELETE FROM sender_registration_countries WHERE country = ? RETURNING country", &[text(country)]).await?;
        Ok(!rows.rows.is_empty())
    }

    /// The account's registered senders by id, after the id `after`.
    pub async fn registered_senders(self, account_id: &str, limit: i64, after: Option<i64>) -> Result<Vec<RegisteredSender>, DbError> {
        let rows = self.store.db.query(
            "SELECT id, sender, country, created_at FROM registered_senders WHERE account_id = ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3",
            &[text(account_id), after.map(int).unwrap_or(Value::Null), int(limit)],
        ).await?;
        rows.rows.iter().map(registered_from_row).collect()
    }

    /// Registers a sender for the account in a country; `None` when it already is.
    pub async fn register_sender(self, account_id: &str, sender: &str, country: &str) -> Result<Option<RegisteredSender>, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO registered_senders (account_id, sender, country) VALUES (?, ?, ?) ON CONFLICT DO NOTHING \
             RETURNING id, sender, country, created_at",
            &[text(account_id), text(sender), text(country)],
        ).await?;
        rows.rows.first().map(registered_from_row).transpose()
    }

    pub async fn unregister_sender(self, account_id: &str, id: i64) -> Result<bool, DbError> {
        let rows = self.store.db.query("DELETE FROM registered_senders WHERE account_id = ? AND id = ? RETURNING id", &[text(account_id), int(id)]).await?;
        Ok(!rows.rows.is_empty())
    }

    // ------------------------------------------------------------ +1 campaigns

    /// The account's campaigns, newest first, before the id `before`.
    pub async fn campaigns(self, account_id: &str, limit: i64, after: Option<&str>) -> Result<Vec<Campaign>, DbError> {
        let rows = self.store.db.query(
            "SELECT id, reference, description, created_at, ended_at FROM campaigns \
             WHERE account_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
            &[text(account_id), opt_text(after), int(limit)],
        ).await?;
        rows.rows.iter().map(campaign_from_row).collect()
    }

    pub async fn add_campaign(self, id: &str, account_id: &str, reference: &str, description: Option<&str>) -> Result<Campaign, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO campaigns (id, account_id, reference, description) VALUES (?, ?, ?, ?) \
             RETURNING id, reference, description, created_at, ended_at",
            &[text(id), text(account_id), text(reference), opt_text(description)],
        ).await?;
        campaign_from_row(rows.one()?)
    }

    /// Ends a campaign (kept for the record); `None` when the account has no such campaign.
    pub async fn end_campaign(self, account_id: &str, id: &str) -> Result<Option<Campaign>, DbError> {
        let rows = self.store.db.query(
            "UPDATE campaigns SET ended_at = COALESCE(ended_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             WHERE account_id = ? AND id = ? RETURNING id, reference, description, created_at, ended_at",
            &[text(account_id), text(id)],
        ).await?;
        rows.rows.first().map(campaign_from_row).transpose()
    }
}
