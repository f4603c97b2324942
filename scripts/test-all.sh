#!/usr/bin/env bash
# Sets up and runs every check: compose file, types, lint, and all tests (unit, integration against a real
# Temporal dev server and PostgreSQL, replay).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
bash scripts/check-compose.sh
echo "== typecheck"; npx tsc --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== tests"; npx vitest run "$@"
echo "test-all: finished in $(( $(date +%s) - start ))s"
