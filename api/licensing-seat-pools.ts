import type { SecretBox } from '../infra/secret-box';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client';
import { MAX_POOL_SECONDS } from '../domain/licensing/seat-pools';
import { obtainSeatPool } from '../operations/licensing/seat-pools/obtain-seat-pool';
import { releaseSeatPool } from '../operations/licensing/seat-pools/release-seat-pool';
import { renewSeatPool } from '../operations/licensing/seat-pools/renew-seat-pool';
import { admitter, licensingErrorResponse, storable, text, type RateLimiter } from './licensing-common';
import { AppError } from './errors';

/**
 * Seat pools of local license servers (spec 04 §5.5 [Proposal]): a local server in a customer's network takes
 * seats of a floating license for at most 24 h (`POST /seat-pools`), renews the pool before it lapses
 * (`POST /seat-pools/{id}/renew`) and gives it back (`DELETE /seat-pools/{id}`). It proves itself with the
 * license key, as every public call does. The answer is the signed pool document, checked by the local server
 * with the vendor's public key (`GET /vendors/{prefix}/public-key`). Rules: operations/licensing/seat-pools/.
 */

/** Validity is asked in whole seconds: at least one, at most the spec's 24 h (longer is a coded 422, not a 400). */
const validSeconds = z.number().int().min(1).max(10 * MAX_POOL_SECONDS);
const seats = z.number().int().min(1).max(100_000);
const obtainInput = z
  .object({
    key: text(64),
    productCode: text(64),
    serverId: storable(z.string().trim().min(1).max(128)),
    seats,
    validSeconds,
    /** The local server's key for this obtain: a retry with it answers the same pool. */
    requestKey: storable(z.string().trim().min(8).max(128)),
  })
  .strict();
const renewInput = z.object({ key: text(64), seats: seats.optional(), validSeconds }).strict();
const keyOnlyInput = z.object({ key: text(64) }).strict();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function poolIdOf(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new AppError('POOL_NOT_FOUND', 'no such seat pool');
  return id;
}

export function licensingSeatPoolsPublic({ sql, now, limiter, vault }: { sql: Sql; now: () => Date; limiter: RateLimiter; vault: SecretBox | undefined }) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  const admit = admitter(limiter);

  app.post('/seat-pools', async (c) => {
    const input = await admit(c, obtainInput);
    const { created, pool } = await obtainSeatPool(sql, { ...input, now: now(), vault });
    return c.json(pool, created ? 201 : 200);
  });

  app.post('/seat-pools/:id/renew', async (c) => {
    const input = await admit(c, renewInput);
    return c.json(await renewSeatPool(sql, { poolId: poolIdOf(c), code: input.code, seats: input.seats, validSeconds: input.validSeconds, now: now(), vault }));
  });

  /** Body `{ key }`, as for leases. */
  app.delete('/seat-pools/:id', async (c) => {
    const input = await admit(c, keyOnlyInput);
    await releaseSeatPool(sql, { poolId: poolIdOf(c), code: input.code, now: now() });
    return c.body(null, 204);
  });

  return app;
}
