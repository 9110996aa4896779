#!/usr/bin/env bash
# Runs the app locally: `spin build --up` on the embedded default stores (.spin/).
# The operator API needs an admin token; for local use we set a development one if
# none is given. Extra arguments go to `spin up` (e.g. --listen 127.0.0.1:3001).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find-spin.sh
rustup target list --installed 2>/dev/null | grep -q wasm32-wasip1 || rustup target add wasm32-wasip1
if [ -z "${SPIN_VARIABLE_ADMIN_TOKEN:-}" ]; then
  export SPIN_VARIABLE_ADMIN_TOKEN=dev-admin-token
  echo "admin token (development): dev-admin-token — set SPIN_VARIABLE_ADMIN_TOKEN for anything else" >&2
fi
exec "$SPIN" build --up "$@"
