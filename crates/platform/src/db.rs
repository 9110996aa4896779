//! Spin's default SQLite database: per-connection settings, versioned migrations, and
//! transactions that stay correct when one instance serves many requests at once.
//! Only `store` (and the migrations here) write SQL.
//!
//! A reused instance (WASIp3) keeps its connections: opening one costs the parse of the
//! whole schema, so each instance opens a few and lends them out. A request holds a
//! connection only for one statement, or for the whole of a transaction:
//!
//! - a transaction has a connection of its own, so no other request's statement runs
//!   inside it and no request reads its uncommitted rows;
//! - write transactions of one instance queue on an async lock before `BEGIN IMMEDIATE`
//!   (which, with SQLite's busy timeout, still orders writers of different instances);
//! - a transaction that fails is rolled back before its connection is lent again; one
//!   whose request is dropped half-way has its connection closed, which rolls it back.

use crate::host::{HostError, Row, Rows, SqlConnection};
pub use crate::host::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database error: {}", self.0)
    }
}
impl std::error::Error for DbError {}

impl From<HostError> for DbError {
    fn from(e: HostError) -> Self {
        DbError(e.0)
    }
}

/// Every schema change, in order; a database's `PRAGMA user_version` says how many it
/// has. A migration is never edited once released: changes are new migrations.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_receipts.sql"),
    include_str!("../migrations/0003_scheduling_callbacks.sql"),
    include_str!("../migrations/0004_contacts.sql"),
    include_str!("../migrations/0005_inbound.sql"),
    include_str!("../migrations/0006_key_access.sql"),
    include_str!("../migrations/0007_audit.sql"),
    include_str!("../migrations/0008_identity.sql"),
    include_str!("../migrations/0009_account_profile.sql"),
    include_str!("../migrations/0010_ledger_kinds.sql"),
    include_str!("../migrations/0011_prices.sql"),
    include_str!("../migrations/0012_payments.sql"),
    include_str!("../migrations/0013_packages_credits.sql"),
    include_str!("../migrations/0014_invoices.sql"),
    include_str!("../migrations/0015_card_purchases.sql"),
];

/// Connections kept idle per instance: as many as requests it serves at once (16).
const IDLE_CONNECTIONS: usize = 16;

/// What one instance keeps between requests.
struct Instance {
    idle: Mutex<Vec<Arc<SqlConnection>>>,
    /// Held from before `BEGIN IMMEDIATE` to after `COMMIT`/`ROLLBACK`.
    writer: futures::lock::Mutex<()>,
    /// Held while the schema is checked and brought up to date, once per instance.
    migrating: futures::lock::Mutex<()>,
    migrated: AtomicBool,
}

static INSTANCE: LazyLock<Instance> = LazyLock::new(|| Instance {
    idle: Mutex::new(Vec::new()),
    writer: futures::lock::Mutex::new(()),
    migrating: futures::lock::Mutex::new(()),
    migrated: AtomicBool::new(false),
});

/// A connection lent to one request: back to the instance when `release`d, closed when
/// dropped otherwise (so one left inside a transaction is rolled back, not lent again).
struct Lent(Option<Arc<SqlConnection>>);

impl Lent {
    async fn take() -> Result<Lent, DbError> {
        let idle = INSTANCE.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        if let Some(connection) = idle {
            return Ok(Lent(Some(connection)));
        }
        let connection = SqlConnection::open_default().await?;
        // WAL (set once by the first migration, persistent) lets readers run beside the
        // single writer; NORMAL syncs the WAL at checkpoints instead of every commit.
        // A crash of Spin loses nothing committed; a power cut may lose the last
        // commits but never tears a transaction (ledger and balance stay equal).
        connection.execute("PRAGMA synchronous = NORMAL", Vec::new()).await?;
        Ok(Lent(Some(Arc::new(connection))))
    }

    fn connection(&self) -> Arc<SqlConnection> {
        self.0.clone().expect("a lent connection until released")
    }

    fn release(mut self) {
        if let Some(connection) = self.0.take() {
            let mut idle = INSTANCE.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_CONNECTIONS {
                idle.push(connection);
            }
        }
    }
}

/// One request's access to the database.
pub struct Db {
    /// The connection of the transaction this request is in, if it is in one.
    in_transaction: Mutex<Option<Arc<SqlConnection>>>,
}

