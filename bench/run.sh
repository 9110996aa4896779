#!/usr/bin/env bash
# Benchmark: single sends (validated, priced, debited, stored, submitted to the fake
# carrier over HTTP) against GET /v1/health (no I/O, the runtime's ceiling), same app,
# same run, same machine. Prints a table. Usage: bench/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
DURATION=${1:-20}
CONNECTIONS=${2:-16}
THREADS=2
command -v wrk >/dev/null || { echo "installing wrk"; (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null; }

"$SPIN" build >/dev/null
cargo build --release -q -p e2e --bin fake-carrier

STATE=$(mktemp -d)
cleanup() { kill -- -"$SPIN_PGID" 2>/dev/null || true; kill "$CARRIER_PID" 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT

target/release/fake-carrier 4 > "$STATE/carrier.url" &
CARRIER_PID=$!
for _ in $(seq 50); do [ -s "$STATE/carrier.url" ] && break; sleep 0.1; done
CARRIER_URL=$(cat "$STATE/carrier.url")

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SPIN_VARIABLE_ADMIN_TOKEN=bench SPIN_VARIABLE_CARRIER=${BENCH_CARRIER:-http} SPIN_VARIABLE_CARRIER_BASE_URL="$CARRIER_URL" \
SPIN_VARIABLE_CARRIER_API_KEY=bench SPIN_VARIABLE_CARRIER_WEBHOOK_SECRET=bench \
  setsid "$SPIN" up --listen "127.0.0.1:$PORT" --state-dir "$STATE/spin" > "$STATE/spin.log" 2>&1 &
SPIN_PGID=$!
for _ in $(seq 300); do curl -fs "$BASE/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done

ACCOUNT=$(curl -fs -XPOST "$BASE/v1/admin/accounts" -H "Authorization: Bearer bench" \
  -d '{"name":"Bench AB","currency":"SEK","initial_balance_minor":100000000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export BENCH_API_KEY=$(curl -fs -XPOST "$BASE/v1/admin/accounts/$ACCOUNT/keys" -H "Authorization: Bearer bench" \
  -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

# A send the benchmark can trust: it must reach DeliveredToGateway through the carrier.
curl -fs -XPOST "$BASE/v1/messages" -H "Authorization: Bearer $BENCH_API_KEY" \
  -d '{"from":"ACME","to":"+46701234567","text":"warm-up"}' | grep -q "\"code\":${BENCH_EXPECT:-111}" \
  || { echo "a warm-up send did not reach the carrier"; exit 1; }

run() { # slug, name, wrk args...
  local slug=$1 name=$2; shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" > "$STATE/$slug.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$STATE/$slug.txt")
  p50=$(awk '$1=="50%" {print $2}' "$STATE/$slug.txt")
  p99=$(awk '$1=="99%" {print $2}' "$STATE/$slug.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$STATE/$slug.txt"); non2xx=${non2xx:-0}
  printf '| %-28s | %10s | %9s | %9s | %8s |\n' "$name" "$rps" "$p50" "$p99" "$non2xx"
  echo "$rps" > "$STATE/$slug.rps"
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s each; $(nproc) cores; $("$SPIN" --version)"
printf '| %-28s | %10s | %9s | %9s | %8s |\n' "route" "req/s" "p50" "p99" "non-2xx"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------" "------------" "-----------" "-----------" "----------"
run health "GET /v1/health" "$BASE/v1/health"
run send "POST /v1/messages (single)" -s bench/send.lua "$BASE/v1/messages"
python3 - "$STATE" <<'PY'
import sys
d = sys.argv[1]
health = float(open(f"{d}/health.rps").read())
send = float(open(f"{d}/send.rps").read())
print(f"\nsends reach {send / health:.0%} of the health route's req/s")
PY
