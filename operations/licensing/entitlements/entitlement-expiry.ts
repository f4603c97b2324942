import { inTransaction, type Db } from '../../../db/client';
import { logEvent } from '../../event-log/event-log';

/** What the entitlement workflow's timer needs of a license (spec 04 §4.1, §7.3). */
export interface EntitlementExpiryState {
  status: string;
  /** ISO text; null: perpetual, or no such license. */
  expiresAt: string | null;
  /** Time left until `expiresAt` measured from `at` (ms; ≤ 0: due), null without an expiry. */
  msLeft: number | null;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

/**
 * The license's status and valid-until, with the time left on the caller's clock (`at`: the API's "now" of the
 * request that changed it, so a test clock and the real one never disagree about what is due). A missing license
 * reads as `deleted`: there is nothing left to wait for.
 */
export async function readEntitlementExpiry(db: Db, input: { entitlementId: number; at: Date }): Promise<EntitlementExpiryState> {
  const [row] = await db<Array<{ status: string; expires_at: string | null }>>`select status, expires_at from entitlements where id = ${input.entitlementId}`;
  if (!row) return { status: 'deleted', expiresAt: null, msLeft: null };
  const expiresAt = iso(row.expires_at);
  return { status: row.status, expiresAt, msLeft: expiresAt === null ? null : new Date(expiresAt).getTime() - input.at.getTime() };
}

/**
 * `active → expired` at the valid-until the workflow's timer waited for (spec 04 §4.1). Idempotent and safe against
 * a stale timer: only an `active` license whose valid-until is still `expiresAt` moves (one renewed meanwhile keeps
 * its new term, a suspended or deleted one keeps its status); a replay or retry finds it expired and moves nothing.
 * Answers the license as it now is, the time left measured from `expiresAt` (the business moment the timer stands for).
 */
export async function expireEntitlementAtExpiry(db: Db, input: { entitlementId: number; expiresAt: string; now: Date }): Promise<EntitlementExpiryState & { expired: boolean }> {
  // One transaction: a retry after a crash between the two would find the license expired and log nothing.
  const moved = await inTransaction(db, async (tx) => {
    const rows = await tx<Array<{ id: number }>>`
      update entitlements set status = 'expired', updated_at = ${input.now.toISOString()}
      where id = ${input.entitlementId} and status = 'active' and expires_at = ${input.expiresAt}::timestamptz
      returning id`;
    if (rows.length > 0) {
      await logEvent(tx, {
        actorId: null,
        entityKind: 'entitlement',
        entityId: input.entitlementId,
        action: 'expired',
        changes: { status: { from: 'active', to: 'expired' }, expiresAt: input.expiresAt },
        dedupeKey: `license-expired/${input.entitlementId}/${input.expiresAt}`,
      });
    }
    return rows;
  });
  const state = await readEntitlementExpiry(db, { entitlementId: input.entitlementId, at: new Date(input.expiresAt) });
  return { ...state, expired: moved.length > 0 };
}
