import { ApplicationFailure } from '@temporalio/common';
import type { TransactionSql } from 'postgres';
import type { Sql } from '../db/client';
import { approvalsOf } from '../domain/application-operations';
import { addDays, firstExpirationDate, nextExpirationDate, type IsoDate, type PeriodUnit } from '../domain/dates';
import { prolongedUntilAfter, type BillingType } from '../domain/lifecycle';
import { orderEffects, type SubscriptionOrderType } from '../domain/order-effects';
import { logEvent } from '../operations/event-log/event-log';
import { postLedgerEntry } from '../operations/ledger/ledger';
import type { PluginRegistry } from '../operations/plugins/registry';
import { cancelOrder } from './orders';
import { moveSubscriptionStatus } from './subscriptions';

const businessError = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

interface OrderOnSubscription {
  id: number;
  number: string;
  type: SubscriptionOrderType;
  status: string;
  client_id: number;
  subscription_id: number;
  plan_period_id: number;
  amount: string;
  currency: string;
  deferred: boolean;
  automatic: boolean;
  auto_pay_date: string | null;
  provisioning_date: string | null;
  details: Record<string, unknown>;
  applied_at: Date | null;
}

/** Side effects of orders on existing subscriptions. Each is idempotent: it checks the state it would produce. */
export function createLifecycleOrderActivities({ sql, today, plugins }: { sql: Sql; today: () => IsoDate; plugins: PluginRegistry }) {
  async function lockOrder(tx: TransactionSql, orderId: number): Promise<OrderOnSubscription> {
    const [order] = await tx<OrderOnSubscription[]>`
      select id, number, type, status, client_id, subscription_id, plan_period_id, amount, currency, deferred, automatic,
             auto_pay_date::text, provisioning_date::text, details, applied_at
      from orders where id = ${orderId} for update`;
    if (!order || order.type === ('purchase' as string)) throw businessError('order_not_found', `order ${orderId} is not an order on a subscription`);
    return order;
  }


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
      if (!row || row.type === ('purchase' as string)) throw businessError('order_not_found', `order ${orderId} is not an order on a subscription`);
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
    async beginOrderProvisioning({ orderId }: { orderId: number }) {
      await sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        if (order.status !== 'awaiting_provisioning') return;
        await tx`update orders set status = 'provisioning', updated_at = now() where id = ${orderId}`;
        await logEvent(tx, { actorId: null, entityKind: 'order', entityId: orderId, action: 'provisioning', changes: { status: ['awaiting_provisioning', 'provisioning'] }, dedupeKey: `order-provisioning/${orderId}` });
      });
    },

    /** The subscription enters the order's transitional status, remembering where it was. */
    async startSubscriptionOrder({ orderId }: { orderId: number }): Promise<{ resume: boolean }> {
      return sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const effect = orderEffects[order.type];
        const [before] = await tx<Array<{ status: string; saved_status: string | null }>>`select status, saved_status from subscriptions where id = ${order.subscription_id}`;
        await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: effect.transitional, from: effect.orderableFrom, saveCurrent: true, reason: `order ${order.number}`, dedupeKey: `order-start/${orderId}` });
        // A stopped subscription is resumed by its renewal or prolongation (spec 01 §6.4, §11.3); a re-run finds it already moved.
        const moved = before?.status === effect.transitional || before?.status === effect.error;
        return { resume: before?.status === 'stopped' || (moved && before?.saved_status === 'stopped') };
      });
    },

    async markSubscriptionOrderFailed({ orderId, error }: { orderId: number; error: string }) {
      await sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const effect = orderEffects[order.type];
        await tx`update orders set status = 'activation_error', status_reason = ${error}, updated_at = now() where id = ${orderId} and status = 'provisioning'`;
        await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: effect.error, from: [effect.transitional], reason: error, dedupeKey: `order-failed/${orderId}/${error.slice(0, 80)}` });
        await logEvent(tx, { actorId: null, entityKind: 'order', entityId: orderId, action: 'activation_error', reason: error });
      });
    },

    async markSubscriptionOrderRetried({ orderId }: { orderId: number }) {
      await sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const effect = orderEffects[order.type];
        await tx`update orders set status = 'provisioning', status_reason = null, updated_at = now() where id = ${orderId} and status = 'activation_error'`;
        const [sub] = await tx<Array<{ status: string }>>`select status from subscriptions where id = ${order.subscription_id} for update`;
        if (sub?.status === effect.error) {
          await tx`update subscriptions set status = ${effect.transitional}, status_reason = null, updated_at = now() where id = ${order.subscription_id}`;
        }
      });
    },

    /**
     * The vendor has done its part: the order's effect reaches the subscription, once (`applied_at`).
     * Renewal: the term moves by the period (decision 12). Prolongation: "prolonged until" moves to the next
     * financial day. Resource change: the new quantities. Switch: the new plan and period, a new term from
     * today, and any unused value of the old term credited to the balance. The subscription is active after.
     */
    async applySubscriptionOrder({ orderId }: { orderId: number }) {
      return sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        // A renewal may move to another period of the plan: the order's period is the one renewed.
        const [sub] = await tx<Array<{ status: string; expiration_date: string | null; prolonged_until: string | null; billing_type: BillingType; duration: number; unit: PeriodUnit; financial_day: number }>>`
          select s.status, s.expiration_date::text, s.prolonged_until::text, s.billing_type, pp.duration, pp.unit, pr.financial_day
          from subscriptions s join plan_periods pp on pp.id = ${order.type === 'renewal' ? order.plan_period_id : null}::int or (pp.id = s.plan_period_id and ${order.type !== 'renewal'})
               join provisioning_rules pr on pr.id = s.provisioning_rule_id
          where s.id = ${order.subscription_id} for update of s`;
        if (!sub) throw businessError('subscription_not_found', `subscription ${order.subscription_id} does not exist`);
        const effect = orderEffects[order.type];
        if (order.applied_at === null) {
          const changes: Record<string, unknown> = {};
          if (order.type === 'renewal' && sub.expiration_date) {
            const next = nextExpirationDate(sub.expiration_date, sub);
            const prolongedUntil = sub.billing_type === 'monthly_flexible' ? prolongedUntilAfter(addDays(sub.expiration_date, 1), next, sub.financial_day) : sub.prolonged_until;
            await tx`update subscriptions set expiration_date = ${next}, prolonged_until = ${prolongedUntil}, plan_period_id = ${order.plan_period_id} where id = ${order.subscription_id}`;
            Object.assign(changes, { expirationDate: [sub.expiration_date, next], prolongedUntil });
          }
          if (order.type === 'prolongation' && sub.expiration_date && sub.prolonged_until) {
            // A manual prolongation of a stopped subscription names its own end (spec 01 §11.3).
            const next = typeof order.details.prolongedUntil === 'string' ? order.details.prolongedUntil : prolongedUntilAfter(sub.prolonged_until, sub.expiration_date, sub.financial_day);
            await tx`update subscriptions set prolonged_until = ${next} where id = ${order.subscription_id}`;
            changes.prolongedUntil = [sub.prolonged_until, next];
          }
          if (order.type === 'resource_change') {
            const resources = (order.details.resources ?? {}) as Record<string, number>;
            for (const [key, quantity] of Object.entries(resources)) {
              const updated = await tx`update subscription_resources set quantity = ${quantity}, updated_at = now() where subscription_id = ${order.subscription_id} and key = ${key}`;
              if (updated.count === 0) await tx`insert into subscription_resources (subscription_id, key, quantity) values (${order.subscription_id}, ${key}, ${quantity})`;
            }
            changes.resources = resources;
          }
          if (order.type === 'plan_switch') {
            const [target] = await tx<Array<{ plan_id: number; duration: number; unit: PeriodUnit; unlimited: boolean; service_template_id: number; provisioning_rule_id: number; billing_type: BillingType; financial_day: number }>>`
              select pp.plan_id, pp.duration, pp.unit, pp.unlimited, p.service_template_id, p.provisioning_rule_id, p.billing_type, pr.financial_day
              from plan_periods pp join plans p on p.id = pp.plan_id join provisioning_rules pr on pr.id = p.provisioning_rule_id
              where pp.id = ${order.plan_period_id}`;
            const start = today();
            const expirationDate = target!.unlimited ? null : firstExpirationDate(start, target!);
            const prolongedUntil = target!.billing_type === 'monthly_flexible' && expirationDate ? prolongedUntilAfter(start, expirationDate, target!.financial_day) : null;
            await tx`
              update subscriptions set plan_id = ${target!.plan_id}, plan_period_id = ${order.plan_period_id}, service_template_id = ${target!.service_template_id},
                     provisioning_rule_id = ${target!.provisioning_rule_id}, billing_type = ${target!.billing_type}, start_date = ${start},
                     expiration_date = ${expirationDate}, prolonged_until = ${prolongedUntil}
              where id = ${order.subscription_id}`;
            Object.assign(changes, { planPeriodId: [order.details.fromPlanPeriodId, order.plan_period_id], expirationDate });
            const credit = Number(order.details.credit ?? 0);
            if (credit > 0) {
              await postLedgerEntry(tx, {
                clientId: order.client_id,
                kind: 'order_refund',
                amount: credit,
                currency: order.currency,
                description: `Order ${order.number}: unused value of the previous plan returned to the balance`,
                idempotencyKey: `switch-credit/${orderId}`,
                orderId,
              });
            }
          }
          await tx`update orders set applied_at = now(), updated_at = now() where id = ${orderId}`;
          await logEvent(tx, { actorId: null, entityKind: 'subscription', entityId: order.subscription_id, action: `${order.type}_applied`, changes: { order: order.number, ...changes }, dedupeKey: `order-applied/${orderId}` });
        }
        await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: 'active', from: [effect.transitional, effect.error], reason: `order ${order.number}`, dedupeKey: `order-active/${orderId}` });
        await tx`update subscriptions set saved_status = null, updated_at = now() where id = ${order.subscription_id} and status = 'active'`;
        return { applied: true };
      });
    },

    /** After a cancel decision: the order ends cancelled; a subscription left in the order's status returns to where it was. */
    async closeCancelledSubscriptionOrder({ orderId, reason }: { orderId: number; reason: string | null }) {
      await sql.begin(async (tx) => {
        const order = await lockOrder(tx, orderId);
        const effect = orderEffects[order.type];
        await cancelOrder(tx, orderId, { by: null, reason });
        const [sub] = await tx<Array<{ status: string; saved_status: string | null }>>`select status, saved_status from subscriptions where id = ${order.subscription_id} for update`;
        if (sub && (sub.status === effect.transitional || sub.status === effect.error)) {
          await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: sub.saved_status ?? 'active', from: [effect.transitional, effect.error], reason: reason ?? `order ${order.number} cancelled`, dedupeKey: `order-restore/${orderId}` });
        }
      });
    },
  };
}

export type LifecycleOrderActivities = ReturnType<typeof createLifecycleOrderActivities>;
