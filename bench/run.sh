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
"$SPIN" build >/dev/null
STATE=$(mktemp -d)
cleanup() { kill -- -"${SPIN_PGID:-0}" 2>/dev/null || true; kill "${CARRIER_PID:-0}" 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT

source bench/lib.sh
start_fake_carrier
PORT=$(free_port)
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

table_header
run health "GET /v1/health" "$BASE/v1/health"
run send "POST /v1/messages (single)" -s bench/send.lua "$BASE/v1/messages"
echo
echo "sends reach $(ratio send health) of the health route's req/s"
