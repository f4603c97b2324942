#!/usr/bin/env bash
# Sets up and runs every check: compose file, Dockerfile (patches/ in place before npm ci), types, lint, and all
# tests (unit, integration against a real Temporal dev server and PostgreSQL, replay, browser), then the chaos
# tests (a few minutes; each starts its own platform and faults it). Arguments go to the main Vitest run; CHAOS=0
# leaves the chaos tests out.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
bash scripts/check-compose.sh
npx tsx scripts/check-dockerfile.ts
echo "== typecheck"; npx tsc --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== tests"
mkdir -p test-results
status=0
rm -f test-results/vitest.json test-results/vitest-chaos.json
npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json "$@" || status=$?
if [ "${CHAOS:-1}" != "0" ]; then
  echo "== chaos tests"
  npx vitest run --config vitest.chaos.config.ts --reporter=default --reporter=json \
    --outputFile=test-results/vitest-chaos.json || status=$?
fi
# The plain closing line CI understands, from Vitest's own reports.
node -e '
  const fs = require("fs");
  const reports = ["test-results/vitest.json", "test-results/vitest-chaos.json"].filter((f) => fs.existsSync(f));
  const sum = (k) => reports.reduce((n, f) => n + (JSON.parse(fs.readFileSync(f, "utf8"))[k] || 0), 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
' || true
echo "test-all: finished in $(( $(date +%s) - start ))s"
exit "$status"
