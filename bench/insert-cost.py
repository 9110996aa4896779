#!/usr/bin/env python3
"""What one message's INSERT costs SQLite itself, outside Spin: the app's schema (every
migration), one account, then N single-message INSERTs as `store::create_send` writes them
(its triggers debit the ledger and write the history), autocommitted and in one transaction.

    python3 bench/insert-cost.py [N]      (default 3000)
"""
import glob, os, sqlite3, sys, tempfile, time, uuid

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
path = os.path.join(tempfile.mkdtemp(), "cost.db")
db = sqlite3.connect(path, isolation_level=None)
for migration in sorted(glob.glob(os.path.join(root, "crates/platform/migrations/*.sql"))):
    db.executescript(open(migration).read())
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.execute("INSERT INTO accounts (id, name, kind, currency, credit_limit_minor, balance_minor) "
           "VALUES ('acc_cost', 'Cost AB', 'swedish', 'SEK', 0, 100000000000)")
INSERT = ("INSERT INTO messages (id, account_id, batch_id, client_reference, sender, recipient, country, body, "
          "encoding, segments, price_minor, currency, carrier, status, status_callback, send_at, expires_at, "
          "status_source, due_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'billing',"
          "COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))")

def row():
    return (f"msg_{uuid.uuid4().hex}", "acc_cost", f"bat_{uuid.uuid4().hex}", None, "Bench", "+46701234567", "SE",
            "hello world", "GSM-7", 1, 35, "SEK", "http", 103, None, None, "2030-01-01T00:00:00Z", None)

started = time.perf_counter()
for _ in range(N):
    db.execute(INSERT, row())
autocommit = (time.perf_counter() - started) / N * 1e6
started = time.perf_counter()
db.execute("BEGIN")
for _ in range(N):
    db.execute(INSERT, row())
db.execute("COMMIT")
together = (time.perf_counter() - started) / N * 1e6
print(f"one message INSERT: {autocommit:.0f} µs autocommitted, {together:.0f} µs each in one transaction (N={N})")
