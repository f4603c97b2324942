import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';

/** A local license server of a key (spec 04 §1.2 LicenseServer, §5.5), as the seat-pool operations see it. */
export interface LicenseServerRow {
  id: number;
  key_id: number;
  server_id: string;
  status: 'active' | 'revoked';
  revoked_at: string | null;
}

/** 403 `LICENSE_SERVER_REVOKED`: staff revoked this local server; it gets no seats from the root any more. */
export function revokedRefusal(server: LicenseServerRow): AppError {
  return new AppError('LICENSE_SERVER_REVOKED', `the license server ${server.server_id} was revoked for this key; it obtains and renews no seat pool`, {
    serverId: server.server_id,
    revokedAt: server.revoked_at === null ? null : new Date(server.revoked_at).toISOString(),
  });
}

/**
 * The key's local server `serverId`, registered on its first contact and locked for the caller's transaction; this
 * contact is its last sync. A revoked server is refused (403 `LICENSE_SERVER_REVOKED`) and its row left as it is.
 * Called by obtain after the entitlement's lock, so a revocation and an obtain of one server are decided one at a time.
 */
export async function syncLicenseServer(tx: Db, input: { keyId: number; serverId: string; at: Date }): Promise<LicenseServerRow> {
  const at = input.at.toISOString();
  await tx`
    insert into license_servers (key_id, server_id, registered_at, last_sync_at) values (${input.keyId}, ${input.serverId}, ${at}, ${at})
    on conflict (key_id, server_id) do nothing`;
  const server = await lockLicenseServer(tx, { keyId: input.keyId, serverId: input.serverId });
  if (server.status === 'revoked') throw revokedRefusal(server);
  await tx`update license_servers set last_sync_at = ${at}, updated_at = ${at} where id = ${server.id}`;
  return server;
}

/** The server row locked (`for update`), by its id or by the key and its server id. */
export async function lockLicenseServer(tx: Db, by: { id: number } | { keyId: number; serverId: string }): Promise<LicenseServerRow> {
  const [server] = await tx<LicenseServerRow[]>`
    select id, key_id, server_id, status, revoked_at from license_servers
    where ${'id' in by ? tx`id = ${by.id}` : tx`key_id = ${by.keyId} and server_id = ${by.serverId}`}
    for update`;
  if (!server) throw new AppError('LICENSE_SERVER_NOT_FOUND', 'no such license server for this key');
  return server;
}
