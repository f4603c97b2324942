#!/usr/bin/env bash
# Idempotent setup: fast when nothing changed.
#  - npm dependencies (npm ci when the lock file is newer than the installed tree)
#  - the Temporal CLI (dev server + Web UI), built from the Go module proxy into .tools/bin
#  - with --db: the database named by DATABASE_URL, created if missing, migrated
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=1.5.1
export PATH="$PWD/.tools/bin:$PATH"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x .tools/bin/temporal ] || ! .tools/bin/temporal --version 2>/dev/null | grep -q "$TEMPORAL_CLI_VERSION"; then
  command -v go >/dev/null || { echo "setup: Go is needed to build the Temporal CLI (https://go.dev/dl/)" >&2; exit 1; }
  echo "setup: building the Temporal CLI v$TEMPORAL_CLI_VERSION (a few minutes the first time)"
  start=$(date +%s)
  CGO_ENABLED=0 GOBIN="$PWD/.tools/bin" go install \
    -ldflags "-X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
    "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
  echo "setup: Temporal CLI built in $(( $(date +%s) - start ))s"
fi

# The browser tests of the operator UI drive Chromium from Debian (playwright-core downloads nothing).
if ! command -v chromium >/dev/null && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Chromium from Debian for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    echo "setup: the browser tests need Chromium: apt-get install chromium (or set CHROMIUM_PATH)" >&2
  fi
fi

if [ "${1:-}" = "--db" ]; then
  npx tsx db/migrate-cli.ts
fi
