import { Hono } from 'hono';
import type postgres from 'postgres';
import { z } from 'zod';
import type { Sql } from '../db/client';
import {
  checkCodes,
  checkCouponUse,
  CouponError,
  entitlementIdsOf,
  planCouponEffect,
  planReversal,
  type CheckedCodes,
  type CouponChannel,
  type CouponState,
  type CouponToApply,
  type EntitlementSnapshot,
  type KeyState,
  type PeriodItem,
  type TrialItem,
} from '../domain/licensing/coupons';
import { revokeLicenceUse } from '../operations/plugins/adapters/licensing';
import { parseLicenseKey } from '../domain/licensing/codes';
import { countSource, licensingErrorResponse, readJson, sourceOf, text, type RateLimiter } from './licensing-common';
import { AppError } from './errors';

/**
 * Coupons of the licensing plugin (spec 04 §3): the public route protected applications and the customer
 * portal call (§7.1 `POST /v1/coupons/apply`), and the transactions shared with the staff routes
 * (api/routes/licensing-coupons.ts): applying a coupon and reversing an activation. The decisions are in
 * domain/licensing/coupons.ts; this file reads and locks the rows, and writes what a decision says.
 */

type Tx = postgres.TransactionSql;

/** What a successful application answers: the activation and the key's entitlements afterwards. */
export interface AppliedCoupon {
  couponActivationId: number;
  entitlements: KeyEntitlement[];
}

export interface KeyEntitlement {
  id: number;
  product: string;
  kind: 'trial' | 'paid';
  status: string;
  seats: number;
  expiresAt: string | null;
  supersededBy: number | null;
}

/** A timestamp as the driver returns it (the platform's connection keeps timestamps as strings). */
type Timestamp = Date | string;

