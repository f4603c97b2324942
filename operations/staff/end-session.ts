import type { Db } from '../../db/client';

/** Signing out: the session ends now (its cookie no longer signs anyone in). */
export async function endStaffSession(sql: Db, sessionId: number): Promise<void> {
  await sql`update staff_sessions set ended_at = now() where id = ${sessionId}`;
}
