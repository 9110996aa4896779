#!/usr/bin/env python3
"""What a fresh SQLite connection pays to parse our schema, natively (Python's sqlite3).

Spin opens a new connection for every request, and SQLite parses every CREATE statement
(tables, indexes, triggers) on a connection's first statement, so this cost is paid per
request by every route that touches the database. Prints microseconds per open + one-row
read, for the app's full schema (all migrations) and for a one-table schema.
Usage: bench/schema_parse.py [iterations]"""
import glob, os, sqlite3, sys, tempfile, time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def database(path, scripts):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    for script in scripts:
        db.executescript(script)
    db.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at INTEGER)")
    db.commit()
    return db  # kept open, as Spin keeps the WAL alive between requests


def per_connection(path):
    started = time.perf_counter()
    for _ in range(N):
        c = sqlite3.connect(path)
        c.execute("SELECT COUNT(*) FROM probe WHERE id = 1").fetchone()
        c.close()
    return (time.perf_counter() - started) / N * 1e6


with tempfile.TemporaryDirectory() as scratch:
    migrations = [open(m).read() for m in sorted(glob.glob(os.path.join(ROOT, "crates/platform/migrations/*.sql")))]
    full, tiny = os.path.join(scratch, "full.db"), os.path.join(scratch, "tiny.db")
    keep = [database(full, migrations), database(tiny, [])]
    objects, size = keep[0].execute("SELECT COUNT(*), SUM(LENGTH(sql)) FROM sqlite_master").fetchone()
    print(f"sqlite {sqlite3.sqlite_version}, {N} connections each")
    print(f"full schema ({objects} objects, {size} bytes of SQL): {per_connection(full):7.0f} µs per connection")
    print(f"one table:                                 {per_connection(tiny):7.0f} µs per connection")
