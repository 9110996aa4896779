#!/usr/bin/env bash
# The one test command: domain and platform unit tests (native), the WASIp3 build
# (`spin build`), the end-to-end tests against a real `spin up` of it, the Spin 3 build
# and its smoke subset, the schema-driven API test (Schemathesis against
# api/openapi.json on a real `spin up`), then the portal in a real headless Chromium
# (Playwright, tests/browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
for target in wasm32-wasip2 wasm32-wasip1; do
  rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"
done
echo "== unit tests (domain core, platform)"
cargo test -p domain -p platform
echo "== spin build (WASIp3, wasm32-wasip2)"
"$SPIN" build
echo "== end-to-end tests (real spin up, fake carrier)"
# The Twilio Node SDK the Twilio tests drive, at its pinned version, on a machine that does
# not have it yet (.ci/run installs it).
[ -d tests/twilio/node_modules/twilio ] || npm ci --prefix tests/twilio --no-audit --no-fund --silent
cargo test -p e2e
echo "== Spin 3 build (wasm32-wasip1) and its smoke subset"
bash scripts/spin3.sh
# send → carrier → signed receipt → ledger; a concurrent race on one balance; a retry under
# an Idempotency-Key; a portal sign-in.
E2E_MANIFEST=.spin3.toml cargo test -p e2e --test api -- --exact \
  a_signed_receipt_moves_the_message_to_delivered_once \
  concurrent_sends_never_overdraw_and_the_ledger_stays_equal_to_the_balance
E2E_MANIFEST=.spin3.toml cargo test -p e2e --test idempotency -- --exact \
  a_retried_send_gets_the_first_answer_and_is_charged_once
E2E_MANIFEST=.spin3.toml cargo test -p e2e --test portal -- --exact \
  an_invited_user_sets_a_password_signs_in_and_sends_on_a_session
echo "== API schema test (schemathesis, api/openapi.json)"
# Its pinned Python packages, on a machine that does not have them yet.
python3 -c 'import schemathesis, openapi_spec_validator' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check -r tests/api-schema/requirements.txt
bash tests/api-schema.sh
echo "== browser tests (the portal in headless Chromium)"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "Chromium is missing: install Debian's chromium package (.ci/run does)" >&2
  exit 1
fi
python3 -c 'import playwright, pytest, zxingcpp, PIL' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check -r tests/browser/requirements.txt
bash tests/browser.sh
