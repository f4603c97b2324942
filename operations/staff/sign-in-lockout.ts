import { type Db, type Sql } from '../../db/client';

/**
 * The sign-in lock-out, per account and per source address. Its three statements stay in one file: they share the
 * limits and the rule of how an attempt is counted and given back. An attempt is counted when it starts, by one
 * statement that also checks the lock (`UPDATE … RETURNING`, `INSERT … ON CONFLICT … RETURNING`), so attempts
 * that arrive together each get their own number: forty at once are forty attempts, and only those within the
 * limit have their password judged. A successful sign-in gives its own attempt back.
 *
 * - Account: the fifth attempt since the last successful sign-in locks the account for 15 minutes (spec 02
 *   §15.1); an administrator setting a password lifts the lock.
 * - Source address (`currentOrigin()`, the trusted-proxy rule): 20 attempts within 15 minutes lock the address
 *   for 15 minutes, whatever e-mails they tried, so guessing across accounts from one place stops too.
 */
export const ACCOUNT_LOCK_AFTER = 5;
export const ADDRESS_LOCK_AFTER = 20;
const LOCK_MS = 15 * 60_000;
const ADDRESS_WINDOW_MS = 15 * 60_000;
/** Rows of addresses unseen for a day are removed, a few with every attempt, so the table stays small. */
const PRUNE_AFTER_MS = 24 * 3_600_000;

/** An attempt's number within its lock-out: judged while `attempt <= limit`, and the one at the limit locks. */
export interface Attempt {
  attempt: number;
  /** Refused without judging the password: the lock was on already. */
  refused: boolean;
  /** Judged as the last allowed one: if it fails, the lock is on. */
  last: boolean;
}

const attemptOf = (attempt: number, limit: number): Attempt => ({ attempt, refused: attempt > limit, last: attempt === limit });

/** Counts an attempt from `address`; the same statement says whether the address was locked. */
export async function countAddressAttempt(sql: Sql, address: string, at: Date): Promise<Attempt> {
  const now = at.toISOString();
  const windowFloor = new Date(at.getTime() - ADDRESS_WINDOW_MS).toISOString();
  const [row] = await sql<Array<{ attempts: number }>>`
    with pruned as (
      delete from sign_in_sources where address in (
        select address from sign_in_sources
        where address <> ${address} and window_started_at < ${new Date(at.getTime() - PRUNE_AFTER_MS).toISOString()} and (locked_until is null or locked_until < ${now})
        limit 10))
    insert into sign_in_sources as s (address, attempts, window_started_at) values (${address}, 1, ${now})
    on conflict (address) do update set
      attempts = case when s.locked_until > ${now} then s.attempts + 1
                      when s.locked_until is not null or s.window_started_at <= ${windowFloor} then 1
                      else s.attempts + 1 end,
      window_started_at = case when s.locked_until > ${now} then s.window_started_at
                               when s.locked_until is not null or s.window_started_at <= ${windowFloor} then ${now}::timestamptz
                               else s.window_started_at end,
      locked_until = case when s.locked_until > ${now} then s.locked_until
                          when s.locked_until is null and s.window_started_at > ${windowFloor} and s.attempts + 1 >= ${ADDRESS_LOCK_AFTER}
                            then ${new Date(at.getTime() + LOCK_MS).toISOString()}::timestamptz
                          else null end
    returning attempts`;
  return attemptOf(row!.attempts, ADDRESS_LOCK_AFTER);
}

export interface StaffAttempt extends Attempt {
  staffId: number;
  passwordHash: string | null;
  language: string;
}

/** Counts an attempt on the active staff member with this e-mail (none: null); the same statement checks the lock. */
export async function countAccountAttempt(sql: Sql, email: string, at: Date): Promise<StaffAttempt | null> {
  const now = at.toISOString();
  const [row] = await sql<Array<{ id: number; password_hash: string | null; language: string; attempts: number }>>`
    update staff set
      failed_logins = case when locked_until > ${now} then failed_logins + 1
                           when locked_until is not null then 1
                           else failed_logins + 1 end,
      locked_until = case when locked_until > ${now} then locked_until
                          when (case when locked_until is not null then 1 else failed_logins + 1 end) >= ${ACCOUNT_LOCK_AFTER}
                            then ${new Date(at.getTime() + LOCK_MS).toISOString()}::timestamptz
                          else null end
    where email = ${email} and status = 'active'
    returning id, password_hash, language, failed_logins as attempts`;
  return row ? { staffId: row.id, passwordHash: row.password_hash, language: row.language, ...attemptOf(row.attempts, ACCOUNT_LOCK_AFTER) } : null;
}

/**
 * A successful sign-in: the account starts counting afresh, and the address gets this attempt back (it was
 * not a guess), which also lifts the address's lock if this attempt was the one that set it.
 */
export async function signedInFrom(sql: Db, staffId: number, address: string): Promise<void> {
  await sql`update staff set failed_logins = 0, locked_until = null where id = ${staffId}`;
  await sql`
    update sign_in_sources set attempts = greatest(attempts - 1, 0),
      locked_until = case when attempts - 1 < ${ADDRESS_LOCK_AFTER} then null else locked_until end
    where address = ${address}`;
}
