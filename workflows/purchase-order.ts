import { recordedPerformedBy } from '../domain/application-operations';
import type { PurchaseOrderInput } from '../contracts/scenarios';
import { databaseActivities, type DatabaseActivities } from './activities';
import { Scenario } from './engine/scenario';
import { PaymentGate } from './order-payment';
import { performPluginOperation } from './plugin-operation';

type Orders = DatabaseActivities['orders'];
type PurchaseOrder = NonNullable<Awaited<ReturnType<Orders['describeOrder']>>>;

/**
 * Spec 01 §7, §16: a prepaid purchase. Wait for payment (from the balance, or confirmed by an operator,
 * workflows/order-payment.ts), create the subscription, provision it (workflows/plugin-operation.ts: at the vendor,
 * or by a person for a plugin performed by people; first confirmed by a person where the template asks for install
 * approval or the client's service rule for its first prepaid subscription, decision 15), activate it, complete
 * the order.
 */
export async function purchaseOrder({ orderId, policy }: PurchaseOrderInput): Promise<{ status: string }> {
  const { orders } = databaseActivities();
  const s = new Scenario({ type: 'order_processing', subject: { kind: 'order', id: String(orderId) } });
  const gate = new PaymentGate(s, { orderId, orders, settledMessage: 'the order was paid from the balance', autoPaid: false, deferrable: false });

  const result = await s.run(
    async () => {
      const order = (await s.step('Load order', () => orders.describeOrder({ orderId }), { skippable: false }))!;
      if (order.paymentModel === 'postpay') await admitPostpay(s, orders, order, orderId);
      await gate.awaitPayment({
        payFromBalance: { compensate: { name: 'Return payment to balance', run: () => orders.refundOrderPayment({ orderId }) } },
        waitName: 'Wait for payment',
        cancel: {
          steps: ({ by, reason }) => s.step('Cancel unpaid order', () => orders.cancelUnpaidOrder({ orderId, by, reason })),
          fallbackReason: 'cancelled by operator before payment',
        },
      });
      gate.pass();
      await provision(s, orders, order, { orderId, policy });
      await s.step('Complete order', () => orders.completeOrder({ orderId }));
      return { status: 'completed' };
    },
    { onCancel: (reason) => orders.closeCancelledOrder({ orderId, reason }) },
  );
  return result ?? { status: 'cancelled' };
}

/** A postpay purchase needs the client's postpay permission; where the service rule asks, an operator allows it. */
async function admitPostpay(s: Scenario, orders: Orders, order: PurchaseOrder, orderId: number): Promise<void> {
  const admission = await s.step('Check postpay permission', () => orders.admitPostpayOrder({ orderId }), { skippable: false });
  if (!admission?.needsApproval) return;
  const allowed = await s.manual(
    'Allow postpay for client',
    {
      type: 'allow_postpay',
      clientId: order.clientId,
      subscriptionId: null,
      orderId,
      description: `Allow postpay for client #${order.clientId} (order ${order.number}, ${order.planName})`,
    },
    {
      onFailure: ({ message }) => orders.settlePostpayPermission({ orderId, permission: 'rejected', by: null, reason: message }),
      onRetry: () => orders.settlePostpayPermission({ orderId, permission: 'awaiting_approval', by: null, reason: null }),
      skippable: false,
    },
  );
  await s.step('Record postpay permission', () =>
    orders.settlePostpayPermission({ orderId, permission: 'approved', by: allowed?.by ?? null, reason: allowed?.comment ?? null }),
  );
}

/** Creates the subscription, installs it through its plugin and activates it; a later cancel undoes both. */
async function provision(s: Scenario, orders: Orders, order: PurchaseOrder, { orderId, policy }: PurchaseOrderInput): Promise<void> {
  let subscriptionId = 0;
  const created = await s.step('Create subscription', () => orders.createSubscriptionForOrder({ orderId }), {
    skippable: false,
    compensate: { name: 'Discard subscription', run: () => orders.discardSubscription({ subscriptionId }) },
  });
  subscriptionId = created!.subscriptionId;

  const installed = await performPluginOperation(s, {
    scenarioId: `order-${orderId}`,
    subscriptionId,
    operation: 'create',
    input: {},
    plugin: { name: order.plugin, performedBy: recordedPerformedBy(order), approvals: order.approvals ?? [] },
    policy,
    clientId: order.clientId,
    orderId,
    description: `Install ${order.planName} for subscription #${subscriptionId} (order ${order.number})`,
    steps: { vendor: 'Provision at vendor', person: 'Install application' },
    // Results recorded before decision 15 was honoured have no such field.
    ...(order.firstPrepaidProvisioning ? { confirmBecause: 'the first prepaid subscription of the client' } : {}),
    onFailure: ({ message }) => orders.markProvisioningFailed({ orderId, subscriptionId, error: message }),
    onRetry: () => orders.markProvisioningRetried({ orderId, subscriptionId }),
    undo: { operation: 'delete', name: 'Delete at vendor' },
  });
  const vendorReference = (installed.done && installed.result?.vendorReference) || null;
  await s.step('Activate subscription', () => orders.activateSubscription({ subscriptionId, vendorReference }));
}
