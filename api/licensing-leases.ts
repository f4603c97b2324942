import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client';
import type { SecretBox } from '../infra/secret-box';
import { checkOutLease } from '../operations/licensing/leases/check-out-lease';
import { heartbeatLease } from '../operations/licensing/leases/heartbeat-lease';
import { releaseLease } from '../operations/licensing/leases/release-lease';
import { admitter, licensingErrorResponse, storable, text, type RateLimiter } from './licensing-common';
import { AppError } from './errors';

/**
 * Public floating-license routes (spec 04 §5.1, §7.1 leases): a protected application takes a seat of a floating
 * entitlement (`POST /leases`), keeps it with heartbeats (`POST /leases/{id}/heartbeat`) and gives it back
 * (`DELETE /leases/{id}`). The rules are in operations/licensing/leases/: checkout answers 201 for a new lease and
 * 200 for the one the machine and user already hold; refusals are the §7.4 codes (SEATS_EXHAUSTED, LEASE_EXPIRED,
 * SEATS_REDUCED, LICENSE_NOT_FLOATING, the entitlement refusals of activation).
 */

const checkoutInput = z
  .object({
    key: text(64),
    productCode: text(64),
    machineId: storable(z.string().trim().min(1).max(128)),
    userName: storable(z.string().trim().min(1).max(200)),
    hostname: text(255).optional(),
  })
  .strict();
const keyOnlyInput = z.object({ key: text(64) }).strict();

const MAX_ID = 2_147_483_647;

function leaseIdOf(c: Context): number {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0 || id > MAX_ID) throw new AppError('LEASE_NOT_FOUND', 'no such lease');
  return id;
}

export function licensingLeasesPublic({
  sql,
  now,
  limiter,
  vault,
  heartbeatSeconds = 300,
  ttlSeconds = 900,
}: {
  sql: Sql;
  now: () => Date;
  limiter: RateLimiter;
  /** Opens the vendors' signing keys. */
  vault: SecretBox | undefined;
  /** How often clients are told to beat (spec 04 §5.1 default 300 s). */
  heartbeatSeconds?: number;
  /** How long a lease lives after its last heartbeat (spec 04 §5.1 default 900 s). */
  ttlSeconds?: number;
}) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  const admit = admitter(limiter);
  const timing = { ttlSeconds };

  app.post('/leases', async (c) => {
    const input = await admit(c, checkoutInput);
    const lease = await checkOutLease(sql, { ...input, timing, vault, now: now() });
    return c.json({ leaseId: lease.leaseId, expiresAt: lease.expiresAt.toISOString(), heartbeatSeconds, document: lease.document }, lease.created ? 201 : 200);
  });

  app.post('/leases/:id/heartbeat', async (c) => {
    const input = await admit(c, keyOnlyInput);
    const { expiresAt } = await heartbeatLease(sql, { leaseId: leaseIdOf(c), code: input.code, timing, now: now() });
    return c.json({ expiresAt: expiresAt.toISOString(), heartbeatSeconds });
  });

  /** Body `{ key }` (§7.1 DELETE /v1/leases/{id}). */
  app.delete('/leases/:id', async (c) => {
    const input = await admit(c, keyOnlyInput);
    await releaseLease(sql, { leaseId: leaseIdOf(c), code: input.code });
    return c.body(null, 204);
  });

  return app;
}
