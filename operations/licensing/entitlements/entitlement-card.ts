import type { Db } from '../../../db/client';
import { notFound } from '../refusals';

/** An entitlement as the staff routes answer it (the key card's license line). */
export interface EntitlementCard {
  id: number;
  status: string;
  seats: number;
  kind: string;
  source: string;
  startsAt: string;
  expiresAt: string | null;
  boundIp: string | null;
  supportUntil: string | null;
  keyCode: string;
  product: string;
}

/** The entitlement's card; `not_found` (404) when there is no such entitlement. */
export async function entitlementCard(db: Db, id: number): Promise<EntitlementCard> {
  const [row] = await db<EntitlementCard[]>`
    select e.id, e.status, e.seats, e.kind, e.source, e.starts_at as "startsAt", e.expires_at as "expiresAt", e.bound_ip as "boundIp",
           e.support_until as "supportUntil", k.code as "keyCode", p.code as "product"
    from entitlements e join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id where e.id = ${id}`;
  if (!row) throw notFound('entitlement', id);
  return row;
}