impl Db {
    /// Access to the default database, its schema up to date.
    pub async fn open() -> Result<Db, DbError> {
        if !INSTANCE.migrated.load(Ordering::Acquire) {
            let _migrating = INSTANCE.migrating.lock().await;
            if !INSTANCE.migrated.load(Ordering::Acquire) {
                let lent = Lent::take().await?;
                migrate(&lent.connection()).await?;
                lent.release();
                INSTANCE.migrated.store(true, Ordering::Release);
            }
        }
        Ok(Db { in_transaction: Mutex::new(None) })
    }

    fn transaction_connection(&self) -> Option<Arc<SqlConnection>> {
        self.in_transaction.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs one statement: inside this request's transaction if it is in one, else on
    /// a connection of its own for the statement (SQLite's autocommit).
    pub async fn query(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        if let Some(connection) = self.transaction_connection() {
            return Ok(connection.execute(sql, params.to_vec()).await?);
        }
        let lent = Lent::take().await?;
        let rows = lent.connection().execute(sql, params.to_vec()).await?;
        lent.release();
        Ok(rows)
    }

    pub async fn execute(&self, sql: &str, params: &[Value]) -> Result<(), DbError> {
        self.query(sql, params).await.map(|_| ())
    }

    /// Runs `work` inside `BEGIN IMMEDIATE … COMMIT` on a connection of its own: the write
    /// lock is taken up front, so writers queue instead of failing on upgrade. Every
    /// statement `work` runs through this `Db` is part of the transaction; a transaction
    /// asked for inside one is part of the outer one. An error rolls it back.
    pub async fn transaction<T, E: From<DbError>>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        if self.transaction_connection().is_some() {
            return work(self).await;
        }
        let _writer = INSTANCE.writer.lock().await;
        let lent = Lent::take().await?;
        let connection = lent.connection();
        connection.execute("BEGIN IMMEDIATE", Vec::new()).await.map_err(DbError::from)?;
        let open = OpenTransaction::begin(self, lent);
        let result = work(self).await;
        let ended = match &result {
            Ok(_) => match connection.execute("COMMIT", Vec::new()).await {
                Ok(_) => Ok(()),
                Err(e) => Err(DbError(format!("commit: {e}"))),
            },
            Err(_) => Ok(()),
        };
        let closed_cleanly = match (&result, &ended) {
            (Ok(_), Ok(())) => true,
            _ => connection.execute("ROLLBACK", Vec::new()).await.is_ok(),
        };
        open.end(closed_cleanly);
        ended?;
        result
    }
}

/// A request's open transaction: while it lives, the request's statements run on its
/// connection. Ended, the connection goes back to the instance if the transaction closed
/// cleanly; dropped without ending (the request was dropped mid-way), it is closed.
struct OpenTransaction<'a> {
    db: &'a Db,
    lent: Option<Lent>,
}

impl<'a> OpenTransaction<'a> {
    fn begin(db: &'a Db, lent: Lent) -> Self {
        *db.in_transaction.lock().unwrap_or_else(|e| e.into_inner()) = Some(lent.connection());
        OpenTransaction { db, lent: Some(lent) }
    }

    fn end(mut self, closed_cleanly: bool) {
        self.db.in_transaction.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(lent) = self.lent.take() {
            if closed_cleanly {
                lent.release();
            }
        }
    }
}

impl Drop for OpenTransaction<'_> {
    fn drop(&mut self) {
        // Dropping the lent connection (not released) closes it: SQLite rolls back.
        if self.lent.take().is_some() {
            self.db.in_transaction.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
    }
}

async fn schema_version(connection: &SqlConnection) -> Result<usize, DbError> {
    let rows = connection.execute("PRAGMA user_version", Vec::new()).await?;
    Ok(rows.rows.first().map(|r| r.int(0)).unwrap_or(0) as usize)
}

