import type { TransactionSql } from 'postgres';
import type { Sql } from '../../db/client';
import { addDays, firstExpirationDate, nextExpirationDate, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { prolongedUntilAfter, type BillingType } from '../../domain/lifecycle';
import { orderEffects, type SubscriptionOrderType } from '../../domain/order-effects';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';
import { moveSubscriptionStatus } from '../subscriptions/move-subscription-status';
import { lockSubscriptionOrder, type OrderOnSubscription } from './lock-subscription-order';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import { applyChargeEvent } from '../charges/apply-charge-event';

export interface ApplySubscriptionOrderInput {
  orderId: number;
  /** Today's business date: a plan switch starts the new term today. */
  today: IsoDate;
}

/** The subscription's term as the order's effect reads it; a renewal reads the order's period (it may move to another). */
interface SubscriptionTerm {
  status: string;
  expiration_date: string | null;
  prolonged_until: string | null;
  billing_type: BillingType;
  duration: number;
  unit: PeriodUnit;
  financial_day: number;
}

/** One type's effect on the subscription; returns what changed, for the event. */
type OrderEffect = (tx: TransactionSql, order: OrderOnSubscription, sub: SubscriptionTerm, today: IsoDate) => Promise<Record<string, unknown>>;

/** Renewal: the term moves by the period (decision 12), and "prolonged until" with it for per-period billing. */
const applyRenewal: OrderEffect = async (tx, order, sub) => {
  if (!sub.expiration_date) return {};
  const next = nextExpirationDate(sub.expiration_date, sub);
  const prolongedUntil = billedPerPeriod(sub.billing_type) ? prolongedUntilAfter(addDays(sub.expiration_date, 1), next, sub.financial_day) : sub.prolonged_until;
  await tx`update subscriptions set expiration_date = ${next}, prolonged_until = ${prolongedUntil}, plan_period_id = ${order.plan_period_id} where id = ${order.subscription_id}`;
  return { expirationDate: [sub.expiration_date, next], prolongedUntil };
};

/** Prolongation: "prolonged until" moves to the next financial day. */
const applyProlongation: OrderEffect = async (tx, order, sub) => {
  if (!sub.expiration_date || !sub.prolonged_until) return {};
  // A manual prolongation of a stopped subscription names its own end (spec 01 §11.3).
  const next = typeof order.details.prolongedUntil === 'string' ? order.details.prolongedUntil : prolongedUntilAfter(sub.prolonged_until, sub.expiration_date, sub.financial_day);
  await tx`update subscriptions set prolonged_until = ${next} where id = ${order.subscription_id}`;
  return { prolongedUntil: [sub.prolonged_until, next] };
};

/**
 * Resource change: the new quantities. A decrease of additional units (above the included ones) splits their
 * charges the standard way (spec 02 §4.9, domain/billing-types/resource-decrease.ts), the unused part refunded
 * through the ledger, keyed by the order and resource.
 */
const applyResourceChange: OrderEffect = async (tx, order, _sub, today) => {
  const resources = (order.details.resources ?? {}) as Record<string, number>;
  const held = await tx<Array<{ key: string; quantity: number; included: number }>>`
    select sr.key, sr.quantity, res.included from subscription_resources sr
      join subscriptions s on s.id = sr.subscription_id join plan_resources res on res.plan_id = s.plan_id and res.key = sr.key
    where sr.subscription_id = ${order.subscription_id}`;
  for (const [key, quantity] of Object.entries(resources)) {
    const before = held.find((h) => h.key === key);
    const removed = before ? Math.max(0, before.quantity - before.included) - Math.max(0, quantity - before.included) : 0;
    if (removed > 0) {
      await applyChargeEvent(tx, { subscriptionId: order.subscription_id, event: { kind: 'decrease', date: today, resource: key, removed }, stopped: false, key: `decrease/${order.id}/${key}` });
    }
    const updated = await tx`update subscription_resources set quantity = ${quantity}, updated_at = now() where subscription_id = ${order.subscription_id} and key = ${key}`;
    if (updated.count === 0) await tx`insert into subscription_resources (subscription_id, key, quantity) values (${order.subscription_id}, ${key}, ${quantity})`;
  }
  return { resources };
};

/** Plan switch: the new plan and period, a new term from today, and any unused value of the old term credited to the balance. */
const applyPlanSwitch: OrderEffect = async (tx, order, _sub, today) => {
  const [target] = await tx<Array<{ plan_id: number; duration: number; unit: PeriodUnit; unlimited: boolean; service_template_id: number; provisioning_rule_id: number; billing_type: BillingType; financial_day: number }>>`
    select pp.plan_id, pp.duration, pp.unit, pp.unlimited, p.service_template_id, p.provisioning_rule_id, p.billing_type, pr.financial_day
    from plan_periods pp join plans p on p.id = pp.plan_id join provisioning_rules pr on pr.id = p.provisioning_rule_id
    where pp.id = ${order.plan_period_id}`;
  const [previous] = await tx<Array<{ billing_type: BillingType }>>`select billing_type from subscriptions where id = ${order.subscription_id}`;
  const previousType = previous!.billing_type;
  const start = today;
  const expirationDate = target!.unlimited ? null : firstExpirationDate(start, target!);
  const prolongedUntil = billedPerPeriod(target!.billing_type) && expirationDate ? prolongedUntilAfter(start, expirationDate, target!.financial_day) : null;
  await tx`
    update subscriptions set plan_id = ${target!.plan_id}, plan_period_id = ${order.plan_period_id}, service_template_id = ${target!.service_template_id},
           provisioning_rule_id = ${target!.provisioning_rule_id}, billing_type = ${target!.billing_type}, start_date = ${start},
           expiration_date = ${expirationDate}, prolonged_until = ${prolongedUntil}
    where id = ${order.subscription_id}`;
  // Spec 02 §4.9: the old plan's current and future charges are split by its billing type, the unused part back
  // to the balance through the ledger; the switch order's own charges (the new plan's) are left alone. Orders
  // placed before charges were split carry `credit` instead: the unused part was netted in their price.
  if (order.details.splitsCharges === true) {
    await applyChargeEvent(tx, { subscriptionId: order.subscription_id, event: { kind: 'switch', date: today }, stopped: false, excludeOrderId: order.id, billingType: previousType, key: `switch/${order.id}` });
  }
  const credit = Number(order.details.credit ?? 0);
  if (credit > 0) {
    await postLedgerEntry(tx, {
      clientId: order.client_id,
      kind: 'order_refund',
      amount: credit,
      currency: order.currency,
      description: `Order ${order.number}: unused value of the previous plan returned to the balance`,
      idempotencyKey: `switch-credit/${order.id}`,
      orderId: order.id,
    });
  }
  return { planPeriodId: [order.details.fromPlanPeriodId, order.plan_period_id], expirationDate };
};

const effectOf: Record<SubscriptionOrderType, OrderEffect> = {
  renewal: applyRenewal,
  prolongation: applyProlongation,
  resource_change: applyResourceChange,
  plan_switch: applyPlanSwitch,
};

/**
 * The vendor has done its part: the order's effect reaches the subscription, once (`applied_at`), and the
 * subscription is active after (its saved status forgotten). A re-run finds the order applied and only makes sure
 * the subscription is active.
 */
export async function applySubscriptionOrder(sql: Sql, { orderId, today }: ApplySubscriptionOrderInput): Promise<{ applied: boolean }> {
  return sql.begin(async (tx) => {
    const order = await lockSubscriptionOrder(tx, orderId);
    // A renewal may move to another period of the plan: the order's period is the one renewed.
    const [sub] = await tx<SubscriptionTerm[]>`
      select s.status, s.expiration_date::text, s.prolonged_until::text, s.billing_type, pp.duration, pp.unit, pr.financial_day
      from subscriptions s join plan_periods pp on pp.id = ${order.type === 'renewal' ? order.plan_period_id : null}::int or (pp.id = s.plan_period_id and ${order.type !== 'renewal'})
           join provisioning_rules pr on pr.id = s.provisioning_rule_id
      where s.id = ${order.subscription_id} for update of s`;
    if (!sub) throw new AppError('subscription_not_found', `subscription ${order.subscription_id} does not exist`);
    const effect = orderEffects[order.type];
    if (order.applied_at === null) {
      const changes = await effectOf[order.type](tx, order, sub, today);
      await tx`update orders set applied_at = now(), updated_at = now() where id = ${orderId}`;
      await logEvent(tx, { actorId: null, entityKind: 'subscription', entityId: order.subscription_id, action: `${order.type}_applied`, changes: { order: order.number, ...changes }, dedupeKey: `order-applied/${orderId}` });
    }
    await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: 'active', from: [effect.transitional, effect.error], reason: `order ${order.number}`, dedupeKey: `order-active/${orderId}` });
    await tx`update subscriptions set saved_status = null, updated_at = now() where id = ${order.subscription_id} and status = 'active'`;
    return { applied: true };
  });
}
