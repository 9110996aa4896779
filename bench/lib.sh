# Sourced by the benchmark scripts: wrk runs printed as one table row each.
# Needs STATE (a scratch dir), PORT (where `spin up` listens), DURATION, CONNECTIONS, THREADS.

command -v wrk >/dev/null || { echo "installing wrk"; (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null; }
TICK_HZ=$(getconf CLK_TCK)

# CPU time (user + system, all threads) of the process serving requests, in clock ticks.
spin_ticks() { awk '{s += $14 + $15} END {print s}' /proc/"$(pgrep -f "trigger http --listen 127.0.0.1:$PORT" | head -1)"/task/*/stat; }

table_header() {
  echo "wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s each; $(nproc) cores; $("$SPIN" --version)"
  printf '| %-28s | %10s | %9s | %9s | %8s | %15s |\n' "route" "req/s" "p50" "p99" "non-2xx" "spin CPU µs/req"
  printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------" "------------" "-----------" "-----------" "----------" "-----------------"
}

run() { # slug, name, wrk args... → a table row; req/s kept in $STATE/<slug>.rps
  local slug=$1 name=$2; shift 2
  local before after requests cpu rps p50 p99 non2xx
  before=$(spin_ticks)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" > "$STATE/$slug.txt"
  after=$(spin_ticks)
  requests=$(awk '/requests in/ {print $1}' "$STATE/$slug.txt")
  cpu=$(( (after - before) * 1000000 / TICK_HZ / requests ))
  rps=$(awk '/Requests\/sec/ {print $2}' "$STATE/$slug.txt")
  p50=$(awk '$1=="50%" {print $2}' "$STATE/$slug.txt")
  p99=$(awk '$1=="99%" {print $2}' "$STATE/$slug.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$STATE/$slug.txt"); non2xx=${non2xx:-0}
  printf '| %-28s | %10s | %9s | %9s | %8s | %15s |\n' "$name" "$rps" "$p50" "$p99" "$non2xx" "$cpu"
  echo "$rps" > "$STATE/$slug.rps"
  echo "$cpu" > "$STATE/$slug.cpu"
}

ratio() { # slug, baseline slug → "42%"
  python3 -c "import sys; print(f'{float(open(sys.argv[1]).read()) / float(open(sys.argv[2]).read()):.0%}')" \
    "$STATE/$1.rps" "$STATE/$2.rps"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_fake_carrier() { # → CARRIER_URL, CARRIER_PID
  cargo build --release -q -p e2e --bin fake-carrier
  target/release/fake-carrier 4 > "$STATE/carrier.url" &
  CARRIER_PID=$!
  for _ in $(seq 50); do [ -s "$STATE/carrier.url" ] && break; sleep 0.1; done
  CARRIER_URL=$(cat "$STATE/carrier.url")
}
