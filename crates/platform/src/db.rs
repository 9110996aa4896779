//! Spin's default SQLite database: per-connection settings, versioned migrations, and
//! transactions that stay correct when one instance serves many requests at once.
//! Only `store` (and the migrations here) write SQL.
//!
//! A reused instance (WASIp3) keeps two connections (opening one costs the parse of the
//! whole schema, so an instance opens them once):
//!
//! - the **writer**, behind an async lock, for every statement that may write and for
//!   whole transactions: writes of one instance take turns here rather than in SQLite's
//!   busy handler. Writers of different instances meet at SQLite's write lock; the writer
//!   has no busy timeout (the handler's 1, 2, 5 … 100 ms sleeps on a blocking thread set
//!   the tail latency), and a write that finds the lock taken is retried after a short
//!   sleep that does not block the instance ([`retry_while_locked`]);
//! - the **reader**, behind a lock of its own, for `SELECT`s outside a transaction: no
//!   request ever reads another's uncommitted rows.
//!
//! A transaction holds the writer from `BEGIN IMMEDIATE` to `COMMIT`, so no other request's
//! statement runs inside it; one that fails is rolled back before the writer is used
//! again, and one whose request is dropped half-way closes the connection (SQLite rolls
//! it back) and the next writer opens a new one.

use crate::host::{HostError, Row, Rows, SqlConnection};
pub use crate::host::Value;
// FIFO: the requests of an instance take the writer in the order they asked for it.
use tokio::sync::{Mutex as AsyncMutex, MutexGuard};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

#[derive(Debug, Clone)]
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
    include_str!("../migrations/0016_send_queue.sql"),
    include_str!("../migrations/0017_rate_limits.sql"),
    include_str!("../migrations/0018_consent_and_phone_codes.sql"),
    include_str!("../migrations/0019_payment_decided_in_rust.sql"),
    include_str!("../migrations/0020_carrier_routing.sql"),
    include_str!("../migrations/0021_send_rules.sql"),
    include_str!("../migrations/0022_kept_send_lookups.sql"),
    include_str!("../migrations/0023_adapter_components.sql"),
    include_str!("../migrations/0024_message_deletion.sql"),
    include_str!("../migrations/0025_twilio_callbacks.sql"),
    include_str!("../migrations/0026_staff.sql"),
    include_str!("../migrations/0027_number_inventory.sql"),
    include_str!("../migrations/0028_reseller_settings.sql"),
    include_str!("../migrations/0029_signup_domains.sql"),
];

/// A connection slot of the instance: empty until first used, or after a connection was
/// closed because a transaction on it was abandoned.
type Slot = AsyncMutex<Option<Arc<SqlConnection>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer,
    Reader,
}

/// What one instance keeps between requests.
struct Instance {
    writer: Slot,
    reader: Slot,
    migrated: AtomicBool,
}

static INSTANCE: LazyLock<Instance> =
    LazyLock::new(|| Instance { writer: AsyncMutex::new(None), reader: AsyncMutex::new(None), migrated: AtomicBool::new(false) });

/// The slot's connection, opened (and set up) if it has none.
async fn connection_in(slot: &mut Option<Arc<SqlConnection>>, role: Role) -> Result<Arc<SqlConnection>, DbError> {
    if let Some(connection) = slot {
        return Ok(connection.clone());
    }
    let connection = SqlConnection::open_default().await?;
    // WAL (set once by the first migration, persistent) lets readers run beside the
    // single writer; NORMAL syncs the WAL at checkpoints instead of every commit.
    // A crash of Spin loses nothing committed; a power cut may lose the last
    // commits but never tears a transaction (ledger and balance stay equal).
    // (Set while the connection still has SQLite's busy timeout: after a crash it waits
    // for the WAL's recovery by another connection.)
    connection.execute("PRAGMA synchronous = NORMAL", Vec::new()).await?;
    if role == Role::Writer {
        // A locked database answers at once; retry_while_locked waits without blocking.
        connection.execute("PRAGMA busy_timeout = 0", Vec::new()).await?;
    }
    Ok(slot.insert(Arc::new(connection)).clone())
}

