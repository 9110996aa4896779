//! SQL of an account's history: changes recorded with who, what, when, before and after,
//! in the same transaction as the change itself, so no change goes unrecorded.

use domain::identity::access::Actor;
use super::Store;
use crate::db::{int, opt_text, text, DbError, RowExt};

/// What a change is about; its state is captured as JSON before and after.
pub enum Subject<'a> {
    /// The account's settings, limits and state (never its secrets or balance).
    Account(&'a str),
    /// An API key (never its hash).
    Key(&'a str),
    /// A reception number.
    Number(&'a str),
    /// A user's access to the account, or their invitation (`pending`): (account id, user
    /// id). Never the user's secrets, nor their name.
    Member(&'a str, &'a str),
    /// A user of the account, as their security changes (password, two-factor, e-mail):
    /// what is recorded is whether each is set, never the secret itself.
    User(&'a str),
    /// An SMPP credential (never its password hash).
    Smpp(&'a str),
    /// The account's own price list: every rule, with its price and period.
    Prices(&'a str),
    /// The account's own send rules (sender, content, banned content): every rule.
    SendRules(&'a str),
    /// The account's registered senders and +1 campaigns.
    SenderRegistrations(&'a str),
    /// The account's own routing pool: every route with its connections in order.
    Routes(&'a str),
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEventView {
    pub id: i64,
    pub actor: String,
    /// The person behind a `user:<id>` actor, as they are named now.
    pub actor_name: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: String,
}

/// A history line as the operator's console reads it: the actor's name resolved for
/// each kind (a user's, a staff member's, an API key's), and the account's currency.
#[derive(Debug, Clone)]
pub struct OperatorEventRow {
    pub id: i64,
    pub actor: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: String,
    pub currency: String,
}

impl Subject<'_> {
    /// The statement that reads the subject's state as JSON, in its column `snapshot`.
    fn snapshot_sql(&self) -> (&'static str, Vec<&str>) {
        match self {
            Subject::Account(id) => (
                "SELECT json_object('name', name, 'kind', kind, 'credit_limit_minor', credit_limit_minor, 'blocked', blocked, \
                 'time_zone', time_zone, 'status_callback', status_callback, 'languages', languages, \
                 'stop_by_reply', stop_by_reply, 'stop_by_link', stop_by_link, 'help_reply', help_reply, \
                 'opt_out_reply', opt_out_reply, 'save_reply', save_reply, 'inbound_webhook', inbound_webhook, 'inbound_format', inbound_format, \
                 'webhook_secret_rotated_at', webhook_secret_rotated_at, 'currency', currency, \
                 'company_name', company_name, 'organisation_number', organisation_number, 'vat_number', vat_number, \
                 'address_line1', address_line1, 'address_line2', address_line2, 'postal_code', postal_code, 'city', city, \
                 'country', country, 'contact_name', contact_name, 'contact_email', contact_email, \
                 'contact_phone', contact_phone, 'invoice_email', invoice_email, 'date_format', date_format, 'note', note, \
                 'approval', approval) AS snapshot FROM accounts WHERE id = ?",
                vec![id],
            ),
            Subject::Key(id) => (
                "SELECT json_object('name', name, 'hint', hint, 'scopes', scopes, 'allowed_ips', allowed_ips, \
                 'revoked_at', revoked_at) AS snapshot FROM api_keys WHERE id = ?",
                vec![id],
            ),
            Subject::Number(number) => (
                "SELECT json_object('account_id', account_id, 'kind', kind, 'role', role, 'country', country) \
                 AS snapshot FROM numbers WHERE number = ?",
                vec![number],
            ),
            Subject::Member(account_id, user_id) => (
                "SELECT json_object('user_id', m.user_id, 'email', u.email, 'level', m.level, 'pending', m.accepted_at IS NULL) \
                 AS snapshot FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.user_id = ?",
                vec![account_id, user_id],
            ),
            Subject::User(user_id) => (
                "SELECT json_object('email', email, 'email_confirmed', email_confirmed_at IS NOT NULL, 'name', name, \
                 'phone', phone, 'phone_confirmed', phone_confirmed_at IS NOT NULL, 'language', language, \
                 'time_zone', time_zone, 'password_set', password_hash IS NOT NULL, 'two_factor', totp_enabled_at IS NOT NULL, \
                 'login_alerts', login_alerts) AS snapshot FROM users WHERE id = ?",
                vec![user_id],
            ),
            Subject::Smpp(id) => (
                "SELECT json_object('system_id', system_id, 'allowed_ips', allowed_ips, 'revoked_at', revoked_at) \
                 AS snapshot FROM smpp_credentials WHERE id = ?",
                vec![id],
            ),
            Subject::Prices(account_id) => (
                "SELECT json_group_array(json_object('id', id, 'currency', currency, 'scope', scope, \
                 'per_segment_milli', per_segment_milli, 'effective_from', effective_from, 'effective_to', effective_to)) \
                 AS snapshot FROM (SELECT * FROM price_rules WHERE account_id = ? ORDER BY id)",
                vec![account_id],
            ),
            Subject::SendRules(account_id) => (
                "SELECT json_group_array(json_object('id', id, 'kind', kind, 'name', name, 'scope', scope, 'from', from_sender, \
                 'from_kind', from_kind, 'pattern', pattern, 'pattern_kind', pattern_kind, 'case_sensitive', case_sensitive, \
                 'replacement', replacement)) AS snapshot FROM (SELECT * FROM send_rules WHERE account_id = ? ORDER BY id)",
                vec![account_id],
            ),
            Subject::Routes(account_id) => (
                "SELECT json_group_array(json_object('id', r.id, 'scope', r.scope, 'mode', r.mode, 'connections', json( \
                 (SELECT json_group_array(json_object('name', e.connection, 'weight', e.weight)) \
                  FROM (SELECT * FROM route_connections WHERE route_id = r.id ORDER BY position) e)))) \
                 AS snapshot FROM (SELECT * FROM routes WHERE account_id = ? ORDER BY id) r",
                vec![account_id],
            ),
            Subject::SenderRegistrations(account_id) => (
                "SELECT json_object('registered_senders', (SELECT json_group_array(json_object('id', id, 'sender', sender, 'country', country)) \
                 FROM (SELECT * FROM registered_senders WHERE account_id = ?1 ORDER BY id)), \
                 'campaigns', (SELECT json_group_array(json_object('id', id, 'reference', reference, 'description', description, \
                 'ended_at', ended_at)) FROM (SELECT * FROM campaigns WHERE account_id = ?1 ORDER BY id))) AS snapshot",
                vec![account_id],
            ),
        }
    }

    fn target(&self) -> &str {
        match self {
            Subject::Account(id)
            | Subject::Key(id)
            | Subject::Number(id)
            | Subject::User(id)
            | Subject::Member(_, id)
            | Subject::Smpp(id)
            | Subject::Prices(id)
            | Subject::SendRules(id)
            | Subject::SenderRegistrations(id)
            | Subject::Routes(id) => id,
        }
    }
}

/// The account's history: audited changes and reading it: `store.audit()`.
#[derive(Clone, Copy)]
pub struct Audit<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn audit(&self) -> Audit<'_> {
        Audit { store: self }
    }
}

impl Audit<'_> {
    async fn snapshot(self, subject: &Subject<'_>) -> Result<Option<String>, DbError> {
        let (sql, keys) = subject.snapshot_sql();
        let params: Vec<_> = keys.into_iter().map(text).collect();
        // No row (the subject does not exist, before its creation or after its deletion)
        // is no state, as a NULL snapshot is.
        let rows = self.store.db.query(sql, &params).await?;
        Ok(rows.rows.first().map(|r| r.get::<Option<String>>("snapshot")).transpose()?.flatten())
    }

    /// Runs `work` (plain statements, no transaction of its own) in one transaction with
    /// the history: the subject's state before and after, recorded when it changed.
    pub async fn audited<T, E: From<DbError>>(
        self,
        account_id: &str,
        actor: &Actor,
        action: &str,
        subject: Subject<'_>,
        work: impl AsyncFnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        self.store.db.transaction(async |db| {
            let before = self.snapshot(&subject).await?;
            let result = work(self.store).await?;
            let after = self.snapshot(&subject).await?;
            if before != after {
                db.execute(
                    "INSERT INTO audit_events (account_id, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                    &[text(account_id), text(actor), text(action), text(subject.target()), opt_text(before), opt_text(after)],
                ).await?;
            }
            Ok(result)
        }).await
    }

    /// Runs `work` in one transaction with a history line in every account the user has
    /// (accepted) access to: a change to a person (password, two-factor, e-mail) is part of
    /// each account's history, since it changes who can act there. An account they are
    /// only invited to learns nothing about them.
    pub async fn audited_user<T, E: From<DbError>>(
        self,
        user_id: &str,
        actor: &Actor,
        action: &str,
        work: impl AsyncFnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let subject = Subject::User(user_id);
        self.store.db.transaction(async |db| {
            let before = self.snapshot(&subject).await?;
            let result = work(self.store).await?;
            let after = self.snapshot(&subject).await?;
            // A password is never in the snapshot, so its change is recorded regardless.
            if before != after || action.contains("password") {
                db.execute(
                    "INSERT INTO audit_events (account_id, actor, action, target, before, after) \
                     SELECT account_id, ?, ?, ?, ?, ? FROM memberships WHERE user_id = ? AND accepted_at IS NOT NULL",
                    &[text(actor), text(action), text(user_id), opt_text(before), opt_text(after), text(user_id)],
                ).await?;
            }
            Ok(result)
        }).await
    }

    /// The account's history for the operator, newest first, with who acted by name:
    /// `before` pages on from an event id.
    pub async fn operator_history(self, account_id: &str, limit: i64, before: Option<i64>) -> Result<Vec<OperatorEventRow>, DbError> {
        let rows = self.store.db.query(
            "SELECT e.id, e.actor, e.action, e.target, e.before, e.after, e.at, a.currency, \
                    COALESCE(u.name, s.name, k.name) AS actor_name FROM audit_events e \
             JOIN accounts a ON a.id = e.account_id \
             LEFT JOIN users u ON e.actor GLOB 'user:*' AND u.id = substr(e.actor, 6) \
             LEFT JOIN staff s ON e.actor GLOB 'staff:*' AND s.user_id = substr(e.actor, 7) \
             LEFT JOIN api_keys k ON e.actor GLOB 'key:*' AND k.id = substr(e.actor, 5) \
             WHERE e.account_id = ?1 AND (?2 IS NULL OR e.id < ?2) ORDER BY e.id DESC LIMIT ?3",
            &[text(account_id), before.map(int).unwrap_or(crate::db::Value::Null), int(limit)],
        ).await?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        rows.rows
            .iter()
            .map(|r| {
                Ok(OperatorEventRow {
                    id: r.get("id")?,
                    actor: r.get("actor")?,
                    actor_name: r.get("actor_name")?,
                    action: r.get("action")?,
                    target: r.get("target")?,
                    before: json(r.get("before")?),
                    after: json(r.get("after")?),
                    at: r.get("at")?,
                    currency: r.get("currency")?,
                })
            })
            .collect()
    }

    /// The account's history, newest first; `before` pages on from an event id.
    pub async fn history(self, account_id: &str, limit: i64, before: Option<i64>) -> Result<Vec<AuditEventView>, DbError> {
        let rows = self.store.db.query(
            "SELECT e.id, e.actor, e.action, e.target, e.before, e.after, e.at, u.name AS actor_name FROM audit_events e \
             LEFT JOIN users u ON e.actor = 'user:' || u.id \
             WHERE e.account_id = ?1 AND (?2 IS NULL OR e.id < ?2) ORDER BY e.id DESC LIMIT ?3",
            &[text(account_id), before.map(int).unwrap_or(crate::db::Value::Null), int(limit)],
        ).await?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        rows.rows
            .iter()
            .map(|r| {
                Ok(AuditEventView {
                    id: r.get("id")?,
                    actor: r.get("actor")?,
                    actor_name: r.get("actor_name")?,
                    action: r.get("action")?,
                    target: r.get("target")?,
                    before: json(r.get("before")?),
                    after: json(r.get("after")?),
                    at: r.get("at")?,
                })
            })
            .collect()
    }
}
