//! SQL of Idempotency-Keys (domain::api::idempotency): a key's first answer, kept with the
//! effect it answered, in the same transaction.

use super::Store;
use crate::db::{int, text, Db, DbError, RowExt};
use domain::api::idempotency::{IdempotentRequest, KEY_LIFETIME_HOURS};

/// An answer as sent: its HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
}

/// What an Idempotency-Key has kept for a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    /// Unused (or used more than 24 h ago).
    Nothing,
    /// The same request's answer.
    Answer(StoredAnswer),
    /// The key answered a different request.
    OtherRequest,
    /// The same request is under way (a call with an outside party: see
    /// [`Store::finish_idempotent`]), or died mid-way `age_seconds` ago; `body` is what
    /// it noted to resume with.
    InProgress { body: String, age_seconds: f64 },
}

/// The status kept while a request is under way (never sent as an answer).
pub const IN_PROGRESS: u16 = 0;

/// What a call under an Idempotency-Key came to.
#[derive(Debug, Clone)]
pub enum Created<T> {
    New(T),
    /// The same request was answered before: nothing was done now.
    Replayed(StoredAnswer),
    /// The key answered a different request: nothing was done.
    KeyReused,
    /// The same request is under way: nothing was done.
    InProgress,
}

impl<T> Created<T> {
    /// What was created, made into something else; the other outcomes as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Created<U> {
        match self {
            Created::New(done) => Created::New(f(done)),
            Created::Replayed(answer) => Created::Replayed(answer),
            Created::KeyReused => Created::KeyReused,
            Created::InProgress => Created::InProgress,
        }
    }
}

impl Store {
    /// What the key has kept for this request in the account.
    pub async fn kept_answer(&self, account_id: &str, request: &IdempotentRequest) -> Result<Kept, DbError> {
        self.kept_answer_in(&self.db, account_id, request).await
    }

    async fn kept_answer_in(&self, db: &Db, account_id: &str, request: &IdempotentRequest) -> Result<Kept, DbError> {
        let rows = db.query(
            "SELECT fingerprint, status, body, (julianday('now') - julianday(created_at)) * 86400 AS age_seconds \
             FROM idempotency_keys WHERE account_id = ?1 AND key = ?2 \
             AND created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ?3 || ' hours')",
            &[text(account_id), text(request.key.as_str()), int(KEY_LIFETIME_HOURS)],
        ).await?;
        let Some(row) = rows.rows.first() else { return Ok(Kept::Nothing) };
        if !request.matches(&row.get::<String>("fingerprint")?) {
            return Ok(Kept::OtherRequest);
        }
        let (status, body) = (row.get::<i64>("status")? as u16, row.get("body")?);
        if status == IN_PROGRESS {
            return Ok(Kept::InProgress { body, age_seconds: row.get("age_seconds")? });
        }
        Ok(Kept::Answer(StoredAnswer { status, body }))
    }

    /// Runs `work` — a creating or money-moving store call — under an Idempotency-Key:
    /// in one transaction, the key's kept answer if the same request used it before
    /// (then `work` does not run), else `work` and its answer (`respond`) kept with it.
    /// Two requests with one key are serialised by the transaction: the second finds the
    /// first's answer. Without a key, just `work`.
    pub async fn idempotent<T, E: From<DbError>>(
        &self,
        account_id: &str,
        key: Option<&IdempotentRequest>,
        respond: impl Fn(&T) -> StoredAnswer,
        work: impl AsyncFnOnce() -> Result<T, E>,
    ) -> Result<Created<T>, E> {
        let Some(key) = key else { return work().await.map(Created::New) };
        self.db.transaction(async |db| {
            match self.kept_answer_in(db, account_id, key).await? {
                Kept::Answer(answer) => return Ok(Created::Replayed(answer)),
                Kept::OtherRequest => return Ok(Created::KeyReused),
                Kept::InProgress { .. } => return Ok(Created::InProgress),
                Kept::Nothing => {}
            }
            let done = work().await?;
            self.remember_in(db, account_id, key, &respond(&done)).await?;
            Ok(Created::New(done))
        }).await
    }

    /// The final answer of a request that kept [`IN_PROGRESS`] under its key while it
    /// called an outside party.
    pub async fn finish_idempotent(&self, account_id: &str, request: &IdempotentRequest, answer: &StoredAnswer) -> Result<(), DbError> {
        self.remember_in(&self.db, account_id, request, answer).await
    }

    /// Keeps `answer` for the key, replacing an expired use of it.
    async fn remember_in(&self, db: &Db, account_id: &str, request: &IdempotentRequest, answer: &StoredAnswer) -> Result<(), DbError> {
        db.execute(
            "INSERT INTO idempotency_keys (account_id, key, fingerprint, status, body) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (account_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status, \
             body = excluded.body, created_at = excluded.created_at",
            &[
                text(account_id),
                text(request.key.as_str()),
                text(request.fingerprint.as_str()),
                int(answer.status as i64),
                text(answer.body.as_str()),
            ],
        ).await
    }

    /// Drops keys past their lifetime (the job runner).
    pub async fn purge_idempotency_keys(&self, limit: i64) -> Result<usize, DbError> {
        let rows = self.db.query(
            "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys \
             WHERE created_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ?1 || ' hours') LIMIT ?2) RETURNING 1",
            &[int(KEY_LIFETIME_HOURS), int(limit)],
        ).await?;
        Ok(rows.rows.len())
    }
}
