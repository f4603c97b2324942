import type { Sql } from '../../db/client';
import { logEvent } from '../event-log/event-log';
import { takeCostSnapshot } from '../reseller-charges/take-cost-snapshot';
import { lockOrder } from './order-settlement';

/**
 * Creates a purchase order's subscription in `installing`, from the order's plan and period, with the plan's
 * resources at their included quantities; the order's charges now belong to it. Idempotent: an order that has its
 * subscription answers it.
 */
export async function createOrderSubscription(sql: Sql, { orderId }: { orderId: number }): Promise<{ subscriptionId: number }> {
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
    // Spec 05 §4.6: a fixed-price plan's levels above charge what they charged when the subscription was created.
    await takeCostSnapshot(tx, { subscriptionId: created!.id, orderId, planPeriodId: order.plan_period_id });
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
}
