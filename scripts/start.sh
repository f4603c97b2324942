#!/usr/bin/env bash
# One command for a newcomer (`npm start`): sets up, then platform/run-local.ts checks the ports, starts a Temporal dev
# server (unless TEMPORAL_ADDRESS points at a cluster), migrates the database, runs a worker and the API, prints the
# URLs and an admin token, and stops everything together on SIGINT/SIGTERM or when a part dies.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/billing}"
# A local installation may call the demo vendor (npm run vendor:demo) on this machine, and nothing else inside the
# network: the egress policy refuses loopback and private addresses unless a host is allow-listed (SECURITY.md).
export EGRESS_ALLOW_HOSTS="${EGRESS_ALLOW_HOSTS:-127.0.0.1:${DEMO_VENDOR_PORT:-9099}}"

# The admin token and the first administrator's operator UI password are made once and kept (mode 600) beside
# the local data, so every start prints the same working ones; set the variables to choose your own.
keep_secret() { # variable, file name, prefix, random bytes
  local file="${TEMPORAL_DATA_DIR:-.data}/$2"
  mkdir -p "$(dirname "$file")"
  if [ ! -s "$file" ]; then
    (umask 077; node -e "process.stdout.write('$3' + require('crypto').randomBytes($4).toString('base64url'))" >"$file")
  fi
  export "$1=$(cat "$file")"
}
[ -n "${BOOTSTRAP_ADMIN_TOKEN:-}" ] || keep_secret BOOTSTRAP_ADMIN_TOKEN admin-token bpt_ 24
# The one key that seals every secret at rest (vendors' signing keys, license administrator passwords, resellers'
# SMTP passwords): outside PostgreSQL, so a database copy holds no usable secret. SECRETS_ENCRYPTION_KEY, or its
# earlier name LICENSING_KEY_ENCRYPTION_KEY; when neither is set, the one kept in .data/ (the file keeps its earlier
# name, so an installation keeps its key). Making one while the other name is set would stop the process (two keys).
[ -n "${SECRETS_ENCRYPTION_KEY:-}${LICENSING_KEY_ENCRYPTION_KEY:-}" ] || keep_secret SECRETS_ENCRYPTION_KEY licensing-key-encryption-key '' 32
if [ -z "${BOOTSTRAP_ADMIN_PASSWORD:-}" ]; then
  keep_secret BOOTSTRAP_ADMIN_PASSWORD admin-password '' 15
  export ADMIN_PASSWORD_FILE="${TEMPORAL_DATA_DIR:-.data}/admin-password"
fi

# exec: the supervisor takes this process's place, so a signal sent to the script (or passed on by npm) reaches it.
exec node --import tsx platform/run-local.ts
