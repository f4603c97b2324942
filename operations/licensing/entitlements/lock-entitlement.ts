import type { Db } from '../../../db/client';
import { notFound, refuseBusyOrEnded } from '../refusals';

/** An entitlement locked for a staff operation, with its product's licensing settings. */
export interface LockedEntitlement {
  id: number;
  status: string;
  seats: number;
  product_id: number;
  license_model: 'fixed' | 'floating';
  managed_expiration: boolean;
  managed_execution: boolean;
  master_license: { maxDayPeriod?: number | null; maxExec?: number | null } | null;
}

/**
 * The entitlement row locked (`for update`) in the caller's transaction; 404 when missing, and §4.1 refusals: a
 * running operation refuses others, deleted and superseded licenses are history.
 */
export async function lockEntitlement(tx: Db, id: number): Promise<LockedEntitlement> {
  const [row] = await tx<LockedEntitlement[]>`
    select e.id, e.status, e.seats, e.product_id, p.license_model, p.managed_expiration, p.managed_execution, p.master_license
    from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${id} for update of e`;
  if (!row) throw notFound('entitlement', id);
  refuseBusyOrEnded(row.status);
  return row;
}
