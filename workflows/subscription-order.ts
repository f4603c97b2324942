import { patched } from '@temporalio/workflow';
import { orderEffects } from '../domain/order-effects';
import type { PluginProfile } from '../domain/application-operations';
import type { SubscriptionOrderInput } from '../contracts/scenarios';
import { databaseActivities, type DatabaseActivities } from './activities';
import { Scenario } from './engine/scenario';
import { PaymentGate, type OrderCancellation } from './order-payment';
import { performPluginOperation } from './plugin-operation';

type SubscriptionOrder = NonNullable<Awaited<ReturnType<DatabaseActivities['lifecycleOrders']['describeSubscriptionOrder']>>>;

/**
 * Renewal, prolongation, resource-change and plan-switch orders (spec 01 §9-12): one scenario per order,
 * `order-<id>` like purchases. Wait for payment (workflows/order-payment.ts: from the balance at once for a
 * person's order; from the billing run's auto-payment on its date for automatic ones; or confirmed by an
 * operator); a deferred renewal then waits for its provisioning date; then the subscription goes through its
 * transitional status, the plugin performs the operation (workflows/plugin-operation.ts: after the approval the
 * service template may ask for; a task, or a manual operation for a plugin performed by people; error status on
 * failure or refusal, recovered by a run or retry), the effect is applied once (term moved, resources set, plan
 * switched) and the order completes. A cancel after payment returns the money (spec 02 §4.9).
 */
export async function subscriptionOrder({ orderId, policy }: SubscriptionOrderInput): Promise<{ status: string }> {
  const activities = databaseActivities();
  const { orders, lifecycleOrders } = activities;
  const s = new Scenario({ type: 'order_processing', subject: { kind: 'order', id: String(orderId) } });
  const gate = new PaymentGate(s, { orderId, orders, settledMessage: 'the order was paid in the meantime', autoPaid: true, deferrable: true });
  const cancel: OrderCancellation = {
    steps: async ({ by, reason }) => {
      await s.step('Return payment to balance', () => orders.refundOrderPayment({ orderId }));
      await s.step('Cancel order', () => orders.cancelUnpaidOrder({ orderId, by, reason }));
    },
    fallbackReason: 'cancelled',
  };

  const result = await s.run(
    async () => {
      const order = (await s.step('Load order', () => lifecycleOrders.describeSubscriptionOrder({ orderId }), { skippable: false }))!;
      if (order.status === 'awaiting_payment') {
        await gate.awaitPayment({
          payFromBalance: !order.automatic && {},
          waitName: order.automatic ? `Wait for payment (auto-payment on ${order.autoPayDate})` : 'Wait for payment',
          cancel,
        });
      }
      if (order.deferred) {
        await gate.awaitProvisioningDate(order.provisioningDate, cancel);
        await s.step('Start provisioning', () => lifecycleOrders.beginOrderProvisioning({ orderId }));
      }
      gate.pass();
      await performOrder(s, activities, order, { orderId, policy });
      await s.step('Complete order', () => orders.completeOrder({ orderId }));
      return { status: 'completed' };
    },
    { onCancel: (reason) => lifecycleOrders.closeCancelledSubscriptionOrder({ orderId, reason }) },
  );
  return result ?? { status: 'cancelled' };
}

/**
 * From here the order is paid (or needs no payment): its transitional status, the plugin's operation and its
 * effect. A cancel gives the money back to the balance (spec 02 §4.9).
 */
async function performOrder(s: Scenario, { orders, lifecycleOrders }: DatabaseActivities, order: SubscriptionOrder, { orderId, policy }: SubscriptionOrderInput) {
  const effect = orderEffects[order.type];
  // Cancels recorded before this compensation existed replay without it.
  const refund = {
    name: 'Return payment to balance',
    run: () => orders.refundOrderPayment({ orderId }),
    when: () => patched('subscription-order-refund-on-cancel'),
  };
  const started = await s.step(`Start ${effect.transitional}`, () => lifecycleOrders.startSubscriptionOrder({ orderId }), { skippable: false, compensate: refund });
  const resume = order.type === 'renewal' || order.type === 'prolongation' ? { resume: started?.resume === true } : {};
  await performPluginOperation(s, {
    scenarioId: `order-${orderId}`,
    subscriptionId: order.subscriptionId,
    operation: effect.operation,
    input: { ...order.pluginInput, ...resume },
    plugin: pluginOf(order),
    policy,
    clientId: order.clientId,
    orderId,
    description: `${effect.label} (order ${order.number}): subscription #${order.subscriptionId} "${order.subscriptionName}": ${order.summary}`,
    steps: { vendor: `${effect.label} at vendor`, person: `${effect.label} application` },
    onFailure: ({ message }) => lifecycleOrders.markSubscriptionOrderFailed({ orderId, error: message }),
    onRetry: () => lifecycleOrders.markSubscriptionOrderRetried({ orderId }),
  });
  await s.step(`Apply ${effect.label.toLowerCase()}`, () => lifecycleOrders.applySubscriptionOrder({ orderId }), { skippable: false });
}

/**
 * The plugin of the order's subscription. Results recorded before plugins said who performs them (or which
 * approvals their template asks for) come from executions that called the plugin whatever it was: they go on so.
 */
function pluginOf(order: { plugin: string; performedBy?: PluginProfile['performedBy']; approvals?: PluginProfile['approvals'] }): PluginProfile {
  return { name: order.plugin, performedBy: order.performedBy ?? 'vendor', approvals: order.approvals ?? [] };
}
