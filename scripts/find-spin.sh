# Sourced by the project scripts: sets SPIN to $SPIN, `spin` on PATH, or ../shared/bin/spin.
if [ -z "${SPIN:-}" ]; then
  if command -v spin >/dev/null 2>&1; then
    SPIN=$(command -v spin)
  elif [ -x "$(dirname "${BASH_SOURCE[0]}")/../../shared/bin/spin" ]; then
    SPIN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared/bin" && pwd)/spin
  else
    echo "Spin not found: install it (https://spinframework.dev/install) or set SPIN=/path/to/spin" >&2
    exit 1
  fi
fi
export SPIN
