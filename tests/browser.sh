#!/usr/bin/env bash
# Browser tests: the portal in Debian's headless Chromium (Playwright) against a real
# `spin up` of the built app. Needs `spin build` done, /usr/bin/chromium (Debian package
# `chromium`) and `pip install -r tests/browser/requirements.txt`. Screenshots land in
# target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SPIN:-}" ]; then
  if command -v spin >/dev/null; then SPIN=spin; else SPIN="$(cd .. && pwd)/shared/bin/spin"; fi
fi
export SPIN
rm -rf target/screenshots
exec python3 -m pytest tests/browser -q -p no:cacheprovider "$@"
