//! The schema without Spin: every migration applied natively (the statements the app runs,
//! `platform::db::migration_statements`) must give the committed `crates/platform/schema.sql`
//! — the final schema a reader can see whole — and the database's guards hold, whoever
//! writes: the ledger cannot be edited, the balance moves only with it, a message is
//! refunded once, and no message is stored past the credit limit.
//!
//! After a new migration: `SCHEMA_WRITE=1 cargo test -p e2e --test schema` rewrites
//! schema.sql; commit it with the migration.

use rusqlite::Connection;
use std::path::PathBuf;

fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crates/platform/schema.sql")
}

fn migrated() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    for (number, statements) in platform::db::migration_statements().into_iter().enumerate() {
        for statement in statements {
            db.execute_batch(&statement).unwrap_or_else(|e| panic!("migration {}: {e}\n{statement}", number + 1));
        }
    }
    db
}

/// The schema as SQLite keeps it: every table, index, view and trigger, in a fixed order.
fn dump(db: &Connection) -> String {
    let mut statement = db
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, tbl_name, name")
        .unwrap();
    let rows: Vec<String> = statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let mut out = String::from(
        "-- The schema after every migration in crates/platform/migrations/, as SQLite keeps it.\n\
         -- Generated: SCHEMA_WRITE=1 cargo test -p e2e --test schema (checked by that test).\n\n",
    );
    for sql in rows {
        out.push_str(&sql);
        out.push_str(";\n\n");
    }
    out
}

#[test]
fn the_committed_schema_is_what_the_migrations_make() {
    let now = dump(&migrated());
    if std::env::var("SCHEMA_WRITE").is_ok() {
        std::fs::write(schema_file(), &now).unwrap();
    }
    let committed = std::fs::read_to_string(schema_file()).unwrap_or_default();
    assert!(
        committed == now,
        "crates/platform/schema.sql is not what the migrations make; run SCHEMA_WRITE=1 cargo test -p e2e --test schema and commit it"
    );
}

fn account(db: &Connection, balance: i64, credit_limit: i64) -> &'static str {
    db.execute(
        "INSERT INTO accounts (id, name, kind, currency, credit_limit_minor) VALUES ('acc_t', 'T AB', 'swedish', 'SEK', ?1)",
        [credit_limit],
    )
    .unwrap();
    db.execute(
        "INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description) \
         VALUES ('acc_t', ?1, ?1, 'topup', 'top_1', 'opening balance')",
        [balance],
    )
    .unwrap();
    "acc_t"
}

