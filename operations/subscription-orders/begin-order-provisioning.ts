import type { Sql } from '../../db/client';
import { logEvent } from '../event-log/event-log';
import { lockSubscriptionOrder } from './lock-subscription-order';

/** A deferred order's provisioning date has come (spec 01 §12.4). Idempotent: only an order awaiting provisioning moves. */
export async function beginOrderProvisioning(sql: Sql, { orderId }: { orderId: number }): Promise<void> {
  await sql.begin(async (tx) => {
    const order = await lockSubscriptionOrder(tx, orderId);
    if (order.status !== 'awaiting_provisioning') return;
    await tx`update orders set status = 'provisioning', updated_at = now() where id = ${orderId}`;
    await logEvent(tx, { actorId: null, entityKind: 'order', entityId: orderId, action: 'provisioning', changes: { status: ['awaiting_provisioning', 'provisioning'] }, dedupeKey: `order-provisioning/${orderId}` });
  });
}
