#!/usr/bin/env bash
# The one test command: domain unit tests (native), build the app (`spin build`, with
# Wizer pre-initialisation), the end-to-end tests against a real `spin up`, the
# schema-driven API test (Schemathesis against api/openapi.json on a real `spin up`), then
# the portal in a real headless Chromium (Playwright, tests/browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
rustup target list --installed 2>/dev/null | grep -q wasm32-wasip1 || rustup target add wasm32-wasip1
echo "== unit tests (domain core, storage helpers)"
cargo test -p domain -p platform
echo "== spin build"
"$SPIN" build
echo "== end-to-end tests (real spin up, fake carrier)"
cargo test -p e2e
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
python3 -c 'import playwright, pytest' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check -r tests/browser/requirements.txt
bash tests/browser.sh
