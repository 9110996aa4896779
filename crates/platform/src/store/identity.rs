//! SQL of people: users, their access to accounts (given, or invited and pending until
//! accepted), two-factor secrets and recovery codes, single-use tokens, phone codes and
//! the log of those sent, login failures and rationing, and the e-mail outbox.

use super::{caller_from_row, Caller, Store, CALLER_COLUMNS};
use domain::identity::access::Actor;
use crate::db::{int, opt_text, text, DbError, RowExt, RowsExt};
use domain::accounts::account::{AccountListQuery, SortValue};
use domain::identity::person::AccessLevel;
use domain::identity::throttle::{FailureState, ThrottleKey};
use crate::db::Value;

/// A user as stored, secrets included: only the portal reads this, and never shows it.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    pub email_confirmed_at: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    pub phone_confirmed_at: Option<String>,
    pub language: String,
    pub time_zone: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<String>,
    pub login_alerts: bool,
    pub default_account_id: Option<String>,
    pub session_epoch: i64,
    pub created_at: String,
}

const USER_COLUMNS: &str = "id, email, email_confirmed_at, name, phone, phone_confirmed_at, language, time_zone, \
     password_hash, totp_secret, totp_enabled_at, login_alerts, default_account_id, session_epoch, created_at";

fn user_from_row(r: &crate::host::Row) -> Result<UserRecord, DbError> {
    Ok(UserRecord {
        id: r.get("id")?,
        email: r.get("email")?,
        email_confirmed_at: r.get("email_confirmed_at")?,
        name: r.get("name")?,
        phone: r.get("phone")?,
        phone_confirmed_at: r.get("phone_confirmed_at")?,
        language: r.get("language")?,
        time_zone: r.get("time_zone")?,
        password_hash: r.get("password_hash")?,
        totp_secret: r.get("totp_secret")?,
        totp_enabled_at: r.get("totp_enabled_at")?,
        login_alerts: r.get("login_alerts")?,
        default_account_id: r.get("default_account_id")?,
        session_epoch: r.get("session_epoch")?,
        created_at: r.get("created_at")?,
    })
}

/// A single-use token's row: `user_id, email, account_id`.
fn token_from_row(r: &crate::host::Row) -> Result<IssuedToken, DbError> {
    Ok(IssuedToken { user_id: r.get("user_id")?, email: r.get("email")?, account_id: r.get("account_id")? })
}

/// A `login_failures` row: `failures, last_failure_at`.
fn failure_from_row(r: &crate::host::Row) -> Result<FailureState, DbError> {
    let failures: i64 = r.get("failures")?;
    let failures = u32::try_from(failures).map_err(|_| DbError(format!("login_failures.failures is {failures}")))?;
    Ok(FailureState { failures, last_failure_at: r.get("last_failure_at")? })
}

/// A change to a profile; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfilePatch<'a> {
    pub name: Option<&'a str>,
    /// `Some(None)` removes the number. A new number is unconfirmed.
    pub phone: Option<Option<&'a str>>,
    pub language: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub login_alerts: Option<bool>,
}

/// One of the accounts a user may act on, as the accounts list shows it (seed 000).
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserAccountView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub balance_minor: i64,
    pub blocked: bool,
    /// `approved`, or where the account's self-signup stands (the portal says so).
    pub approval: String,
    pub level: AccessLevel,
    pub is_default: bool,
    /// The value it was sorted by: its cursor's position, with `id`.
    #[serde(skip)]
    pub sort_value: SortValue,
}

/// Someone with access to an account, or invited to it, as the account overview lists them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    /// `None` while the invitation is pending: whether the address has a user (and what
    /// they are called) is theirs to tell, by accepting.
    pub name: Option<String>,
    pub level: AccessLevel,
    /// Not in yet: the invitation is not accepted, or no password is set.
    pub pending: bool,
    pub since: String,
}

/// A user as another user (an admin of a shared account) sees them, with the accounts
/// they share with that admin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SharedUserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub pending: bool,
    pub accounts: Vec<SharedAccess>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SharedAccess {
    pub account_id: String,
    pub account_name: String,
    pub level: AccessLevel,
}