const iso = (v: Timestamp | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The key's entitlements (not deleted), as every coupon answer shows them. */
export async function keyEntitlements(tx: Tx | Sql, keyId: number): Promise<KeyEntitlement[]> {
  const rows = await tx<Array<Omit<KeyEntitlement, 'expiresAt'> & { expiresAt: Timestamp | null }>>`
    select e.id, p.code as product, e.kind, e.status, e.seats, e.expires_at as "expiresAt", e.superseded_by as "supersededBy"
    from entitlements e join licensing_products p on p.id = e.product_id
    where e.key_id = ${keyId} and e.status <> 'deleted' order by e.id`;
  return rows.map((r) => ({ ...r, expiresAt: iso(r.expiresAt) }));
}

/** Snapshots of the key's entitlements (§1.2 CouponActivation before/after), optionally only some, locked. */
async function snapshots(tx: Tx, keyId: number, ids?: number[]): Promise<EntitlementSnapshot[]> {
  const rows = await tx<Array<Omit<EntitlementSnapshot, 'startsAt' | 'expiresAt'> & { startsAt: Timestamp; expiresAt: Timestamp | null }>>`
    select e.id, e.product_id as "productId", p.code as "productCode", e.status, e.kind, e.seats, e.starts_at as "startsAt",
           e.expires_at as "expiresAt", e.superseded_by as "supersededBy"
    from entitlements e join licensing_products p on p.id = e.product_id
    where e.key_id = ${keyId} ${ids ? tx`and e.id = any(${ids}::int[])` : tx``}
    order by e.id for update of e`;
  return rows.map((r) => ({ ...r, startsAt: iso(r.startsAt)!, expiresAt: iso(r.expiresAt) }));
}

/**
 * Revokes the active machine bindings and leases of entitlements (a composition change supersedes them, a
 * reversal removes or shortens them, §3.2, §3.5); each revoked binding gets a `Revoked` log row (§6.7).
 */
async function revokeBindings(tx: Tx, entitlementIds: number[]): Promise<void> {
  for (const b of await revokeLicenceUse(tx, entitlementIds)) {
    await tx`insert into activation_logs (entitlement_id, account_id, binding_id, action) values (${b.entitlement_id}, ${b.account_id}, ${b.id}, 'Revoked')`;
  }
}

interface CouponRow {
  id: number;
  vendor_id: number;
  type: CouponState['type'];
  status: CouponState['status'];
  reusable: boolean;
  target_key_id: number | null;
  distributor_id: number | null;
  items: PeriodItem[] | TrialItem[];
}

/** The coupon's items with their products (of the coupon's vendor) resolved. */
async function resolveItems(tx: Tx, coupon: CouponRow): Promise<CouponToApply> {
  const codes = coupon.items.map((i) => i.productCode);
  const products = await tx<Array<{ id: number; code: string }>>`select id, code from licensing_products where vendor_id = ${coupon.vendor_id} and code = any(${codes}::text[])`;
  const idOf = (code: string) => {
    const product = products.find((p) => p.code === code);
    if (!product) throw new CouponError('COUPON_NOT_APPLICABLE', `the product ${code} of this coupon no longer exists`, { product: code });
    return product.id;
  };
  if (coupon.type === 'extend_trial') return { type: 'extend_trial', items: (coupon.items as TrialItem[]).map((i) => ({ ...i, productId: idOf(i.productCode) })) };
  return { type: coupon.type, items: (coupon.items as PeriodItem[]).map((i) => ({ ...i, productId: idOf(i.productCode) })) };
}

/**
 * Applies a coupon with a key inside the caller's transaction (§3.2, §3.3 steps 4-8; steps 1-3 are `codes`,
 * checked offline before). The key row and then the coupon row are locked (`SELECT … FOR UPDATE`, always in
 * this order), so two concurrent uses of a single-use coupon serialize on the coupon row and the second one
 * sees it `used`; the key's entitlements are locked too. A refusal throws a CouponError and the caller's
 * transaction rolls back: nothing is written, the coupon stays as it was.
 */
export async function applyCouponInTransaction(
  tx: Tx,
  codes: CheckedCodes,
  how: { channel: CouponChannel; actor: string | null; now: Date },
): Promise<AppliedCoupon> {
  const [key] = await tx<Array<KeyState>>`select id, status from license_keys where code = ${codes.keyCode} for update`;
  const [coupon] = await tx<CouponRow[]>`
    select id, vendor_id, type, status, reusable, target_key_id, distributor_id, items from coupons where code = ${codes.couponCode} for update`;
  const [used] = key && coupon ? await tx`select 1 from coupon_activations where coupon_id = ${coupon.id} and key_id = ${key.id} and status = 'applied'` : [];
  checkCouponUse(key, coupon && { id: coupon.id, type: coupon.type, status: coupon.status, reusable: coupon.reusable, targetKeyId: coupon.target_key_id }, used !== undefined);
  const keyId = key!.id;
  const theCoupon = coupon!;

  const before = await snapshots(tx, keyId);
  const plan = planCouponEffect(await resolveItems(tx, theCoupon), before, how.now);

  const [sequence] = await tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('coupon_activations', 'id'))::int as id`;
  const activationId = sequence!.id;
  // Which entitlement holds each product once the plan is written (for `superseded_by`).
  const holder = new Map<number, number>();
  for (const create of plan.creates) {
    const [row] = await tx<Array<{ id: number }>>`
      insert into entitlements (key_id, product_id, seats, status, source, kind, partner_id, starts_at, expires_at, created_by)
      values (${keyId}, ${create.productId}, ${create.seats}, 'active', 'coupon', 'paid', ${theCoupon.distributor_id}, ${create.startsAt}, ${create.expiresAt},
              ${`coupon-activation/${activationId}/${create.productId}`})
      returning id`;
    holder.set(create.productId, row!.id);
  }
  for (const update of plan.updates) if (update.status === 'active') holder.set(update.productId, update.entitlementId);
  for (const update of plan.updates) {
    const supersededBy = update.supersededByProductId === null ? null : (holder.get(update.supersededByProductId) ?? null);
    await tx`
      update entitlements set status = ${update.status}, kind = ${update.kind}, seats = ${update.seats}, expires_at = ${update.expiresAt},
             superseded_by = ${supersededBy}, updated_at = now()
      where id = ${update.entitlementId}`;
  }
  await revokeBindings(tx, plan.updates.filter((u) => u.revokeBindings).map((u) => u.entitlementId));

  const touched = [...plan.updates.map((u) => u.entitlementId), ...holder.values()];
  const after = await snapshots(tx, keyId, [...new Set(touched)]);
  await tx`
    insert into coupon_activations (id, coupon_id, key_id, channel, actor, before, after, status, activated_at)
    values (${activationId}, ${theCoupon.id}, ${keyId}, ${how.channel}, ${how.actor},
            ${JSON.stringify(before.filter((e) => touched.includes(e.id)))}::jsonb, ${JSON.stringify(after)}::jsonb, 'applied', ${how.now.toISOString()})`;
  // A reusable coupon stays unused (§3.2 reuse rules); its once-per-key rule is the activation row itself.
  if (!theCoupon.reusable) await tx`update coupons set status = 'used', updated_at = now() where id = ${theCoupon.id}`;
  return { couponActivationId: activationId, entitlements: await keyEntitlements(tx, keyId) };
}

/** Checks the codes offline (§3.3 steps 1-3), then applies the coupon in one transaction. */
export async function applyCoupon(sql: Sql, input: { key: string; coupon: string; channel: CouponChannel; actor: string | null; now: Date }): Promise<AppliedCoupon> {
  const codes = checkCodes(input.coupon, input.key);
  return sql.begin((tx) => applyCouponInTransaction(tx, codes, input));
}

export interface ReversedActivation {
  couponActivationId: number;
  status: 'reversed';
  coupon: { id: number; status: string };
  entitlements: KeyEntitlement[];
}

/**
 * Reverses a coupon activation (§3.5) in one transaction: the key, the coupon and the activation are locked
 * (in the order an application locks them), every touched entitlement goes back to its `before` snapshot,
 * the ones it created become `deleted`, bindings and leases on removed, deactivated or shortened entitlements
 * are revoked, a single-use coupon returns to `unused` (a reusable one is free for this key again because the
 * activation is no longer `applied`), and the activation becomes `reversed` with who, when and why.
 * Null when there is no such activation; CouponError COUPON_REVERSAL_CONFLICT when a later change is in the way.
 */
export async function reverseCouponActivation(sql: Sql, input: { activationId: number; staffId: number | null; reason: string; now: Date }): Promise<ReversedActivation | null | 'already_reversed'> {
  return sql.begin(async (tx) => {
    const [found] = await tx<Array<{ key_id: number; coupon_id: number }>>`select key_id, coupon_id from coupon_activations where id = ${input.activationId}`;
    if (!found) return null;
    await tx`select id from license_keys where id = ${found.key_id} for update`;
    const [coupon] = await tx<Array<{ id: number; reusable: boolean; status: string }>>`select id, reusable, status from coupons where id = ${found.coupon_id} for update`;
    const [activation] = await tx<Array<{ status: string; before: EntitlementSnapshot[]; after: EntitlementSnapshot[] }>>`
      select status, before, after from coupon_activations where id = ${input.activationId} for update`;
    if (activation!.status !== 'applied') return 'already_reversed';

    const later = await tx<Array<{ id: number; before: EntitlementSnapshot[]; after: EntitlementSnapshot[] }>>`
      select id, before, after from coupon_activations where key_id = ${found.key_id} and status = 'applied' and id > ${input.activationId} order by id`;
    const current = await snapshots(tx, found.key_id, activation!.after.map((e) => e.id));
    const plan = planReversal({
      before: activation!.before,
      after: activation!.after,
      current,
      laterActivations: later.map((a) => ({ id: a.id, entitlementIds: entitlementIdsOf(a) })),
    });

    for (const e of plan.restore) {
      await tx`
        update entitlements set status = ${e.status}, kind = ${e.kind}, seats = ${e.seats}, starts_at = ${e.startsAt}, expires_at = ${e.expiresAt},
               superseded_by = ${e.supersededBy}, updated_at = now()
        where id = ${e.id}`;
    }
    if (plan.remove.length) await tx`update entitlements set status = 'deleted', updated_at = now() where id = any(${plan.remove}::int[])`;
    await revokeBindings(tx, plan.revokeBindingsOf);
    let couponStatus = coupon!.status;
    if (!coupon!.reusable && coupon!.status === 'used') {
      await tx`update coupons set status = 'unused', updated_at = now() where id = ${coupon!.id}`;
      couponStatus = 'unused';
    }
    await tx`
      update coupon_activations set status = 'reversed', reversed_at = ${input.now.toISOString()}, reversed_by = ${input.staffId}, reversal_reason = ${input.reason}
      where id = ${input.activationId}`;
    return { couponActivationId: input.activationId, status: 'reversed' as const, coupon: { id: coupon!.id, status: couponStatus }, entitlements: await keyEntitlements(tx, found.key_id) };
  });
}

/**
 * Failed coupon attempts per key (§3.3: more than 10 within an hour answer RATE_LIMITED). Kept in memory
 * per API process, a sliding window of attempt times per canonical key code. An attempt is counted when it
 * starts (`take`), in the same synchronous step that checks the limit, and handed back when it succeeds, so
 * forty attempts sent at once are judged ten at most; once a key has 10 failures in the last hour, every further
 * attempt with it is refused with 429 until the oldest is an hour old. A success does not clear earlier
 * failures (so guesses cannot be interleaved with a known coupon). Several API processes would each keep their
 * own count; a shared limit would need a table.
 */
export class FailedCouponAttempts {
  private readonly attempts = new Map<string, number[]>();
  constructor(
    private readonly clock: () => number,
    private readonly limit = 10,
    private readonly windowMs = 3_600_000,
  ) {}

  /** Counts an attempt with the key, as a failure until it is handed back; null when the key has none left. */
  take(keyCode: string): number | null {
    const times = this.recent(keyCode);
    if (times.length >= this.limit) return null;
    const at = this.clock();
    times.push(at);
    this.attempts.set(keyCode, times);
    if (this.attempts.size > 100_000) for (const key of [...this.attempts.keys()]) if (this.recent(key).length === 0) this.attempts.delete(key);
    return at;
  }

  /** The attempt taken at `at` did not fail (it succeeded, or the service failed): it no longer counts. */
  giveBack(keyCode: string, at: number): void {
    const times = this.attempts.get(keyCode) ?? [];
    const i = times.lastIndexOf(at);
    if (i >= 0) times.splice(i, 1);
  }

  private recent(keyCode: string): number[] {
    const since = this.clock() - this.windowMs;
    return (this.attempts.get(keyCode) ?? []).filter((t) => t > since);
  }
}

const applyInput = z
  .object({ key: text(64), coupon: text(64), channel: z.enum(['in_app', 'customer_portal']) })
  .strict();

/** The canonical key code, or null when the key is not well formed (then failures cannot be counted per key). */
function keyCodeOrNull(input: string): string | null {
  try {
    return parseLicenseKey(input).code;
  } catch {
    return null;
  }
}

/** Public coupon routes of the licensing API (spec 04 §3, §7.1 POST /v1/coupons/apply). */
export function licensingCouponsPublic({ sql, now, limiter }: { sql: Sql; now: () => Date; limiter: RateLimiter }) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  const failed = new FailedCouponAttempts(() => now().getTime());

  /**
   * An end user applies a coupon with the key (channels in_app and customer_portal, §3.4): 200 with the
   * activation and the key's entitlements, or a §7.4 refusal in the §3.3 order. Counted per source address
   * and per key like every call; failed attempts are also counted per key (§3.3 rate limit).
   */
  app.post('/coupons/apply', async (c) => {
    countSource(limiter);
    const input = applyInput.parse(await readJson(c));
    if (!limiter.take(`key:${input.key.toUpperCase()}`)) throw new AppError('RATE_LIMITED', 'too many requests for this key; wait a minute');
    const keyCode = keyCodeOrNull(input.key);
    const attempt = keyCode === null ? null : failed.take(keyCode);
    if (keyCode !== null && attempt === null) {
      throw new AppError('RATE_LIMITED', 'too many failed coupon attempts with this key; try again within the hour');
    }
    const notFailed = () => {
      if (keyCode !== null && attempt !== null) failed.giveBack(keyCode, attempt);
    };
    try {
      const applied = await applyCoupon(sql, { key: input.key, coupon: input.coupon, channel: input.channel, actor: `end_user@${sourceOf()}`, now: now() });
      notFailed();
      return c.json(applied, 200);
    } catch (err) {
      // Only a refused coupon counts as a failed attempt (§3.3); anything else gives the attempt back.
      if (!(err instanceof CouponError)) notFailed();
      throw err;
    }
  });

  return app;
}
