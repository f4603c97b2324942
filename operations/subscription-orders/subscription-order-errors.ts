import type { Sql } from '../../db/client';
import { orderEffects } from '../../domain/order-effects';
import { logEvent } from '../event-log/event-log';
import { moveSubscriptionStatus } from '../subscriptions/move-subscription-status';
import { lockSubscriptionOrder } from './lock-subscription-order';

/**
 * An order on a subscription failed at the vendor and waits for a decision, or is tried again: the order and the
 * subscription move together (activation error / the order's error status, then back). Both are safe to repeat.
 */
export async function markSubscriptionOrderFailed(sql: Sql, { orderId, error }: { orderId: number; error: string }): Promise<void> {
  await sql.begin(async (tx) => {
    const order = await lockSubscriptionOrder(tx, orderId);
    const effect = orderEffects[order.type];
    await tx`update orders set status = 'activation_error', status_reason = ${error}, updated_at = now() where id = ${orderId} and status = 'provisioning'`;
    await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: effect.error, from: [effect.transitional], reason: error, dedupeKey: `order-failed/${orderId}/${error.slice(0, 80)}` });
    await logEvent(tx, { actorId: null, entityKind: 'order', entityId: orderId, action: 'activation_error', reason: error });
  });
}

export async function markSubscriptionOrderRetried(sql: Sql, { orderId }: { orderId: number }): Promise<void> {
  await sql.begin(async (tx) => {
    const order = await lockSubscriptionOrder(tx, orderId);
    const effect = orderEffects[order.type];
    await tx`update orders set status = 'provisioning', status_reason = null, updated_at = now() where id = ${orderId} and status = 'activation_error'`;
    const [sub] = await tx<Array<{ status: string }>>`select status from subscriptions where id = ${order.subscription_id} for update`;
    if (sub?.status === effect.error) {
      await tx`update subscriptions set status = ${effect.transitional}, status_reason = null, updated_at = now() where id = ${order.subscription_id}`;
    }
  });
}