#[derive(Debug)]
pub enum MembershipChange {
    Done,
    NotFound,
    /// The change would leave the account without an admin.
    LastAdmin,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PhoneCodeCheck {
    Confirmed(String),
    Wrong { attempts_left: i64 },
    /// None outstanding, expired, or tried too often: a new code must be asked for.
    NoCode,
}

/// A single-use token as issued: whose, for which address and (invitations) which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub user_id: String,
    pub email: Option<String>,
    pub account_id: Option<String>,
}

/// A phone confirmation code the platform sent, as the operator's log shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhoneCodeSendView {
    pub message_id: String,
    pub user_id: String,
    /// The account that paid for it (the user's default account).
    pub account_id: String,
    pub to: String,
    pub country: String,
    pub price_minor: i64,
    pub currency: String,
    pub status: i64,
    pub sent_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EmailView {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub detail: Option<String>,
    pub created_at: String,
}

fn level_of(stored: &str) -> AccessLevel {
    // The column's CHECK allows only the three names; anything else reads as the least.
    AccessLevel::parse(stored).unwrap_or(AccessLevel::User)
}

/// Who acts: callers by API key or user, API keys, users, two-factor, single-use tokens, phone codes, login failures, memberships, the e-mail outbox: `store.identity()`.
#[derive(Clone, Copy)]
pub struct Identity<'a> {
    pub(super) store: &'a Store,
}

impl Store {
    pub fn identity(&self) -> Identity<'_> {
        Identity { store: self }
    }
}

