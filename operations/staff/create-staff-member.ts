import { oneRow, type Db } from '../../db/client';
import type { StaffRole } from '../../domain/statuses';
import { logEvent } from '../event-log/event-log';

export interface StaffMemberInput {
  name: string;
  email: string;
  role: StaffRole;
  language: 'en' | 'ru';
  /** The reseller the member belongs to (spec 05 §7.1): the creator's own, or one below it (its first staff, §2.1 step 3). */
  resellerId: number;
}

/** Adds a staff member (the e-mail kept in lower case; a taken one is the database's unique violation). Returns the id. */
export async function createStaffMember(db: Db, input: StaffMemberInput, { by }: { by: number }): Promise<number> {
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into staff (reseller_id, name, email, role, language)
    values (${input.resellerId}, ${input.name}, ${input.email.toLowerCase()}, ${input.role}, ${input.language})
    returning id`);
  await logEvent(db, { actorId: by, viaApi: true, entityKind: 'staff', entityId: row.id, action: 'created', changes: { role: input.role, resellerId: input.resellerId } });
  return row.id;
}
