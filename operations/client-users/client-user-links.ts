import type { Sql } from '../../db/client';
import type { ClientAccessLevel } from '../../domain/statuses';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

/**
 * Spec 01 §4.2: gives a client user access to a client at a level, or changes it. A client has one owner: a new
 * owner makes the previous one an administrator.
 */
export async function linkClientUser(sql: Sql, { clientId, clientUserId, accessLevel, by }: { clientId: number; clientUserId: number; accessLevel: ClientAccessLevel; by: number }): Promise<void> {
  await sql.begin(async (tx) => {
    const [client] = await tx`select id from clients where id = ${clientId} for no key update`;
    if (!client) throw new AppError('not_found', `client ${clientId} does not exist`);
    const [user] = await tx`select id from client_users where id = ${clientUserId}`;
    if (!user) throw new AppError('invalid_reference', `client user ${clientUserId} does not exist`);
    if (accessLevel === 'owner') {
      await tx`update client_user_links set access_level = 'admin' where client_id = ${clientId} and access_level = 'owner' and client_user_id <> ${clientUserId}`;
    }
    await tx`
      insert into client_user_links (client_user_id, client_id, access_level) values (${clientUserId}, ${clientId}, ${accessLevel})
      on conflict (client_user_id, client_id) do update set access_level = excluded.access_level`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'client', entityId: clientId, action: 'user_linked', changes: { clientUserId, accessLevel } });
  });
}

/**
 * Takes a client user's access to a client away; a client user's every request looks the link up (api/auth.ts), so
 * it is gone from the next one on. An unknown link is `not_found`.
 */
export async function unlinkClientUser(sql: Sql, { clientId, clientUserId, reason, by }: { clientId: number; clientUserId: number; reason: string; by: number }): Promise<void> {
  const removed = await sql.begin(async (tx) => {
    const [link] = await tx<Array<{ access_level: string }>>`
      delete from client_user_links where client_user_id = ${clientUserId} and client_id = ${clientId} returning access_level`;
    if (link) {
      await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'client', entityId: clientId, action: 'user_unlinked', reason, changes: { clientUserId, accessLevel: link.access_level } });
    }
    return Boolean(link);
  });
  if (!removed) throw new AppError('not_found', `link of client ${clientId} to client user ${clientUserId} does not exist`);
}
