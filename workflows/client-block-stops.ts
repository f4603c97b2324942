import { ApplicationFailure, sleep, workflowInfo } from '@temporalio/workflow';
import type { BlockTarget } from '../activities/client-blocks';
import { errorStatusesStoppedByBlock } from '../domain/blocking';
import { clientBlockActivities, localSubscriptionActivities, pluginActivities } from './activities';
import { startDetached } from './detached';
import type { Scenario } from './engine/scenario';
import type { BlockKind, ClientBlockInput } from '../contracts/scenarios';
import { stopSubscription } from './subscription-operations';

/**
 * How a block stops the client's prepaid subscriptions (spec 01 §4.4, §4.5.2, §6.3; decision 19). The block
 * scenario (workflows/client-blocks.ts) runs these as its body.
 */

/** Blocks started before decision 19 was built: only the subscriptions working at that moment. */
export async function stopWorkingSubscriptions(s: Scenario, kind: BlockKind, input: ClientBlockInput): Promise<{ stopping: number }> {
  const ids = (await s.step('Find working prepaid subscriptions', () => clientBlockActivities.subscriptionsToStop({ clientId: input.clientId }), { skippable: false }))!;
  await s.step('Start stop scenarios', async () => {
    await startStopScenarios(kind, input, ids);
    return { subscriptions: ids };
  });
  return { stopping: ids.length };
}

export async function stopPrepaidSubscriptions(s: Scenario, kind: BlockKind, input: ClientBlockInput): Promise<{ stopping: number }> {
  const { clientId, n } = input;
  const found = (await s.step('Find prepaid subscriptions to stop', () => clientBlockActivities.blockTargets({ clientId, kind, n }), { skippable: false }))!;
  const working = idsOf(found, 'stop');
  await s.step('Start stop scenarios', async () => {
    await startStopScenarios(kind, input, working);
    return { subscriptions: working };
  });
  const afterError = found.filter((t) => t.action === 'stop_after_error');
  const inFlight = idsOf(found, 'wait');
  let stoppedAfterWait = 0;
  if (inFlight.length > 0) {
    const settled = await s.step('Wait for operations in progress', () => waitThenStop(kind, input, inFlight), { input: { subscriptions: inFlight } });
    stoppedAfterWait = settled?.stopped.length ?? 0;
    afterError.push(...(settled?.afterError ?? []));
  }
  let stoppedAfterError = 0;
  for (const target of afterError) {
    if (await stopAfterError(s, kind, input, target)) stoppedAfterError += 1;
  }
  return { stopping: working.length + stoppedAfterWait + stoppedAfterError };
}

const idsOf = (targets: BlockTarget[], action: BlockTarget['action']) => targets.filter((t) => t.action === action).map((t) => t.subscriptionId);

/** `subscription-<id>-stop-<kind>-block-<n>`: one stop per subscription and block, so the vendor sees one stop. */
async function startStopScenarios(kind: BlockKind, { n, policy }: ClientBlockInput, ids: number[]): Promise<void> {
  for (const subscriptionId of ids) {
    const args: Parameters<typeof stopSubscription> = [
      // Decision 3: an administrative block stops whatever the stop mode.
      { subscriptionId, reason: `${kind} block #${n}`, by: null, policy, ...(kind === 'administrative' ? { origin: 'administrative_block' as const } : {}) },
    ];
    await startDetached(stopSubscription, `subscription-${subscriptionId}-stop-${kind}-block-${n}`, args);
  }
}

/** Polling backs off from the first interval to the longest; past the limit a person decides (retry waits again). */
const blockWaitTiming = { firstMs: 1_000, longestMs: 5 * 60_000, limitMs: 24 * 3_600_000 };

/**
 * Decision 19, spec 01 §6.3: looks again at subscriptions with an operation in flight, on a backing-off timer (the
 * wait survives worker restarts like any timer), and starts the stop scenario of each that settled working.
 * Those that settled in an error status the block stops are handed back.
 */
async function waitThenStop(kind: BlockKind, input: ClientBlockInput, ids: number[]) {
  const started = Date.now();
  let pending = ids;
  let pause = blockWaitTiming.firstMs;
  const stopped: number[] = [];
  const afterError: BlockTarget[] = [];
  while (pending.length > 0) {
    if (Date.now() - started > blockWaitTiming.limitMs) {
      throw ApplicationFailure.create({
        type: 'operation_in_progress',
        message: `subscriptions ${pending.map((id) => `#${id}`).join(', ')} still have an operation in progress after ${blockWaitTiming.limitMs / 3_600_000} h; retry to wait again, or skip to leave them`,
        nonRetryable: true,
      });
    }
    await sleep(pause);
    pause = Math.min(pause * 2, blockWaitTiming.longestMs);
    // Those missing from the answer settled in a status the block leaves alone (stopped, deleted, ...).
    const now = await clientBlockActivities.blockTargets({ clientId: input.clientId, kind, n: input.n, ids: pending });
    const working = idsOf(now, 'stop');
    await startStopScenarios(kind, input, working);
    stopped.push(...working);
    afterError.push(...now.filter((t) => t.action === 'stop_after_error'));
    pending = idsOf(now, 'wait');
  }
  return { stopped, afterError };
}

/**
 * Decision 19: the operation ended in an error status, so the block stops the subscription itself, whatever the
 * stop mode: through the plugin as a task (a failure is a failed task for support, e.g. nothing at the vendor to
 * stop after a failed installation), or through a person for the manual plugin. Skipped: left as it is.
 */
async function stopAfterError(s: Scenario, kind: BlockKind, { clientId, n, policy }: ClientBlockInput, target: BlockTarget): Promise<boolean> {
  const { subscriptionId } = target;
  const blockId = workflowInfo().workflowId;
  const why = `${kind} block #${n}: stopped after its operation ended in ${target.status}`;
  const plugin = pluginActivities(policy);
  const done =
    target.plugin === 'manual'
      ? await s.manual(`Stop application of subscription #${subscriptionId}`, {
          type: 'stop_application',
          clientId,
          subscriptionId,
          orderId: null,
          description: `Stop the application of subscription #${subscriptionId}: ${why}`,
        })
      : await s.task(
          `Stop subscription #${subscriptionId} at vendor`,
          ({ idempotencyKey, input, round, path }) =>
            plugin.callPlugin({ scenarioId: blockId, path, round, idempotencyKey, subscriptionId, operation: 'stop', input: { reason: why, ...input } }),
          { plugin: target.plugin, operation: 'stop' },
        );
  if (done === undefined) return false;
  await s.step(`Mark subscription #${subscriptionId} stopped`, () =>
    localSubscriptionActivities.setSubscriptionStatus({
      subscriptionId,
      status: 'stopped',
      from: ['active', 'payment_overdue', ...errorStatusesStoppedByBlock],
      saveCurrent: true,
      reason: why,
      dedupeKey: `${blockId}/stopped-${subscriptionId}`,
    }),
  );
  return true;
}
