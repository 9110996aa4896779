#!/usr/bin/env bash
# Builds every component in one cargo call, so shared dependencies compile once and the
# components link side by side. Every component's build command in spin.toml runs this;
# after the first, cargo finds everything fresh.
#   scripts/build-components.sh         Spin 4 (wasm32-wasip2, WASIp3: the default)
#   scripts/build-components.sh spin3   Spin 3 hosts (wasm32-wasip1, spin-sdk 5.2)
set -euo pipefail
cd "$(dirname "$0")/.."
target=wasm32-wasip2
if [ "${1:-}" = spin3 ]; then
  target=wasm32-wasip1
fi
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"
packages=()
for component in components/*/; do
  packages+=(-p "$(basename "$component")")
done
# The carrier adapter components installed in spin.toml (docs/carriers.md "Writing a
# carrier adapter"). Only the WASIp3 build composes them; the Spin 3 build has no slot.
if [ "$target" = wasm32-wasip2 ]; then
  for adapter in adapters/*/; do
    packages+=(-p "$(basename "$adapter")")
  done
fi
cargo build --quiet --release --target "$target" "${packages[@]}"
