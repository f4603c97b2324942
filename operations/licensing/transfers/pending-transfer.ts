import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { notFound } from '../refusals';

/** §4.2 Import step 5: a pending transfer lapses after 14 days. */
export const TRANSFER_TTL_DAYS = 14;
/** §4.2 Import step 4: the fifth wrong secret cancels the transfer. */
export const MAX_SECRET_ATTEMPTS = 5;
const DAY_MS = 86_400_000;

export interface TransferRow {
  id: number;
  entitlement_id: number;
  from_partner_id: number | null;
  to_partner_id: number;
  secret_hash: string;
  failed_attempts: number;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired';
  /** Timestamps arrive as text: the database client keeps them unparsed (drizzle's postgres-js setup). */
  created_at: string;
  decided_at: string | null;
}

/** When a transfer created at `createdAt` lapses. */
export const transferExpiry = (createdAt: string) => new Date(Date.parse(createdAt) + TRANSFER_TTL_DAYS * DAY_MS);

const lapsed = (t: TransferRow, at: Date) => t.status === 'pending' && at.getTime() - Date.parse(t.created_at) >= TRANSFER_TTL_DAYS * DAY_MS;

/**
 * The transfer locked for a decision in the caller's transaction. A pending transfer past its 14 days is marked
 * `expired` here and the decision refused with 409 `transfer_status`, like any transfer that is no longer
 * pending; that write must be committed, so the refusal is returned rather than thrown.
 */
export async function lockPendingTransfer(tx: Db, id: number, at: Date): Promise<TransferRow | AppError> {
  const [t] = await tx<TransferRow[]>`select * from license_transfers where id = ${id} for update`;
  if (!t) throw notFound('transfer', id);
  if (lapsed(t, at)) {
    await tx`
      update license_transfers set status = 'expired', decided_at = created_at + make_interval(days => ${TRANSFER_TTL_DAYS}), updated_at = ${at.toISOString()}
      where id = ${id}`;
    return new AppError('transfer_status', `the transfer expired after ${TRANSFER_TTL_DAYS} days`);
  }
  if (t.status !== 'pending') return new AppError('transfer_status', `the transfer is ${t.status}`);
  return t;
}
