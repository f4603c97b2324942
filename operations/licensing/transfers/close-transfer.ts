import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { logEvent, type EventEntry } from '../../event-log/event-log';
import { lockPendingTransfer, type TransferRow } from './pending-transfer';

export interface CloseTransferInput {
  transferId: number;
  /** `rejected` by the recipient, `cancelled` by the owner. */
  status: 'rejected' | 'cancelled';
  reason: string | null;
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  now: Date;
}

/** §4.2 Import step 5: the recipient rejects, or the owner cancels, a pending transfer; the license stays with its owner. */
export async function closeTransfer(db: Db, input: CloseTransferInput): Promise<TransferRow> {
  const id = input.transferId;
  const at = input.now.toISOString();
  const outcome = await inTransaction(db, async (tx) => {
    const t = await lockPendingTransfer(tx, id, input.now);
    if (t instanceof AppError) return t;
    const [row] = await tx<TransferRow[]>`
      update license_transfers set status = ${input.status}, decided_at = ${at}, updated_at = ${at} where id = ${id} returning *`;
    await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'license_transfer', entityId: id, action: input.status, reason: input.reason });
    return row!;
  });
  if (outcome instanceof AppError) throw outcome;
  return outcome;
}