/// How eagerly a `Db`'s writes ask again for a lock another connection holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockTurn {
    /// A request's writes: sleeps of 0.2 ms doubling to 3.2 ms.
    Request,
    /// Delivery's writes (its claims and answers, a few statements for a round of many
    /// messages): sleeps of 50 µs doubling to 400 µs, so that under a load of sends the
    /// queue still drains instead of waiting for the load to stop.
    Delivery,
}

impl LockTurn {
    fn pauses(self) -> (std::time::Duration, std::time::Duration) {
        match self {
            LockTurn::Request => (std::time::Duration::from_micros(200), std::time::Duration::from_micros(3_200)),
            LockTurn::Delivery => (std::time::Duration::from_micros(50), std::time::Duration::from_micros(400)),
        }
    }
}

/// One request's access to the database.
pub struct Db {
    /// The writer, while this request is in a transaction on it.
    in_transaction: Mutex<Option<Arc<SqlConnection>>>,
    turn: LockTurn,
}

impl Db {
    /// Access to the default database, its schema up to date, for writes taking `turn`.
    pub async fn open(turn: LockTurn) -> Result<Db, DbError> {
        if !INSTANCE.migrated.load(Ordering::Acquire) {
            let mut writer = INSTANCE.writer.lock().await;
            if !INSTANCE.migrated.load(Ordering::Acquire) {
                let connection = connection_in(&mut writer, Role::Writer).await?;
                retry_while_locked(LockTurn::Request, || migrate(&connection)).await?;
                INSTANCE.migrated.store(true, Ordering::Release);
            }
        }
        Ok(Db { in_transaction: Mutex::new(None), turn })
    }

    /// Whether statements through this `Db` are part of a transaction now.
    pub fn in_transaction(&self) -> bool {
        self.transaction_connection().is_some()
    }

    fn transaction_connection(&self) -> Option<Arc<SqlConnection>> {
        self.in_transaction.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs one statement: inside this request's transaction if it is in one, else on
    /// the writer or the reader (SQLite's autocommit).
    pub async fn query(&self, sql: &str, params: &[Value]) -> Result<Rows, DbError> {
        if let Some(connection) = self.transaction_connection() {
            // A statement refused for a lock inside a transaction changed nothing and may be
            // run again; the transaction stays open.
            return retry_while_locked(self.turn, || async { Ok(connection.execute(sql, params.to_vec()).await?) }).await;
        }
        if reads_only(sql) {
            let mut reader = INSTANCE.reader.lock().await;
            let connection = connection_in(&mut reader, Role::Reader).await?;
            return Ok(connection.execute(sql, params.to_vec()).await?);
        }
        let mut writer = INSTANCE.writer.lock().await;
        let connection = connection_in(&mut writer, Role::Writer).await?;
        // A statement alone is its own transaction: refused for a lock, it changed nothing.
        retry_while_locked(self.turn, || async { Ok(connection.execute(sql, params.to_vec()).await?) }).await
    }

    pub async fn execute(&self, sql: &str, params: &[Value]) -> Result<(), DbError> {
        self.query(sql, params).await.map(|_| ())
    }

    /// Runs `work` inside `BEGIN IMMEDIATE … COMMIT` on the writer: the write lock is
    /// taken up front, so writers queue instead of failing on upgrade. Every statement
    /// `work` runs through this `Db` is part of the transaction; a transaction asked for
    /// inside one is part of the outer one. An error rolls it back.
    pub async fn transaction<T, E: From<DbError>>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        if self.transaction_connection().is_some() {
            return work(self).await;
        }
        let mut writer = INSTANCE.writer.lock().await;
        let connection = connection_in(&mut writer, Role::Writer).await?;
        retry_while_locked(self.turn, || async { Ok(connection.execute("BEGIN IMMEDIATE", Vec::new()).await?) }).await?;
        let open = OpenTransaction::begin(self, writer, connection.clone());
        let result = work(self).await;
        let ended = match &result {
            // A COMMIT refused for a lock leaves the transaction open, to be committed again.
            Ok(_) => match retry_while_locked(self.turn, || async { Ok(connection.execute("COMMIT", Vec::new()).await?) }).await {
                Ok(_) => Ok(()),
                Err(e) => Err(DbError(format!("commit: {e}"))),
            },
            Err(_) => Ok(()),
        };
        let closed_cleanly = match (&result, &ended) {
            (Ok(_), Ok(())) => true,
            _ => retry_while_locked(self.turn, || async { Ok(connection.execute("ROLLBACK", Vec::new()).await?) }).await.is_ok(),
        };
        open.end(closed_cleanly);
        ended?;
        result
    }
}

