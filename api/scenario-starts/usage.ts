import { startScenario } from '../../contracts/scenario-client';
import { usagePullScenarioId } from '../../contracts/scenarios';
import { AppError } from '../../domain/errors';
import type { ApiDeps } from '../deps';

/** Starts the next usage pull of a pay-as-you-go (external) subscription (`usage-pull-<id>-<n>`); answers its id. */
export async function startUsagePull(deps: ApiDeps, subscriptionId: number, maxPages?: number): Promise<string> {
  const [sub] = await deps.sql<Array<{ billing_type: string; n: number }>>`
    select s.billing_type, (select count(*)::int from scenarios where subject_kind = 'subscription' and subject_id = ${String(subscriptionId)} and type = 'usage_pull') as n
    from subscriptions s where s.id = ${subscriptionId}`;
  if (!sub) throw new AppError('not_found', `subscription ${subscriptionId} does not exist`);
  if (sub.billing_type !== 'usage_external') throw new AppError('not_usage_billing', `subscription ${subscriptionId} is billed ${sub.billing_type}: only pay-as-you-go (external) usage is pulled`);
  const workflowId = usagePullScenarioId(subscriptionId, sub.n + 1);
  await startScenario(deps.temporal, 'usagePull', { workflowId, taskQueue: deps.taskQueue, input: { subscriptionId, maxPages } });
  return workflowId;
}
