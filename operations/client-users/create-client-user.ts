import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

/**
 * Adds a person who uses the client panel (spec 01 §2); one client user per e-mail (kept in lower case). The user
 * belongs to the creating staff member's reseller, whose clients alone it may be linked to. Returns the id.
 */
export async function createClientUser(db: Db, input: { name: string; email: string; language: 'en' | 'ru' }, { by, resellerId }: { by: number; resellerId: number }): Promise<number> {
  const [row] = await db<Array<{ id: number }>>`
    insert into client_users (reseller_id, name, email, language) values (${resellerId}, ${input.name}, ${input.email.toLowerCase()}, ${input.language})
    on conflict (email) do nothing returning id`;
  if (!row) throw new AppError('email_taken', `a client user with e-mail ${input.email} already exists`);
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'client_user', entityId: row.id, action: 'created' });
  return row.id;
}
