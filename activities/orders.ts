import { AppError } from '../domain/errors';
import type { Sql } from '../db/client';
import { approvalsOf } from '../domain/application-operations';
import { admitPostpayOrder } from '../operations/orders/admit-postpay-order';
import { cancelOrder } from '../operations/orders/cancel-order';
import { completeOrder } from '../operations/orders/complete-order';
import { createOrderSubscription } from '../operations/orders/create-order-subscription';
import { payOrderFromBalance } from '../operations/orders/pay-order-from-balance';
import { markPurchaseProvisioningFailed, markPurchaseProvisioningRetried } from '../operations/orders/purchase-provisioning-errors';
import { refundOrderPayment } from '../operations/orders/refund-order-payment';
import { settlePostpayPermission, type SettlePostpayPermissionInput } from '../operations/orders/settle-postpay-permission';
import { confirmOrderPayment, type ConfirmOrderPaymentInput } from '../operations/payments/confirm-order-payment';
import type { PluginRegistry } from '../operations/plugins/registry';
import { activateNewSubscription } from '../operations/subscriptions/activate-new-subscription';
import { discardSubscription } from '../operations/subscriptions/discard-subscription';

export interface OrderActivityDeps {
  sql: Sql;
  /** Today's business date in the platform time zone (`YYYY-MM-DD`). */
  today: () => string;
  /** Who performs each plugin's operations (the scenario asks before it provisions). */
  plugins: PluginRegistry;
}

/**
 * Order-processing side effects in our own database, for the purchase scenario: thin callers of the operations in
 * operations/orders/ (activity names and inputs are fixed: recorded histories replay them). Every operation is
 * idempotent: it checks the state it would produce and does nothing when it is already there, and money moves carry
 * business keys.
 */
export function createOrderActivities({ sql, today, plugins }: OrderActivityDeps) {
  return {
    /** Pays a prepaid order from the balance when it covers the amount (see `payOrderFromBalance`). */
    payOrderFromBalance: (input: { orderId: number }) => payOrderFromBalance(sql, input),

    /** An operator confirmed the order's payment (cash, bank transfer, ...): money in, order paid. */
    confirmOrderPayment: (input: ConfirmOrderPaymentInput) => confirmOrderPayment(sql, input),

    /** An operator cancelled an order awaiting payment: the order and its payment end, nothing is provisioned. */
    async cancelUnpaidOrder({ orderId, by, reason }: { orderId: number; by: number | null; reason: string | null }) {
      await sql.begin((tx) => cancelOrder(tx, orderId, { by, reason }));
    },

    /** Creates the order's subscription in `installing` (once). */
    createSubscriptionForOrder: (input: { orderId: number }) => createOrderSubscription(sql, input),

    markProvisioningFailed: (input: { orderId: number; subscriptionId: number; error: string }) => markPurchaseProvisioningFailed(sql, input),

    markProvisioningRetried: (input: { orderId: number; subscriptionId: number }) => markPurchaseProvisioningRetried(sql, input),

    /** The vendor holds the resource: the subscription becomes active with its term (decision 12). */
    activateSubscription: ({ subscriptionId, vendorReference }: { subscriptionId: number; vendorReference: string | null }) =>
      activateNewSubscription(sql, { subscriptionId, vendorReference, today: today() }),

    completeOrder: (input: { orderId: number }) => completeOrder(sql, input),

    /** Compensation: money paid for a cancelled order goes back to the balance, once (see `refundOrderPayment`). */
    refundOrderPayment: (input: { orderId: number }) => refundOrderPayment(sql, input),

    /** Compensation: a subscription that was never provisioned is removed with its order. */
    discardSubscription: (input: { subscriptionId: number }) => discardSubscription(sql, input),

    /** After a cancel decision: the order ends `cancelled` with the reason. */
    async closeCancelledOrder({ orderId, reason }: { orderId: number; reason: string | null }) {
      await sql.begin((tx) => cancelOrder(tx, orderId, { by: null, reason }));
    },

    /** Whether a postpay order needs an operator's "allow postpay" approval first (spec 01 §5). */
    admitPostpayOrder: (input: { orderId: number }) => admitPostpayOrder(sql, input),

    /** The operator's answer to "allow postpay" (approved, or rejected with the order in activation error). */
    settlePostpayPermission: (input: SettlePostpayPermissionInput) => settlePostpayPermission(sql, input),

    /**
     * What the order scenario needs to know: the plugin (who performs it, the approvals its service template asks
     * for), whether the client's service rule wants a person to confirm this provisioning, who it is for.
     */
    async describeOrder({ orderId }: { orderId: number }) {
      const [row] = await sql<Array<{ number: string; plugin: string; subscription_id: number | null; status: string; amount: string; payment_model: string; client_id: number; plan_name: string; capabilities: unknown; first_prepaid: boolean }>>`
        select o.number, t.plugin, o.subscription_id, o.status, o.amount, o.payment_model, o.client_id, p.name as plan_name, t.capabilities,
               (r.manual_first_prepaid_provisioning and o.payment_model = 'prepay'
                and not exists (select 1 from subscriptions s where s.client_id = o.client_id and s.payment_model = 'prepay'
                                and s.start_date is not null and s.id is distinct from o.subscription_id)) as first_prepaid
        from orders o join plans p on p.id = o.plan_id join service_templates t on t.id = p.service_template_id
             join clients c on c.id = o.client_id join service_rules r on r.id = c.service_rule_id
        where o.id = ${orderId}`;
      if (!row) throw new AppError('order_not_found', `order ${orderId} does not exist`);
      return {
        number: row.number,
        plugin: row.plugin,
        performedBy: plugins.performedBy(row.plugin),
        subscriptionId: row.subscription_id,
        status: row.status,
        amount: Number(row.amount),
        paymentModel: row.payment_model,
        clientId: row.client_id,
        planName: row.plan_name,
        /** Application operations the template wants a person to approve (`install`, `update`, ...). */
        approvals: approvalsOf(row.capabilities),
        /**
         * Decision 15: the service rule's `manual_first_prepaid_provisioning` is on and the client has no prepaid
         * subscription provisioned yet: a person confirms this installation before the plugin is called.
         */
        firstPrepaidProvisioning: row.first_prepaid,
      };
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
