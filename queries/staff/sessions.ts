import type { Db } from '../../db/client';
import type { StaffRole } from '../../domain/statuses';

export interface StaffSessionRow {
  id: number;
  staffId: number;
  name: string;
  role: StaffRole;
  /** The staff member's reseller: what its lists show (queries/tenancy.ts). */
  resellerId: number;
  csrfToken: string;
  language: string;
}

/** The session with this token hash if it is open, unexpired at `now`, and its staff member active; else null. */
export async function openStaffSession(sql: Db, tokenHash: string, now: Date): Promise<StaffSessionRow | null> {
  const [row] = await sql<StaffSessionRow[]>`
      select ss.id, ss.staff_id as "staffId", s.name, s.role, s.reseller_id as "resellerId", ss.csrf_token as "csrfToken", ss.language
      from staff_sessions ss join staff s on s.id = ss.staff_id
      where ss.token_hash = ${tokenHash} and ss.ended_at is null and ss.expires_at > ${now.toISOString()} and s.status = 'active'`;
  return row ?? null;
}
