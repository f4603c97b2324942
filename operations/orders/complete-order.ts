import type { Sql } from '../../db/client';
import { logEvent } from '../event-log/event-log';
import { lockOrder, setOrderStatus } from './order-settlement';

/** The order's scenario has done everything: the order is completed. Idempotent: a completed order is left alone. */
export async function completeOrder(sql: Sql, { orderId }: { orderId: number }): Promise<void> {
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
}
