import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

export type PostpayPermission = 'not_checked' | 'awaiting_approval' | 'rejected' | 'approved';

export interface PostpayPermissionChange {
  clientId: number;
  permission: PostpayPermission;
  reason: string;
  /** The administrator who changed it. */
  by: number;
}

/** Decision 18: an administrator changes a client's postpay permission afterwards; the event log keeps before and after. */
export async function setPostpayPermission(sql: Sql, { clientId, permission, reason, by }: PostpayPermissionChange): Promise<void> {
  await sql.begin(async (tx) => {
    const [before] = await tx<Array<{ postpay_permission: string }>>`select postpay_permission from clients where id = ${clientId} for update`;
    if (!before) throw new AppError('not_found', `client ${clientId} does not exist`);
    await tx`update clients set postpay_permission = ${permission}, updated_at = now() where id = ${clientId}`;
    await logEvent(tx, {
      actorId: by,
      viaApi: true,
      entityKind: 'client',
      entityId: clientId,
      action: 'postpay_permission_changed',
      reason,
      changes: { postpayPermission: [before.postpay_permission, permission] },
    });
  });
}
