import { getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { clientBlockActivities } from './activities';
import { stopPrepaidSubscriptions, stopWorkingSubscriptions } from './client-block-stops';
import { startDetached } from './detached';
import { manualDecisionSignal } from '../contracts/messages';
import { leftBlockComment, type BlockKind, type ClientBlockInput } from '../contracts/scenarios';
import { Scenario } from './engine/scenario';
import { activateStoppedSubscription } from './subscription-operations';

/**
 * Spec 01 §4.4, §4.5.2, decision 19: stops the client's prepaid subscriptions. Working ones get their stop scenario
 * at once; one with an operation in flight is looked at again when that operation has finished (stopped if it
 * ended working); one whose operation ended in an error status is stopped by the block itself, or is a failed
 * step for support when the plugin cannot stop it.
 */
async function block(kind: BlockKind, input: ClientBlockInput): Promise<{ stopping: number }> {
  const s = new Scenario({ type: `${kind}_block`, subject: { kind: 'client', id: String(input.clientId) } });
  const result = await s.run(() => (patched('block-waits-for-operations') ? stopPrepaidSubscriptions(s, kind, input) : stopWorkingSubscriptions(s, kind, input)));
  return result ?? { stopping: 0 };
}

/**
 * Rejects the block's pending stop operations (their subscriptions return to their saved status) and
 * activates the subscriptions a block stopped that were working before it, oldest first. Nothing is
 * restored while the client is still blocked (an administrative block lifted into a financial one).
 */
async function unblock(kind: BlockKind, { clientId, n, policy }: ClientBlockInput): Promise<{ restoring: number }> {
  const s = new Scenario({ type: `${kind}_unblock`, subject: { kind: 'client', id: String(clientId) } });
  const result = await s.run(async () => {
    const pending = (await s.step('Find pending stop operations', () => clientBlockActivities.pendingBlockStopOperations({ clientId, kind, n }), { skippable: false }))!;
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
    const ids = (await s.step('Find subscriptions to restore', () => clientBlockActivities.subscriptionsToRestore({ clientId }), { skippable: false }))!;
    await s.step('Start activation scenarios', async () => {
      for (const subscriptionId of ids) {
        const args: Parameters<typeof activateStoppedSubscription> = [{ subscriptionId, reason: `${kind} block #${n} lifted`, by: null, policy }];
        await startDetached(activateStoppedSubscription, `subscription-${subscriptionId}-activate-${kind}-unblock-${n}`, args);
      }
      return { subscriptions: ids };
    });
    return { restoring: ids.length };
  });
  return result ?? { restoring: 0 };
}

/**
 * Spec 01 §4.5.2: the client entered a financial block. Each working prepaid subscription gets a stop
 * scenario (`subscription-<id>-stop-financial-block-<n>`): stopped through the plugin with its status saved
 * in the automatic stop mode, or waiting in "awaiting manual confirmation" for a stop operation in the manual
 * one (the stop scenario follows the client's service rule). A subscription in the middle of an operation gets
 * it once the operation has finished working; decision 19 for one that ended in an error status.
 */
export function financialBlock(input: ClientBlockInput) {
  return block('financial', input);
}

/**
 * Spec 01 §4.5.5: the client left the financial block. Stop operations still pending are rejected with the
 * spec's comment; subscriptions a block stopped that were working before it are activated again.
 */
export function financialUnblock(input: ClientBlockInput) {
  return unblock('financial', input);
}

/** Spec 01 §4.4: an operator blocked the client; its working subscriptions are stopped whatever the stop mode. */
export function administrativeBlock(input: ClientBlockInput) {
  return block('administrative', input);
}

/** Spec 01 §4.4, decision 3: the client was activated; unless that landed it in a financial block, its subscriptions come back. */
export function administrativeUnblock(input: ClientBlockInput) {
  return unblock('administrative', input);
}
