#!/usr/bin/env bash
# Builds a component and pre-initialises it with Wizer: runs its `wizer.initialize`
# export (libphonenumber's one-time set-up, ~3 ms natively) at build time and snapshots the
# result, because Spin starts every request from a fresh instance.
# Usage: tools/preinit.sh <crate>   → target/preinit/<crate>.wasm
set -euo pipefail
cd "$(dirname "$0")/.."
crate=$1
WIZER_VERSION=10.0.0
cargo build --target wasm32-wasip1 --release -p "$crate"

wizer=""
if command -v wizer >/dev/null 2>&1 && wizer --version | grep -q "$WIZER_VERSION"; then
  wizer=$(command -v wizer)
elif [ -x target/tools/bin/wizer ]; then
  wizer=target/tools/bin/wizer
else
  echo "installing wizer $WIZER_VERSION into target/tools (once; a few minutes)" >&2
  cargo install --quiet --locked wizer@"$WIZER_VERSION" --features env_logger,structopt --root target/tools
  wizer=target/tools/bin/wizer
fi
mkdir -p target/preinit
# A file of its own per build, so two builds at once never move each other's output.
tmp=$(mktemp "target/preinit/$crate.wasm.XXXXXX")
trap 'rm -f "$tmp"' EXIT
"$wizer" --allow-wasi --wasm-bulk-memory true -o "$tmp" "target/wasm32-wasip1/release/$crate.wasm"
mv "$tmp" "target/preinit/$crate.wasm"
