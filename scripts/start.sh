#!/usr/bin/env bash
# One command for a newcomer: sets up, starts a Temporal dev server (unless TEMPORAL_ADDRESS points at a
# cluster), migrates the database, runs a worker and the API, and prints the URLs and an admin token.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/billing}"
temporal_pid=""
cleanup() { [ -n "$temporal_pid" ] && kill "$temporal_pid" 2>/dev/null && wait "$temporal_pid" 2>/dev/null; return 0; }
trap cleanup EXIT

if [ -z "${TEMPORAL_ADDRESS:-}" ]; then
  port="${TEMPORAL_PORT:-7233}"
  ui_port="${TEMPORAL_UI_PORT:-$((port + 1000))}"
  data_dir="${TEMPORAL_DATA_DIR:-.data}"
  mkdir -p "$data_dir"
  # SQLite in WAL mode without a sync per commit: what is committed survives the server process being killed
  # (the OS keeps it; an OS crash or power cut may lose the last moments), and the server keeps up under load
  # (BENCHMARKS.md). A deployment runs Temporal on PostgreSQL instead (docker-compose.yml).
  .tools/bin/temporal server start-dev --ip 127.0.0.1 --port "$port" --ui-port "$ui_port" \
    --db-filename "$data_dir/temporal.db" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --log-level warn >"$data_dir/temporal.log" 2>&1 &
  temporal_pid=$!
  export TEMPORAL_ADDRESS="127.0.0.1:$port"
  export TEMPORAL_UI_URL="${TEMPORAL_UI_URL:-http://127.0.0.1:$ui_port}"
  for _ in $(seq 1 120); do
    .tools/bin/temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 && break
    kill -0 "$temporal_pid" 2>/dev/null || { echo "Temporal dev server exited; see $data_dir/temporal.log" >&2; exit 1; }
    sleep 0.5
  done
fi

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
if [ -z "${BOOTSTRAP_ADMIN_PASSWORD:-}" ]; then
  keep_secret BOOTSTRAP_ADMIN_PASSWORD admin-password '' 15
  export ADMIN_PASSWORD_FILE="${TEMPORAL_DATA_DIR:-.data}/admin-password"
fi

node --import tsx platform/run-all.ts &
app_pid=$!
# INT/TERM go on to node, which drains the worker and closes the API. A trapped signal interrupts `wait`, so
# wait until node has really exited; then exit with its status (the EXIT trap stops the dev server).
trap 'kill -TERM "$app_pid" 2>/dev/null || true' INT TERM
while kill -0 "$app_pid" 2>/dev/null; do wait "$app_pid" || true; done
status=0
wait "$app_pid" || status=$?
exit "$status"
