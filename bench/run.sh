#!/usr/bin/env bash
# The benchmark: one run, one machine, one table. Side by side:
#   - a WASIp3 component that does nothing (bench/noop: the runtime's ceiling);
#   - the app's GET /v1/health;
#   - single sends (validated, priced, debited, stored, submitted over HTTP to the fake
#     carrier, its answer recorded), one recipient per request;
#   - batch sends of 1,000 recipients per request;
#   - Kannel's and Jasmin's HTTP send paths (../shared/bench-peers, started and stopped
#     here, delivering to their own fake carriers).
# Accepted (2xx × messages per request) and delivered (what the carrier took) are
# counted separately; CPU is the serving processes' (see bench/measure.py).
#   bench/run.sh [seconds] [connections]        (defaults 15 16)
#   BENCH_PEERS=/path/to/bench-peers   where the peers' scripts are (default ../shared/bench-peers)
#   BENCH_SKIP_PEERS=1                 our rows only
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
DURATION=${1:-15}
CONNECTIONS=${2:-16}
PEERS_DIR=${BENCH_PEERS:-$(cd .. && pwd)/shared/bench-peers}
command -v wrk >/dev/null || { echo "bench/run.sh needs wrk (apt-get install wrk)" >&2; exit 1; }

STATE=$(mktemp -d)
RESULTS="$STATE/ours.jsonl"
SPIN_PGID=""
CARRIER_PID=""
# A process already gone is not a failure (under set -e a failed kill would end the trap
# early: the state dir left behind and the script's status 1 after a complete table).
stop_spin() { [ -z "$SPIN_PGID" ] || kill -- -"$SPIN_PGID" 2>/dev/null || true; SPIN_PGID=""; sleep 1; }
cleanup() { stop_spin; [ -z "${RUNNER_PID:-}" ] || kill "$RUNNER_PID" 2>/dev/null || true; [ -z "$CARRIER_PID" ] || kill "$CARRIER_PID" 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; return 1; }
measure() { python3 bench/measure.py --duration "$DURATION" --conns "$CONNECTIONS" --results "$RESULTS" "$@"; }

echo "== building (app: spin build; bench/noop; the fake carrier)"
"$SPIN" build >/dev/null
(cd bench/noop && "$SPIN" build >/dev/null)
cargo build --release --quiet -p e2e --bin fake-carrier
target/release/fake-carrier 16 > "$STATE/carrier.url" &
CARRIER_PID=$!
for _ in $(seq 50); do [ -s "$STATE/carrier.url" ] && break; sleep 0.1; done
CARRIER_URL=$(cat "$STATE/carrier.url")

echo "== the runtime's ceiling (bench/noop)"
PORT=$(free_port)
(cd bench/noop && exec setsid "$SPIN" up --listen "127.0.0.1:$PORT" --state-dir "$STATE/noop" > "$STATE/noop.log" 2>&1) &
SPIN_PGID=$!
wait_for "http://127.0.0.1:$PORT/"
measure --name "noop component (WASIp3)" --script bench/get.lua --url "http://127.0.0.1:$PORT/" --pids "$SPIN_PGID"
stop_spin

echo "== the app (carrier: http, to the fake carrier)"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
# The http carrier with batches of 100 (the fake carrier speaks /messages/batch), and the
# job runner called every second, as run.sh does (cron in production).
SPIN_VARIABLE_ADMIN_TOKEN=bench SPIN_VARIABLE_JOBS_TOKEN=bench SPIN_VARIABLE_CARRIER=http SPIN_VARIABLE_CARRIER_BASE_URL="$CARRIER_URL" \
SPIN_VARIABLE_CARRIER_API_KEY=bench SPIN_VARIABLE_CARRIER_WEBHOOK_SECRET=bench SPIN_VARIABLE_CARRIER_BATCH_SIZE=100 \
  setsid "$SPIN" up --listen "127.0.0.1:$PORT" --idle-instance-timeout 10s --max-instance-reuse-count 10000 ${BENCH_SPIN_ARGS:-} --state-dir "$STATE/app" > "$STATE/app.log" 2>&1 &
