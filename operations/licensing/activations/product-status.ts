import type { Db } from '../../../db/client';
import { findEntitlementForProduct } from '../entitlement-for-product';

export interface ProductStatus {
  entitlement: { status: string; seats: number; expiresAt: string | null };
  activations: { active: number; maxActivations: number };
}

/** What a key holds for a product, with the activations in use (spec 04 §7.1; the key stays out of URLs and logs). Reads only. */
export async function productStatus(db: Db, input: { code: string; productCode: string }): Promise<ProductStatus> {
  const ent = await findEntitlementForProduct(db, { ...input, lock: false });
  const [used] = await db<Array<{ n: number }>>`
    select count(*)::int as n from machine_bindings b join activation_accounts a on a.id = b.account_id where a.entitlement_id = ${ent.id} and b.status = 'active'`;
  return { entitlement: { status: ent.status, seats: ent.seats, expiresAt: ent.expires_at }, activations: { active: used!.n, maxActivations: ent.max_activations } };
}
