#!/usr/bin/env bash
# The Spin 3 build: the same source and manifest for hosts that run Spin 3 (Fermyon
# Cloud, older SpinKube shims): spin-sdk 5.2 on wasm32-wasip1, a fresh instance per
# request. Writes .spin3.toml (spin.toml with the wasm32-wasip1 artifacts and build
# command) beside spin.toml, so its relative paths hold, then builds it.
#   scripts/spin3.sh            build; then: spin up -f .spin3.toml
#   scripts/spin3.sh up [args]  build and run it (arguments go to spin up)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-spin.sh
# Its components have no adapter component slot (crates/platform/src/carrier/extension.rs),
# and Spin refuses a dependency nothing imports: every dependencies block goes.
sed -e '/^\[component\.[a-z0-9_-]*\.dependencies\]/,/^$/d' \
    -e 's#target/wasm32-wasip2/release/#target/wasm32-wasip1/release/#' \
    -e 's#bash scripts/build-components.sh"#bash scripts/build-components.sh spin3"#' \
    spin.toml > .spin3.toml
grep -q wasm32-wasip2 .spin3.toml && { echo "spin3.sh: .spin3.toml still names wasm32-wasip2" >&2; exit 1; }
bash scripts/build-components.sh spin3
if [ "${1:-}" = up ]; then
  shift
  exec "$SPIN" up -f .spin3.toml "$@"
fi
