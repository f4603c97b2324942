import type { TransactionSql } from 'postgres';
import type { Sql } from '../db/client';
import { approvalsOf } from '../domain/application-operations';
import type { PluginRegistry } from '../operations/plugins/registry';
import { firstExpirationDate } from '../domain/dates';
import { prolongedUntilAfter } from '../domain/lifecycle';
import { deleteOrderCharges } from '../operations/charges/charges';
import { logEvent } from '../operations/event-log/event-log';
import { postLedgerEntry } from '../operations/ledger/ledger';
import { businessError } from './failures';
import { lockOrder, orderPayment, paidPaymentStatuses, payingPayment, paidStatus, setOrderStatus, settleOrder } from '../operations/orders/order-settlement';
import { payMergedPayment, shrinkMergedPayment } from '../operations/payments/payment-merges';

export interface OrderActivityDeps {
  sql: Sql;
  /** Today's business date in the platform time zone (`YYYY-MM-DD`). */
  today: () => string;
  /** Who performs each plugin's operations (the scenario asks before it provisions). */
  plugins: PluginRegistry;
}

/**
 * Ends an order as cancelled with its unsettled payment and its charges; a second call changes nothing.
 * `onlyFrom` cancels it only from those statuses (an order paid a moment ago is left alone). Returns
 * whether this call cancelled it.
 */
export async function cancelOrder(
  tx: TransactionSql,
  orderId: number,
  { by, reason, onlyFrom }: { by: number | null; reason: string | null; onlyFrom?: readonly string[] },
): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  if (order.status === 'cancelled' || (onlyFrom && !onlyFrom.includes(order.status))) return false;
  await setOrderStatus(tx, orderId, 'cancelled', reason);
  await tx`
    update payments set status = 'cancelled', closed_at = now(), updated_at = now()
    where order_id = ${orderId} and status in ('waiting_for_payment', 'invoice_preparing', 'invoice_sent')`;
  await deleteOrderCharges(tx, orderId);
  await shrinkMergedPayment(tx, orderId);
  await logEvent(tx, {
    actorId: by,
    entityKind: 'order',
    entityId: orderId,
    action: 'cancelled',
    reason,
    changes: { status: [order.status, 'cancelled'] },
    dedupeKey: `order-cancelled/${orderId}`,
  });
  return true;
}

/**
 * Order-processing side effects in our own database. Every function is idempotent: it checks the state
 * it would produce and does nothing when it is already there, and money moves carry business keys.
 */
