import { AppError } from '../domain/errors';
import type { Sql } from '../db/client';
import { approvalsOf } from '../domain/application-operations';
import type { IsoDate } from '../domain/dates';
import type { PluginRegistry } from '../operations/plugins/registry';
import { applySubscriptionOrder } from '../operations/subscription-orders/apply-subscription-order';
import { beginOrderProvisioning } from '../operations/subscription-orders/begin-order-provisioning';
import { closeCancelledSubscriptionOrder } from '../operations/subscription-orders/close-cancelled-subscription-order';
import type { OrderOnSubscription } from '../operations/subscription-orders/lock-subscription-order';
import { startSubscriptionOrder } from '../operations/subscription-orders/start-subscription-order';
import { markSubscriptionOrderFailed, markSubscriptionOrderRetried } from '../operations/subscription-orders/subscription-order-errors';

/**
 * Side effects of orders on existing subscriptions, for the subscription-order scenario: thin callers of the
 * operations in operations/subscription-orders/ (activity names and inputs are fixed: recorded histories replay
 * them). Each operation is idempotent: it checks the state it would produce.
 */
export function createLifecycleOrderActivities({ sql, today, plugins }: { sql: Sql; today: () => IsoDate; plugins: PluginRegistry }) {
  return {
    /**
     * What the order scenario needs: type, payment state, the plugin (who performs it, the approvals its service
     * template asks for) and the input for the plugin call.
     */
    async describeSubscriptionOrder({ orderId }: { orderId: number }) {
      const [row] = await sql<Array<OrderOnSubscription & { plugin: string; capabilities: unknown; sku: string | null; expiration_date: string | null; subscription_name: string }>>`
        select o.id, o.number, o.type, o.status, o.client_id, o.subscription_id, o.amount, o.deferred, o.automatic, o.auto_pay_date::text,
               o.provisioning_date::text, o.details, t.plugin, t.capabilities, p.sku, s.expiration_date::text, s.name as subscription_name
        from orders o join subscriptions s on s.id = o.subscription_id join plans p on p.id = o.plan_id
             join service_templates t on t.id = s.service_template_id
        where o.id = ${orderId}`;
      if (!row || row.type === ('purchase' as string)) throw new AppError('order_not_found', `order ${orderId} is not an order on a subscription`);
      const lines = await sql<Array<{ description: string }>>`select description from order_items where order_id = ${orderId} order by id`;
      const pluginInput: Record<string, unknown> =
        row.type === 'resource_change'
          ? { resources: row.details.resources }
          : row.type === 'plan_switch'
            ? { planSku: row.sku, planPeriodId: row.details.toPlanPeriodId }
            : { order: row.number };
      return {
        type: row.type,
        number: row.number,
        status: row.status,
        clientId: row.client_id,
        subscriptionId: row.subscription_id,
        subscriptionName: row.subscription_name,
        /** What the order asks for, in its lines' words, for a person who approves or performs it. */
        summary: lines.map((l) => l.description).join('; '),
        amount: Number(row.amount),
        automatic: row.automatic,
        deferred: row.deferred,
        autoPayDate: row.auto_pay_date,
        provisioningDate: row.provisioning_date,
        plugin: row.plugin,
        performedBy: plugins.performedBy(row.plugin),
        approvals: approvalsOf(row.capabilities),
        pluginInput,
      };
    },

    /** A deferred order's provisioning date has come (spec 01 §12.4). */
    beginOrderProvisioning: (input: { orderId: number }) => beginOrderProvisioning(sql, input),

    /** The subscription enters the order's transitional status, remembering where it was. */
    startSubscriptionOrder: (input: { orderId: number }) => startSubscriptionOrder(sql, input),

    markSubscriptionOrderFailed: (input: { orderId: number; error: string }) => markSubscriptionOrderFailed(sql, input),

    markSubscriptionOrderRetried: (input: { orderId: number }) => markSubscriptionOrderRetried(sql, input),

    /** The vendor has done its part: the order's effect reaches the subscription, once (see `applySubscriptionOrder`). */
    applySubscriptionOrder: ({ orderId }: { orderId: number }) => applySubscriptionOrder(sql, { orderId, today: today() }),

    /** After a cancel decision: the order ends cancelled; a subscription left in the order's status returns to where it was. */
    closeCancelledSubscriptionOrder: (input: { orderId: number; reason: string | null }) => closeCancelledSubscriptionOrder(sql, input),
  };
}

export type LifecycleOrderActivities = ReturnType<typeof createLifecycleOrderActivities>;
