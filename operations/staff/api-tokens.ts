import { oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

/** A token as issued: the secret itself is shown once, only its hash and prefix are stored. */
export interface IssuedToken {
  token: string;
  hash: string;
}

/** Issues an API token to an active staff member (spec 02 §14). Returns the token's id. */
export async function issueApiToken(db: Db, staffId: number, { name, token, by }: { name: string; token: IssuedToken; by: number }): Promise<number> {
  const [member] = await db<Array<{ status: string }>>`select status from staff where id = ${staffId}`;
  if (!member) throw new AppError('not_found', `staff member ${staffId} does not exist`);
  if (member.status !== 'active') throw new AppError('staff_inactive', `staff member ${staffId} is inactive`);
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into api_tokens (staff_id, name, token_hash, prefix)
    values (${staffId}, ${name}, ${token.hash}, ${token.token.slice(0, 8)}) returning id`);
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'staff', entityId: staffId, action: 'token_issued', changes: { tokenId: row.id } });
  return row.id;
}

/**
 * Revokes a staff member's API token: it stops working at once (every request reads its row). The token a request
 * came with cannot revoke itself, which would lock its holder out mid-request.
 */
export async function revokeApiToken(db: Db, { staffId, tokenId, reason, by, byTokenId }: { staffId: number; tokenId: number; reason: string; by: number; byTokenId: number | undefined }): Promise<void> {
  if (tokenId === byTokenId) throw new AppError('own_token', 'a token cannot revoke itself; revoke it with another token');
  const revoked = await db`
    update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = ${tokenId} and staff_id = ${staffId} returning id`;
  if (revoked.length === 0) throw new AppError('not_found', `token ${tokenId} does not exist`);
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'staff', entityId: staffId, action: 'token_revoked', reason, changes: { tokenId } });
}
