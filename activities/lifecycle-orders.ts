import { ApplicationFailure } from '@temporalio/common';
import type { TransactionSql } from 'postgres';
import { type Db, oneRow, type Sql } from '../db/client';
import { approvalsOf } from '../domain/application-operations';
import type { PluginRegistry } from './adapters/registry';
import { addDays, firstExpirationDate, nextExpirationDate, type IsoDate, type PeriodUnit } from '../domain/dates';
import { prolongedUntilAfter, type BillingType, type LifecycleState, type OpenOrder } from '../domain/lifecycle';
import { orderEffects, type SubscriptionOrderType } from '../domain/order-effects';
import { extensionAmounts } from '../domain/pricing';
import { nextDocumentNumber } from '../operations/documents/next-document-number';
import { insertOrderCharges } from './charges';
import type { PlannedCharge } from '../domain/charges';
import { logEvent } from './event-log';
import { postLedgerEntry } from './ledger';
import { cancelOrder } from './orders';
import { moveSubscriptionStatus } from './subscriptions';


const businessError = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

export interface LifecycleRow {
  subscriptionId: number;
  /** The plan period's renewal fee (charged once per renewal). */
  renewalFee: number;
  /** The monthly price of the resource quantities above the plan's included ones. */
  resourceMonthly: number;
  clientId: number;
  balance: number;
  planName: string;
  currency: string;
  state: LifecycleState;
}

/**
 * The lifecycle state of subscriptions, as the rules of `domain/lifecycle.ts` read it: one set-based
 * query. `due` keeps the subscriptions whose dates are near enough to `due` to have anything due (every
 * rule's window starts at most the auto-renewal point before the paid-through date); `ids` picks some.
 */
export async function loadLifecycleStates(sql: Db, filter: { due?: IsoDate; ids?: number[]; limit?: number }): Promise<LifecycleRow[]> {
  const due = filter.due ?? null;
  const ids = filter.ids ?? null;
  const rows = await sql<
    Array<{
      id: number; client_id: number; balance: string; plan_name: string; currency: string; status: string; billing_type: BillingType;
      payment_model: 'prepay' | 'postpay'; trial: boolean; trial_renewable: boolean | null; expiration_date: string | null; prolonged_until: string | null;
      duration: number; unit: PeriodUnit; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string;
      auto_renew: boolean; auto_renew_point_days: number; unpaid_stop_after_days: number; blocking_period_days: number;
      delete_mode: 'automatic' | 'manual'; financial_day: number; unpaid_order_cancel_days: number; resource_monthly: string;
      order_id: number | null; order_type: OpenOrder['type'] | null; order_status: OpenOrder['status'] | null; order_automatic: boolean | null;
      order_amount: string | null; auto_pay_date: string | null; provisioning_date: string | null; end_date: string | null; term_key: string | null;
    }>
  >`
    select s.id, s.client_id, c.balance, p.name as plan_name, s.currency, s.status, s.billing_type, s.payment_model, s.trial,
           (t.capabilities ->> 'trialRenewable')::boolean as trial_renewable,
           s.expiration_date::text, s.prolonged_until::text, pp.duration, pp.unit, pp.unlimited, pp.setup_fee, pp.recurring_fee,
           pp.renewal_fee, s.auto_renew, s.auto_renew_point_days, pr.unpaid_stop_after_days, pr.blocking_period_days,
           r.delete_mode, pr.financial_day, r.unpaid_order_cancel_days,
           coalesce((select sum(greatest(sr.quantity - res.included, 0) * res.recurring_price)
                     from subscription_resources sr join plan_resources res on res.plan_id = s.plan_id and res.key = sr.key
                     where sr.subscription_id = s.id), 0) as resource_monthly,
           o.id as order_id, o.type as order_type, o.status as order_status, o.automatic as order_automatic, o.amount as order_amount,
           o.auto_pay_date::text, o.provisioning_date::text, o.end_date::text, o.term_key::text
    from subscriptions s
      join plans p on p.id = s.plan_id
      join plan_periods pp on pp.id = s.plan_period_id
      join provisioning_rules pr on pr.id = s.provisioning_rule_id
      join service_templates t on t.id = s.service_template_id
      join clients c on c.id = s.client_id
      join service_rules r on r.id = c.service_rule_id
      left join lateral (
        select * from orders where subscription_id = s.id and status not in ('completed', 'cancelled') order by id limit 1
      ) o on true
    where s.status not in ('deleted', 'new_order', 'installing', 'install_error') and s.expiration_date is not null
      and (${ids}::int[] is null or s.id = any(${ids}::int[]))
      and (${due}::date is null
           or least(s.expiration_date, coalesce(s.prolonged_until, s.expiration_date)) - s.auto_renew_point_days <= ${due}::date
           or o.id is not null)
    order by s.id
    limit ${filter.limit ?? 100_000}`;
  return rows.map((r) => {
    const period = {
      duration: r.duration,
      unit: r.unit,
      trial: r.trial,
      unlimited: r.unlimited,
      setupFee: Number(r.setup_fee),
      recurringFee: Number(r.recurring_fee),
      renewalFee: Number(r.renewal_fee),
    };
    const amounts = extensionAmounts(r.billing_type, period, Number(r.resource_monthly));
    return {
      subscriptionId: r.id,
      renewalFee: Number(r.renewal_fee),
      resourceMonthly: Number(r.resource_monthly),
      clientId: r.client_id,
      balance: Number(r.balance),
      planName: r.plan_name,
      currency: r.currency,
      state: {
        status: r.status,
        billingType: r.billing_type,
        paymentModel: r.payment_model,
        trial: r.trial,
        trialRenewable: r.trial_renewable === true,
        expirationDate: r.expiration_date,
        prolongedUntil: r.prolonged_until,
        period: { duration: r.duration, unit: r.unit },
        autoRenew: r.auto_renew,
        autoRenewPointDays: r.auto_renew_point_days,
        unpaidStopAfterDays: r.unpaid_stop_after_days,
        blockingPeriodDays: r.blocking_period_days,
        deleteMode: r.delete_mode,
        financialDay: r.financial_day,
        unpaidOrderCancelDays: r.unpaid_order_cancel_days,
        renewalAmount: amounts.renewal,
        prolongationAmount: amounts.prolongation,
        openOrder:
          r.order_id === null
            ? null
            : {
                id: r.order_id,
                type: r.order_type!,
                status: r.order_status!,
                automatic: r.order_automatic === true,
                amount: Number(r.order_amount),
                autoPayDate: r.auto_pay_date,
                provisioningDate: r.provisioning_date,
                endDate: r.end_date!,
                termKey: r.term_key,
              },
      },
    };
  });
}

