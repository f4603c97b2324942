import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { TransactionSql } from 'postgres';
import type { Sql } from '../db/client';
import type { AppEnv } from './auth';
import { AppError } from './errors';

/**
 * `Idempotency-Key` on a POST: the same key with the same body returns the first answer; the same key
 * with another body is refused (422); a request still being processed under the key answers 409.
 * Keys are per staff member (client users' keys are kept under their id negated, so the two never meet).
 * Only successful (2xx) answers are kept, so a failed attempt can be retried. A key left unanswered for
 * longer than any request takes (its process died, or lost the database before it could let the key go)
 * is taken over by the next request with the same body, instead of answering 409 for ever.
 */
export function idempotency(sql: Sql): MiddlewareHandler<AppEnv> {
  return async function idempotent(c, next) {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new AppError('invalid_idempotency_key', 'Idempotency-Key must be 1-200 printable ASCII characters');
    }
    const clientUser = c.get('clientUser');
    const staffId = clientUser ? -clientUser.id : c.get('staff').id;
    const route = `${c.req.method} ${c.req.path}`;
    const body = await c.req.text();
    const requestHash = createHash('sha256').update(`${route}\n${body}`).digest('hex');

    const claimed = await sql`
      insert into idempotency_keys (staff_id, key, route, request_hash) values (${staffId}, ${key}, ${route}, ${requestHash})
      on conflict (staff_id, key) do update set created_at = now()
        where idempotency_keys.status_code is null and idempotency_keys.request_hash = excluded.request_hash
          and idempotency_keys.created_at < now() - ${ABANDONED_AFTER}::interval
      returning key`;
    if (claimed.length === 0) {
      const [stored] = await sql<Array<{ request_hash: string; status_code: number | null; response_body: unknown }>>`
        select request_hash, status_code, response_body from idempotency_keys where staff_id = ${staffId} and key = ${key}`;
      if (stored && stored.request_hash !== requestHash) {
        throw new AppError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      }
      if (!stored || stored.status_code === null) {
        throw new AppError('idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed');
      }
      c.header('Idempotent-Replayed', 'true');
      return c.json(stored.response_body as object, stored.status_code as 200);
    }

    // An answer a handler stored with its own work (storeIdempotentAnswer) is kept whatever happens after.
    c.set('idempotencyClaim', { staffId, key });
    // Lets the key go so that the request can be retried. The failure may have been a lost database connection,
    // so the release gets two more tries; if they fail too, the claim is taken over after ABANDONED_AFTER.
    const release = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await sql`delete from idempotency_keys where staff_id = ${staffId} and key = ${key} and status_code is null`;
          return;
        } catch (err) {
          if (attempt === 3) throw err;
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
        }
      }
    };
    try {
      await next();
    } catch (err) {
      await release().catch(() => {});
      throw err;
    }
    if (c.res.status >= 200 && c.res.status < 300) {
      const responseBody = await c.res.clone().json().catch(() => null);
      await sql`update idempotency_keys set status_code = ${c.res.status}, response_body = ${JSON.stringify(responseBody)}::jsonb
                where staff_id = ${staffId} and key = ${key} and status_code is null`;
    } else {
      await release();
    }
  };
}

/** Longer than any request takes; see `idempotency`. */
const ABANDONED_AFTER = '2 minutes';

/**
 * Stores the answer to the request's Idempotency-Key (if it has one) in the handler's own transaction, so the
 * answer commits with the work it reports. A failure after that commit (starting a scenario, a lost database
 * connection) then cannot make a retry under the same key do the work a second time: the retry gets this answer.
 */
export async function storeIdempotentAnswer(tx: TransactionSql, c: Context<AppEnv>, status: number, body: unknown): Promise<void> {
  const claim = c.get('idempotencyClaim');
  if (!claim) return;
  await tx`update idempotency_keys set status_code = ${status}, response_body = ${JSON.stringify(body)}::jsonb
           where staff_id = ${claim.staffId} and key = ${claim.key}`;
}
