import type { SecretBox } from '../../../infra/secret-box';
import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { poolValidUntil } from '../../../domain/licensing/seat-pools';
import { findEntitlementForProduct } from '../entitlement-for-product';
import { leaseStatusRefusal } from '../leases/lease-rules';
import { lockLicenseServer, revokedRefusal } from '../license-servers/license-server-rules';
import { heldPool } from './held-pool';
import { ensureFreeSeats, signSeatPool, type SignedSeatPool } from './pool-rules';

export interface RenewSeatPoolInput {
  poolId: string;
  code: string;
  /** The pool's new seat count; unchanged when omitted. */
  seats?: number | undefined;
  validSeconds: number;
  now: Date;
  /** Opens the vendor's sealed signing key (ApiDeps.licensingKeys). */
  vault: SecretBox | undefined;
}

/**
 * Renew (spec 04 §5.5): the local server extends its pool before it lapses, to `now + validSeconds` (at most
 * 24 h, no later than a term license's end), and may change its seat count within the seats free besides the
 * pool itself. A released or lapsed pool cannot be renewed: 410 `POOL_LAPSED` (its seats went back; obtain a
 * new pool). The entitlement's refusals (suspended, expired, ...) and `SEATS_EXHAUSTED` (e.g. after the seats
 * were reduced) leave the pool as it was, to lapse at its end. A pool of a server staff revoked: 403
 * `LICENSE_SERVER_REVOKED` (license-servers/revoke-license-server.ts).
 */
export async function renewSeatPool(db: Db, input: RenewSeatPoolInput): Promise<SignedSeatPool> {
  const at = input.now;
  return inTransaction(db, async (tx) => {
    const found = await heldPool(tx, input);
    const ent = await findEntitlementForProduct(tx, { code: input.code, productCode: found.product_code, lock: true });
    // Read again under the entitlement's lock: a concurrent renew or release is seen.
    const pool = await heldPool(tx, input);
    // The server's lock orders this renewal with a revocation; a revoked server hears why, not just POOL_LAPSED.
    const server = await lockLicenseServer(tx, { id: pool.license_server_id });
    if (server.status === 'revoked') throw revokedRefusal(server);
    if (ent.id !== pool.entitlement_id) throw new AppError('POOL_LAPSED', 'the license this pool was cut from was replaced; obtain a new pool', { status: 'replaced' });
    if (pool.status !== 'active' || new Date(pool.valid_until).getTime() <= at.getTime()) {
      const status = pool.status === 'active' ? 'lapsed' : pool.status;
      throw new AppError('POOL_LAPSED', `the pool is ${status} and its seats went back to the root; obtain a new pool`, { status, validUntil: new Date(pool.valid_until).toISOString() });
    }
    const refused = leaseStatusRefusal(ent, at);
    if (refused) throw refused;
    const seats = input.seats ?? pool.seats;
    const validUntil = poolValidUntil(at, input.validSeconds, ent.expires_at ? new Date(ent.expires_at) : null);
    await ensureFreeSeats(tx, ent, seats, at, pool.id);
    const signed = await signSeatPool(tx, ent, { id: pool.id, entitlementId: ent.id, serverId: pool.server_id, seats, validUntil: validUntil.toISOString() }, at, input.vault);
    await tx`
      update seat_pools set seats = ${seats}, valid_until = ${validUntil.toISOString()}, document = ${JSON.stringify(signed)}::jsonb,
             renewed_at = ${at.toISOString()}, updated_at = ${at.toISOString()}
      where id = ${pool.id}`;
    await tx`update license_servers set last_sync_at = ${at.toISOString()}, updated_at = ${at.toISOString()} where id = ${server.id}`;
    return signed;
  });
}
