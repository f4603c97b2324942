import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { logEvent } from '../../event-log/event-log';
import { lockLicenseServer } from './license-server-rules';

export interface RevokeLicenseServerInput {
  /** The key the staff member opened (the server must be one of its servers). */
  keyId: number;
  licenseServerId: number;
  reason: string;
  staffId: number | null;
  now: Date;
}

export interface RevokedLicenseServer {
  id: number;
  /** False when it was revoked already (nothing changed). */
  revoked: boolean;
  /** The pools taken back now, with their seats. */
  pools: Array<{ id: string; entitlementId: number; seats: number }>;
}

/**
 * Staff revoke a customer's local license server (spec 04 §1.2 LicenseServer, §5.5): its active pools are taken
 * back at once (status `revoked`, so their seats are free at the root for leases and other servers), and its next
 * renewal or obtain is refused with 403 `LICENSE_SERVER_REVOKED`. A copy of the server out of reach serves its
 * signed pool until the pool's end (at most 24 h): it cannot be told sooner. Revoking twice changes nothing.
 * The server row is locked first, as a renewal locks it before touching its pool.
 */
export async function revokeLicenseServer(db: Db, input: RevokeLicenseServerInput): Promise<RevokedLicenseServer> {
  const at = input.now.toISOString();
  return inTransaction(db, async (tx) => {
    const server = await lockLicenseServer(tx, { id: input.licenseServerId });
    if (server.key_id !== input.keyId) throw new AppError('LICENSE_SERVER_NOT_FOUND', 'no such license server for this key');
    if (server.status === 'revoked') return { id: server.id, revoked: false, pools: [] };
    await tx`
      update license_servers set status = 'revoked', revoked_at = ${at}, revoked_by = ${input.staffId}, revocation_reason = ${input.reason}, updated_at = ${at}
      where id = ${server.id}`;
    const pools = await tx<Array<{ id: string; entitlementId: number; seats: number }>>`
      update seat_pools set status = 'revoked', released_at = ${at}, updated_at = ${at}
      where license_server_id = ${server.id} and status = 'active' and valid_until > ${at}
      returning id, entitlement_id as "entitlementId", seats`;
    // Lapsed pools are done with already; they are marked too so that the server's pools read alike.
    await tx`update seat_pools set status = 'revoked', updated_at = ${at} where license_server_id = ${server.id} and status = 'active'`;
    await logEvent(tx, {
      actorId: input.staffId,
      viaApi: true,
      entityKind: 'license_server',
      entityId: server.id,
      action: 'revoked',
      reason: input.reason,
      changes: { serverId: server.server_id, keyId: server.key_id, pools },
    });
    return { id: server.id, revoked: true, pools };
  });
}
