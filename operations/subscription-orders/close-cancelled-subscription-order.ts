import type { Sql } from '../../db/client';
import { orderEffects } from '../../domain/order-effects';
import { cancelOrder } from '../orders/cancel-order';
import { moveSubscriptionStatus } from '../subscriptions/move-subscription-status';
import { lockSubscriptionOrder } from './lock-subscription-order';

/**
 * After a cancel decision: the order ends cancelled; a subscription left in the order's status returns to where it
 * was (its saved status). Idempotent: a cancelled order and a restored subscription are left alone.
 */
export async function closeCancelledSubscriptionOrder(sql: Sql, { orderId, reason }: { orderId: number; reason: string | null }): Promise<void> {
  await sql.begin(async (tx) => {
    const order = await lockSubscriptionOrder(tx, orderId);
    const effect = orderEffects[order.type];
    await cancelOrder(tx, orderId, { by: null, reason });
    const [sub] = await tx<Array<{ status: string; saved_status: string | null }>>`select status, saved_status from subscriptions where id = ${order.subscription_id} for update`;
    if (sub && (sub.status === effect.transitional || sub.status === effect.error)) {
      await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: sub.saved_status ?? 'active', from: [effect.transitional, effect.error], reason: reason ?? `order ${order.number} cancelled`, dedupeKey: `order-restore/${orderId}` });
    }
  });
}
