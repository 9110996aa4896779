#!/usr/bin/env bash
# Schema-driven API test. Starts the (already built: `spin build`) app on a free port with a
# temporary state dir, makes an account, an API key and things to point at through the API
# (tests/api-schema/setup.py), then runs Schemathesis (version pinned in
# tests/api-schema/requirements.txt) on the OpenAPI document the app serves
# (GET /v1/openapi.json, i.e. api/openapi.json) against every operation in it: examples,
# coverage (boundary and invalid values), fuzzing and stateful phases, each operation with
# the credential its security scheme names (tests/api-schema/schemathesis.toml; carrier
# webhooks signed per request in tests/api-schema/hooks.py). It fails on any 5xx, any status
# code the document does not list for the operation, any response body or content type that
# does not match the document. Stops the app on exit.
#
#   bash tests/api-schema.sh [more `st run` options, e.g. --max-examples 100 --seed 1]
#   KEEP_STATE=1 bash tests/api-schema.sh    # keep the app's database and log afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh

# Schemathesis' CLI through python3 itself, so no PATH or shim decides which one runs.
st() { python3 -c 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "st"; sys.exit(schemathesis())' "$@"; }
if ! have=$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null); then
    echo "schemathesis is not installed: python3 -m pip install -r tests/api-schema/requirements.txt" >&2
    exit 1
fi
want=$(sed -n 's/^schemathesis==//p' tests/api-schema/requirements.txt)
[ "$have" = "$want" ] || echo "warning: schemathesis $have is installed; the pinned version is $want" >&2

# The document itself first: valid OpenAPI 3.1 (a slip there would only show as odd tests).
python3 -c 'import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1])))' api/openapi.json
echo "== api/openapi.json is valid OpenAPI 3.1"

export SMSEDGE_ADMIN_TOKEN="api-schema-admin-token"
export SMSEDGE_JOBS_TOKEN="api-schema-jobs-token"
export SMSEDGE_CARRIER_SECRET="api-schema-carrier-secret"
export SMSEDGE_STRIPE_WEBHOOK_SECRET="whsec_api_schema_stripe_secret"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
state=$(mktemp -d "${TMPDIR:-/tmp}/smsedge-api-schema.XXXXXX")
log="$state/spin.log"
spin_pid=""
cleanup() {
    if [ -n "$spin_pid" ]; then
        kill -TERM -- "-$spin_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$spin_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$spin_pid" 2>/dev/null || true
    fi
    rm -f "$manifest"
    if [ "${KEEP_STATE:-}" = 1 ]; then echo "state and log kept in $state"; else rm -rf "$state"; fi
}
# The copy sits beside spin.toml, so every relative path in it (component sources, the
# portal's static files, which Spin keeps inside the application directory) still holds.
manifest="$PWD/.api-schema.$$.spin.toml"
trap cleanup EXIT

# The app's own manifest with one change: the job runner (dispatch) may call only this
# machine. It POSTs callbacks to URLs the tester makes up (the document's examples point at
# 127.0.0.1:9, where nothing listens), and a made-up URL must never leave the machine.
python3 - "$PWD" "$manifest" <<'PY'
import sys
root, out = sys.argv[1], sys.argv[2]
manifest = open(f"{root}/spin.toml").read()
anywhere = 'allowed_outbound_hosts = ["http://*:*", "https://*:*"]'
assert anywhere in manifest, "spin.toml: the dispatch component's outbound hosts changed; update tests/api-schema.sh"
open(out, "w").write(manifest.replace(anywhere, 'allowed_outbound_hosts = ["http://127.0.0.1:*", "http://localhost:*"]'))
PY

# Stripe's API is the app itself: it answers 404 to /v1/checkout/sessions, so a top-up
# ends 422 StripeRefused and no request leaves the machine (tests/e2e/tests/stripe.rs has a
# fake Stripe that makes sessions).
# Every feature on, so nothing answers 503 for lack of configuration: the sandbox carrier,
# the operator and job tokens, every carrier's webhook secret, unsubscribe links; customer
# URLs to 127.0.0.1:9 (where nothing listens) allowed, as in development.
SPIN_VARIABLE_ADMIN_TOKEN="$SMSEDGE_ADMIN_TOKEN" \
SPIN_VARIABLE_JOBS_TOKEN="$SMSEDGE_JOBS_TOKEN" \
SPIN_VARIABLE_CARRIER=sandbox \
SPIN_VARIABLE_SECRETS_KEY="$(head -c 32 /dev/urandom | base64)" \
SPIN_VARIABLE_CARRIER_WEBHOOK_SECRET="$SMSEDGE_CARRIER_SECRET" \
SPIN_VARIABLE_VONAGE_WEBHOOK_SECRET="$SMSEDGE_CARRIER_SECRET" \
SPIN_VARIABLE_SINCH_WEBHOOK_SECRET="$SMSEDGE_CARRIER_SECRET" \
SPIN_VARIABLE_UNSUBSCRIBE_SECRET="api-schema-unsubscribe-secret-of-at-least-32-bytes" \
SPIN_VARIABLE_PUBLIC_BASE_URL="$base" \
SPIN_VARIABLE_STRIPE_WEBHOOK_SECRET="$SMSEDGE_STRIPE_WEBHOOK_SECRET" \
SPIN_VARIABLE_STRIPE_SECRET_KEY="sk_test_api_schema" \
SPIN_VARIABLE_STRIPE_API_BASE="$base" \
SPIN_VARIABLE_ALLOW_PRIVATE_ENDPOINTS=true \
    setsid "$SPIN" up -f "$manifest" --listen "127.0.0.1:$port" --state-dir "$state" </dev/null >"$log" 2>&1 &
spin_pid=$!

for _ in $(seq 600); do
    curl -fsS -o /dev/null "$base/v1/health" 2>/dev/null && break
    kill -0 "$spin_pid" 2>/dev/null || { cat "$log" >&2; echo "spin up exited" >&2; exit 1; }
    sleep 0.1
done
curl -fsS -o /dev/null "$base/v1/health" || { cat "$log" >&2; echo "spin up did not become healthy in 60 s" >&2; exit 1; }

exports=$(python3 tests/api-schema/setup.py "$base")
eval "$exports"
export PYTHONPATH="$PWD/tests/api-schema${PYTHONPATH:+:$PYTHONPATH}"
export SCHEMATHESIS_HOOKS=hooks

echo "== schemathesis $have on $base/v1/openapi.json (state in $state)"
started=$(date +%s)
set +e
st --config-file tests/api-schema/schemathesis.toml run "$base/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --workers 2 --no-color --report junit --report-dir "$state/report" "$@"
status=$?
set -e
echo "== schemathesis finished in $(( $(date +%s) - started )) s, exit $status"
# One line for whoever reads the closing line: operations (and the stateful run) that passed.
python3 - "$state/report" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
suite = ET.parse(sorted(glob.glob(f"{sys.argv[1]}/junit-*.xml"))[-1]).getroot()
count = lambda name: int(suite.get(name, 0))
failed = count("failures") + count("errors")
print(f"schemathesis: {count('tests') - failed - count('skipped')} passed, {failed} failed, {count('skipped')} skipped")
PY
if [ "$status" -ne 0 ]; then
    echo "-- the app's log (last 40 lines):"
    tail -n 40 "$log"
    grep -rh "internal error" "$state/logs" 2>/dev/null | sort | uniq -c | head -20 || true
fi
exit "$status"
