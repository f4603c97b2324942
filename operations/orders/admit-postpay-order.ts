import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

/**
 * Decides whether a postpay order needs an operator's "allow postpay" approval first (spec 01 §5) and,
 * if so, marks the client awaiting approval. Idempotent: a re-run finds the client already waiting.
 */
export async function admitPostpayOrder(sql: Sql, { orderId }: { orderId: number }): Promise<{ needsApproval: boolean }> {
  return sql.begin(async (tx) => {
    const [row] = await tx<Array<{ client_id: number; permission: string; trial: boolean; mode: unknown }>>`
      select o.client_id, c.postpay_permission as permission, pp.trial,
             (select value from settings where key = 'postpay_mode') as mode
      from orders o join clients c on c.id = o.client_id join plan_periods pp on pp.id = o.plan_period_id
      where o.id = ${orderId} for update of c`;
    if (!row) throw new AppError('order_not_found', `order ${orderId} does not exist`);
    if (row.trial || row.mode !== 'manual' || row.permission === 'approved') return { needsApproval: false };
    if (row.permission === 'rejected') throw new AppError('postpay_rejected', 'postpay was refused for this client');
    if (row.permission === 'not_checked') {
      await tx`update clients set postpay_permission = 'awaiting_approval', updated_at = now() where id = ${row.client_id}`;
      await logEvent(tx, {
        actorId: null,
        entityKind: 'client',
        entityId: row.client_id,
        action: 'postpay_permission_changed',
        changes: { postpayPermission: ['not_checked', 'awaiting_approval'], order: orderId },
        dedupeKey: `postpay-awaiting/${orderId}`,
      });
    }
    return { needsApproval: true };
  });
}
