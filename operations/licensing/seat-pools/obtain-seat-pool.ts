import type { SecretBox } from '../../../infra/secret-box';
import { randomUUID } from 'node:crypto';
import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { poolValidUntil } from '../../../domain/licensing/seat-pools';
import { findEntitlementForProduct } from '../entitlement-for-product';
import { leaseStatusRefusal } from '../leases/lease-rules';
import { syncLicenseServer } from '../license-servers/license-server-rules';
import { ensureFreeSeats, signSeatPool, type SignedSeatPool } from './pool-rules';

export interface ObtainSeatPoolInput {
  /** Canonical key code. */
  code: string;
  productCode: string;
  /** The local server's machine id. */
  serverId: string;
  seats: number;
  validSeconds: number;
  /** The local server's key for this obtain: the same key answers the same pool. */
  requestKey: string;
  now: Date;
  /** Opens the vendor's sealed signing key (ApiDeps.licensingKeys). */
  vault: SecretBox | undefined;
}

export interface ObtainedSeatPool {
  /** False when the request key had already obtained this pool. */
  created: boolean;
  pool: SignedSeatPool;
}

type StoredPool = { id: string; server_id: string; seats: number; document: SignedSeatPool };

/**
 * Obtain (spec 04 §5.5): a local server takes `seats` seats of a floating license for at most 24 h. Refused
 * with the lease refusals (LICENSE_NOT_FLOATING, the entitlement's status), 409 `SEATS_EXHAUSTED` when fewer
 * seats are free (seats less live root leases less other pools), 422 `POOL_VALIDITY_TOO_LONG`. A retry with
 * the same request key answers the pool it obtained (200), whatever happened since; the same key from another
 * server is 409 `POOL_REQUEST_CONFLICT`. The first obtain of a server registers it (license-servers/); a server
 * staff revoked is refused with 403 `LICENSE_SERVER_REVOKED`. The entitlement row is locked, so pools, leases and
 * activations of one license are decided one at a time.
 */
export async function obtainSeatPool(db: Db, input: ObtainSeatPoolInput): Promise<ObtainedSeatPool> {
  const at = input.now;
  return inTransaction(db, async (tx) => {
    const ent = await findEntitlementForProduct(tx, { code: input.code, productCode: input.productCode, lock: true });
    // First, so that a revoked server gets nothing, not even the answer to an earlier request.
    const server = await syncLicenseServer(tx, { keyId: ent.key_id, serverId: input.serverId, at });
    const [earlier] = await tx<StoredPool[]>`select id, server_id, seats, document from seat_pools where entitlement_id = ${ent.id} and request_key = ${input.requestKey}`;
    if (earlier) {
      if (earlier.server_id !== input.serverId) {
        throw new AppError('POOL_REQUEST_CONFLICT', 'this request key obtained a pool for another server', { poolId: earlier.id });
      }
      return { created: false, pool: earlier.document };
    }
    if (ent.license_model !== 'floating') {
      throw new AppError('LICENSE_NOT_FLOATING', `${ent.product_code} is a fixed license: a local server pools floating seats only`);
    }
    const refused = leaseStatusRefusal(ent, at);
    if (refused) throw refused;
    const validUntil = poolValidUntil(at, input.validSeconds, ent.expires_at ? new Date(ent.expires_at) : null);
    await ensureFreeSeats(tx, ent, input.seats, at);
    const grant = { id: randomUUID(), entitlementId: ent.id, serverId: input.serverId, seats: input.seats, validUntil: validUntil.toISOString() };
    const pool = await signSeatPool(tx, ent, grant, at, input.vault);
    await tx`
      insert into seat_pools (id, entitlement_id, license_server_id, server_id, seats, valid_until, request_key, document)
      values (${grant.id}, ${ent.id}, ${server.id}, ${input.serverId}, ${input.seats}, ${grant.validUntil}, ${input.requestKey}, ${JSON.stringify(pool)}::jsonb)`;
    return { created: true, pool };
  });
}
