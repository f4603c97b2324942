import type { Sql } from '../../db/client';
import { orderEffects } from '../../domain/order-effects';
import { moveSubscriptionStatus } from '../subscriptions/move-subscription-status';
import { lockSubscriptionOrder } from './lock-subscription-order';

/**
 * The subscription enters the order's transitional status, remembering where it was. Returns whether the order
 * resumes a stopped subscription (its renewal or prolongation, spec 01 §6.4, §11.3); a re-run finds it already moved.
 */
export async function startSubscriptionOrder(sql: Sql, { orderId }: { orderId: number }): Promise<{ resume: boolean }> {
  return sql.begin(async (tx) => {
    const order = await lockSubscriptionOrder(tx, orderId);
    const effect = orderEffects[order.type];
    const [before] = await tx<Array<{ status: string; saved_status: string | null }>>`select status, saved_status from subscriptions where id = ${order.subscription_id}`;
    await moveSubscriptionStatus(tx, { subscriptionId: order.subscription_id, status: effect.transitional, from: effect.orderableFrom, saveCurrent: true, reason: `order ${order.number}`, dedupeKey: `order-start/${orderId}` });
    const moved = before?.status === effect.transitional || before?.status === effect.error;
    return { resume: before?.status === 'stopped' || (moved && before?.saved_status === 'stopped') };
  });
}
