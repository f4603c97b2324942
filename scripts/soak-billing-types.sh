#!/usr/bin/env bash
# The long soak of the billing types (issue 19): the pure charge-model property test over 1,000,000 random
# sequences, then the property test through the real API, Temporal scenarios and the fake vendor over 2,000
# sequences (CI runs 10,000 and 200). Override with CHARGE_BOOK_RUNS, BILLING_PROPERTY_RUNS, and repeat or vary
# a run with BILLING_PROPERTY_SEED (BILLING_PROPERTY_ONLY=i,j replays single sequences of a seed). Expect an hour
# or more on a 2-core machine; run it after `npm run setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
echo "== charge model: ${CHARGE_BOOK_RUNS:=1000000} sequences"
CHARGE_BOOK_RUNS="$CHARGE_BOOK_RUNS" npx vitest run domain/billing-types/charge-book.property.test.ts --testTimeout=0
echo "== through the API: ${BILLING_PROPERTY_RUNS:=2000} sequences"
BILLING_PROPERTY_RUNS="$BILLING_PROPERTY_RUNS" npx vitest run test/integration/billing-types-property.test.ts --testTimeout=0
echo "soak-billing-types: finished in $(( $(date +%s) - start ))s"
