import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { hashPassword } from '../../infra/passwords';
import { logEvent } from '../event-log/event-log';

/** Sets a staff member's password for the operator UI (a scrypt hash); it also unlocks an account locked by failed sign-ins. */
export async function setStaffPassword(db: Db, staffId: number, { password, by }: { password: string; by: number }): Promise<void> {
  const [member] = await db`select 1 from staff where id = ${staffId}`;
  if (!member) throw new AppError('not_found', `staff member ${staffId} does not exist`);
  await db`update staff set password_hash = ${await hashPassword(password)}, failed_logins = 0, locked_until = null, updated_at = now() where id = ${staffId}`;
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'staff', entityId: staffId, action: 'password_set' });
}
