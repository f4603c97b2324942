import type { Db } from '../../db/client';

/** One license of a key as coupon answers show it. */
export interface KeyEntitlement {
  id: number;
  product: string;
  kind: 'trial' | 'paid';
  status: string;
  seats: number;
  expiresAt: string | null;
  supersededBy: number | null;
}

/** A timestamp as the driver returns it (the platform's connection keeps timestamps as strings). */
export type Timestamp = Date | string;

export const isoOrNull = (v: Timestamp | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The key's entitlements (not deleted), as every coupon answer shows them. */
export async function keyEntitlements(db: Db, keyId: number): Promise<KeyEntitlement[]> {
  const rows = await db<Array<Omit<KeyEntitlement, 'expiresAt'> & { expiresAt: Timestamp | null }>>`
    select e.id, p.code as product, e.kind, e.status, e.seats, e.expires_at as "expiresAt", e.superseded_by as "supersededBy"
    from entitlements e join licensing_products p on p.id = e.product_id
    where e.key_id = ${keyId} and e.status <> 'deleted' order by e.id`;
  return rows.map((r) => ({ ...r, expiresAt: isoOrNull(r.expiresAt) }));
}
