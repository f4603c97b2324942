import type { Db } from '../../../db/client';
import type { EntitlementSnapshot } from '../../../domain/licensing/coupons';
import { isoOrNull, type Timestamp } from '../key-entitlements';

/**
 * Snapshots of the key's entitlements (spec 04 §1.2 CouponActivation before/after), optionally only some, locked
 * for the caller's transaction: what a coupon plan starts from and what a reversal restores.
 */
export async function entitlementSnapshots(tx: Db, keyId: number, ids?: number[]): Promise<EntitlementSnapshot[]> {
  const rows = await tx<Array<Omit<EntitlementSnapshot, 'startsAt' | 'expiresAt'> & { startsAt: Timestamp; expiresAt: Timestamp | null }>>`
    select e.id, e.product_id as "productId", p.code as "productCode", e.status, e.kind, e.seats, e.starts_at as "startsAt",
           e.expires_at as "expiresAt", e.superseded_by as "supersededBy"
    from entitlements e join licensing_products p on p.id = e.product_id
    where e.key_id = ${keyId} ${ids ? tx`and e.id = any(${ids}::int[])` : tx``}
    order by e.id for update of e`;
  return rows.map((r) => ({ ...r, startsAt: isoOrNull(r.startsAt)!, expiresAt: isoOrNull(r.expiresAt) }));
}
