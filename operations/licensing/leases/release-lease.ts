import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { activeKeyId } from '../entitlement-for-product';

/** Release (spec 04 §7.1 DELETE /v1/leases/{id}): the seat is free at once; releasing twice is harmless. */
export async function releaseLease(db: Db, input: { leaseId: number; code: string }): Promise<void> {
  const keyId = await activeKeyId(db, input.code);
  const [lease] = await db<Array<{ id: number }>>`
    select l.id from leases l join entitlements e on e.id = l.entitlement_id where l.id = ${input.leaseId} and e.key_id = ${keyId}`;
  if (!lease) throw new AppError('LEASE_NOT_FOUND', 'no such lease for this key');
  await db`update leases set status = 'released' where id = ${input.leaseId} and status = 'active'`;
}
