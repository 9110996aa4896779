#!/usr/bin/env bash
# Does work a WASIp3 component spawns after its response finish? Three requests, one after
# the other; each one's spawned work calls a server that answers after 3 s, then calls it
# again ("done"). Run once with Spin's default instance settings and once with
# --idle-instance-timeout 10s; prints how many of the three finished each time.
set -euo pipefail
cd "$(dirname "$0")"
source ../../scripts/find-spin.sh
"$SPIN" build >/dev/null
log=$(mktemp)
python3 - "$log" <<'PY' &
import http.server, socketserver, sys, time
log = open(sys.argv[1], "a", buffering=1)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(3.0)
        log.write(self.path + "\n")
        try:
            self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
        except OSError:
            pass
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
Server(("127.0.0.1", 8765), Handler).serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
sleep 0.5
for args in "" "--idle-instance-timeout 10s"; do
  : > "$log"
  # shellcheck disable=SC2086
  setsid "$SPIN" up --listen 127.0.0.1:8766 $args >/dev/null 2>&1 &
  spin=$!
  for _ in $(seq 100); do curl -fs -o /dev/null 127.0.0.1:8766/ 2>/dev/null && break; sleep 0.1; done
  : > "$log"
  for n in 1 2 3; do curl -fs -o /dev/null "127.0.0.1:8766/?$n"; done
  sleep 6
  echo "spin up ${args:-(default instance settings)}: $(grep -c '^/done?[123]$' "$log" || true) of 3 finished their after-response work"
  kill -- -"$spin" 2>/dev/null || true
  sleep 1
done
