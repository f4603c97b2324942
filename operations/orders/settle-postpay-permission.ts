import type { Sql } from '../../db/client';
import { logEvent } from '../event-log/event-log';
import { lockOrder, setOrderStatus } from './order-settlement';

export interface SettlePostpayPermissionInput {
  orderId: number;
  permission: 'approved' | 'rejected' | 'awaiting_approval';
  by: number | null;
  reason: string | null;
}

/**
 * The operator's answer to "allow postpay" reaches the client (approved, or rejected with the order in activation
 * error); `awaiting_approval` puts a retried order back to provisioning. Idempotent: the same answer twice logs once.
 */
export async function settlePostpayPermission(sql: Sql, { orderId, permission, by, reason }: SettlePostpayPermissionInput): Promise<void> {
  await sql.begin(async (tx) => {
    const order = await lockOrder(tx, orderId);
    const [client] = await tx<Array<{ postpay_permission: string }>>`select postpay_permission from clients where id = ${order.client_id} for update`;
    if (client!.postpay_permission !== permission) {
      await tx`update clients set postpay_permission = ${permission}, updated_at = now() where id = ${order.client_id}`;
      await logEvent(tx, {
        actorId: by,
        entityKind: 'client',
        entityId: order.client_id,
        action: 'postpay_permission_changed',
        reason,
        changes: { postpayPermission: [client!.postpay_permission, permission], order: order.number },
      });
    }
    if (permission === 'rejected') await setOrderStatus(tx, orderId, 'activation_error', reason ?? 'postpay was not allowed');
    if (permission === 'awaiting_approval') await setOrderStatus(tx, orderId, 'provisioning');
  });
}