export interface NewSubscriptionOrder {
  type: SubscriptionOrderType;
  subscriptionId: number;
  amount: number;
  /** The plan period the order is for (the target period of a switch). */
  planPeriodId?: number;
  lines: Array<{ kind: 'subscription' | 'resource'; priceType: 'setup' | 'recurring' | 'renewal'; description: string; quantity: number; periodMonths: string; unitPrice: number; amount: number }>;
  today: IsoDate;
  createdBy: number | null;
  automatic?: boolean;
  autoPayDate?: IsoDate | null;
  termKey?: IsoDate | null;
  deferred?: boolean;
  provisioningDate?: IsoDate;
  details?: Record<string, unknown>;
  customerIp?: string | null;
  /** What the order pays for, period by period (prepaid renewals and prolongations). */
  charges?: PlannedCharge[];
  /** A client user placed the order through the client-panel API (`createdBy` is then null). */
  clientUserId?: number;
}

/**
 * Writes an order on an existing subscription with its lines and, for prepaid orders with an amount, its
 * payment. Postpay and zero-amount orders need no payment: they go straight to provisioning (or to
 * awaiting provisioning when deferred). A second open order on the subscription violates
 * `orders_one_open_per_subscription` (spec 01 §16.3); callers turn that into a 409.
 */
