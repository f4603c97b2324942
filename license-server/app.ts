import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError } from '../domain/errors';
import { parseLicenseKey } from '../domain/licensing/codes';
import type { LocalPool, PoolIdentity } from './pool';

/**
 * The local license server's HTTP API for clients in the customer's network: the root's lease calls with the
 * same paths and shapes (spec 04 §7.1 `/licensing/v1/leases...`), so a protected application is pointed at a
 * local server by changing its base URL alone. `document` is the root's signed pool document: a client checks
 * with the vendor's public key that this server holds seats of its license. `GET /status` says what the
 * server holds, for operators and probes.
 */

const checkoutInput = z
  .object({
    key: z.string().max(64),
    productCode: z.string().max(64),
    machineId: z.string().trim().min(1).max(128),
    userName: z.string().trim().min(1).max(200),
    hostname: z.string().max(255).optional(),
  })
  .strict();
const keyOnlyInput = z.object({ key: z.string().max(64) }).strict();

export interface LocalApiOptions {
  pool: LocalPool;
  identity: PoolIdentity;
  heartbeatSeconds: number;
  now: () => Date;
  /** Called after every change of the pool's leases: the server persists its state. */
  changed: () => Promise<void>;
  /** What the renewal loop last saw of the root, for GET /status. */
  rootStatus: () => { lastContactAt: string | null; lastError: string | null };
}

export function localLicenseApi({ pool, identity, heartbeatSeconds, now, changed, rootStatus }: LocalApiOptions) {
  const app = new Hono();
  app.onError((err, c) => {
    const error = err instanceof z.ZodError ? new AppError('VALIDATION_FAILED', 'the request is invalid', err.issues.map((i) => i.message)) : err;
    if (error instanceof AppError) return c.json({ error: { code: error.code, message: error.message, details: error.details ?? null } }, error.status);
    console.error('license server error', err);
    return c.json({ error: { code: 'INTERNAL', message: 'the license server failed; try again', details: null } }, 500);
  });

  /** The caller's body, with its key checked against the one key this server serves (404 `KEY_NOT_FOUND` else). */
  async function admit<T extends { key: string }>(c: Context, schema: z.ZodType<T>): Promise<T> {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the body is not JSON');
    }
    const input = schema.parse(body);
    if (parseLicenseKey(input.key).code !== identity.key) throw new AppError('KEY_NOT_FOUND', 'this license server serves another key');
    return input;
  }

  const answer = async <T>(result: T): Promise<T> => {
    await changed();
    return result;
  };

  app.post('/licensing/v1/leases', async (c) => {
    const input = await admit(c, checkoutInput);
    if (input.productCode !== identity.productCode) throw new AppError('PRODUCT_NOT_IN_KEY', `this license server serves ${identity.productCode} only`);
    const { created, lease } = pool.checkOut(input, now());
    await answer(null);
    return c.json({ leaseId: lease.id, expiresAt: pool.expiresAt(lease).toISOString(), heartbeatSeconds, document: pool.state.pool }, created ? 201 : 200);
  });

  app.post('/licensing/v1/leases/:id/heartbeat', async (c) => {
    await admit(c, keyOnlyInput);
    const lease = await answer(pool.heartbeat(leaseIdOf(c), now()));
    return c.json({ expiresAt: pool.expiresAt(lease).toISOString(), heartbeatSeconds });
  });

  app.delete('/licensing/v1/leases/:id', async (c) => {
    await admit(c, keyOnlyInput);
    pool.release(leaseIdOf(c));
    await answer(null);
    return c.body(null, 204);
  });

  app.get('/status', (c) => {
    const at = now();
    const grant = pool.state.pool?.document.pool ?? null;
    return c.json({
      phase: pool.phase(at),
      pool: grant && { id: grant.id, seats: grant.seats, validUntil: grant.validUntil, issuedAt: pool.state.pool!.document.issuedAt },
      leases: pool.liveLeases(at).length,
      root: rootStatus(),
    });
  });

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  return app;
}

function leaseIdOf(c: Context): number {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('LEASE_NOT_FOUND', 'no such lease');
  return id;
}
