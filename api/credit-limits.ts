import { oneRow } from '../db/client';
import { creditLimitActions, creditLimitReason } from '../operations/clients/credit-limits';
import { startScenario } from '../contracts/scenario-client';
import { subscriptionOperationScenarioId, subscriptionOperationScenarioType } from '../contracts/scenarios';
import type { ApiDeps } from './deps';
import { startOnce } from './start-once';

/** Starts block or unblock scenarios of subscriptions (`subscription-<id>-<operation>-<n>`). */
export async function startBlockScenarios(deps: ApiDeps, requests: Array<{ subscriptionId: number; operation: 'block' | 'unblock'; reason: string; comment?: string }>) {
  for (const r of requests) {
    const { n } = await oneRow(deps.sql<Array<{ n: number }>>`
      select count(*)::int as n from scenarios where subject_kind = 'subscription' and subject_id = ${String(r.subscriptionId)} and type = ${`subscription_${r.operation}`}`);
    await startOnce(
      startScenario(deps.temporal, subscriptionOperationScenarioType[r.operation], {
        workflowId: subscriptionOperationScenarioId(r.subscriptionId, r.operation, n + 1),
        taskQueue: deps.taskQueue,
        input: { subscriptionId: r.subscriptionId, reason: r.reason, comment: r.comment, by: null, policy: deps.pluginRetryPolicy },
      }),
    );
  }
}

/** Runs the credit-limit comparison for some subscriptions and starts the block or unblock scenarios it asks for. */
export async function applyCreditLimits(deps: ApiDeps, filter: { subscriptionIds?: number[]; clientId?: number }) {
  const actions = await creditLimitActions(deps.sql, filter);
  await startBlockScenarios(
    deps,
    actions.map((a) => ({ subscriptionId: a.subscriptionId, operation: a.operation, reason: a.operation === 'block' ? creditLimitReason : 'debt within the credit limit', comment: `debt ${a.debt}, limit ${a.limit}` })),
  );
  return actions;
}
