import { workflowInfo } from '@temporalio/workflow';
import { pluginActivities, subscriptionActivities as acts } from './activities';
import { Scenario } from './engine/scenario';
import { defaultPluginRetryPolicy, type PluginRetryPolicy } from './engine/types';

export interface StopSubscriptionInput {
  subscriptionId: number;
  reason: string;
  comment?: string;
  by: number | null;
  policy?: Partial<PluginRetryPolicy>;
}

/** One stop request is one scenario: `subscription-<id>-stop-<n>`. */
export const stopSubscriptionWorkflowId = (subscriptionId: number, n: number) => `subscription-${subscriptionId}-stop-${n}`;

/**
 * Spec 01 §13.1, §6.4: an operator stops a subscription. In the service rule's manual stop mode the stop
 * waits in "awaiting manual confirmation" for a "stop subscription" operation: approve stops it, reject
 * returns it to the status it had. The plugin's stop runs as a task (stop_error when it fails).
 */
export async function stopSubscription({ subscriptionId, reason, comment, by, policy }: StopSubscriptionInput): Promise<{ status: string }> {
  const s = new Scenario({ type: 'subscription_stop', subject: { kind: 'subscription', id: String(subscriptionId) } });
  const plugin = pluginActivities({ ...defaultPluginRetryPolicy, ...policy });
  const key = workflowInfo().workflowId;
  const why = comment ? `${reason}: ${comment}` : reason;

  let previous = 'active';
  const result = await s.run(async () => {
    const sub = (await s.step('Check subscription', () => acts.describeStop({ subscriptionId }), { skippable: false }))!;
    previous = sub.previousStatus;

    if (sub.stopMode === 'manual') {
      await s.step('Await manual confirmation', () =>
        acts.setSubscriptionStatus({
          subscriptionId,
          status: 'awaiting_manual_confirmation',
          from: ['active', 'payment_overdue'],
          saveStatus: previous,
          reason: why,
          by,
          dedupeKey: `${key}/awaiting`,
        }),
      );
      const answer = await s.manual(
        'Confirm stop',
        { type: 'stop_subscription', clientId: sub.clientId, subscriptionId, orderId: null, description: `Stop subscription #${subscriptionId} "${sub.name}": ${why}` },
        { rejection: 'answer', skippable: false },
      );
      if (!answer?.approved) {
        await s.step('Restore previous status', () =>
          acts.setSubscriptionStatus({
            subscriptionId,
            status: previous,
            from: ['awaiting_manual_confirmation'],
            reason: answer?.comment ?? 'stop rejected',
            by: answer?.by ?? null,
            dedupeKey: `${key}/restored`,
          }),
        );
        return { status: previous };
      }
    }

    await s.step('Start stopping', () =>
      acts.setSubscriptionStatus({
        subscriptionId,
        status: 'stopping',
        from: ['active', 'payment_overdue', 'awaiting_manual_confirmation'],
        saveStatus: previous,
        reason: why,
        by,
        dedupeKey: `${key}/stopping`,
      }),
    );
    const failed = (message: string) =>
      acts.setSubscriptionStatus({ subscriptionId, status: 'stop_error', from: ['stopping'], reason: message, dedupeKey: `${key}/stop_error/${message.slice(0, 80)}` });
    const retried = () => acts.setSubscriptionStatus({ subscriptionId, status: 'stopping', from: ['stop_error'], dedupeKey: `${key}/stopping-again` });
    if (sub.plugin === 'manual') {
      await s.manual(
        'Stop application',
        { type: 'stop_application', clientId: sub.clientId, subscriptionId, orderId: null, description: `Stop the application of subscription #${subscriptionId}` },
        { onFailure: ({ message }) => failed(message), onRetry: retried },
      );
    } else {
      await s.task(
        'Stop at vendor',
        ({ idempotencyKey, input, round, path }) =>
          plugin.callPlugin({ scenarioId: key, path, round, idempotencyKey, subscriptionId, operation: 'stop', input: { reason, ...input } }),
        { plugin: sub.plugin, operation: 'stop', onFailure: ({ message }) => failed(message), onRetry: retried },
      );
    }
    await s.step('Mark stopped', () =>
      acts.setSubscriptionStatus({ subscriptionId, status: 'stopped', from: ['stopping', 'stop_error'], reason: why, by, dedupeKey: `${key}/stopped` }),
    );
    return { status: 'stopped' };
  }, {
    // Support cancelled a stop that could not complete: the subscription goes back to where it was.
    onCancel: (cancelReason) =>
      acts.setSubscriptionStatus({
        subscriptionId,
        status: previous,
        from: ['stopping', 'stop_error', 'awaiting_manual_confirmation'],
        reason: cancelReason ?? 'stop cancelled',
        dedupeKey: `${key}/cancelled`,
      }),
  });
  return result ?? { status: 'cancelled' };
}
