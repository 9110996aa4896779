#!/usr/bin/env bash
# The runtime's floor: what one host call costs on this Spin, next to a route that does
# no I/O, in the same run on the same machine. Each route of bench/floor/ does exactly one
# thing once (open SQLite and read, open SQLite and write, read a variable, read the
# key-value store, one outbound HTTP POST to the fake carrier). A request that must do
# several of these can be no faster than their sum. Usage: bench/floor.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
DURATION=${1:-10}
CONNECTIONS=${2:-16}
THREADS=2
STATE=$(mktemp -d)
cleanup() { kill -- -"${SPIN_PGID:-0}" 2>/dev/null || true; kill "${CARRIER_PID:-0}" 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT
source bench/lib.sh

(cd bench/floor && rustup target list --installed | grep -q wasm32-wasip1 || rustup target add wasm32-wasip1; "$SPIN" build >/dev/null)
start_fake_carrier
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
(cd bench/floor && exec setsid "$SPIN" up --listen "127.0.0.1:$PORT" --state-dir "$STATE/spin" > "$STATE/spin.log" 2>&1) &
SPIN_PGID=$!
for _ in $(seq 300); do curl -fs "$BASE/noop" >/dev/null 2>&1 && break; sleep 0.1; done
# The probe database gets the app's whole schema (every migration), because a fresh
# connection parses the schema on its first statement: the floor pays what the app pays.
python3 - "$STATE/spin/sqlite_db.db" crates/platform/migrations/*.sql <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode = WAL")
for migration in sys.argv[2:]:
    db.executescript(open(migration).read())
db.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at INTEGER)")
db.commit()
PY
CARRIER_HOST=${CARRIER_URL#http://}
for route in noop sqlite-read sqlite-write variable kv-read "outbound?to=$CARRIER_HOST"; do
  curl -fs "$BASE/$route" >/dev/null || { echo "route /$route failed"; cat "$STATE/spin.log"; exit 1; }
done

table_header
run noop "GET /noop (no I/O)" "$BASE/noop"
run sqlite_read "open SQLite + read a row" "$BASE/sqlite-read"
run sqlite_write "open SQLite + INSERT" "$BASE/sqlite-write"
run variable "read 1 variable" "$BASE/variable"
run kv_read "key-value get" "$BASE/kv-read"
run outbound "1 outbound HTTP POST" "$BASE/outbound?to=$CARRIER_HOST"
echo
noop=$(cat "$STATE/noop.cpu")
for slug in sqlite_read sqlite_write variable kv_read outbound; do
  echo "$slug: +$(( $(cat "$STATE/$slug.cpu") - noop )) µs of Spin CPU per request over the no-I/O route"
done
# A send must at least open SQLite and write, and make one outbound call.
floor=$(( $(cat "$STATE/sqlite_write.cpu") + $(cat "$STATE/outbound.cpu") - noop ))
echo "so a send costs at least ${floor} µs of Spin CPU, $(python3 -c "print(f'{$floor / $noop:.1f}')")× the no-I/O route:"
echo "CPU-bound, it can reach at most $(( 100 * noop / floor ))% of that route's req/s"
