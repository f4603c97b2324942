import type { TransactionSql } from 'postgres';
import { deleteOrderCharges } from '../charges/charges';
import { logEvent } from '../event-log/event-log';
import { shrinkMergedPayment } from '../payments/shrink-merged-payment';
import { lockOrder, setOrderStatus } from './order-settlement';

export interface CancelOrderInput {
  /** The staff member who cancelled, or null for a scenario or the billing run. */
  by: number | null;
  reason: string | null;
  /** Cancel only from these statuses (an order paid a moment ago is left alone). */
  onlyFrom?: readonly string[];
}

/**
 * Ends an order as cancelled with its unsettled payment and its charges, in the caller's transaction; a merged
 * payment it was part of asks for the rest. Idempotent: a second call changes nothing. Returns whether this call
 * cancelled it.
 */
export async function cancelOrder(tx: TransactionSql, orderId: number, { by, reason, onlyFrom }: CancelOrderInput): Promise<boolean> {
  const order = await lockOrder(tx, orderId);
  if (order.status === 'cancelled' || (onlyFrom && !onlyFrom.includes(order.status))) return false;
  await setOrderStatus(tx, orderId, 'cancelled', reason);
  await tx`
    update payments set status = 'cancelled', closed_at = now(), updated_at = now()
    where order_id = ${orderId} and status in ('waiting_for_payment', 'invoice_preparing', 'invoice_sent')`;
  await deleteOrderCharges(tx, orderId);
  await shrinkMergedPayment(tx, orderId);
  await logEvent(tx, {
    actorId: by,
    entityKind: 'order',
    entityId: orderId,
    action: 'cancelled',
    reason,
    changes: { status: [order.status, 'cancelled'] },
    dedupeKey: `order-cancelled/${orderId}`,
  });
  return true;
}
