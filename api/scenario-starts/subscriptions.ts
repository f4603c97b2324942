import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { startOnce, startScenario } from '../../contracts/scenario-client';
import { subscriptionOperationScenarioId, subscriptionOperationScenarioType } from '../../contracts/scenarios';
import { oneRow } from '../../db/client';
import type { SubscriptionOperation } from '../../domain/subscription-operations';
import { creditLimitActions, creditLimitReason } from '../../operations/clients/credit-limits';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';

interface OperationRequest {
  subscriptionId: number;
  reason: string;
  comment?: string;
  /** The staff member who asked, or null when a rule did. */
  by: number | null;
}

/** One request is one scenario: the id counts the operation's earlier scenarios on the subscription. */
async function nextScenarioId(deps: ApiDeps, subscriptionId: number, operation: SubscriptionOperation): Promise<string> {
  const { n } = await oneRow(deps.sql<Array<{ n: number }>>`
    select count(*)::int as n from scenarios where subject_kind = 'subscription' and subject_id = ${String(subscriptionId)} and type = ${`subscription_${operation}`}`);
  return subscriptionOperationScenarioId(subscriptionId, operation, n + 1);
}

function startOperation(deps: ApiDeps, operation: SubscriptionOperation, workflowId: string, r: OperationRequest) {
  return startScenario(deps.temporal, subscriptionOperationScenarioType[operation], {
    workflowId,
    taskQueue: deps.taskQueue,
    input: { subscriptionId: r.subscriptionId, reason: r.reason, comment: r.comment, by: r.by, policy: deps.pluginRetryPolicy },
  });
}

/** An operator's stop, delete or activate: one at a time per subscription (a second answers `<operation>_in_progress`). */
export async function startSubscriptionOperation(deps: ApiDeps, operation: 'stop' | 'delete' | 'activate', request: OperationRequest): Promise<string> {
  const scenarioId = await nextScenarioId(deps, request.subscriptionId, operation);
  try {
    await startOperation(deps, operation, scenarioId, request);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new AppError(`${operation}_in_progress`, `a ${operation} of subscription ${request.subscriptionId} is already under way`);
    throw err;
  }
  return scenarioId;
}

/** Starts block or unblock scenarios of subscriptions (`subscription-<id>-<operation>-<n>`); a start already made is no error. */
export async function startBlockScenarios(deps: ApiDeps, requests: Array<{ subscriptionId: number; operation: 'block' | 'unblock'; reason: string; comment?: string }>) {
  for (const r of requests) {
    await startOnce(startOperation(deps, r.operation, await nextScenarioId(deps, r.subscriptionId, r.operation), { ...r, by: null }));
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
