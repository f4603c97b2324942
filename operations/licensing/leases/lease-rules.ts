import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { entitlementRefusal, type EntitlementStatus } from '../../../domain/licensing/activation';

/**
 * What the lease operations share (spec 04 §5.1). A lease lives `ttlSeconds` after its last heartbeat; clients
 * are told to beat every `heartbeatSeconds`. All time arithmetic uses the caller's `now`, never the database
 * clock, so lease timestamps are the application's and tests can move time.
 */
export interface LeaseTiming {
  /** How long a lease lives after its last heartbeat (spec 04 §5.1 default 900 s). */
  ttlSeconds: number;
}

export interface LeaseRow {
  id: number;
  entitlement_id: number;
  machine_id: string;
  user_name: string;
  status: 'active' | 'released' | 'expired' | 'revoked';
  started_at: string;
  expires_at: string;
}

export const leaseEnd = (at: Date, timing: LeaseTiming) => new Date(at.getTime() + timing.ttlSeconds * 1000);

/** The §4.1 refusal of an entitlement at `now` (the activation refusals, e.g. 403 `ENTITLEMENT_SUSPENDED`), or null when leases may be held. */
export function leaseStatusRefusal(ent: { status: EntitlementStatus; expires_at: string | null }, now: Date): AppError | null {
  const code = entitlementRefusal({ status: ent.status, expiresAt: ent.expires_at ? new Date(ent.expires_at) : null }, now);
  if (!code) return null;
  return new AppError(code, `the license is ${ent.status === 'active' ? 'expired' : ent.status}`);
}

/** Marks the entitlement's lapsed leases `expired` (their seats are free from `expires_at` on). */
export async function expireLapsedLeases(tx: Db, entitlementId: number, at: Date): Promise<void> {
  await tx`update leases set status = 'expired' where entitlement_id = ${entitlementId} and status = 'active' and expires_at <= ${at.toISOString()}`;
}

/** The live leases of an entitlement, oldest first: the order in which seats are kept after a reduction. */
export async function liveLeases(tx: Db, entitlementId: number, at: Date): Promise<LeaseRow[]> {
  return tx<LeaseRow[]>`
    select id, entitlement_id, machine_id, user_name, status, started_at, expires_at from leases
    where entitlement_id = ${entitlementId} and status = 'active' and expires_at > ${at.toISOString()}
    order by started_at, id`;
}