impl Identity<'_> {
    // ------------------------------------------------------------ who is calling

    /// The caller a signed-in user stands for on `account_id` (their default account
    /// when `None`), with their level there and their session epoch.
    /// `None` when the user has no access to that account.
    pub async fn caller_by_user(self, user_id: &str, account_id: Option<&str>) -> Result<Option<(Caller, AccessLevel, i64)>, DbError> {
        let rows = self.store.db.query(
            &format!(
                "SELECT {CALLER_COLUMNS}, m.level AS member_level, u.session_epoch AS session_epoch FROM users u \
                 JOIN memberships m ON m.user_id = u.id AND m.accepted_at IS NOT NULL JOIN accounts a ON a.id = m.account_id \
                 WHERE u.id = ?1 AND a.id = COALESCE(?2, u.default_account_id, \
                       (SELECT MIN(account_id) FROM memberships WHERE user_id = ?1 AND accepted_at IS NOT NULL))"
            ),
            &[text(user_id), opt_text(account_id)],
        ).await?;
        let Some(row) = rows.rows.first() else { return Ok(None) };
        let mut caller = caller_from_row(row)?;
        caller.actor = Actor::User(user_id.to_owned());
        Ok(Some((caller, level_of(&row.get::<String>("member_level")?), row.get("session_epoch")?)))
    }

    // ------------------------------------------------------------ users

    pub async fn user_by_email(self, email: &str) -> Result<Option<UserRecord>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"), &[text(email)]).await?;
        rows.rows.first().map(user_from_row).transpose()
    }

    pub async fn user(self, id: &str) -> Result<Option<UserRecord>, DbError> {
        let rows = self.store.db.query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"), &[text(id)]).await?;
        rows.rows.first().map(user_from_row).transpose()
    }

    /// A user without a password yet (they set it from their invitation). The address
    /// counts as confirmed once they use the invitation sent to it.
    pub async fn create_user_with_id(self, id: &str, email: &str, name: &str, language: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "INSERT INTO users (id, email, name, language) VALUES (?, ?, ?, ?)",
            &[text(id), text(email), text(name), text(language)],
        ).await
    }

    /// Sets the password and ends every session of the user (their epoch moves on).
    pub async fn set_password(self, user_id: &str, password_hash: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?",
            &[text(password_hash), text(user_id)],
        ).await
    }

    pub async fn update_profile(self, user_id: &str, patch: &ProfilePatch<'_>) -> Result<(), DbError> {
        let (phone_given, phone) = match patch.phone {
            None => (0, Value::Null),
            Some(p) => (1, opt_text(p)),
        };
        self.store.db.execute(
            "UPDATE users SET name = COALESCE(?2, name), \
                    phone_confirmed_at = CASE WHEN ?3 AND phone IS NOT ?4 THEN NULL ELSE phone_confirmed_at END, \
                    phone = CASE WHEN ?3 THEN ?4 ELSE phone END, \
                    language = COALESCE(?5, language), time_zone = COALESCE(?6, time_zone), \
                    login_alerts = COALESCE(?7, login_alerts) \
             WHERE id = ?1",
            &[
                text(user_id),
                opt_text(patch.name),
                int(phone_given),
                phone,
                opt_text(patch.language),
                opt_text(patch.time_zone),
                patch.login_alerts.map(|b| int(b as i64)).unwrap_or(Value::Null),
            ],
        ).await
    }

    /// Marks the user's address confirmed, or moves them to a new confirmed address.
    /// `false` when another user has taken that address meanwhile.
    pub async fn confirm_email(self, user_id: &str, email: &str) -> Result<bool, DbError> {
        let taken = self.store.db.query("SELECT 1 FROM users WHERE email = ? AND id <> ?", &[text(email), text(user_id)]).await?;
        if !taken.rows.is_empty() {
            return Ok(false);
        }
        self.store.db.execute(
            "UPDATE users SET email = ?, email_confirmed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            &[text(email), text(user_id)],
        ).await?;
        Ok(true)
    }

    pub async fn confirm_phone(self, user_id: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE users SET phone_confirmed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            &[text(user_id)],
        ).await
    }

    /// The account lists and sends start from; the user must have (accepted) access to it.
    pub async fn set_default_account(self, user_id: &str, account_id: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE users SET default_account_id = ?2 WHERE id = ?1 \
             AND EXISTS (SELECT 1 FROM memberships WHERE user_id = ?1 AND account_id = ?2 AND accepted_at IS NOT NULL) RETURNING id",
            &[text(user_id), text(account_id)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    // ------------------------------------------------------------ two-factor

    /// Stores a new, not yet enabled TOTP secret (replacing one begun before).
    pub async fn begin_totp(self, user_id: &str, secret_base32: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE users SET totp_secret = ?, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = ?",
            &[text(secret_base32), text(user_id)],
        ).await
    }

    /// Replaces a TOTP secret stored as `stored` by `sealed`, the same secret sealed (a
    /// no-op when it changed meanwhile).
    pub async fn reseal_totp(self, user_id: &str, stored: &str, sealed: &str) -> Result<(), DbError> {
        self.store.db.execute("UPDATE users SET totp_secret = ?3 WHERE id = ?1 AND totp_secret = ?2", &[text(user_id), text(stored), text(sealed)]).await
    }

    /// Records that a code of time step `step` was used; `false` if that step (or a
    /// later one) was used already, so a code seen once is never accepted again.
    pub async fn use_totp_step(self, user_id: &str, step: u64) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2) RETURNING id",
            &[text(user_id), int(step as i64)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    /// Turns two-factor on with fresh recovery codes (their digests).
    pub async fn enable_totp(self, user_id: &str, recovery_digests: &[String]) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE users SET totp_enabled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            &[text(user_id)],
        ).await?;
        self.replace_recovery_codes(user_id, recovery_digests).await
    }

    pub async fn disable_totp(self, user_id: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = ?",
            &[text(user_id)],
        ).await?;
        self.store.db.execute("DELETE FROM recovery_codes WHERE user_id = ?", &[text(user_id)]).await
    }

    pub async fn replace_recovery_codes(self, user_id: &str, digests: &[String]) -> Result<(), DbError> {
        self.store.db.execute("DELETE FROM recovery_codes WHERE user_id = ?", &[text(user_id)]).await?;
        for digest in digests {
            self.store.db.execute("INSERT INTO recovery_codes (user_id, code_digest) VALUES (?, ?)", &[text(user_id), text(digest)]).await?;
        }
        Ok(())
    }

    /// Spends a recovery code: `true` once per code.
    pub async fn use_recovery_code(self, user_id: &str, digest: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE recovery_codes SET used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             WHERE user_id = ? AND code_digest = ? AND used_at IS NULL RETURNING user_id",
            &[text(user_id), text(digest)],
        ).await?;
        Ok(!rows.rows.is_empty())
    }

    pub async fn recovery_codes_left(self, user_id: &str) -> Result<i64, DbError> {
        let rows = self.store.db.query("SELECT COUNT(*) AS unused FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", &[text(user_id)]).await?;
        rows.one()?.get("unused")
    }

    // ------------------------------------------------------------ single-use tokens

    /// Keeps a token's digest; an earlier unused token of the same purpose for the same
    /// user (and, for invitations, the same account) stops working, so only the newest
    /// e-mail's link does.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_token(
        self,
        digest: &str,
        purpose: &str,
        user_id: &str,
        email: Option<&str>,
        account_id: Option<&str>,
        expires_at: i64,
        now: i64,
    ) -> Result<(), DbError> {
        self.store.db.transaction(async |db| {
            db.execute(
                "UPDATE one_time_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND account_id IS ? AND used_at IS NULL",
                &[int(now), text(user_id), text(purpose), opt_text(account_id)],
            ).await?;
            db.execute(
                "INSERT INTO one_time_tokens (digest, purpose, user_id, email, account_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                &[text(digest), text(purpose), text(user_id), opt_text(email), opt_text(account_id), int(expires_at)],
            ).await
        }).await
    }

    /// A token that would work now (unused, unexpired, of this purpose), left unused: so a
    /// request can be checked whole before the token is spent.
    pub async fn live_token(self, digest: &str, purpose: &str, now: i64) -> Result<Option<IssuedToken>, DbError> {
        let rows = self.store.db.query(
            "SELECT user_id, email, account_id FROM one_time_tokens \
             WHERE digest = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3",
            &[text(digest), text(purpose), int(now)],
        ).await?;
        rows.rows.first().map(token_from_row).transpose()
    }

    /// Uses a token once: whose it was, if it is unused, unexpired and of this purpose.
    /// One statement, so two racing uses cannot both succeed.
    pub async fn consume_token(self, digest: &str, purpose: &str, now: i64) -> Result<Option<IssuedToken>, DbError> {
        let rows = self.store.db.query(
            "UPDATE one_time_tokens SET used_at = ?3 \
             WHERE digest = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3 RETURNING user_id, email, account_id",
            &[text(digest), text(purpose), int(now)],
        ).await?;
        rows.rows.first().map(token_from_row).transpose()
    }

    // ------------------------------------------------------------ phone codes

    /// Keeps the code just sent in `message_id` (replacing one outstanding) and logs the
    /// send for the operator, in one transaction.
    pub async fn record_phone_code(self, user_id: &str, phone: &str, code_digest: &str, expires_at: i64, message_id: &str) -> Result<(), DbError> {
        self.store.db.transaction(async |db| {
            db.execute(
                "INSERT INTO phone_codes (user_id, phone, code_digest, expires_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (user_id) DO UPDATE SET phone = ?2, code_digest = ?3, expires_at = ?4, attempts = 0",
                &[text(user_id), text(phone), text(code_digest), int(expires_at)],
            ).await?;
            db.execute("INSERT INTO phone_code_sends (message_id, user_id) VALUES (?, ?)", &[text(message_id), text(user_id)]).await
        }).await
    }

    /// The phone codes sent, newest first, `limit` of them from after `before` (the
    /// (sent_at, message_id) of the previous page's last), with how many went in the last 24 hours.
    pub async fn phone_code_sends(self, limit: i64, before: Option<(&str, &str)>) -> Result<(i64, Vec<PhoneCodeSendView>), DbError> {
        let (at, id) = before.unzip();
        let rows = self.store.db.query(
            "SELECT p.message_id, p.user_id, m.account_id, m.recipient, m.country, m.price_minor, m.currency, m.status, \
                    p.created_at AS sent_at \
             FROM phone_code_sends p JOIN messages m ON m.id = p.message_id \
             WHERE ?2 IS NULL OR (p.created_at, p.message_id) < (?2, ?3) \
             ORDER BY p.created_at DESC, p.message_id DESC LIMIT ?1",
            &[int(limit), opt_text(at), opt_text(id)],
        ).await?;
        let last_day = self.store.db.query(
            "SELECT COUNT(*) AS sent FROM phone_code_sends WHERE created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')",
            &[],
        ).await?;
        let sends = rows
            .rows
            .iter()
            .map(|r| {
                Ok(PhoneCodeSendView {
                    message_id: r.get("message_id")?,
                    user_id: r.get("user_id")?,
                    account_id: r.get("account_id")?,
                    to: r.get("recipient")?,
                    country: r.get("country")?,
                    price_minor: r.get("price_minor")?,
                    currency: r.get("currency")?,
                    status: r.get("status")?,
                    sent_at: r.get("sent_at")?,
                })
            })
            .collect::<Result<_, DbError>>()?;
        Ok((last_day.one()?.get("sent")?, sends))
    }

    /// Checks a phone code: each wrong try counts, and after `max_attempts` the code is
    /// gone. A right code is used up. Returns the phone number the code was sent to.
    /// Run inside [`Audit::audited_user`] (one transaction).
    pub async fn check_phone_code(self, user_id: &str, code_digest: &str, now: i64, max_attempts: i64) -> Result<PhoneCodeCheck, DbError> {
        let db = &self.store.db;
        {
            let rows = db.query(
                "SELECT phone, code_digest, expires_at, attempts FROM phone_codes WHERE user_id = ?",
                &[text(user_id)],
            ).await?;
            let Some(row) = rows.rows.first() else { return Ok(PhoneCodeCheck::NoCode) };
            let phone: String = row.get("phone")?;
            let stored: String = row.get("code_digest")?;
            let (expires_at, attempts): (i64, i64) = (row.get("expires_at")?, row.get("attempts")?);
            if expires_at <= now || attempts >= max_attempts {
                db.execute("DELETE FROM phone_codes WHERE user_id = ?", &[text(user_id)]).await?;
                return Ok(PhoneCodeCheck::NoCode);
            }
            if stored == code_digest {
                db.execute("DELETE FROM phone_codes WHERE user_id = ?", &[text(user_id)]).await?;
                db.execute(
                    "UPDATE users SET phone_confirmed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND phone = ?",
                    &[text(user_id), text(&phone)],
                ).await?;
                return Ok(PhoneCodeCheck::Confirmed(phone));
            }
            db.execute("UPDATE phone_codes SET attempts = attempts + 1 WHERE user_id = ?", &[text(user_id)]).await?;
            Ok(PhoneCodeCheck::Wrong { attempts_left: max_attempts - attempts - 1 })
        }
    }

    // ------------------------------------------------------------ login throttling

    pub async fn login_failures(self, key: &str) -> Result<Option<FailureState>, DbError> {
        let rows = self.store.db.query("SELECT failures, last_failure_at FROM login_failures WHERE key = ?", &[text(key)]).await?;
        rows.rows.first().map(failure_from_row).transpose()
    }

    /// Counts a failed login against each key, in one transaction so that concurrent
    /// guesses all count; `next` is the rule (domain::identity::throttle::after_failure).
    pub async fn record_login_failure(
        self,
        keys: &[&str],
        now: i64,
        next: impl Fn(Option<&FailureState>, i64) -> FailureState,
    ) -> Result<(), DbError> {
        self.store.db.transaction(async |db| {
            for key in keys {
                let rows = db.query("SELECT failures, last_failure_at FROM login_failures WHERE key = ?", &[text(*key)]).await?;
                let old = rows.rows.first().map(failure_from_row).transpose()?;
                let new = next(old.as_ref(), now);
                db.execute(
                    "INSERT INTO login_failures (key, failures, last_failure_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (key) DO UPDATE SET failures = ?2, last_failure_at = ?3",
                    &[text(*key), int(new.failures as i64), int(new.last_failure_at)],
                ).await?;
            }
            Ok(())
        }).await
    }

    /// Counts one more request against every key, if `admit` (domain::identity::throttle::admit)
    /// lets it go now given their states: `Err(wait)` when some key must wait first (then
    /// nothing is counted). One transaction, so concurrent requests each take their own turn.
    pub async fn ration(
        self,
        keys: &[(ThrottleKey, &str)],
        now: i64,
        admit: impl Fn(&[(ThrottleKey, Option<FailureState>)], i64) -> Result<Vec<FailureState>, i64>,
    ) -> Result<Result<(), i64>, DbError> {
        self.store.db.transaction(async |db| {
            let mut counted = Vec::with_capacity(keys.len());
            for (kind, subject) in keys {
                let rows = db.query("SELECT failures, last_failure_at FROM login_failures WHERE key = ?", &[text(kind.key(subject))]).await?;
                counted.push((*kind, rows.rows.first().map(failure_from_row).transpose()?));
            }
            let states = match admit(&counted, now) {
                Ok(states) => states,
                Err(wait) => return Ok(Err(wait)),
            };
            for ((kind, subject), state) in keys.iter().zip(states) {
                db.execute(
                    "INSERT INTO login_failures (key, failures, last_failure_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (key) DO UPDATE SET failures = ?2, last_failure_at = ?3",
                    &[text(kind.key(subject)), int(state.failures as i64), int(state.last_failure_at)],
                ).await?;
            }
            Ok(Ok(()))
        }).await
    }

    pub async fn clear_login_failures(self, key: &str) -> Result<(), DbError> {
        self.store.db.execute("DELETE FROM login_failures WHERE key = ?", &[text(key)]).await
    }

    // ------------------------------------------------------------ access to accounts

    pub async fn membership(self, user_id: &str, account_id: &str) -> Result<Option<AccessLevel>, DbError> {
        let rows = self.store.db.query(
            "SELECT level FROM memberships WHERE user_id = ? AND account_id = ?",
            &[text(user_id), text(account_id)],
        ).await?;
        rows.rows.first().map(|r| Ok(level_of(&r.get::<String>("level")?))).transpose()
    }

    /// Gives access at once (`accepted`), or as an invitation that grants nothing until
    /// [`Identity::accept_membership`]. `false` when the user has access or an invitation already.
    pub async fn add_membership(self, user_id: &str, account_id: &str, level: AccessLevel, accepted: bool) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO memberships (user_id, account_id, level, accepted_at) \
             VALUES (?, ?, ?, CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END) ON CONFLICT DO NOTHING RETURNING user_id",
            &[text(user_id), text(account_id), text(level.as_str()), int(accepted as i64)],
        ).await?;
        if rows.rows.is_empty() {
            return Ok(false);
        }
        if accepted {
            self.default_if_none(user_id, account_id).await?;
        }
        Ok(true)
    }

    /// The user accepts their invitation to the account (accepting again changes nothing);
    /// an account the user had no default for becomes their default. `false` when there is
    /// no such membership (the invitation was withdrawn).
    pub async fn accept_membership(self, user_id: &str, account_id: &str) -> Result<bool, DbError> {
        let rows = self.store.db.query(
            "UPDATE memberships SET accepted_at = COALESCE(accepted_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) \
             WHERE user_id = ? AND account_id = ? RETURNING user_id",
            &[text(user_id), text(account_id)],
        ).await?;
        if rows.rows.is_empty() {
            return Ok(false);
        }
        self.default_if_none(user_id, account_id).await?;
        Ok(true)
    }

    async fn default_if_none(self, user_id: &str, account_id: &str) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE users SET default_account_id = ? WHERE id = ? AND default_account_id IS NULL",
            &[text(account_id), text(user_id)],
        ).await
    }

    /// Changes a member's level (`Some`) or revokes their access or invitation (`None`),
    /// never leaving the account without an admin who has accepted. Run inside
    /// [`Audit::audited`] (one transaction).
    pub async fn change_membership(self, account_id: &str, user_id: &str, level: Option<AccessLevel>) -> Result<MembershipChange, DbError> {
        let Some(current) = self.membership(user_id, account_id).await? else { return Ok(MembershipChange::NotFound) };
        if current == AccessLevel::Admin && level != Some(AccessLevel::Admin) {
            let others = self.store.db.query(
                "SELECT COUNT(*) AS admins FROM memberships WHERE account_id = ? AND level = 'admin' AND accepted_at IS NOT NULL AND user_id <> ?",
                &[text(account_id), text(user_id)],
            ).await?;
            let accepted = self.store.db.query(
                "SELECT 1 FROM memberships WHERE account_id = ? AND user_id = ? AND accepted_at IS NOT NULL",
                &[text(account_id), text(user_id)],
            ).await?;
            if !accepted.rows.is_empty() && others.one()?.get::<i64>("admins")? == 0 {
                return Ok(MembershipChange::LastAdmin);
            }
        }
        match level {
            Some(level) => self.store.db.execute(
                "UPDATE memberships SET level = ? WHERE user_id = ? AND account_id = ?",
                &[text(level.as_str()), text(user_id), text(account_id)],
            ).await?,
            None => {
                self.store.db.execute("DELETE FROM memberships WHERE user_id = ? AND account_id = ?", &[text(user_id), text(account_id)]).await?;
                self.store.db.execute(
                    "UPDATE users SET default_account_id = \
                         (SELECT MIN(account_id) FROM memberships WHERE user_id = ?1 AND accepted_at IS NOT NULL) \
                     WHERE id = ?1 AND default_account_id = ?2",
                    &[text(user_id), text(account_id)],
                ).await?;
                // A withdrawn invitation's link no longer works.
                self.store.db.execute(
                    "UPDATE one_time_tokens SET used_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE user_id = ? AND account_id = ? AND used_at IS NULL",
                    &[text(user_id), text(account_id)],
                ).await?;
            }
        }
        Ok(MembershipChange::Done)
    }

    /// The account's members by name, then its pending invitations by address: an
    /// invitation shows no name, nor sorts by one.
    pub async fn members(self, account_id: &str) -> Result<Vec<MemberView>, DbError> {
        let rows = self.store.db.query(
            "SELECT u.id AS user_id, u.email, CASE WHEN m.accepted_at IS NOT NULL THEN u.name END AS shown, m.level, \
                    m.accepted_at IS NULL OR u.password_hash IS NULL AS pending, m.created_at AS since \
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? \
             ORDER BY m.accepted_at IS NULL, shown COLLATE NOCASE, u.email",
            &[text(account_id)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(MemberView {
                    user_id: r.get("user_id")?,
                    email: r.get("email")?,
                    name: r.get("shown")?,
                    level: level_of(&r.get::<String>("level")?),
                    pending: r.get("pending")?,
                    since: r.get("since")?,
                })
            })
            .collect()
    }

    /// The accounts a user may act on, searched (`q` in id, name or note, any case),
    /// sorted, a page from the query's position on, with the total count.
    pub async fn accounts_of_user(self, user_id: &str, q: &AccountListQuery) -> Result<(Vec<UserAccountView>, i64), DbError> {
        let filter = "FROM memberships m JOIN accounts a ON a.id = m.account_id JOIN users u ON u.id = m.user_id \
                      WHERE m.user_id = ?1 AND m.accepted_at IS NOT NULL \
                      AND (?2 IS NULL OR a.id GLOB ?2 OR a.name GLOB ?2 OR a.note GLOB ?2)";
        let direction = if q.descending { "DESC" } else { "ASC" };
        let pattern = opt_text(q.pattern.as_deref());
        let (keyset, [value, id]) = super::account_profile::keyset_sql(q, 4);
        let sort = super::account_profile::sort_sql(q.sort);
        let rows = self.store.db.query(
            &format!(
                "SELECT a.id, a.name, a.kind, a.currency, a.balance_minor, a.blocked, a.approval, m.level, a.id IS u.default_account_id AS is_default, \
                 {sort} AS sort_value {filter} {keyset} ORDER BY {sort} {direction}, a.id {direction} LIMIT ?3"
            ),
            &[text(user_id), pattern.clone(), int(q.page.fetch()), value, id],
        ).await?;
        let total = self.store.db.query(&format!("SELECT COUNT(*) AS total {filter}"), &[text(user_id), pattern]).await?;
        let accounts = rows
            .rows
            .iter()
            .map(|r| {
                Ok(UserAccountView {
                    id: r.get("id")?,
                    name: r.get("name")?,
                    kind: r.get("kind")?,
                    currency: r.get("currency")?,
                    balance_minor: r.get("balance_minor")?,
                    blocked: r.get("blocked")?,
                    level: level_of(&r.get::<String>("level")?),
                    is_default: r.get("is_default")?,
                    approval: r.get("approval")?,
                    sort_value: super::account_profile::sort_value_of(r, q.sort)?,
                })
            })
            .collect::<Result<_, DbError>>()?;
        Ok((accounts, total.one()?.get("total")?))
    }

    /// The users who share an account with `viewer` where the viewer is an admin, each
    /// with those shared accounts (seed 000 "Users"); `only` narrows it to one user. Only
    /// accepted access counts: someone merely invited is not shown (nor named).
    pub async fn users_shared_with(self, viewer: &str, only: Option<&str>) -> Result<Vec<SharedUserView>, DbError> {
        let rows = self.store.db.query(
            "SELECT u.id AS user_id, u.email, u.name AS user_name, u.password_hash IS NULL AS pending, \
                    a.id AS account_id, a.name AS account_name, m.level \
             FROM memberships mine JOIN memberships m ON m.account_id = mine.account_id \
             JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id \
             WHERE mine.user_id = ?1 AND mine.level = 'admin' AND mine.accepted_at IS NOT NULL \
               AND m.accepted_at IS NOT NULL AND (?2 IS NULL OR u.id = ?2) \
             ORDER BY u.name COLLATE NOCASE, u.id, a.name COLLATE NOCASE, a.id",
            &[text(viewer), opt_text(only)],
        ).await?;
        let mut users: Vec<SharedUserView> = Vec::new();
        for r in &rows.rows {
            let access = SharedAccess {
                account_id: r.get("account_id")?,
                account_name: r.get("account_name")?,
                level: level_of(&r.get::<String>("level")?),
            };
            let user_id: String = r.get("user_id")?;
            match users.last_mut() {
                Some(user) if user.id == user_id => user.accounts.push(access),
                _ => users.push(SharedUserView {
                    id: user_id,
                    email: r.get("email")?,
                    name: r.get("user_name")?,
                    pending: r.get("pending")?,
                    accounts: vec![access],
                }),
            }
        }
        Ok(users)
    }
}

