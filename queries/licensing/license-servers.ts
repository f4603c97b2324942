import type { Db } from '../../db/client';

/** A pool that holds seats at the root now (status active, `validUntil` ahead), as staff see it. */
export interface HeldSeatPool {
  id: string;
  entitlementId: number;
  product: string;
  licenseServerId: number;
  serverId: string;
  seats: number;
  validUntil: string;
  obtainedAt: string;
  /** The last renewal, or the obtain when it was never renewed. */
  lastRenewalAt: string;
}

export interface LicenseServerView {
  id: number;
  serverId: string;
  status: 'active' | 'revoked';
  registeredAt: string;
  lastSyncAt: string;
  revokedAt: string | null;
  revokedBy: number | null;
  revocationReason: string | null;
  /** The seats its pools hold now, and those pools (none once revoked). */
  heldSeats: number;
  pools: HeldSeatPool[];
}

type Scope = { keyId: number } | { entitlementId: number };

/**
 * The pools of a key's (or one license's) local license servers that hold seats at `now` (spec 04 §5.5): the seats
 * the root counts as used for them. A pool is not "seen" like a binding: it holds its seats until its `validUntil`
 * whatever its server does, so every holding pool is shown, with its last renewal.
 */
export async function heldSeatPools(db: Db, scope: Scope & { now: Date }): Promise<HeldSeatPool[]> {
  return db<HeldSeatPool[]>`
    select sp.id, sp.entitlement_id as "entitlementId", p.code as product, sp.license_server_id as "licenseServerId", sp.server_id as "serverId",
           sp.seats, sp.valid_until as "validUntil", sp.created_at as "obtainedAt", coalesce(sp.renewed_at, sp.created_at) as "lastRenewalAt"
    from seat_pools sp join entitlements e on e.id = sp.entitlement_id join licensing_products p on p.id = e.product_id
    where ${'keyId' in scope ? db`e.key_id = ${scope.keyId}` : db`e.id = ${scope.entitlementId}`}
      and sp.status = 'active' and sp.valid_until > ${scope.now.toISOString()}
    order by sp.valid_until desc, sp.id limit 500`;
}

/**
 * The local license servers of a key, or those that ever pooled seats of one license (spec 04 §1.2 LicenseServer):
 * identity, registration, last sync, revocation, and the pools holding seats now (of that license only, for a
 * license). Newest registration first.
 */
export async function licenseServers(db: Db, scope: Scope & { now: Date }): Promise<LicenseServerView[]> {
  const servers = await db<Array<Omit<LicenseServerView, 'heldSeats' | 'pools'>>>`
    select s.id, s.server_id as "serverId", s.status, s.registered_at as "registeredAt", s.last_sync_at as "lastSyncAt",
           s.revoked_at as "revokedAt", s.revoked_by as "revokedBy", s.revocation_reason as "revocationReason"
    from license_servers s
    where ${'keyId' in scope ? db`s.key_id = ${scope.keyId}` : db`exists (select 1 from seat_pools sp where sp.license_server_id = s.id and sp.entitlement_id = ${scope.entitlementId})`}
    order by s.registered_at desc, s.id desc limit 500`;
  const pools = await heldSeatPools(db, scope);
  return servers.map((s) => {
    const own = pools.filter((pool) => pool.licenseServerId === s.id);
    return { ...s, heldSeats: own.reduce((sum, pool) => sum + pool.seats, 0), pools: own };
  });
}
