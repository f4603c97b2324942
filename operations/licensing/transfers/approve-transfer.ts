import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import type { EntitlementStatus } from '../../../domain/licensing/activation';
import { logEvent, type EventEntry } from '../../event-log/event-log';
import { refuseBusyOrEnded } from '../refusals';
import { lockPendingTransfer, MAX_SECRET_ATTEMPTS, type TransferRow } from './pending-transfer';
import { transferSecretMatches } from './transfer-secrets';

export interface ApproveTransferInput {
  transferId: number;
  secret: string;
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  now: Date;
}

/**
 * §4.2 Import step 4: the recipient approves with the secret (scrypt hash, constant-time comparison). Right: the
 * license's owner becomes the recipient; its bindings, leases and accounts are untouched. Wrong: 403
 * `TRANSFER_SECRET_MISMATCH` with the attempts left; the fifth wrong secret cancels the transfer (the count and the
 * cancellation are committed before the refusal). A license with a running operation answers 409
 * `OPERATION_IN_PROGRESS` and the transfer stays pending.
 */
export async function approveTransfer(db: Db, input: ApproveTransferInput): Promise<TransferRow> {
  const id = input.transferId;
  const at = input.now.toISOString();
  const outcome = await inTransaction(db, async (tx) => {
    const t = await lockPendingTransfer(tx, id, input.now);
    if (t instanceof AppError) return t;
    if (!(await transferSecretMatches(input.secret, t.secret_hash))) return countWrongSecret(tx, t, input);
    const [ent] = await tx<Array<{ status: EntitlementStatus; partner_id: number | null }>>`select status, partner_id from entitlements where id = ${t.entitlement_id} for update`;
    refuseBusyOrEnded(ent!.status);
    await tx`update entitlements set partner_id = ${t.to_partner_id}, updated_at = ${at} where id = ${t.entitlement_id}`;
    const [approved] = await tx<TransferRow[]>`
      update license_transfers set status = 'approved', decided_at = ${at}, updated_at = ${at} where id = ${id} returning *`;
    await logEvent(tx, {
      ...input.actor,
      viaApi: true,
      entityKind: 'license_transfer',
      entityId: id,
      action: 'approved',
      changes: { entitlementId: t.entitlement_id, partnerId: { from: ent!.partner_id, to: t.to_partner_id } },
    });
    return approved!;
  });
  if (outcome instanceof AppError) throw outcome;
  return outcome;
}

/** Counts a wrong secret; the fifth cancels the transfer. The refusal to throw once this is committed. */
async function countWrongSecret(tx: Db, t: TransferRow, input: ApproveTransferInput): Promise<AppError> {
  const at = input.now.toISOString();
  const attempts = t.failed_attempts + 1;
  const cancelled = attempts >= MAX_SECRET_ATTEMPTS;
  await tx`
    update license_transfers set failed_attempts = ${attempts}, status = ${cancelled ? 'cancelled' : 'pending'},
      decided_at = ${cancelled ? at : null}, updated_at = ${at}
    where id = ${t.id}`;
  if (cancelled) await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'license_transfer', entityId: t.id, action: 'cancelled', reason: `${MAX_SECRET_ATTEMPTS} wrong secrets` });
  return new AppError('TRANSFER_SECRET_MISMATCH', cancelled ? `the secret is wrong; after ${MAX_SECRET_ATTEMPTS} wrong secrets the transfer is cancelled` : 'the secret is wrong', {
    attemptsLeft: MAX_SECRET_ATTEMPTS - attempts,
    status: cancelled ? 'cancelled' : 'pending',
  });
}
