import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

/** Adds a person who uses the client panel (spec 01 §2); one client user per e-mail (kept in lower case). Returns the id. */
export async function createClientUser(db: Db, input: { name: string; email: string; language: 'en' | 'ru' }, { by }: { by: number }): Promise<number> {
  const [row] = await db<Array<{ id: number }>>`
    insert into client_users (name, email, language) values (${input.name}, ${input.email.toLowerCase()}, ${input.language})
    on conflict (email) do nothing returning id`;
  if (!row) throw new AppError('email_taken', `a client user with e-mail ${input.email} already exists`);
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'client_user', entityId: row.id, action: 'created' });
  return row.id;
}
