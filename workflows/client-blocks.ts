import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { clientBlockActivities as acts } from './activities';
import { startDetached } from './detached';
import { manualDecisionSignal } from './engine/messages';
import { Scenario } from './engine/scenario';
import type { PluginRetryPolicy } from './engine/types';
import { activateStoppedSubscription, stopSubscription } from './subscription-operations';

export interface ClientBlockInput {
  clientId: number;
  /** The client's n-th financial block. */
  n: number;
  policy?: Partial<PluginRetryPolicy>;
}

export const financialBlockWorkflowId = (clientId: number, n: number) => `financial-block-${clientId}-${n}`;
export const financialUnblockWorkflowId = (clientId: number, n: number) => `financial-unblock-${clientId}-${n}`;

/** Spec 01 §4.5.5: the comment of the stop operations rejected when the client leaves the block. */
export const leftBlockComment = 'Account was moved from credit hold';

/**
 * Spec 01 §4.5.2: the client entered a financial block. Each working prepaid subscription gets a stop
 * scenario (`subscription-<id>-stop-financial-block-<n>`): stopped through the plugin with its status saved
 * in the automatic stop mode, or waiting in "awaiting manual confirmation" for a stop operation in the manual
 * one (the stop scenario follows the client's service rule).
 */
export async function financialBlock({ clientId, n, policy }: ClientBlockInput): Promise<{ stopping: number }> {
  const s = new Scenario({ type: 'financial_block', subject: { kind: 'client', id: String(clientId) } });
  const result = await s.run(async () => {
    const ids = (await s.step('Find working prepaid subscriptions', () => acts.subscriptionsToStop({ clientId }), { skippable: false }))!;
    const started = (await s.step('Start stop scenarios', async () => {
      let count = 0;
      for (const subscriptionId of ids) {
        const args: Parameters<typeof stopSubscription> = [{ subscriptionId, reason: `financial block #${n}`, by: null, policy }];
        if (await startDetached(stopSubscription, `subscription-${subscriptionId}-stop-financial-block-${n}`, args)) count += 1;
      }
      return { started: count, subscriptions: ids };
    }))!;
    return { stopping: started.subscriptions.length };
  });
  return result ?? { stopping: 0 };
}

/**
 * Spec 01 §4.5.5: the client left the financial block. Stop operations of the block still pending are
 * rejected with the spec's comment (their subscriptions return to their saved status); subscriptions the
 * block stopped that were working before it are activated again, oldest first, through the plugin.
 */
export async function financialUnblock({ clientId, n, policy }: ClientBlockInput): Promise<{ restoring: number }> {
  const s = new Scenario({ type: 'financial_unblock', subject: { kind: 'client', id: String(clientId) } });
  const result = await s.run(async () => {
    const pending = (await s.step('Find pending stop operations', () => acts.pendingBlockStopOperations({ clientId, n }), { skippable: false }))!;
    await s.step('Reject pending stop operations', async () => {
      for (const op of pending) {
        await getExternalWorkflowHandle(op.scenarioId).signal(manualDecisionSignal, {
          operationId: op.operationId,
          step: op.step,
          round: op.round,
          decision: 'reject',
          comment: leftBlockComment,
          by: null,
        });
      }
      return { rejected: pending.length };
    });
    const ids = (await s.step('Find subscriptions to restore', () => acts.subscriptionsToRestore({ clientId, n }), { skippable: false }))!;
    await s.step('Start activation scenarios', async () => {
      for (const subscriptionId of ids) {
        const args: Parameters<typeof activateStoppedSubscription> = [{ subscriptionId, reason: `financial block #${n} lifted`, by: null, policy }];
        await startDetached(activateStoppedSubscription, `subscription-${subscriptionId}-activate-financial-unblock-${n}`, args);
      }
      return { subscriptions: ids };
    });
    return { restoring: ids.length };
  });
  return result ?? { restoring: 0 };
}