/// Runs `attempt` — a statement on the writer, which changes nothing when SQLite refuses it
/// for a lock: one autocommitted statement, `BEGIN IMMEDIATE`, a statement inside a
/// transaction, `COMMIT` (SQLite's rules: each may simply be run again) — again while another
/// connection holds the lock (or recovers the WAL after a crash), with sleeps as `turn`
/// says, jittered so waiting instances do not retry in step; after 5 s the lock's error is the answer. (SQLite tells
/// a locked database only by its message: Spin passes the error on as text.)
async fn retry_while_locked<T, F: std::future::Future<Output = Result<T, DbError>>>(
    turn: LockTurn,
    mut attempt: impl FnMut() -> F,
) -> Result<T, DbError> {
    const GIVE_UP_AFTER: std::time::Duration = std::time::Duration::from_secs(5);
    let mut waited = std::time::Duration::ZERO;
    let (mut pause, longest) = turn.pauses();
    loop {
        match attempt().await {
            Err(e) if e.0.contains("database is locked") && waited < GIVE_UP_AFTER => {
                let jittered = pause + pause * (jitter_percent() as u32) / 100;
                crate::host::sleep(jittered).await;
                waited += jittered;
                pause = (pause * 2).min(longest);
            }
            result => return result,
        }
    }
}

/// 0–99, different from one call to the next (not for secrets).
fn jitter_percent() -> u64 {
    use std::sync::atomic::AtomicU64;
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos() as u64).unwrap_or(0);
    let mixed = STATE.fetch_add(0x9E37_79B9_7F4A_7C15 ^ nanos, Ordering::Relaxed).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (mixed >> 32) % 100
}

/// Whether a statement only reads (a `SELECT`): anything else may write.
fn reads_only(sql: &str) -> bool {
    let first = sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    first.eq_ignore_ascii_case("SELECT")
}

/// A request's open transaction: while it lives, the request's statements run on the
/// writer, which it holds. Ended, the writer is released, with its connection if the
/// transaction closed cleanly; dropped without ending (the request was dropped mid-way),
/// the connection is closed, which rolls the transaction back.
struct OpenTransaction<'a> {
    db: &'a Db,
    writer: Option<MutexGuard<'a, Option<Arc<SqlConnection>>>>,
}

impl<'a> OpenTransaction<'a> {
    fn begin(db: &'a Db, writer: MutexGuard<'a, Option<Arc<SqlConnection>>>, connection: Arc<SqlConnection>) -> Self {
        *db.in_transaction.lock().unwrap_or_else(|e| e.into_inner()) = Some(connection);
        OpenTransaction { db, writer: Some(writer) }
    }

    fn end(mut self, closed_cleanly: bool) {
        self.close(closed_cleanly);
    }

    fn close(&mut self, keep_connection: bool) {
        self.db.in_transaction.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut writer) = self.writer.take() {
            if !keep_connection {
                writer.take();
            }
        }
    }
}