SPIN_PGID=$!
wait_for "$BASE/v1/health"
( while sleep 1; do curl -fsS -o /dev/null -XPOST -H "Authorization: Bearer bench" "$BASE/v1/jobs/run" 2>/dev/null || true; done ) &
RUNNER_PID=$!
ACCOUNT=$(curl -fs -XPOST "$BASE/v1/admin/accounts" -H "Authorization: Bearer bench" -H "Content-Type: application/json" \
  -d '{"name":"Bench AB","currency":"SEK","initial_balance_minor":100000000000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export BENCH_API_KEY=$(curl -fs -XPOST "$BASE/v1/admin/accounts/$ACCOUNT/keys" -H "Authorization: Bearer bench" \
  -H "Content-Type: application/json" -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
# A wholesale client: the operator raises its request rate limits (docs/api.md "Rate limits").
curl -fs -o /dev/null -XPATCH "$BASE/v1/admin/accounts/$ACCOUNT" -H "Authorization: Bearer bench" -H "Content-Type: application/json" \
  -d '{"rate_limit_per_second":100000,"key_rate_limit_per_second":100000}'
# A send the benchmark can trust: accepted (Funded, 103), then DeliveredToGateway (111)
# through the carrier.
WARM=$(curl -fs -XPOST "$BASE/v1/messages" -H "Authorization: Bearer $BENCH_API_KEY" -H "Content-Type: application/json" \
  -d '{"from":"ACME","to":"+46701234567","text":"warm-up"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"][0]["id"])')
for _ in $(seq 100); do
  curl -fs "$BASE/v1/messages/$WARM" -H "Authorization: Bearer $BENCH_API_KEY" | grep -q '"status":{"code":111' && break
  sleep 0.1
done
curl -fs "$BASE/v1/messages/$WARM" -H "Authorization: Bearer $BENCH_API_KEY" | grep -q '"status":{"code":111' \
  || { echo "a warm-up send did not reach the carrier" >&2; exit 1; }
measure --name "app GET /v1/health" --script bench/get.lua --url "$BASE/v1/health" --pids "$SPIN_PGID"
measure --name "app single sends" --script bench/send.lua --url "$BASE/v1/messages" --pids "$SPIN_PGID" \
  --count-url "$CARRIER_URL/count"
measure --name "app batch sends (1,000 each)" --script bench/batch.lua --url "$BASE/v1/messages" --pids "$SPIN_PGID" \
  --count-url "$CARRIER_URL/count" --per-request 1000
kill "$RUNNER_PID" 2>/dev/null || true
stop_spin

PEER_RESULTS=""
if [ -z "${BENCH_SKIP_PEERS:-}" ] && [ -f "$PEERS_DIR/run-all.sh" ]; then
  echo "== the peers (Kannel, Jasmin: $PEERS_DIR)"
  export PEERS_WORK="$STATE/peers" PEERS_DURATION="$DURATION" PEERS_CONNS="$CONNECTIONS"
  export PEERS_MAX_LOAD=${PEERS_MAX_LOAD:-3.0} PEERS_LOAD_TRIES=${PEERS_LOAD_TRIES:-2}
  bash "$PEERS_DIR/run-all.sh" > "$STATE/peers.log" 2>&1 || true
  PEER_RESULTS=$(ls "$STATE"/peers/results-*.jsonl 2>/dev/null | head -1)
  [ -n "$PEER_RESULTS" ] || { echo "the peers gave no results:"; tail -20 "$STATE/peers.log"; }
fi

echo
echo "wrk: 2 threads, $CONNECTIONS connections, ${DURATION}s per row; $(nproc) cores; $("$SPIN" --version); $(date -u +%Y-%m-%d)"
python3 bench/table.py "$RESULTS" ${PEER_RESULTS:+"$PEER_RESULTS"}
