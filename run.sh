#!/usr/bin/env bash
# Runs the app locally, for development: `spin build --up` on the embedded default stores
# (.spin/), customer URLs to local addresses allowed, no runtime network blocks.
# The operator API and the job runner need tokens; for local use we set development ones
# if none are given, and call the job runner every 2 seconds (scheduled sends, callbacks,
# expiry). Extra arguments go to `spin up` (e.g. --listen 127.0.0.1:3001).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find-spin.sh
rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
if [ -z "${SPIN_VARIABLE_ADMIN_TOKEN:-}" ]; then
  export SPIN_VARIABLE_ADMIN_TOKEN=dev-admin-token
  echo "admin token (development): dev-admin-token — set SPIN_VARIABLE_ADMIN_TOKEN for anything else" >&2
fi
# Secrets the platform signs or logs in with again (webhook secrets, carrier credentials)
# are sealed at rest under secrets_key: development gets its own key, made once and kept
# beside the embedded database (.spin/), so what it sealed still opens after a restart.
if [ -z "${SPIN_VARIABLE_SECRETS_KEY:-}" ]; then
  mkdir -p .spin
  [ -s .spin/dev-secrets-key ] || (umask 077 && head -c 32 /dev/urandom | base64 > .spin/dev-secrets-key)
  SPIN_VARIABLE_SECRETS_KEY=$(cat .spin/dev-secrets-key)
  export SPIN_VARIABLE_SECRETS_KEY
fi
if [ -z "${SPIN_VARIABLE_JOBS_TOKEN:-}" ]; then
  export SPIN_VARIABLE_JOBS_TOKEN=dev-jobs-token
fi
# Development: ./run.sh's first start makes a development operator for the console (below),
# which needs this. Never set in production (docs/operations.md "Operator staff").
export SPIN_VARIABLE_DEVELOPMENT_MODE=${SPIN_VARIABLE_DEVELOPMENT_MODE:-true}
# Development: callback and webhook URLs may point at local fakes (127.0.0.1, localhost).
# Production leaves this false and runs with runtime-config.production.toml (docs/operations.md
# "Customer URLs and your network").
export SPIN_VARIABLE_ALLOW_PRIVATE_ENDPOINTS=${SPIN_VARIABLE_ALLOW_PRIVATE_ENDPOINTS:-true}

listen=127.0.0.1:3000
args=("$@")
for i in "${!args[@]}"; do
  [ "${args[$i]}" = "--listen" ] && listen=${args[$((i + 1))]}
done
(
  while sleep 2; do
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $SPIN_VARIABLE_JOBS_TOKEN" "http://$listen/v1/jobs/run" 2>/dev/null || true
  done
) &
runner=$!
# The console's first operator: once the app answers, if nobody is on the staff yet, a
# development operator is made through the admin token (a group allowing every area, a
# staff member in it with two-factor already on) and its e-mail, password and TOTP secret
# are printed this once. Delete .spin/ to start over.
(
  base="http://$listen"
  auth="Authorization: Bearer $SPIN_VARIABLE_ADMIN_TOKEN"
  until curl -fsS -o /dev/null "$base/v1/health" 2>/dev/null; do sleep 1; done
  [ "$SPIN_VARIABLE_DEVELOPMENT_MODE" = true ] || exit 0
  staff=$(curl -fsS -H "$auth" "$base/v1/admin/staff" 2>/dev/null) || exit 0
  if [ "$staff" != '{"staff":[]}' ]; then
    echo "console: $base/console (sign in as a staff member)" >&2
    exit 0
  fi
  areas='"customers":"allow","carriers":"allow","rate_card":"allow","cdr":"allow","log":"allow","reports":"allow","billing":"allow","numbers":"allow","packages":"allow","settings":"allow","staff":"allow"'
  group=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' -X POST "$base/v1/admin/staff-groups" \
    -d "{\"name\":\"Administrators\",\"permissions\":{$areas}}" 2>/dev/null \
    || curl -fsS -H "$auth" "$base/v1/admin/staff-groups")
  group_id=$(printf '%s' "$group" | grep -o '"id":"grp_[^"]*"' | head -n 1 | cut -d'"' -f4)
  email=operator@smsedge.test
  made=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' -X POST "$base/v1/admin/staff" \
    -d "{\"email\":\"$email\",\"name\":\"Development Operator\",\"groups\":[\"$group_id\"],\"enrol_two_factor\":true}") || exit 0
  field() { printf '%s' "$made" | grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }
  cat >&2 <<EOT

  ================================================================================
  The console's development operator (shown once; delete .spin/ to start over):
    sign in at   $base/console
    e-mail       $email
    password     $(field initial_password)
    TOTP secret  $(field secret)   (add it to an authenticator app)
    or its URI   $(field provisioning_uri)
  ================================================================================

EOT
) &
bootstrap=$!
trap 'kill $runner $bootstrap 2>/dev/null || true' EXIT
# Deliveries run after a send's answer, inside the instance that took it: keep an idle
# instance 10 s and reuse one for 10,000 requests (with Spin's defaults it goes within
# seconds, and after 128 requests, cutting deliveries short; the job runner then retakes
# them when their lease ends: bench/after-response/run.sh). docs/carriers.md "Delivery". Arguments
# given here win.
reuse=(--idle-instance-timeout 10s --max-instance-reuse-count 10000)
for a in "$@"; do case "$a" in --idle-instance-timeout|--max-instance-reuse-count) reuse=() ;; esac; done
"$SPIN" build --up "${reuse[@]}" "$@"