impl Drop for OpenTransaction<'_> {
    fn drop(&mut self) {
        self.close(false);
    }
}

async fn schema_version(connection: &SqlConnection) -> Result<usize, DbError> {
    let rows = connection.execute("PRAGMA user_version", Vec::new()).await?;
    let version: i64 = rows.one()?.get("user_version")?;
    usize::try_from(version).map_err(|_| DbError(format!("the database has schema version {version}")))
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

/// Puts the database in WAL mode (persistent, so once is enough: every later instance
/// only reads the mode). The switch cannot happen inside a transaction, and fails at once
/// (no busy wait) while another connection is reading — which the first requests to a
/// fresh database all do at the same moment — so it is retried briefly, without blocking
/// the instance, and a loser of that race goes on: the next instance tries again.
async fn ensure_wal(connection: &SqlConnection) {
    // Both statements answer with the mode now in effect, in one row.
    let is_wal = |rows: &Rows| rows.one().and_then(|row| row.get::<String>("journal_mode")).is_ok_and(|mode| mode == "wal");
    let mode = connection.execute("PRAGMA journal_mode", Vec::new()).await;
    if mode.is_ok_and(|rows| is_wal(&rows)) {
        return;
    }
    for _ in 0..50 {
        match connection.execute("PRAGMA journal_mode = WAL", Vec::new()).await {
            Ok(rows) if is_wal(&rows) => return,
            _ => crate::host::sleep(std::time::Duration::from_millis(10)).await,
        }
    }
    eprintln!("the database is not in WAL mode yet: another connection held it; writes serialise less well until it is");
}

/// Every migration, in order, as the statements this module runs (the schema test applies
/// them natively, without Spin: tests/e2e/tests/schema.rs).
pub fn migration_statements() -> Vec<Vec<String>> {
    MIGRATIONS.iter().map(|migration| split_statements(migration)).collect()
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

/// Reads typed values out of a row.
///
/// [`RowExt::get`] is the way: by column name (as the statement names it, `AS` wins),
/// and a read that cannot give what the type asks for is an error naming the column,
/// never a default: a NULL, a missing column or another type where `String`, `i64`,
/// `f64` or `bool` is asked for fails; `Option<_>` reads NULL as `None`. So a bad row
/// fails its request (a 500 and a log line) instead of becoming an empty text or a zero
/// amount.
pub trait RowExt {
    /// The value of column `name` as `T`: `row.get::<i64>("amount_minor")?`,
    /// `row.get::<Option<String>>("revoked_at")?`, or with `T` from the context.
    fn get<T: FromColumn>(&self, name: &str) -> Result<T, DbError>;
}

/// A type a column's value can be read as (see [`RowExt::get`]).
pub trait FromColumn: Sized {
    /// What the column must hold, for the error: "text", "an integer".
    const EXPECTED: &'static str;
    /// The value as `Self`, or `None` when it holds something else.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromColumn for String {
    const EXPECTED: &'static str = "text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromColumn for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromColumn for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(r) => Some(*r),
            Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}

/// SQLite's booleans: an integer, 0 is false.
impl FromColumn for bool {
    const EXPECTED: &'static str = "an integer (a boolean)";
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).map(|i| i != 0)
    }
}

/// NULL is `None`; anything else must be a `T`.
impl<T: FromColumn> FromColumn for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            value => T::from_value(value).map(Some),
        }
    }
}

/// A value as an error names it: its kind, never its content (rows hold secrets).
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Integer(_) => "an integer",
        Value::Real(_) => "a real number",
        Value::Text(_) => "text",
        Value::Blob(_) => "a blob",
    }
}