fn balance_and_ledger(db: &Connection) -> (i64, i64) {
    db.query_row(
        "SELECT balance_minor, (SELECT SUM(amount_minor) FROM ledger_entries WHERE account_id = a.id) FROM accounts a WHERE id = 'acc_t'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// A one-segment message paid with `price` in money, or with `credits`.
fn send_paid(db: &Connection, id: &str, price: i64, credits: i64) -> rusqlite::Result<usize> {
    db.execute(
        "INSERT INTO messages (id, account_id, batch_id, sender, recipient, country, body, encoding, segments, price_minor, \
         credits, currency, carrier, status, expires_at, status_source) \
         VALUES (?1, 'acc_t', 'bat_1', 'ACME', '+46701234567', 'SE', 'Hej', 'GSM-7', 1, ?2, ?3, 'SEK', 'sandbox', 103, \
         '2030-01-01T00:00:00Z', 'billing')",
        rusqlite::params![id, price, credits],
    )
}

fn send(db: &Connection, id: &str, price: i64) -> rusqlite::Result<usize> {
    send_paid(db, id, price, 0)
}

#[test]
fn the_ledger_guards_the_money_whoever_writes() {
    let db = migrated();
    account(&db, 100, 20);
    assert_eq!(balance_and_ledger(&db), (100, 100), "a ledger entry moves the balance");

    // A message is debited as it is stored (how it is paid was decided in Rust); a debit
    // past the credit limit is refused, and the message with it.
    send(&db, "msg_1", 35).unwrap();
    send(&db, "msg_2", 35).unwrap();
    send(&db, "msg_3", 35).unwrap();
    let refused = send(&db, "msg_4", 35).unwrap_err().to_string();
    assert!(refused.contains("past the credit limit"), "{refused}");
    assert_eq!(balance_and_ledger(&db), (-5, -5));
    let stored: i64 = db.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 3);

    // Credits the account does not have are refused; a message is paid one way only.
    let refused = send_paid(&db, "msg_5", 0, 1).unwrap_err().to_string();
    assert!(refused.contains("InsufficientCredits"), "{refused}");
    let refused = send_paid(&db, "msg_6", 35, 1).unwrap_err().to_string();
    assert!(refused.contains("paid by one credit per segment"), "{refused}");
    assert_eq!(balance_and_ledger(&db), (-5, -5));

    // The ledger cannot be edited or deleted.
    assert!(db.execute("UPDATE ledger_entries SET amount_minor = 0", []).unwrap_err().to_string().contains("immutable"));
    assert!(db.execute("DELETE FROM ledger_entries", []).is_err());

    // A refund happens once.
    let refund = "INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description) \
                  VALUES ('acc_t', 35, 30, 'refund', 'msg_1', 'refund')";
    db.execute(refund, []).unwrap();
    assert!(db.execute(refund, []).is_err(), "a second refund of one message is refused");
    assert_eq!(balance_and_ledger(&db), (30, 30));
}

/// A message decided on lookups an instance kept (migration 0022) names their version.
fn send_on_kept_lookups(db: &Connection, id: &str, recipient: &str, version: i64) -> rusqlite::Result<usize> {
    db.execute(
        "INSERT INTO messages (id, account_id, batch_id, sender, recipient, country, body, encoding, segments, price_minor, \
         credits, currency, carrier, status, expires_at, status_source, lookups_version) \
         VALUES (?1, 'acc_t', 'bat_1', 'ACME', ?2, 'SE', 'Hej', 'GSM-7', 1, 35, 0, 'SEK', 'sandbox', 103, \
         '2030-01-01T00:00:00Z', 'billing', ?3)",
        rusqlite::params![id, recipient, version],
    )
}

fn lookups_version(db: &Connection) -> i64 {
    db.query_row("SELECT lookups_version FROM accounts WHERE id = 'acc_t'", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_message_decided_on_out_of_date_kept_lookups_is_refused() {
    let db = migrated();
    account(&db, 1_000, 0);
    let version = lookups_version(&db);
    send_on_kept_lookups(&db, "msg_1", "+46701234567", version).unwrap();
    // What a send is decided on moves the version: a price, a key, a setting, credits bought.
    let changes = [
        "INSERT INTO price_rules (account_id, currency, scope, per_segment_milli, effective_from) VALUES ('acc_t', 'SEK', 'SE', 7000, '2000-01-01T00:00:00.000Z')",
        "INSERT INTO api_keys (id, account_id, name, key_hash, hint) VALUES ('key_1', 'acc_t', 'k', 'h', 'abcd')",
        "UPDATE api_keys SET revoked_at = '2030-01-01T00:00:00.000Z' WHERE id = 'key_1'",
        "UPDATE accounts SET blocked = 1 WHERE id = 'acc_t'",
        "UPDATE accounts SET credit_limit_minor = 10 WHERE id = 'acc_t'",
        "UPDATE price_rules SET effective_to = '2031-01-01T00:00:00.000Z' WHERE account_id IS NULL AND scope = '*' AND currency = 'SEK'",
    ];
    let mut seen = version;
    for (n, change) in changes.iter().enumerate() {
        db.execute(change, []).unwrap();
        assert!(lookups_version(&db) > seen, "{change}");
        let refused = send_on_kept_lookups(&db, &format!("msg_stale_{n}"), "+46701234567", seen).unwrap_err().to_string();
        assert!(refused.contains("stale send lookups"), "{change}: {refused}");
        seen = lookups_version(&db);
    }
    // A spend does not: the funds guards judge it.
    send_on_kept_lookups(&db, "msg_2", "+46701234567", seen).unwrap();
    assert_eq!(lookups_version(&db), seen);
    // A recipient on the blocklist is refused whatever the version.
    db.execute("INSERT INTO blocklist (account_id, number, reason, source) VALUES ('acc_t', '+46709999999', 'stop', 'api')", []).unwrap();
    let refused = send_on_kept_lookups(&db, "msg_3", "+46709999999", seen).unwrap_err().to_string();
    assert!(refused.contains("stale send lookups"), "{refused}");
    // Written without kept lookups, nothing is checked here (the send read them itself).
    assert_eq!(send(&db, "msg_4", 35).unwrap(), 1);
}

/// Migration 0027 rebuilds `numbers` to let a number be free (the number inventory): every
/// number rented before it stays as it was, assigned since it was created, and the
/// one-primary-per-account guard still holds.
#[test]
fn the_inventory_migration_keeps_every_rented_number() {
    let db = Connection::open_in_memory().unwrap();
    let migrations = platform::db::migration_statements();
    let (before, inventory) = migrations.split_at(26);
    for statement in before.iter().flatten() {
        db.execute_batch(statement).unwrap();
    }
    let id = account(&db, 0, 0);
    db.execute_batch(&format!(
        "INSERT INTO numbers (number, country, kind, account_id, role, created_at) VALUES \
         ('+46701234567', 'SE', 'mobile', '{id}', 'primary', '2025-01-02T03:04:05.000Z'), \
         ('72456', 'SE', 'shortcode', '{id}', 'secondary', '2025-02-03T04:05:06.000Z')"
    ))
    .unwrap();
    for statement in inventory.iter().flatten() {
        db.execute_batch(statement).unwrap();
    }
    let rows: Vec<(String, String, String, String, String)> = db
        .prepare("SELECT number, kind, account_id, role, assigned_at FROM numbers ORDER BY number")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let row = |number: &str, kind: &str, role: &str, at: &str| (number.into(), kind.into(), id.to_owned(), role.into(), at.into());
    assert_eq!(
        rows,
        [row("+46701234567", "mobile", "primary", "2025-01-02T03:04:05.000Z"), row("72456", "shortcode", "secondary", "2025-02-03T04:05:06.000Z")]
    );
    let second_primary = db.execute("UPDATE numbers SET role = 'primary' WHERE number = '72456'", []);
    assert!(second_primary.is_err(), "one primary number per account");
    let free_with_role = db.execute("UPDATE numbers SET account_id = NULL, assigned_at = NULL WHERE number = '72456'", []);
    assert!(free_with_role.is_err(), "a free number has no role");
    db.execute("UPDATE numbers SET account_id = NULL, role = NULL, assigned_at = NULL WHERE number = '72456'", []).expect("released");
}
