import { oneRow, type Db, type Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

/** Issues a client-panel token to an active client user; only its hash and prefix are stored. Returns the token's id. */
export async function issueClientUserToken(db: Db, clientUserId: number, { name, token, hash, by }: { name: string; token: string; hash: string; by: number }): Promise<number> {
  const [user] = await db<Array<{ status: string }>>`select status from client_users where id = ${clientUserId}`;
  if (!user) throw new AppError('not_found', `client user ${clientUserId} does not exist`);
  if (user.status !== 'active') throw new AppError('client_user_inactive', `client user ${clientUserId} is ${user.status}`);
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into client_user_tokens (client_user_id, name, token_hash, prefix) values (${clientUserId}, ${name}, ${hash}, ${token.slice(0, 8)}) returning id`);
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'client_user', entityId: clientUserId, action: 'token_issued', changes: { tokenId: row.id } });
  return row.id;
}

/** Revokes a client user's token; every request reads the token's row (api/auth.ts), so it holds from the next one on. */
export async function revokeClientUserToken(sql: Sql, { clientUserId, tokenId, reason, by }: { clientUserId: number; tokenId: number; reason: string; by: number }): Promise<void> {
  const revoked = await sql.begin(async (tx) => {
    const [row] = await tx`update client_user_tokens set revoked_at = coalesce(revoked_at, now()) where id = ${tokenId} and client_user_id = ${clientUserId} returning id`;
    if (row) await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'client_user', entityId: clientUserId, action: 'token_revoked', reason, changes: { tokenId } });
    return Boolean(row);
  });
  if (!revoked) throw new AppError('not_found', `token of client user ${clientUserId} ${tokenId} does not exist`);
}