impl RowExt for Row {
    fn get<T: FromColumn>(&self, name: &str) -> Result<T, DbError> {
        let Some(value) = self.column(name) else {
            return Err(DbError(format!("the row has no column '{name}' (it has: {})", self.columns().join(", "))));
        };
        T::from_value(value).ok_or_else(|| DbError(format!("column '{name}' holds {}, not {}", kind_of(value), T::EXPECTED)))
    }
}

/// Reads a statement's result that must be one row.
pub trait RowsExt {
    /// The one row a statement always returns (an aggregate, a `PRAGMA`, an `INSERT …
    /// RETURNING` that cannot skip its row): none is an error, not a default.
    fn one(&self) -> Result<&Row, DbError>;
}

impl RowsExt for Rows {
    fn one(&self) -> Result<&Row, DbError> {
        match self.rows.as_slice() {
            [row] => Ok(row),
            rows => Err(DbError(format!("expected one row, the statement returned {}", rows.len()))),
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
        let all = domain::identity::access::Scopes::all().to_stored();
        assert!(MIGRATIONS[5].contains(&format!("UPDATE api_keys SET scopes = '{all}';")), "{all}");
    }

    #[test]
    fn only_selects_count_as_reads() {
        assert!(reads_only("SELECT 1"));
        assert!(reads_only("\n  select id FROM messages"));
        assert!(!reads_only("UPDATE messages SET status = 1 RETURNING id"));
        assert!(!reads_only("INSERT INTO a SELECT * FROM b"));
        assert!(!reads_only("WITH x AS (SELECT 1) DELETE FROM a"));
    }

    fn row(columns: &[&str], values: Vec<Value>) -> Row {
        Row::new(columns.iter().map(|c| c.to_string()).collect::<Vec<_>>().into(), values)
    }

    #[test]
    fn columns_read_by_name_and_type() {
        let r = row(
            &["id", "amount_minor", "ratio", "blocked", "note"],
            vec![Value::Text("a".into()), Value::Integer(-5), Value::Real(0.5), Value::Integer(1), Value::Null],
        );
        assert_eq!(r.get::<String>("id").unwrap(), "a");
        assert_eq!(r.get::<i64>("amount_minor").unwrap(), -5);
        assert_eq!(r.get::<f64>("ratio").unwrap(), 0.5);
        assert_eq!(r.get::<f64>("amount_minor").unwrap(), -5.0);
        assert!(r.get::<bool>("blocked").unwrap());
        assert_eq!(r.get::<Option<String>>("note").unwrap(), None);
        assert_eq!(r.get::<Option<i64>>("amount_minor").unwrap(), Some(-5));
    }

    /// NULL, a missing column or another type is an error that names the column, never
    /// an empty text or a zero.
    #[test]
    fn a_value_that_is_not_there_is_an_error() {
        let r = row(&["id", "amount_minor", "note"], vec![Value::Text("secret".into()), Value::Null, Value::Null]);
        let null = r.get::<i64>("amount_minor").unwrap_err().0;
        assert_eq!(null, "column 'amount_minor' holds NULL, not an integer");
        assert!(r.get::<String>("note").is_err());
        assert!(r.get::<bool>("note").is_err());
        let missing = r.get::<i64>("balance_minor").unwrap_err().0;
        assert_eq!(missing, "the row has no column 'balance_minor' (it has: id, amount_minor, note)");
        assert!(r.get::<Option<i64>>("balance_minor").is_err());
        let mistyped = r.get::<Option<i64>>("id").unwrap_err().0;
        assert_eq!(mistyped, "column 'id' holds text, not an integer", "the error never shows the value");
    }

    #[test]
    fn one_row_is_exactly_one() {
        let one = Rows { rows: vec![row(&["n"], vec![Value::Integer(3)])] };
        assert_eq!(one.one().unwrap().get::<i64>("n").unwrap(), 3);
        assert!(Rows::default().one().is_err());
        let two = Rows { rows: vec![row(&["n"], vec![Value::Integer(3)]); 2] };
        assert!(two.one().is_err());
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
