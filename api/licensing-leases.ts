import { Hono, type Context } from 'hono';
import type { TransactionSql } from 'postgres';
import { z } from 'zod';
import type { Sql } from '../db/client';
import { entitlementRefusal, type ActivationErrorCode, type EntitlementStatus } from '../domain/licensing/activation';
import { signLicense, type SignedLicense } from '../domain/licensing/documents';
import { admitter, entitlementFor, licensingErrorResponse, storable, text, type EntitlementRow, type RateLimiter } from './licensing-common';
import { AppError } from './errors';
import type { ErrorCode } from '../domain/errors';

/**
 * Public floating-licence routes (spec 04 §5.1, §7.1 leases): a protected application takes a seat of a
 * floating entitlement (`POST /leases`), keeps it with heartbeats (`POST /leases/{id}/heartbeat`) and gives it
 * back (`DELETE /leases/{id}`).
 *
 * Rules (§5.1, §7.2 changeSeats, §7.4):
 * - A checkout succeeds while the entitlement's active, unexpired leases are fewer than its seats, otherwise
 *   409 `SEATS_EXHAUSTED`. The same (machine, user) pair that already holds a live lease gets that lease back
 *   (answered 200, like an activation re-issue; a new lease is 201), with its expiry pushed forward.
 * - A lease lives `ttlSeconds` (default 900) after its last heartbeat; clients beat every `heartbeatSeconds`
 *   (default 300). A lapsed lease frees its seat and its heartbeat answers 410 `LEASE_EXPIRED`.
 * - Seat reduction: the leases are ranked oldest first; one whose rank is above the current seat count (seats
 *   were reduced while it was held) is revoked at its next heartbeat and answered 409 `SEATS_REDUCED`, newest
 *   first, while the older ones continue.
 * - Floating entitlements ignore activation policies and maxActivations (§5.1). A fixed product cannot be
 *   leased: 409 `LICENSE_NOT_FLOATING` (Choice: a new code, since §7.4 has none for a wrong licence model).
 * - Entitlement status refusals are those of activation (§4.1, e.g. 403 `ENTITLEMENT_SUSPENDED`); a heartbeat
 *   of a refused entitlement also revokes its lease.
 *
 * All time arithmetic uses the injected `now()`, never the database clock, so the lease timestamps are the
 * application's and tests can move time. Each call is one transaction that locks the entitlement row, so
 * concurrent checkouts and heartbeats of one entitlement are serialized and never exceed its seats.
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

interface LeaseRow {
  id: number;
  entitlement_id: number;
  machine_id: string;
  user_name: string;
  status: 'active' | 'released' | 'expired' | 'revoked';
  started_at: string;
  expires_at: string;
}

/** A refusal decided inside a transaction whose writes (lease revoked or expired) must still be committed. */
type Refusal = { code: ErrorCode; message: string; details?: unknown };

const MAX_ID = 2_147_483_647;

function leaseIdOf(c: Context): number {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0 || id > MAX_ID) throw new AppError('LEASE_NOT_FOUND', 'no such lease');
  return id;
}

/** The §4.1 refusal of an entitlement at `now`, or null when leases may be held. */
function statusRefusal(ent: Pick<EntitlementRow, 'status' | 'expires_at'>, now: Date): Refusal | null {
  const code: ActivationErrorCode | null = entitlementRefusal({ status: ent.status, expiresAt: ent.expires_at ? new Date(ent.expires_at) : null }, now);
  if (!code) return null;
  return { code, message: `the licence is ${ent.status === 'active' ? 'expired' : ent.status}` };
}

function fail(r: Refusal): never {
  throw new AppError(r.code, r.message, r.details);
}

