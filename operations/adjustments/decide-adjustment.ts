import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';

export interface AdjustmentDecision {
  adjustmentId: number;
  decision: 'approve' | 'decline';
  comment?: string | undefined;
  /** The staff member who decides. */
  by: number;
}

/**
 * Spec 02 §5, second step: approving moves the balance by one ledger transaction (idempotency key
 * `adjustment/<id>`; the ledger re-evaluates the financial block), declining moves nothing. An adjustment is
 * decided once.
 */
export async function decideAdjustment(sql: Sql, { adjustmentId: id, decision, comment, by }: AdjustmentDecision): Promise<void> {
  await sql.begin(async (tx) => {
    const [row] = await tx<Array<{ client_id: number; direction: 'credit' | 'debit'; amount: string; currency: string; status: string; comment: string }>>`
      select client_id, direction, amount, currency, status, comment from adjustments where id = ${id} for update`;
    if (!row) throw new AppError('not_found', `adjustment ${id} does not exist`);
    if (row.status !== 'approval_required') throw new AppError('adjustment_decided', `adjustment ${id} is already ${row.status}`);
    const status = decision === 'approve' ? 'approved' : 'declined';
    await tx`update adjustments set status = ${status}, decided_by = ${by}, decided_at = now(), decision_comment = ${comment ?? null}, updated_at = now() where id = ${id}`;
    if (decision === 'approve') {
      const amount = Number(row.amount);
      await postLedgerEntry(tx, {
        clientId: row.client_id,
        kind: 'adjustment',
        amount: row.direction === 'credit' ? amount : -amount,
        currency: row.currency,
        description: `Adjustment #${id} (${row.direction}): ${row.comment}`,
        idempotencyKey: `adjustment/${id}`,
      });
    }
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'adjustment', entityId: id, action: status, reason: comment ?? null, changes: { status: ['approval_required', status] } });
  });
}
