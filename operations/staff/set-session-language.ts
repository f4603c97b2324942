import type { Db } from '../../db/client';

/** The language the session's pages are shown in, as the staff member chose it. */
export async function setSessionLanguage(sql: Db, sessionId: number, language: string): Promise<void> {
  await sql`update staff_sessions set language = ${language} where id = ${sessionId}`;
}
