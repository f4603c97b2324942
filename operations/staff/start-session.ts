import type { Sql } from '../../db/client';
import { signedInFrom } from './sign-in-lockout';

export interface StartSessionInput {
  staffId: number;
  /** The source address the sign-in came from (its lock-out gets this attempt back). */
  address: string;
  /** The hash of the session token; the token itself is never stored. */
  tokenHash: string;
  csrfToken: string;
  language: string;
  expiresAt: Date;
}

/** A successful sign-in: the lock-out counters are reset and the session is written, in one transaction. */
export async function startStaffSession(sql: Sql, input: StartSessionInput): Promise<void> {
  await sql.begin(async (tx) => {
    await signedInFrom(tx, input.staffId, input.address);
    await tx`
        insert into staff_sessions (staff_id, token_hash, csrf_token, language, expires_at)
        values (${input.staffId}, ${input.tokenHash}, ${input.csrfToken}, ${input.language}, ${input.expiresAt.toISOString()})`;
  });
}
