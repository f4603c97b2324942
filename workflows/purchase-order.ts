import { ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import { recordedPerformedBy } from '../domain/application-operations';
import { localOrderActivities, orderActivities } from './activities';
import { Scenario } from './engine/scenario';
import { cancelOrderUpdate, confirmPaymentUpdate, orderExpiredSignal, type CancelOrderRequest, type ConfirmPaymentRequest } from '../contracts/messages';
import { defaultPluginRetryPolicy } from '../contracts/plugin-calls';
import type { PurchaseOrderInput } from '../contracts/scenarios';
import { performPluginOperation } from './plugin-operation';

type PaymentOutcome =
  | { kind: 'confirmed'; request: ConfirmPaymentRequest; result?: { paymentId: number; status: string } }
  | { kind: 'cancelled'; request: CancelOrderRequest; done?: boolean };

/**
 * Spec 01 §7, §16: a prepaid purchase. Wait for payment (from the balance, or confirmed by an operator),
 * create the subscription, provision it (workflows/plugin-operation.ts: at the vendor, or by a person for a
 * plugin performed by people; first confirmed by a person where the template asks for install approval or the
 * client's service rule for its first prepaid subscription, decision 15), activate it, complete the order.
 */
export async function purchaseOrder({ orderId, policy }: PurchaseOrderInput): Promise<{ status: string }> {
  // Orders started from this version run their database steps as local activities; older ones replay as they ran.
  const acts = patched('local-database-steps') ? localOrderActivities : orderActivities;
  const s = new Scenario({ type: 'order_processing', subject: { kind: 'order', id: String(orderId) } });
  // Confirm and cancel are accepted from the start: an integrator may confirm right after creating the order.
  let paidFromBalance = false;
  let outcome: PaymentOutcome | null = null;
  const settledElsewhere = () =>
    ApplicationFailure.create({ type: 'order_already_paid', message: 'the order was paid from the balance', nonRetryable: true });

  setHandler(
    confirmPaymentUpdate,
    async (request) => {
      const confirmed: PaymentOutcome = { kind: 'confirmed', request };
      outcome = confirmed;
      await condition(() => confirmed.result !== undefined || paidFromBalance);
      if (!confirmed.result) throw settledElsewhere();
      return confirmed.result;
    },
    { validator: (_request) => assertAwaitingPayment(paidFromBalance, outcome) },
  );
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      const cancelled: PaymentOutcome = { kind: 'cancelled', request };
      outcome = cancelled;
      await condition(() => cancelled.done === true || paidFromBalance);
      if (!cancelled.done) throw settledElsewhere();
      return { status: 'cancelled' as const };
    },
    { validator: (_request) => assertAwaitingPayment(paidFromBalance, outcome) },
  );

  setHandler(orderExpiredSignal, ({ businessDate, reason }) => {
    if (paidFromBalance || outcome !== null) return;
    outcome = { kind: 'cancelled', request: { reason: reason ?? `not paid by its end date (billing run of ${businessDate})`, by: null } };
  });

  const result = await s.run(
    async () => {
      const order = (await s.step('Load order', () => acts.describeOrder({ orderId }), { skippable: false }))!;
      if (order.paymentModel === 'postpay') {
        const admission = await s.step('Check postpay permission', () => acts.admitPostpayOrder({ orderId }), { skippable: false });
        if (admission?.needsApproval) {
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
              onFailure: ({ message }) => acts.settlePostpayPermission({ orderId, permission: 'rejected', by: null, reason: message }),
              onRetry: () => acts.settlePostpayPermission({ orderId, permission: 'awaiting_approval', by: null, reason: null }),
              skippable: false,
            },
          );
          await s.step('Record postpay permission', () =>
            acts.settlePostpayPermission({ orderId, permission: 'approved', by: allowed?.by ?? null, reason: allowed?.comment ?? null }),
          );
        }
      }
      const paid = await s.step('Pay from balance', () => acts.payOrderFromBalance({ orderId }), {
        skippable: false,
        compensate: { name: 'Return payment to balance', run: () => acts.refundOrderPayment({ orderId }) },
      });
      if (paid?.paid) {
        paidFromBalance = true;
      } else {
        if (outcome === null) await s.wait('Wait for payment', () => outcome !== null);
        const decided = outcome as PaymentOutcome | null;
        if (decided?.kind === 'cancelled') {
          await s.step('Cancel unpaid order', () =>
            acts.cancelUnpaidOrder({ orderId, by: decided.request.by, reason: decided.request.reason }),
          );
          decided.done = true;
          s.cancel(decided.request.reason ?? 'cancelled by operator before payment');
        }
        if (decided?.kind === 'confirmed') {
          decided.result = await s.step(
            'Confirm payment',
            () => acts.confirmOrderPayment({ orderId, method: decided.request.method, by: decided.request.by }),
            { skippable: false },
          );
        }
      }

      let subscriptionId = 0;
      const created = await s.step('Create subscription', () => acts.createSubscriptionForOrder({ orderId }), {
        skippable: false,
        compensate: { name: 'Discard subscription', run: () => acts.discardSubscription({ subscriptionId }) },
      });
      subscriptionId = created!.subscriptionId;

      const installation = `Install ${order.planName} for subscription #${subscriptionId} (order ${order.number})`;
      const installed = await performPluginOperation(s, {
        scenarioId: `order-${orderId}`,
        subscriptionId,
        operation: 'create',
        input: {},
        plugin: { name: order.plugin, performedBy: recordedPerformedBy(order), approvals: order.approvals ?? [] },
        policy: { ...defaultPluginRetryPolicy, ...policy },
        clientId: order.clientId,
        orderId,
        description: installation,
        steps: { vendor: 'Provision at vendor', person: 'Install application' },
        // Results recorded before decision 15 was honoured have no such field.
        ...(order.firstPrepaidProvisioning ? { confirmBecause: 'the first prepaid subscription of the client' } : {}),
        onFailure: ({ message }) => acts.markProvisioningFailed({ orderId, subscriptionId, error: message }),
        onRetry: () => acts.markProvisioningRetried({ orderId, subscriptionId }),
        undo: { operation: 'delete', name: 'Delete at vendor' },
      });
      const vendorReference = (installed.done && installed.result?.vendorReference) || null;

      await s.step('Activate subscription', () => acts.activateSubscription({ subscriptionId, vendorReference }));
      await s.step('Complete order', () => acts.completeOrder({ orderId }));
      return { status: 'completed' };
    },
    { onCancel: (reason) => acts.closeCancelledOrder({ orderId, reason }) },
  );
  return result ?? { status: 'cancelled' };
}

function assertAwaitingPayment(paidFromBalance: boolean, outcome: PaymentOutcome | null): void {
  if (paidFromBalance || outcome !== null) {
    throw new Error('the order is not awaiting payment');
  }
}