impl super::Accounts<'_> {
    /// Name/note and type; `None` leaves each as it is.
    pub async fn rename_account(self, account_id: &str, name: Option<&str>, kind: Option<&str>) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE accounts SET name = COALESCE(?, name), kind = COALESCE(?, kind) WHERE id = ?",
            &[opt_text(name), opt_text(kind), text(account_id)],
        ).await
    }
}

impl Identity<'_> {
    // ------------------------------------------------------------ e-mail

    /// Keeps an e-mail (the caller decides how much of its text); its id lets the sender
    /// record what became of it.
    pub async fn queue_email(self, recipient: &str, subject: &str, body: &str) -> Result<i64, DbError> {
        let rows = self.store.db.query(
            "INSERT INTO emails (recipient, subject, body) VALUES (?, ?, ?) RETURNING id",
            &[text(recipient), text(subject), text(body)],
        ).await?;
        rows.one()?.get("id")
    }

    pub async fn record_email_result(self, id: i64, sent: bool, detail: Option<&str>) -> Result<(), DbError> {
        self.store.db.execute(
            "UPDATE emails SET status = ?, detail = ? WHERE id = ?",
            &[text(if sent { "sent" } else { "failed" }), opt_text(detail), int(id)],
        ).await
    }

    /// The newest e-mails, to one address or all, `limit` of them from before the id `before`.
    pub async fn emails(self, recipient: Option<&str>, limit: i64, before: Option<i64>) -> Result<Vec<EmailView>, DbError> {
        let rows = self.store.db.query(
            "SELECT id, recipient, subject, body, status, detail, created_at FROM emails \
             WHERE (?1 IS NULL OR recipient = ?1) AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?2",
            &[opt_text(recipient), int(limit), before.map(int).unwrap_or(Value::Null)],
        ).await?;
        rows.rows
            .iter()
            .map(|r| {
                Ok(EmailView {
                    id: r.get("id")?,
                    recipient: r.get("recipient")?,
                    subject: r.get("subject")?,
                    body: r.get("body")?,
                    status: r.get("status")?,
                    detail: r.get("detail")?,
                    created_at: r.get("created_at")?,
                })
            })
            .collect()
    }
}