export function licensingLeasesPublic({
  sql,
  now,
  limiter,
  heartbeatSeconds = 300,
  ttlSeconds = 900,
}: {
  sql: Sql;
  now: () => Date;
  limiter: RateLimiter;
  /** How often clients are told to beat (spec 04 §5.1 default 300 s). */
  heartbeatSeconds?: number;
  /** How long a lease lives after its last heartbeat (spec 04 §5.1 default 900 s). */
  ttlSeconds?: number;
}) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  const admit = admitter(limiter);
  const leaseEnd = (at: Date) => new Date(at.getTime() + ttlSeconds * 1000);

  /** Marks the entitlement's lapsed leases `expired` (their seats are free from `expires_at` on). */
  async function expireLapsed(tx: TransactionSql, entitlementId: number, at: Date) {
    await tx`update leases set status = 'expired' where entitlement_id = ${entitlementId} and status = 'active' and expires_at <= ${at.toISOString()}`;
  }

  /** The live leases of an entitlement, oldest first: the order in which seats are kept after a reduction. */
  async function liveLeases(tx: TransactionSql, entitlementId: number, at: Date): Promise<LeaseRow[]> {
    return tx<LeaseRow[]>`
      select id, entitlement_id, machine_id, user_name, status, started_at, expires_at from leases
      where entitlement_id = ${entitlementId} and status = 'active' and expires_at > ${at.toISOString()}
      order by started_at, id`;
  }

  /** The signed licence a lease holder runs under: floating, not bound to a machine (§6.8 `machineId: null`). */
  function leaseDocument(ent: EntitlementRow, userName: string, at: Date): SignedLicense {
    return signLicense(
      {
        vendor: ent.vendor_prefix,
        key: ent.key_code,
        product: ent.product_code,
        licensee: { user: userName, organization: ent.organization },
        model: 'floating',
        seats: ent.seats,
        machineId: null,
        issuedAt: at.toISOString(),
        // Choice: the licence's own end, as in activation documents; holding the seat is what heartbeats are for.
        expiresAt: ent.expires_at ? new Date(ent.expires_at).toISOString() : null,
        maxDayPeriod: null,
        maxExec: null,
        initExec: null,
        maxMajor: null,
        features: ent.master_license?.features ?? {},
        supportUntil: null,
      },
      ent.private_key,
    );
  }

  /** Checkout (§5.1): take a seat of a floating entitlement, or get the lease this machine and user already hold. */
  app.post('/leases', async (c) => {
    const input = await admit(c, checkoutInput);
    const at = now();
    type Checkout = { exhausted: { seats: number; active: number } } | { created: boolean; leaseId: number; expiresAt: Date; ent: EntitlementRow };
    const outcome = await sql.begin(async (tx): Promise<Checkout> => {
      const ent = await entitlementFor(tx, input.code, input.productCode, true);
      if (ent.license_model !== 'floating') {
        fail({ code: 'LICENSE_NOT_FLOATING', message: `${ent.product_code} is a fixed licence: activate it on a machine instead of leasing a seat` });
      }
      const refused = statusRefusal(ent, at);
      if (refused) fail(refused);
      await expireLapsed(tx, ent.id, at);
      const live = await liveLeases(tx, ent.id, at);
      const expiresAt = leaseEnd(at);
      const mine = live.findIndex((l) => l.machine_id === input.machineId && l.user_name === input.userName);
      if (mine >= 0 && mine < ent.seats) {
        const lease = live[mine]!;
        await tx`update leases set last_heartbeat_at = ${at.toISOString()}, expires_at = ${expiresAt.toISOString()}, hostname = coalesce(${input.hostname ?? null}, hostname) where id = ${lease.id}`;
        return { created: false, leaseId: lease.id, expiresAt, ent };
      }
      let held = live.length;
      if (mine >= 0) {
        // Its seat was taken away by a reduction: revoked now, as its next heartbeat would have done.
        await tx`update leases set status = 'revoked' where id = ${live[mine]!.id}`;
        held -= 1;
      }
      if (held >= ent.seats) return { exhausted: { seats: ent.seats, active: held } };
      const [lease] = await tx<Array<{ id: number }>>`
        insert into leases (entitlement_id, machine_id, user_name, hostname, status, started_at, last_heartbeat_at, expires_at)
        values (${ent.id}, ${input.machineId}, ${input.userName}, ${input.hostname ?? null}, 'active', ${at.toISOString()}, ${at.toISOString()}, ${expiresAt.toISOString()})
        returning id`;
      return { created: true, leaseId: lease!.id, expiresAt, ent };
    });
    if ('exhausted' in outcome) {
      throw new AppError('SEATS_EXHAUSTED', `all ${outcome.exhausted.seats} seats are in use`, outcome.exhausted);
    }
    const document = leaseDocument(outcome.ent, input.userName, at);
    return c.json({ leaseId: outcome.leaseId, expiresAt: outcome.expiresAt.toISOString(), heartbeatSeconds, document }, outcome.created ? 201 : 200);
  });

  /** Heartbeat (§5.1, §7.2): keeps the seat for another TTL, unless the lease lapsed, was revoked or lost its seat. */
  app.post('/leases/:id/heartbeat', async (c) => {
    const input = await admit(c, keyOnlyInput);
    const id = leaseIdOf(c);
    const at = now();
    const outcome = await sql.begin(async (tx): Promise<{ refused: Refusal } | { expiresAt: Date }> => {
      const [key] = await tx<Array<{ id: number }>>`select id from license_keys where code = ${input.code} and status = 'active'`;
      if (!key) throw new AppError('KEY_NOT_FOUND', 'no such licence key');
      const [lease] = await tx<Array<LeaseRow & { ent_status: EntitlementStatus; seats: number; ent_expires_at: string | null }>>`
        select l.id, l.entitlement_id, l.machine_id, l.user_name, l.status, l.started_at, l.expires_at,
               e.status as ent_status, e.seats, e.expires_at as ent_expires_at
        from leases l join entitlements e on e.id = l.entitlement_id
        where l.id = ${id} and e.key_id = ${key.id}
        for update of e`;
      if (!lease) throw new AppError('LEASE_NOT_FOUND', 'no such lease for this key');
      const refused = statusRefusal({ status: lease.ent_status, expires_at: lease.ent_expires_at }, at);
      if (refused) {
        if (lease.status === 'active') await tx`update leases set status = 'revoked' where id = ${id}`;
        return { refused };
      }
      if (lease.status !== 'active') {
        return { refused: { code: 'LEASE_EXPIRED', message: `the lease is ${lease.status}; check out a new one`, details: { status: lease.status } } };
      }
      if (new Date(lease.expires_at).getTime() <= at.getTime()) {
        await tx`update leases set status = 'expired' where id = ${id}`;
        return { refused: { code: 'LEASE_EXPIRED', message: 'the lease lapsed without heartbeats; check out a new one', details: { status: 'expired', expiredAt: new Date(lease.expires_at).toISOString() } } };
      }
      const live = await liveLeases(tx, lease.entitlement_id, at);
      const rank = live.findIndex((l) => l.id === id) + 1;
      if (rank > lease.seats) {
        await tx`update leases set status = 'revoked' where id = ${id}`;
        return { refused: { code: 'SEATS_REDUCED', message: `the licence now has ${lease.seats} seats and this is one of the newest leases above them`, details: { seats: lease.seats, rank } } };
      }
      const expiresAt = leaseEnd(at);
      await tx`update leases set last_heartbeat_at = ${at.toISOString()}, expires_at = ${expiresAt.toISOString()} where id = ${id}`;
      return { expiresAt };
    });
    if ('refused' in outcome) fail(outcome.refused);
    return c.json({ expiresAt: outcome.expiresAt.toISOString(), heartbeatSeconds });
  });

  /** Release (§7.1 DELETE /v1/leases/{id}, body { key }): the seat is free at once; releasing twice is harmless. */
  app.delete('/leases/:id', async (c) => {
    const input = await admit(c, keyOnlyInput);
    const id = leaseIdOf(c);
    const [key] = await sql<Array<{ id: number }>>`select id from license_keys where code = ${input.code} and status = 'active'`;
    if (!key) throw new AppError('KEY_NOT_FOUND', 'no such licence key');
    const [lease] = await sql<Array<{ id: number }>>`
      select l.id from leases l join entitlements e on e.id = l.entitlement_id where l.id = ${id} and e.key_id = ${key.id}`;
    if (!lease) throw new AppError('LEASE_NOT_FOUND', 'no such lease for this key');
    await sql`update leases set status = 'released' where id = ${id} and status = 'active'`;
    return c.body(null, 204);
  });

  return app;
}