export async function insertSubscriptionOrder(tx: TransactionSql, o: NewSubscriptionOrder): Promise<{ orderId: number; workflowId: string }> {
  const [sub] = await tx<Array<{ client_id: number; plan_id: number; plan_period_id: number; payment_model: 'prepay' | 'postpay'; currency: string; name: string; cancel_days: number }>>`
    select s.client_id, s.plan_id, s.plan_period_id, s.payment_model, s.currency, s.name, r.unpaid_order_cancel_days as cancel_days
    from subscriptions s join clients c on c.id = s.client_id join service_rules r on r.id = c.service_rule_id
    where s.id = ${o.subscriptionId}`;
  if (!sub) throw businessError('subscription_not_found', `subscription ${o.subscriptionId} does not exist`);
  const planPeriodId = o.planPeriodId ?? sub.plan_period_id;
  const [target] = await tx<Array<{ plan_id: number }>>`select plan_id from plan_periods where id = ${planPeriodId}`;
  const needsPayment = sub.payment_model === 'prepay' && o.amount > 0;
  const status = needsPayment ? 'awaiting_payment' : o.deferred ? 'awaiting_provisioning' : 'provisioning';
  const kind = ({ renewal: 'renewal_order', prolongation: 'prolongation_order', resource_change: 'resource_change_order', plan_switch: 'plan_switch_order' } as const)[o.type];
  const number = await nextDocumentNumber(tx, kind);
  const { id } = await oneRow(tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('orders', 'id'))::int as id`);
  const workflowId = `order-${id}`;
  await tx`
    insert into orders (id, number, type, status, client_id, subscription_id, plan_id, plan_period_id, payment_model, currency, amount,
                        end_date, provisioning_date, deferred, automatic, auto_pay_date, term_key, details, subscription_name,
                        customer_ip, created_by, workflow_id)
    values (${id}, ${number}, ${o.type}, ${status}, ${sub.client_id}, ${o.subscriptionId}, ${target!.plan_id}, ${planPeriodId},
            ${sub.payment_model}, ${sub.currency}, ${o.amount}, ${addDays(o.today, sub.cancel_days)}, ${o.provisioningDate ?? o.today},
            ${o.deferred ?? false}, ${o.automatic ?? false}, ${o.autoPayDate ?? null}, ${o.termKey ?? null},
            ${JSON.stringify(o.details ?? {})}::jsonb, ${sub.name}, ${o.customerIp ?? null}, ${o.createdBy}, ${workflowId})`;
  for (const line of o.lines) {
    await tx`
      insert into order_items (order_id, kind, price_type, description, quantity, period_months, unit_price, amount)
      values (${id}, ${line.kind}, ${line.priceType}, ${line.description}, ${line.quantity}, ${line.periodMonths}, ${line.unitPrice}, ${line.amount})`;
  }
  if (needsPayment && o.charges?.length) {
    await insertOrderCharges(tx, { orderId: id, clientId: sub.client_id, subscriptionId: o.subscriptionId, currency: sub.currency, label: `${sub.name}, order ${number}`, planned: o.charges });
  }
  if (needsPayment) {
    const paymentNumber = await nextDocumentNumber(tx, 'payment');
    await tx`
      insert into payments (number, client_id, order_id, type, status, amount, currency)
      values (${paymentNumber}, ${sub.client_id}, ${id}, 'order', 'waiting_for_payment', ${o.amount}, ${sub.currency})`;
  }
  await logEvent(tx, {
    ...(o.clientUserId ? { actorId: o.clientUserId, actorKind: 'client_user' as const } : { actorId: o.createdBy }),
    viaApi: o.createdBy !== null || o.clientUserId !== undefined,
    entityKind: 'order',
    entityId: id,
    action: 'created',
    changes: { number, type: o.type, amount: o.amount, subscription: o.subscriptionId, automatic: o.automatic ?? false, ...(o.deferred ? { deferred: true, provisioningDate: o.provisioningDate } : {}) },
  });
  return { orderId: id, workflowId };
}

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

/** Whether a database error is the "one open order per subscription" rule (spec 01 §16.3). */
export function isSecondOpenOrder(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === '23505' && e.constraint_name === 'orders_one_open_per_subscription';
}

/** Whether a database error is the "one automatic order per term" rule. */
export function isDuplicateAutomaticOrder(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === '23505' && e.constraint_name === 'orders_one_automatic_per_term';
}

/** Locks and returns what the billing run needs to re-check before it acts on one subscription. */
export async function lockLifecycleRow(tx: TransactionSql, subscriptionId: number): Promise<LifecycleRow | undefined> {
  await tx`select 1 from subscriptions where id = ${subscriptionId} for update`;
  const [row] = await loadLifecycleStates(tx, { ids: [subscriptionId] });
  return row;
}
