import type { Db } from '../../db/client';
import { rootResellerId } from '../../domain/resellers';

/**
 * The tenant rule of licensing reads (spec 05): a key belongs to its billing client's reseller; a key without a
 * billing client (a first-run or vendor-portal key) is the operator's, like every row made before resellers.
 * `k` is the key's alias and `c` the left-joined client's in the caller's query.
 */
export const keyOwnedBy = (db: Db, resellerId: number) => db`coalesce(c.reseller_id, ${rootResellerId}) = ${resellerId}`;

/** Whether the caller's reseller owns the license `entitlementId` (through its key); false also when it does not exist. */
export async function entitlementOwnedBy(db: Db, entitlementId: number, resellerId: number): Promise<boolean> {
  const [row] = await db`
    select 1 from entitlements e join license_keys k on k.id = e.key_id left join clients c on c.id = k.client_id
    where e.id = ${entitlementId} and ${keyOwnedBy(db, resellerId)}`;
  return row !== undefined;
}

/** Whether the license `entitlementId` exists (any status): an unknown one is answered 404 without starting its workflow. */
export async function entitlementExists(db: Db, entitlementId: number): Promise<boolean> {
  const [row] = await db`select 1 from entitlements where id = ${entitlementId}`;
  return row !== undefined;
}
