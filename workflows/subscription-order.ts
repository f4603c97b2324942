import { ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import { orderEffects } from '../domain/order-effects';
import type { PluginProfile } from '../domain/application-operations';
import { lifecycleOrderActivities, localLifecycleOrderActivities, localOrderActivities, orderActivities } from './activities';
import { Scenario } from './engine/scenario';
import { performPluginOperation } from './plugin-operation';
import { cancelOrderUpdate, confirmPaymentUpdate, orderExpiredSignal, orderPaidSignal, provisionOrderSignal, type CancelOrderRequest, type ConfirmPaymentRequest } from '../contracts/messages';
import { defaultPluginRetryPolicy } from '../contracts/plugin-calls';
import type { SubscriptionOrderInput } from '../contracts/scenarios';

type Outcome =
  | { kind: 'paid' }
  | { kind: 'confirmed'; request: ConfirmPaymentRequest; result?: { paymentId: number; status: string } }
  | { kind: 'cancelled'; request: CancelOrderRequest; done?: boolean };

/**
 * Renewal, prolongation, resource-change and plan-switch orders (spec 01 §9-12): one scenario per order,
 * `order-<id>` like purchases. Wait for payment (from the balance at once for a person's order; from the
 * billing run's auto-payment on its date for automatic ones; or confirmed by an operator); a deferred
 * renewal then waits for its provisioning date; then the subscription goes through its transitional
 * status, the plugin performs the operation (workflows/plugin-operation.ts: after the approval the service
 * template may ask for; a task, or a manual operation for a plugin performed by people; error status on
 * failure or refusal, recovered by a run or retry), the effect is applied once (term moved, resources set,
 * plan switched) and the order completes. A cancel after payment returns the money (spec 02 §4.9).
 */
export async function subscriptionOrder({ orderId, policy }: SubscriptionOrderInput): Promise<{ status: string }> {
  // Orders started from this version run their database steps as local activities (see workflows/activities.ts).
  const local = patched('local-database-steps');
  const acts = local ? localLifecycleOrderActivities : lifecycleOrderActivities;
  const orderActs = local ? localOrderActivities : orderActivities;
  const s = new Scenario({ type: 'order_processing', subject: { kind: 'order', id: String(orderId) } });
  let phase: 'payment' | 'deferred' | 'provisioning' = 'payment';
  let outcome: Outcome | null = null;
  let provisionNow = false;
  const notNow = () => ApplicationFailure.create({ type: 'order_already_paid', message: 'the order was paid in the meantime', nonRetryable: true });

  setHandler(
    confirmPaymentUpdate,
    async (request) => {
      const confirmed: Outcome = { kind: 'confirmed', request };
      outcome = confirmed;
      await condition(() => confirmed.result !== undefined || phase !== 'payment');
      if (!confirmed.result) throw notNow();
      return confirmed.result;
    },
    { validator: (_request) => { if (phase !== 'payment' || outcome !== null) throw new Error('the order is not awaiting payment'); } },
  );
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      const cancelled: Outcome = { kind: 'cancelled', request };
      outcome = cancelled;
      await condition(() => cancelled.done === true || phase === 'provisioning');
      if (!cancelled.done) throw notNow();
      return { status: 'cancelled' as const };
    },
    {
      validator: (_request) => {
        const cancellable = (phase === 'payment' && outcome === null) || (phase === 'deferred' && outcome?.kind !== 'cancelled');
        if (!cancellable) throw new Error('the order is neither awaiting payment nor awaiting its provisioning date');
      },
    },
  );
  setHandler(orderPaidSignal, () => {
    if (phase === 'payment' && outcome === null) outcome = { kind: 'paid' };
  });
  setHandler(orderExpiredSignal, ({ businessDate, reason }) => {
    if (phase !== 'payment' || outcome !== null) return;
    outcome = { kind: 'cancelled', request: { reason: reason ?? `not paid by its end date (billing run of ${businessDate})`, by: null } };
  });
  setHandler(provisionOrderSignal, () => {
    provisionNow = true;
  });

  const cancelHere = async (request: CancelOrderRequest, decided: { done?: boolean }) => {
    await s.step('Return payment to balance', () => orderActs.refundOrderPayment({ orderId }));
    await s.step('Cancel order', () => orderActs.cancelUnpaidOrder({ orderId, by: request.by, reason: request.reason }));
    decided.done = true;
    s.cancel(request.reason ?? 'cancelled');
  };

  const result = await s.run(
    async () => {
      const order = (await s.step('Load order', () => acts.describeSubscriptionOrder({ orderId }), { skippable: false }))!;
      const effect = orderEffects[order.type];

      if (order.status === 'awaiting_payment') {
        if (!order.automatic) {
          const paid = await s.step('Pay from balance', () => orderActs.payOrderFromBalance({ orderId }), { skippable: false });
          if (paid?.paid) outcome = { kind: 'paid' };
        }
        if (outcome === null) await s.wait(order.automatic ? `Wait for payment (auto-payment on ${order.autoPayDate})` : 'Wait for payment', () => outcome !== null);
        const decided = outcome as Outcome | null;
        if (decided?.kind === 'cancelled') await cancelHere(decided.request, decided);
        if (decided?.kind === 'confirmed') {
          decided.result = await s.step(
            'Confirm payment',
            () => orderActs.confirmOrderPayment({ orderId, method: decided.request.method, by: decided.request.by }),
            { skippable: false },
          );
        }
      }

      if (order.deferred) {
        phase = 'deferred';
        const deferredCancel = () => outcome?.kind === 'cancelled' && outcome.done !== true;
        await s.wait(`Wait for provisioning date ${order.provisioningDate}`, () => provisionNow || deferredCancel());
        const decided = outcome as Outcome | null;
        if (!provisionNow && decided?.kind === 'cancelled') await cancelHere(decided.request, decided);
        await s.step('Start provisioning', () => acts.beginOrderProvisioning({ orderId }));
      }
      phase = 'provisioning';

      // From here the order is paid (or needs no payment): a cancel gives the money back to the balance (spec 02
      // §4.9). Cancels recorded before this compensation existed replay without it.
      const refund = {
        name: 'Return payment to balance',
        run: () => orderActs.refundOrderPayment({ orderId }),
        when: () => patched('subscription-order-refund-on-cancel'),
      };
      const started = await s.step(`Start ${effect.transitional}`, () => acts.startSubscriptionOrder({ orderId }), { skippable: false, compensate: refund });
      const resume = order.type === 'renewal' || order.type === 'prolongation' ? { resume: started?.resume === true } : {};
      await performPluginOperation(s, {
        scenarioId: `order-${orderId}`,
        subscriptionId: order.subscriptionId,
        operation: effect.operation,
        input: { ...order.pluginInput, ...resume },
        plugin: pluginOf(order),
        policy: { ...defaultPluginRetryPolicy, ...policy },
        clientId: order.clientId,
        orderId,
        description: `${effect.label} (order ${order.number}): subscription #${order.subscriptionId} "${order.subscriptionName}": ${order.summary}`,
        steps: { vendor: `${effect.label} at vendor`, person: `${effect.label} application` },
        onFailure: ({ message }) => acts.markSubscriptionOrderFailed({ orderId, error: message }),
        onRetry: () => acts.markSubscriptionOrderRetried({ orderId }),
      });
      await s.step(`Apply ${effect.label.toLowerCase()}`, () => acts.applySubscriptionOrder({ orderId }), { skippable: false });
      await s.step('Complete order', () => orderActs.completeOrder({ orderId }));
      return { status: 'completed' };
    },
    { onCancel: (reason) => acts.closeCancelledSubscriptionOrder({ orderId, reason }) },
  );
  return result ?? { status: 'cancelled' };
}

/**
 * The plugin of the order's subscription. Results recorded before plugins said who performs them (or which
 * approvals their template asks for) come from executions that called the plugin whatever it was: they go on so.
 */
function pluginOf(order: { plugin: string; performedBy?: PluginProfile['performedBy']; approvals?: PluginProfile['approvals'] }): PluginProfile {
  return { name: order.plugin, performedBy: order.performedBy ?? 'vendor', approvals: order.approvals ?? [] };
}
