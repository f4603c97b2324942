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
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json "$@" || status=$?
# The plain closing line CI understands, from Vitest's own report.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
echo "test-all: finished in $(( $(date +%s) - start ))s"
exit "$status"
