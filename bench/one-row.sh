#!/usr/bin/env bash
# One row of the benchmark against a fresh app, for comparing two builds quickly (A/B):
# builds nothing, starts the app as bench/run.sh does (http carrier in batches of 100 to
# the fake carrier, the job runner every second), runs wrk, prints its latency and rate,
# the CPU of Spin's serving process and what the carrier has taken 1, 5 and 10 s after.
#   bench/one-row.sh [send|batch] [seconds] [connections]     (after spin build and
#   cargo build --release -p e2e --bin fake-carrier)
# One run against another on this machine varies by a third: compare within minutes, twice.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
SCRIPT=${1:-send}; DURATION=${2:-10}; CONNECTIONS=${3:-16}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
STATE=$(mktemp -d)
target/release/fake-carrier 16 > "$STATE/carrier.url" &
CARRIER_PID=$!
for _ in $(seq 50); do [ -s "$STATE/carrier.url" ] && break; sleep 0.1; done
CARRIER_URL=$(cat "$STATE/carrier.url")
SPIN_VARIABLE_ADMIN_TOKEN=bench SPIN_VARIABLE_JOBS_TOKEN=bench SPIN_VARIABLE_CARRIER=http SPIN_VARIABLE_CARRIER_BASE_URL="$CARRIER_URL" \
SPIN_VARIABLE_CARRIER_API_KEY=bench SPIN_VARIABLE_CARRIER_WEBHOOK_SECRET=bench SPIN_VARIABLE_CARRIER_BATCH_SIZE=100 \
  setsid "$SPIN" up --listen "127.0.0.1:$PORT" --idle-instance-timeout 10s --max-instance-reuse-count 10000 --state-dir "$STATE/app" > "$STATE/app.log" 2>&1 &
SPIN_PGID=$!
RUNNER_PID=""
cleanup() { [ -z "$RUNNER_PID" ] || kill "$RUNNER_PID" 2>/dev/null || true; kill -- -"$SPIN_PGID" 2>/dev/null || true; kill "$CARRIER_PID" 2>/dev/null || true; sleep 0.5; rm -rf "$STATE"; }
trap cleanup EXIT
for _ in $(seq 300); do curl -fs "$BASE/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
ACCOUNT=$(curl -fs -XPOST "$BASE/v1/admin/accounts" -H "Authorization: Bearer bench" -H "Content-Type: application/json" \
  -d '{"name":"Bench AB","currency":"SEK","initial_balance_minor":100000000000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export BENCH_API_KEY=$(curl -fs -XPOST "$BASE/v1/admin/accounts/$ACCOUNT/keys" -H "Authorization: Bearer bench" \
  -H "Content-Type: application/json" -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
curl -fs -o /dev/null -XPATCH "$BASE/v1/admin/accounts/$ACCOUNT" -H "Authorization: Bearer bench" -H "Content-Type: application/json" \
  -d '{"rate_limit_per_second":100000,"key_rate_limit_per_second":100000}'
( while sleep 1; do curl -fsS -o /dev/null -XPOST -H "Authorization: Bearer bench" "$BASE/v1/jobs/run" 2>/dev/null || true; done ) &
RUNNER_PID=$!
SERVING=$(pgrep -f -- "trigger http --listen 127.0.0.1:$PORT" | head -1)
cpu() { awk '{print $14 + $15}' "/proc/$SERVING/stat"; }
BEFORE=$(cpu)
BENCH_DIR="$PWD/bench" WRK_OUT="$STATE/wrk.json" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "bench/$SCRIPT.lua" "$BASE/v1/messages" \
  | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "spin CPU during the load: $(( ($(cpu) - BEFORE) * 10 )) ms"
for second in $(seq 10); do
  sleep 1
  case $second in 1|5|10) echo "taken by the carrier ${second}s after: $(curl -fs "$CARRIER_URL/count")";; esac
done