async fn migrate(connection: &SqlConnection) -> Result<(), DbError> {
    let version = schema_version(connection).await?;
    if version > MIGRATIONS.len() {
        return Err(DbError(format!(
            "the database has schema version {version}, newer than this build knows ({})",
            MIGRATIONS.len()
        )));
    }
    if version < MIGRATIONS.len() {
        let _writer = INSTANCE.writer.lock().await;
        connection.execute("BEGIN IMMEDIATE", Vec::new()).await?;
        let applied = async {
            // Another instance may have migrated while we waited for the write lock.
            let version = schema_version(connection).await?;
            for (index, migration) in MIGRATIONS.iter().enumerate().skip(version) {
                for statement in split_statements(migration) {
                    connection.execute(&statement, Vec::new()).await?;
                }
                connection.execute(&format!("PRAGMA user_version = {}", index + 1), Vec::new()).await?;
            }
            connection.execute("COMMIT", Vec::new()).await?;
            Ok::<(), DbError>(())
        }
        .await;
        if let Err(e) = applied {
            let _ = connection.execute("ROLLBACK", Vec::new()).await;
            return Err(e);
        }
    }
    ensure_wal(connection).await;
    Ok(())
}

/// Puts the database in WAL mode (persistent, so once is enough). The switch cannot
/// happen inside a transaction, and fails at once (no busy wait) while another
/// connection is reading — which the first requests to a fresh database all do at the
/// same moment — so it is retried briefly (an async wait: other requests of the instance
/// go on meanwhile), and a loser of that race goes on: the next instance tries again.
async fn ensure_wal(connection: &SqlConnection) {
    for _ in 0..50 {
        match connection.execute("PRAGMA journal_mode = WAL", Vec::new()).await {
            Ok(rows) if rows.rows.first().map(|r| r.text(0)).as_deref() == Some("wal") => return,
            _ => crate::host::sleep(std::time::Duration::from_millis(10)).await,
        }
    }
    eprintln!("the database is not in WAL mode yet: another connection held it; writes serialise less well until it is");
}

/// Splits a migration file into statements. Statements end with `;` at the end of a
/// line; trigger bodies end with `END;`, and lines inside them end with `;` too, so a
/// `CREATE TRIGGER` runs until its `END;`.
fn split_statements(script: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut in_trigger = false;
    for line in script.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        if current.is_empty() && trimmed.to_ascii_uppercase().starts_with("CREATE TRIGGER") {
            in_trigger = true;
        }
        current.push_str(line);
        current.push('\n');
        let ends = if in_trigger { trimmed.eq_ignore_ascii_case("END;") } else { trimmed.ends_with(';') };
        if ends {
            statements.push(std::mem::take(&mut current));
            in_trigger = false;
        }
    }
    if !current.trim().is_empty() {
        statements.push(current);
    }
    statements
}

/// Helpers to read typed values out of a row by position.
pub trait RowExt {
    fn text(&self, index: usize) -> String;
    fn opt_text(&self, index: usize) -> Option<String>;
    fn int(&self, index: usize) -> i64;
}

impl RowExt for Row {
    fn text(&self, index: usize) -> String {
        self.opt_text(index).unwrap_or_default()
    }
    fn opt_text(&self, index: usize) -> Option<String> {
        match self.values.get(index) {
            Some(Value::Text(s)) => Some(s.clone()),
            Some(Value::Integer(i)) => Some(i.to_string()),
            _ => None,
        }
    }
    fn int(&self, index: usize) -> i64 {
        match self.values.get(index) {
            Some(Value::Integer(i)) => *i,
            _ => 0,
        }
    }
}

pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub fn int(i: i64) -> Value {
    Value::Integer(i)
}

pub fn opt_text(s: Option<impl Into<String>>) -> Value {
    s.map(|s| Value::Text(s.into())).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_stay_whole() {
        let script = "CREATE TABLE a (x);\n-- note\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 1;\n  UPDATE a SET x = 2;\nEND;\nCREATE INDEX i ON a(x);\n";
        let statements = split_statements(script);
        assert_eq!(statements.len(), 3);
        assert!(statements[1].contains("x = 2"));
    }

    /// Keys made before scopes existed get every scope there is, written as the domain
    /// writes them.
    #[test]
    fn existing_keys_get_every_scope() {
        let all = domain::access::Scopes::all().to_stored();
        assert!(MIGRATIONS[5].contains(&format!("UPDATE api_keys SET scopes = '{all}';")), "{all}");
    }

    #[test]
    fn migrations_split_cleanly() {
        for migration in MIGRATIONS {
            for statement in split_statements(migration) {
                assert!(statement.trim_end().ends_with(';'), "{statement}");
            }
        }
    }
}
