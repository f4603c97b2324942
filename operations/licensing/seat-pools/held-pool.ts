import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { activeKeyId } from '../entitlement-for-product';

export interface HeldPool {
  id: string;
  entitlement_id: number;
  server_id: string;
  license_server_id: number;
  seats: number;
  valid_until: string;
  status: 'active' | 'released' | 'revoked';
  product_code: string;
}

/** The key's pool with this id (404 `POOL_NOT_FOUND` for a malformed id, another key's pool or none). */
export async function heldPool(db: Db, input: { poolId: string; code: string }): Promise<HeldPool> {
  const keyId = await activeKeyId(db, input.code);
  const [pool] = await db<HeldPool[]>`
    select sp.id, sp.entitlement_id, sp.server_id, sp.license_server_id, sp.seats, sp.valid_until, sp.status, p.code as product_code
    from seat_pools sp join entitlements e on e.id = sp.entitlement_id join licensing_products p on p.id = e.product_id
    where sp.id = ${input.poolId} and e.key_id = ${keyId}`;
  if (!pool) throw new AppError('POOL_NOT_FOUND', 'no such seat pool for this key');
  return pool;
}
