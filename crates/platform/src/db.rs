//! The connection to Spin's default SQLite database: per-connection settings, versioned
//! migrations and transactions. Only `store` (and the migrations here) write SQL.

use spin_sdk::sqlite::{Connection, QueryResult, Value};

#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database error: {}", self.0)
    }
}
impl std::error::Error for DbError {}

impl From<spin_sdk::sqlite::Error> for DbError {
    fn from(e: spin_sdk::sqlite::Error) -> Self {
        DbError(format!("{e:?}"))
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

pub struct Db {
    conn: Connection,
}

impl Db {
    /// Opens the default database and brings its schema up to date.
    pub fn open() -> Result<Db, DbError> {
        let db = Db { conn: Connection::open_default()? };
        // WAL (set once by the first migration, persistent) lets readers run beside the
        // single writer; NORMAL syncs the WAL at checkpoints instead of every commit.
        // A crash of Spin loses nothing committed; a power cut may lose the last
        // commits but never tears a transaction (ledger and balance stay equal).
        db.execute("PRAGMA synchronous = NORMAL", &[])?;
        db.migrate()?;
        Ok(db)
    }

    fn schema_version(&self) -> Result<usize, DbError> {
        let rows = self.query("PRAGMA user_version", &[])?;
        Ok(rows.rows.first().and_then(|r| r.get::<i64>(0)).unwrap_or(0) as usize)
    }

    fn migrate(&self) -> Result<(), DbError> {
        let version = self.schema_version()?;
        if version == MIGRATIONS.len() {
            return Ok(());
        }
        if version > MIGRATIONS.len() {
            return Err(DbError(format!(
                "the database has schema version {version}, newer than this build knows ({})",
                MIGRATIONS.len()
            )));
        }
        self.transaction(|db| {
            // Another instance may have migrated while we waited for the write lock.
            let version = db.schema_version()?;
            for (index, migration) in MIGRATIONS.iter().enumerate().skip(version) {
                for statement in split_statements(migration) {
                    db.execute(&statement, &[])?;
                }
                db.execute(&format!("PRAGMA user_version = {}", index + 1), &[])?;
            }
            Ok::<(), DbError>(())
        })?;
        self.ensure_wal();
        Ok(())
    }

    /// Puts the database in WAL mode (persistent, so once is enough). The switch cannot
    /// happen inside a transaction, and fails at once (no busy wait) while another
    /// connection is reading — which the first requests to a fresh database all do at
    /// the same moment — so it is retried briefly, and a loser of that race goes on: the
    /// schema is current either way, and the next migration tries again.
    fn ensure_wal(&self) {
        for _ in 0..50 {
            match self.query("PRAGMA journal_mode = WAL", &[]) {
                Ok(rows) if rows.rows.first().and_then(|r| r.get::<&str>(0)) == Some("wal") => return,
                _ => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
        eprintln!("the database is not in WAL mode yet: another connection held it; writes serialise less well until it is");
    }

    pub fn query(&self, sql: &str, params: &[Value]) -> Result<QueryResult, DbError> {
        Ok(self.conn.execute(sql, params)?)
    }

    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<(), DbError> {
        self.conn.execute(sql, params)?;
        Ok(())
    }

    /// Runs `work` inside `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front,
    /// so concurrent writers queue (SQLite's busy timeout) instead of failing on upgrade.
    pub fn transaction<T, E: From<DbError>>(&self, work: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        self.execute("BEGIN IMMEDIATE", &[])?;
        match work(self) {
            Ok(value) => {
                if let Err(e) = self.execute("COMMIT", &[]) {
                    let _ = self.execute("ROLLBACK", &[]);
                    return Err(e.into());
                }
                Ok(value)
            }
            Err(e) => {
                let _ = self.execute("ROLLBACK", &[]);
                Err(e)
            }
        }
    }
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

impl RowExt for spin_sdk::sqlite::RowResult {
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
