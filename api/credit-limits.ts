import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { creditLimitActions, creditLimitReason } from '../activities/credit-limits';
import { blockSubscription, unblockSubscription } from '../workflows/subscription-operations';
import type { ApiDeps } from './deps';

/** Runs the credit-limit comparison for some subscriptions and starts the block or unblock scenarios it asks for. */
export async function applyCreditLimits(deps: ApiDeps, filter: { subscriptionIds?: number[]; clientId?: number }) {
  const actions = await creditLimitActions(deps.sql, filter);
  for (const a of actions) {
    const [{ n }] = (await deps.sql`
      select count(*)::int as n from scenarios where subject_kind = 'subscription' and subject_id = ${String(a.subscriptionId)} and type = ${`subscription_${a.operation}`}`) as unknown as [{ n: number }];
    const input = { subscriptionId: a.subscriptionId, reason: a.operation === 'block' ? creditLimitReason : 'debt within the credit limit', comment: `debt ${a.debt}, limit ${a.limit}`, by: null, policy: deps.pluginRetryPolicy };
    try {
      await deps.temporal.workflow.start(a.operation === 'block' ? blockSubscription : unblockSubscription, {
        workflowId: `subscription-${a.subscriptionId}-${a.operation}-${n + 1}`,
        taskQueue: deps.taskQueue,
        args: [input],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return actions;
}