export function createOrderActivities({ sql, today, plugins }: OrderActivityDeps) {
  return {
    /**
     * Pays a prepaid order from the client's balance when it covers the amount; a zero amount needs no
     * payment at all (decision 27). Returns whether the order is paid.
     */
    async payOrderFromBalance({ orderId }: { orderId: number }): Promise<{ paid: boolean; via: string | null; orderIds?: number[] }> {
      return sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        if (order.status !== 'awaiting_payment') return { paid: order.status !== 'cancelled', via: 'already' };
        const amount = Number(order.amount);
        const payment = await orderPayment(tx, orderId);
        if (amount === 0 || order.payment_model === 'postpay') {
          await setOrderStatus(tx, orderId, paidStatus(order));
          return { paid: true, via: amount === 0 ? 'zero_amount' : 'postpay' };
        }
        if (!payment) throw businessError('payment_missing', `order ${order.number} has no payment`);
        if (payment.status === 'cancelled' && payment.merged_into_id !== null) {
          // Spec 02 §2.11: the order's payment was merged; paying it pays the merged payment with all its orders.
          const merged = await payMergedPayment(tx, { paymentId: payment.merged_into_id, via: { kind: 'balance' } });
          return { paid: merged.paid, via: merged.paid ? 'merged_payment' : null, orderIds: merged.orderIds };
        }
        const [client] = await tx<Array<{ balance: string }>>`select balance from clients where id = ${order.client_id} for no key update`;
        if (!client || Number(client.balance) < amount) return { paid: false, via: null };
        const { balanceAfter } = await settleOrder(tx, order, { paymentId: payment.id, description: `Order ${order.number} paid from balance` });
        await tx`
          update payments set status = 'paid_from_balance', balance_after = ${balanceAfter}, method = 'balance',
                 closed_at = now(), updated_at = now()
          where id = ${payment.id}`;
        await logEvent(tx, {
          actorId: null,
          entityKind: 'order',
          entityId: orderId,
          action: 'paid_from_balance',
          changes: { payment: payment.number, amount, balanceAfter },
          dedupeKey: `order-paid-from-balance/${orderId}`,
        });
        return { paid: true, via: 'balance' };
      });
    },

    /** An operator confirmed the order's payment (cash, bank transfer, ...): money in, order paid. */
    async confirmOrderPayment({ orderId, method, by }: { orderId: number; method: string; by: number | null }) {
      return sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const payment = await orderPayment(tx, orderId);
        if (!payment) throw businessError('payment_missing', `order ${order.number} has no payment`);
        if (paidPaymentStatuses.includes(payment.status)) return { paymentId: payment.id, status: payment.status };
        if (payment.status === 'cancelled' || order.status !== 'awaiting_payment') {
          throw businessError('payment_not_confirmable', `payment ${payment.number} is ${payment.status}`);
        }
        const amount = Number(payment.amount);
        await postLedgerEntry(tx, {
          clientId: order.client_id,
          kind: 'payment_received',
          amount,
          currency: order.currency,
          description: `Payment ${payment.number} received (${method})`,
          idempotencyKey: `payment-received/${payment.id}`,
          paymentId: payment.id,
          orderId,
        });
        const { balanceAfter } = await settleOrder(tx, order, { paymentId: payment.id, amount, description: `Order ${order.number} paid by payment ${payment.number}` });
        await tx`
          update payments set status = 'completed', method = ${method}, confirmed_by = ${by},
                 balance_after = ${balanceAfter}, closed_at = now(), updated_at = now()
          where id = ${payment.id}`;
        await logEvent(tx, {
          actorId: by,
          entityKind: 'payment',
          entityId: payment.id,
          action: 'confirmed',
          changes: { status: ['waiting_for_payment', 'completed'], method, order: order.number },
          dedupeKey: `payment-confirmed/${payment.id}`,
        });
        return { paymentId: payment.id, status: 'completed' };
      });
    },

    /** An operator cancelled an order awaiting payment: the order and its payment end, nothing is provisioned. */
    async cancelUnpaidOrder({ orderId, by, reason }: { orderId: number; by: number | null; reason: string | null }) {
      await sql.begin((tx) => cancelOrder(tx, orderId, { by, reason }));
    },

    /** Creates the order's subscription in `installing` (once). */
    async createSubscriptionForOrder({ orderId }: { orderId: number }): Promise<{ subscriptionId: number }> {
      return sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        if (order.subscription_id !== null) return { subscriptionId: order.subscription_id };
        const [created] = await tx<Array<{ id: number }>>`
          insert into subscriptions (client_id, plan_id, plan_period_id, service_template_id, provisioning_rule_id, name,
                                     status, billing_type, payment_model, trial, currency, auto_renew, lock_auto_renew,
                                     auto_renew_point_days, manual_renew_point_days)
          select o.client_id, p.id, pp.id, p.service_template_id, p.provisioning_rule_id,
                 coalesce(o.subscription_name, p.name), 'installing', p.billing_type, o.payment_model, pp.trial,
                 p.currency, p.auto_renew, p.lock_auto_renew, pr.auto_renew_point_days, pr.manual_renew_point_days
          from orders o join plans p on p.id = o.plan_id join plan_periods pp on pp.id = o.plan_period_id
               join provisioning_rules pr on pr.id = p.provisioning_rule_id
          where o.id = ${orderId}
          returning id`;
        await tx`update orders set subscription_id = ${created!.id}, updated_at = now() where id = ${orderId}`;
        await tx`update charges set subscription_id = ${created!.id} where order_id = ${orderId}`;
        // The plan's resources start at their included quantities; change orders move them (spec 01 §9).
        await tx`
          insert into subscription_resources (subscription_id, key, quantity)
          select ${created!.id}, key, greatest(included, minimum) from plan_resources where plan_id = ${order.plan_id}`;
        await logEvent(tx, {
          actorId: null,
          entityKind: 'subscription',
          entityId: created!.id,
          action: 'created',
          changes: { status: 'installing', order: order.number },
          dedupeKey: `subscription-created/${orderId}`,
        });
        return { subscriptionId: created!.id };
      });
    },

    async markProvisioningFailed({ orderId, subscriptionId, error }: { orderId: number; subscriptionId: number; error: string }) {
      await sql.begin(async (tx) => {
        await setOrderStatus(tx, orderId, 'activation_error', error);
        await tx`update subscriptions set status = 'install_error', status_reason = ${error}, updated_at = now()
                 where id = ${subscriptionId} and status in ('installing', 'install_error')`;
        await logEvent(tx, { actorId: null, entityKind: 'order', entityId: orderId, action: 'activation_error', reason: error });
      });
    },

    async markProvisioningRetried({ orderId, subscriptionId }: { orderId: number; subscriptionId: number }) {
      await sql.begin(async (tx) => {
        await setOrderStatus(tx, orderId, 'provisioning');
        await tx`update subscriptions set status = 'installing', status_reason = null, updated_at = now()
                 where id = ${subscriptionId} and status = 'install_error'`;
      });
    },

    /** The vendor holds the resource: the subscription becomes active with its term (decision 12). */
    async activateSubscription({ subscriptionId, vendorReference }: { subscriptionId: number; vendorReference: string | null }) {
      return sql.begin(async (tx) => {
        const [sub] = await tx<Array<{ status: string; start_date: string | null; expiration_date: string | null; duration: number; unit: 'day' | 'month' | 'year'; unlimited: boolean; billing_type: string; financial_day: number }>>`
          select s.status, s.start_date::text, s.expiration_date::text, pp.duration, pp.unit, pp.unlimited, s.billing_type, pr.financial_day
          from subscriptions s join plan_periods pp on pp.id = s.plan_period_id join provisioning_rules pr on pr.id = s.provisioning_rule_id
          where s.id = ${subscriptionId} for update of s`;
        if (!sub) throw businessError('subscription_not_found', `subscription ${subscriptionId} does not exist`);
        if (sub.status === 'active') return { startDate: sub.start_date, expirationDate: sub.expiration_date };
        const startDate = today();
        const expirationDate = sub.unlimited ? null : firstExpirationDate(startDate, { duration: sub.duration, unit: sub.unit });
        // Per-period billing: the purchase paid the current financial period (spec 01 §11.1).
        const prolongedUntil = sub.billing_type === 'monthly_flexible' && expirationDate ? prolongedUntilAfter(startDate, expirationDate, sub.financial_day) : null;
        await tx`
          update subscriptions set status = 'active', status_reason = null, start_date = ${startDate},
                 expiration_date = ${expirationDate}, prolonged_until = ${prolongedUntil}, vendor_reference = coalesce(${vendorReference}, vendor_reference),
                 updated_at = now()
          where id = ${subscriptionId}`;
        await logEvent(tx, {
          actorId: null,
          entityKind: 'subscription',
          entityId: subscriptionId,
          action: 'activated',
          changes: { status: [sub.status, 'active'], startDate, expirationDate },
          dedupeKey: `subscription-activated/${subscriptionId}/${startDate}`,
        });
        return { startDate, expirationDate };
      });
    },

    async completeOrder({ orderId }: { orderId: number }) {
      await sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        if (order.status === 'completed') return;
        await setOrderStatus(tx, orderId, 'completed');
        await logEvent(tx, {
          actorId: null,
          entityKind: 'order',
          entityId: orderId,
          action: 'completed',
          changes: { status: [order.status, 'completed'] },
          dedupeKey: `order-completed/${orderId}`,
        });
      });
    },

    /**
     * Compensation: money paid for an order that is cancelled goes back to the client's balance, once (by the
     * order's key), less what charges the billing run has already closed keep (see `deleteOrderCharges`).
     * The order's other charges are deleted. A re-run finds the refund posted and moves nothing.
     */
    async refundOrderPayment({ orderId }: { orderId: number }) {
      return sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const payment = await payingPayment(tx, orderId);
        if (!payment || !paidPaymentStatuses.includes(payment.status)) return { refunded: 0 };
        const consumed = await deleteOrderCharges(tx, orderId);
        const amount = Number(payment.amount) - consumed;
        if (amount <= 0) return { refunded: 0, consumed };
        const { applied, balanceAfter } = await postLedgerEntry(tx, {
          clientId: order.client_id,
          kind: 'order_refund',
          amount,
          currency: order.currency,
          description: `Order ${order.number} cancelled: payment ${payment.number} returned to the balance${consumed > 0 ? ` less ${consumed} of charges already closed` : ''}`,
          idempotencyKey: `order-refund/${orderId}`,
          paymentId: payment.id,
          orderId,
        });
        return { refunded: applied ? amount : 0, consumed, balanceAfter };
      });
    },

    /** Compensation: a subscription that was never provisioned is removed with its order. */
    async discardSubscription({ subscriptionId }: { subscriptionId: number }) {
      await sql`
        update subscriptions set status = 'deleted', status_reason = 'order cancelled before provisioning completed',
               updated_at = now()
        where id = ${subscriptionId} and status in ('new_order', 'installing', 'install_error')`;
    },

    /** After a cancel decision: the order ends `cancelled` with the reason. */
    async closeCancelledOrder({ orderId, reason }: { orderId: number; reason: string | null }) {
      await sql.begin((tx) => cancelOrder(tx, orderId, { by: null, reason }));
    },

    /**
     * Decides whether a postpay order needs an operator's "allow postpay" approval first (spec 01 §5) and,
     * if so, marks the client awaiting approval. Idempotent: a re-run finds the client already waiting.
     */
    async admitPostpayOrder({ orderId }: { orderId: number }): Promise<{ needsApproval: boolean }> {
      return sql.begin(async (tx) => {
        const [row] = await tx<Array<{ client_id: number; permission: string; trial: boolean; mode: unknown }>>`
          select o.client_id, c.postpay_permission as permission, pp.trial,
                 (select value from settings where key = 'postpay_mode') as mode
          from orders o join clients c on c.id = o.client_id join plan_periods pp on pp.id = o.plan_period_id
          where o.id = ${orderId} for update of c`;
        if (!row) throw businessError('order_not_found', `order ${orderId} does not exist`);
        if (row.trial || row.mode !== 'manual' || row.permission === 'approved') return { needsApproval: false };
        if (row.permission === 'rejected') throw businessError('postpay_rejected', 'postpay was refused for this client');
        if (row.permission === 'not_checked') {
          await tx`update clients set postpay_permission = 'awaiting_approval', updated_at = now() where id = ${row.client_id}`;
          await logEvent(tx, {
            actorId: null,
            entityKind: 'client',
            entityId: row.client_id,
            action: 'postpay_permission_changed',
            changes: { postpayPermission: ['not_checked', 'awaiting_approval'], order: orderId },
            dedupeKey: `postpay-awaiting/${orderId}`,
          });
        }
        return { needsApproval: true };
      });
    },

    /** The operator's answer to "allow postpay" (approved, or rejected with the order in activation error). */
    async settlePostpayPermission({ orderId, permission, by, reason }: { orderId: number; permission: 'approved' | 'rejected' | 'awaiting_approval'; by: number | null; reason: string | null }) {
      await sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const [client] = await tx<Array<{ postpay_permission: string }>>`select postpay_permission from clients where id = ${order.client_id} for update`;
        if (client!.postpay_permission !== permission) {
          await tx`update clients set postpay_permission = ${permission}, updated_at = now() where id = ${order.client_id}`;
          await logEvent(tx, {
            actorId: by,
            entityKind: 'client',
            entityId: order.client_id,
            action: 'postpay_permission_changed',
            reason,
            changes: { postpayPermission: [client!.postpay_permission, permission], order: order.number },
          });
        }
        if (permission === 'rejected') await setOrderStatus(tx, orderId, 'activation_error', reason ?? 'postpay was not allowed');
        if (permission === 'awaiting_approval') await setOrderStatus(tx, orderId, 'provisioning');
      });
    },

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
      if (!row) throw businessError('order_not_found', `order ${orderId} does not exist`);
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
