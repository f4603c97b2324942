import { errorStatus } from '../errors';
import { describe, expect, it } from 'vitest';
import { formatCoupon, formatLicenseKey } from './codes';
import { generateCoupon, generateLicenseKey } from '../../operations/licensing/keys/new-codes';
import {
  checkCodes,
  checkCouponUse,
  CouponError,
  couponParamsProblems,
  currentEntitlement,
  planCouponEffect,
  planReversal,
  storedItems,
  type CouponErrorCode,
  type CouponParams,
  type CouponState,
  type EntitlementSnapshot,
  type KeyState,
} from './coupons';

const DAY = 86_400_000;
const now = new Date('2025-03-01T12:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * DAY).toISOString();

/** The code of the CouponError `run` throws (fails the test when it throws nothing or something else). */
function refusal(run: () => unknown): CouponErrorCode {
  try {
    run();
  } catch (err) {
    if (err instanceof CouponError) return err.code;
    throw err;
  }
  throw new Error('expected a CouponError');
}

let nextId = 100;
function ent(over: Partial<EntitlementSnapshot> & Pick<EntitlementSnapshot, 'productId'>): EntitlementSnapshot {
  nextId += 1;
  return { id: nextId, productCode: `p${over.productId}`, status: 'active', kind: 'paid', seats: 1, startsAt: inDays(-100), expiresAt: inDays(10), supersededBy: null, ...over };
}
const P = { productId: 1, productCode: 'p1' };
const Q = { productId: 2, productCode: 'p2' };

describe('§3.3 steps 1-3: offline checks, in order', () => {
  const key = formatLicenseKey(generateLicenseKey('MIKO'));
  const coupon = formatCoupon(generateCoupon('MIKO', 'add_product'));

  it('accepts a key and coupon of the same vendor in any typed form, canonical out', () => {
    const checked = checkCodes(coupon.toLowerCase().replace(/-/g, ' '), key.toLowerCase());
    expect(checked).toEqual({ couponCode: coupon.replace(/-/g, ''), couponType: 'add_product', keyCode: key.replace(/-/g, ''), prefix: 'MIKO' });
  });

  it('step 1 before step 2: a bad coupon and a bad key answer COUPON_INVALID_FORMAT', () => {
    expect(refusal(() => checkCodes('MIKOUPD-A4F7R-Z2KD9-M3P48', 'MIKO-7K3QX-M2H9D-RT4WB-8NFB8'))).toBe('COUPON_INVALID_FORMAT');
  });

  it('step 2: a good coupon with a mistyped key answers INVALID_KEY_FORMAT with the precise reason', () => {
    try {
      checkCodes('MIKOUPD-A4F7R-Z2KD9-M3P47', 'MIKO-7K3QX-M2H9D-RT4WB-8NFB8');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CouponError);
      expect([(err as CouponError).code, (err as CouponError).details]).toEqual(['INVALID_KEY_FORMAT', { reason: 'code_checksum' }]);
    }
  });

  it('step 1: a key given as the coupon is COUPON_INVALID_FORMAT', () => {
    expect(refusal(() => checkCodes(key, key))).toBe('COUPON_INVALID_FORMAT');
  });

  it('step 3: well-formed codes of two vendors answer COUPON_VENDOR_MISMATCH (422)', () => {
    expect(refusal(() => checkCodes(formatCoupon(generateCoupon('ABCD', 'add_product')), key))).toBe('COUPON_VENDOR_MISMATCH');
    expect(errorStatus.COUPON_VENDOR_MISMATCH).toBe(422);
  });
});

describe('§3.3 steps 4-7: key and coupon state, in order', () => {
  const key: KeyState = { id: 1, status: 'active' };
  const single: CouponState = { id: 9, type: 'add_product', status: 'unused', reusable: false, targetKeyId: null };

  it('step 4 first: an unknown or deleted key is KEY_NOT_FOUND even when the coupon is unknown too', () => {
    expect(refusal(() => checkCouponUse(null, null, false))).toBe('KEY_NOT_FOUND');
    expect(refusal(() => checkCouponUse({ id: 1, status: 'deleted' }, single, false))).toBe('KEY_NOT_FOUND');
  });

  it('step 5: unknown coupon, then void', () => {
    expect(refusal(() => checkCouponUse(key, null, false))).toBe('COUPON_NOT_FOUND');
    expect(refusal(() => checkCouponUse(key, { ...single, status: 'void' }, false))).toBe('COUPON_VOID');
  });

  it('step 6: a used single-use coupon; a reusable one used by this key', () => {
    expect(refusal(() => checkCouponUse(key, { ...single, status: 'used' }, false))).toBe('COUPON_ALREADY_USED');
    const reusable: CouponState = { ...single, type: 'extend_trial', reusable: true };
    expect(refusal(() => checkCouponUse(key, reusable, true))).toBe('COUPON_ALREADY_USED_BY_KEY');
    expect(checkCouponUse(key, reusable, false).coupon).toBe(reusable);
  });

  it('step 7: a composition coupon for another key is COUPON_KEY_MISMATCH, after the use checks', () => {
    const composition: CouponState = { ...single, type: 'change_composition', targetKeyId: 2 };
    expect(refusal(() => checkCouponUse(key, composition, false))).toBe('COUPON_KEY_MISMATCH');
    expect(refusal(() => checkCouponUse(key, { ...composition, status: 'used' }, false))).toBe('COUPON_ALREADY_USED');
    expect(checkCouponUse({ id: 2, status: 'active' }, composition, false).key.id).toBe(2);
  });

  it('the §7.4 statuses', () => {
    expect(errorStatus).toMatchObject({ KEY_NOT_FOUND: 404, COUPON_NOT_FOUND: 404, COUPON_VOID: 409, COUPON_ALREADY_USED: 409, COUPON_ALREADY_USED_BY_KEY: 409, COUPON_KEY_MISMATCH: 409, COUPON_NOT_APPLICABLE: 422, COUPON_REVERSAL_CONFLICT: 409, COUPON_INVALID_FORMAT: 400, INVALID_KEY_FORMAT: 400 });
  });
});

describe('§3.1 generation parameters', () => {
  const base: CouponParams = { type: 'add_product', items: [{ productCode: 'p1', periodDays: 365 }] };
  const paths = (p: CouponParams) => couponParamsProblems(p).map((x) => x.path.join('.'));

  it('a plain add_product batch is fine; items are stored with seats 1 by default', () => {
    expect(paths({ ...base, count: 1000 })).toEqual([]);
    expect(storedItems({ ...base, items: [{ productCode: 'p1', periodDays: null }] })).toEqual([{ productCode: 'p1', periodDays: null, seats: 1 }]);
  });

  it('count, reusable, targetKey and activateImmediately belong to their own types', () => {
    expect(paths({ type: 'extend_trial', count: 5, items: [{ productCode: 'p1', remainingDays: 14 }] })).toEqual(['count']);
    expect(paths({ ...base, reusable: true })).toEqual(['reusable']);
    expect(paths({ ...base, targetKey: 'MIKO-…' })).toEqual(['targetKey']);
    expect(paths({ ...base, activateImmediately: true })).toEqual(['activateImmediately']);
    expect(paths({ type: 'change_composition', items: [{ productCode: 'p1', periodDays: 365 }] })).toEqual(['targetKey']);
    expect(paths({ type: 'change_composition', targetKey: 'K', activateImmediately: true, items: [{ productCode: 'p1', periodDays: 365 }] })).toEqual([]);
  });

  it('item shapes: periods for add/composition, one remainingDays item for extend_trial, no product twice', () => {
    expect(paths({ ...base, items: [{ productCode: 'p1' }] })).toEqual(['items.0.periodDays']);
    expect(paths({ ...base, items: [{ productCode: 'p1', periodDays: 30, remainingDays: 3 }] })).toEqual(['items.0.remainingDays']);
    expect(paths({ type: 'extend_trial', items: [{ productCode: 'p1', periodDays: 30, seats: 2 }] })).toEqual(['items.0.remainingDays', 'items.0.periodDays', 'items.0.seats']);
    expect(paths({ type: 'extend_trial', items: [{ productCode: 'p1', remainingDays: 3 }, { productCode: 'p2', remainingDays: 3 }] })).toEqual(['items']);
    expect(paths({ ...base, items: [{ productCode: 'p1', periodDays: 30 }, { productCode: 'p1', periodDays: 60 }] })).toEqual(['items.1.productCode']);
  });
});

describe('§3.2 add_product', () => {
  const coupon = (periodDays: number | null, seats = 1) => ({ type: 'add_product' as const, items: [{ ...P, periodDays, seats }] });

  it('no entitlement (or only deleted ones) → a new paid one from now', () => {
    const plan = planCouponEffect(coupon(365, 2), [ent({ ...Q }), ent({ ...P, status: 'deleted' })], now);
    expect(plan).toEqual({ creates: [{ ...P, seats: 2, startsAt: now.toISOString(), expiresAt: inDays(365) }], updates: [] });
    expect(planCouponEffect(coupon(null), [], now).creates[0]!.expiresAt).toBeNull();
  });

  it('§8 #5: an active paid license expiring in 10 days + 30 days → now + 40 days', () => {
    const e = ent({ ...P, expiresAt: inDays(10) });
    expect(planCouponEffect(coupon(30), [e], now).updates).toEqual([{ entitlementId: e.id, productId: 1, status: 'active', kind: 'paid', seats: 1, expiresAt: inDays(40), supersededByProductId: null, revokeBindings: false }]);
  });

  it('a trial becomes paid with expiresAt = now + period, however long the trial had left', () => {
    const e = ent({ ...P, kind: 'trial', expiresAt: inDays(20) });
    expect(planCouponEffect(coupon(7), [e], now).updates[0]).toMatchObject({ kind: 'paid', status: 'active', expiresAt: inDays(7) });
  });

  it('an expired or superseded paid license comes back from now; seats never go down', () => {
    const expired = ent({ ...P, status: 'expired', expiresAt: inDays(-5), seats: 3 });
    expect(planCouponEffect(coupon(30, 2), [expired], now).updates[0]).toMatchObject({ status: 'active', expiresAt: inDays(30), seats: 3 });
    const superseded = ent({ ...P, status: 'superseded', expiresAt: inDays(50), supersededBy: 7 });
    expect(planCouponEffect(coupon(30, 4), [superseded], now).updates[0]).toMatchObject({ status: 'active', expiresAt: inDays(80), seats: 4, supersededByProductId: null });
  });

  it('the newest non-deleted entitlement of the product is the one extended', () => {
    const older = ent({ ...P, expiresAt: inDays(1) });
    const newer = ent({ ...P, expiresAt: inDays(2) });
    expect(currentEntitlement([newer, older], 1)).toBe(newer);
    expect(planCouponEffect(coupon(1), [older, newer], now).updates.map((u) => u.entitlementId)).toEqual([newer.id]);
  });

  it('refusals: an active perpetual license, a suspended or ordered one (NOT_APPLICABLE), one in progress (OPERATION_IN_PROGRESS)', () => {
    expect(refusal(() => planCouponEffect(coupon(30), [ent({ ...P, expiresAt: null })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(30), [ent({ ...P, status: 'suspended' })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(30), [ent({ ...P, status: 'ordered' })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(30), [ent({ ...P, status: 'in_progress' })], now))).toBe('OPERATION_IN_PROGRESS');
  });

  it('a perpetual item on a term license makes it perpetual', () => {
    expect(planCouponEffect(coupon(null), [ent({ ...P })], now).updates[0]!.expiresAt).toBeNull();
  });
});

describe('§3.2 extend_trial', () => {
  const coupon = (remainingDays: number) => ({ type: 'extend_trial' as const, items: [{ ...P, remainingDays }] });

  it('§8 #6: a trial with 3 days left and N = 14 → expires now + 14 days', () => {
    const trial = ent({ ...P, kind: 'trial', expiresAt: inDays(3) });
    expect(planCouponEffect(coupon(14), [trial], now).updates).toEqual([{ entitlementId: trial.id, productId: 1, status: 'active', kind: 'trial', seats: 1, expiresAt: inDays(14), supersededByProductId: null, revokeBindings: false }]);
  });

  it('an expired trial comes back active', () => {
    const trial = ent({ ...P, kind: 'trial', status: 'expired', expiresAt: inDays(-2) });
    expect(planCouponEffect(coupon(14), [trial], now).updates[0]).toMatchObject({ status: 'active', expiresAt: inDays(14) });
  });

  it('§8 #8: a paid license of the product, or a trial with at least N days left → COUPON_NOT_APPLICABLE', () => {
    expect(refusal(() => planCouponEffect(coupon(14), [ent({ ...P })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(14), [ent({ ...P, kind: 'trial', expiresAt: inDays(20) })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(14), [ent({ ...P, kind: 'trial', expiresAt: inDays(14) })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(planCouponEffect(coupon(14), [ent({ ...P, kind: 'trial', expiresAt: new Date(now.getTime() + 14 * DAY - 1000).toISOString() })], now).updates).toHaveLength(1);
  });

  it('no trial of the product (none, other product, superseded trial, trial plus an older paid row) → COUPON_NOT_APPLICABLE', () => {
    expect(refusal(() => planCouponEffect(coupon(14), [], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(14), [ent({ ...Q, kind: 'trial', expiresAt: inDays(1) })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(14), [ent({ ...P, kind: 'trial', status: 'superseded', expiresAt: inDays(1) })], now))).toBe('COUPON_NOT_APPLICABLE');
    expect(refusal(() => planCouponEffect(coupon(14), [ent({ ...P, kind: 'paid', status: 'expired' }), ent({ ...P, kind: 'trial', expiresAt: inDays(1) })], now))).toBe('COUPON_NOT_APPLICABLE');
  });
});

describe('§3.2 change_composition', () => {
  const coupon = (...items: Array<{ productId: number; productCode: string; periodDays: number | null; seats?: number }>) => ({
    type: 'change_composition' as const,
    items: items.map((i) => ({ seats: 1, ...i })),
  });
  const PRO = { productId: 3, productCode: 'pro' };

  it('§8 #9: {Pro 365 d} on a key holding Base → Pro created, Base superseded by Pro with its bindings revoked', () => {
    const base = ent({ productId: 4, productCode: 'base', expiresAt: inDays(100) });
    const plan = planCouponEffect(coupon({ ...PRO, periodDays: 365 }), [base], now);
    expect(plan.creates).toEqual([{ ...PRO, seats: 1, startsAt: now.toISOString(), expiresAt: inDays(365) }]);
    expect(plan.updates).toEqual([{ entitlementId: base.id, productId: 4, status: 'superseded', kind: 'paid', seats: 1, expiresAt: inDays(100), supersededByProductId: 3, revokeBindings: true }]);
  });

  it('a listed product already held keeps the later end (max of its expiry and now + period) and takes the item seats', () => {
    const p = ent({ ...P, expiresAt: inDays(500), seats: 5 });
    const q = ent({ ...Q, status: 'expired', kind: 'trial', expiresAt: inDays(-1) });
    const plan = planCouponEffect(coupon({ ...P, periodDays: 365, seats: 2 }, { ...Q, periodDays: 30 }), [p, q], now);
    expect(plan.creates).toEqual([]);
    expect(plan.updates).toEqual([
      { entitlementId: p.id, productId: 1, status: 'active', kind: 'paid', seats: 2, expiresAt: inDays(500), supersededByProductId: null, revokeBindings: false },
      { entitlementId: q.id, productId: 2, status: 'active', kind: 'paid', seats: 1, expiresAt: inDays(30), supersededByProductId: null, revokeBindings: false },
    ]);
  });

  it('only active entitlements are superseded; the replacement is the first listed product not already active', () => {
    const kept = ent({ ...P });
    const other = ent({ productId: 5, productCode: 'other' });
    const suspended = ent({ productId: 6, productCode: 'six', status: 'suspended' });
    const plan = planCouponEffect(coupon({ ...P, periodDays: 30 }, { ...PRO, periodDays: 30 }), [kept, other, suspended], now);
    expect(plan.updates.filter((u) => u.status === 'superseded')).toEqual([expect.objectContaining({ entitlementId: other.id, supersededByProductId: PRO.productId })]);
    expect(plan.updates.some((u) => u.entitlementId === suspended.id)).toBe(false);
  });

  it('perpetual on either side stays perpetual; a listed product in progress or suspended is refused', () => {
    expect(planCouponEffect(coupon({ ...P, periodDays: 30 }), [ent({ ...P, expiresAt: null })], now).updates[0]!.expiresAt).toBeNull();
    expect(planCouponEffect(coupon({ ...P, periodDays: null }), [ent({ ...P })], now).updates[0]!.expiresAt).toBeNull();
    expect(refusal(() => planCouponEffect(coupon({ ...P, periodDays: 30 }), [ent({ ...P, status: 'in_progress' })], now))).toBe('OPERATION_IN_PROGRESS');
    expect(refusal(() => planCouponEffect(coupon({ ...P, periodDays: 30 }), [ent({ ...P, status: 'suspended' })], now))).toBe('COUPON_NOT_APPLICABLE');
  });
});

describe('§3.5 reversal', () => {
  it('§8 #11: a created entitlement is removed and its bindings revoked', () => {
    const created = ent({ ...P, expiresAt: inDays(365) });
    expect(planReversal({ before: [], after: [created], current: [created], laterActivations: [] })).toEqual({ restore: [], remove: [created.id], revokeBindingsOf: [created.id] });
  });

  it('an extension is restored; bindings are revoked only when it is shortened or leaves active', () => {
    const before = ent({ ...P, expiresAt: inDays(10) });
    const after = { ...before, expiresAt: inDays(40) };
    expect(planReversal({ before: [before], after: [after], current: [after], laterActivations: [] })).toEqual({ restore: [before], remove: [], revokeBindingsOf: [before.id] });
    const supersededBefore = ent({ ...Q, status: 'active' });
    const supersededAfter = { ...supersededBefore, status: 'superseded' as const, supersededBy: 77 };
    expect(planReversal({ before: [supersededBefore], after: [supersededAfter], current: [supersededAfter], laterActivations: [] }).revokeBindingsOf).toEqual([]);
    const expiredBefore = ent({ ...P, status: 'expired', expiresAt: inDays(-1) });
    const reactivated = { ...expiredBefore, status: 'active' as const, expiresAt: inDays(-1) };
    expect(planReversal({ before: [expiredBefore], after: [reactivated], current: [reactivated], laterActivations: [] }).revokeBindingsOf).toEqual([expiredBefore.id]);
  });

  it('a later activation touching the same entitlement, or any change since, is COUPON_REVERSAL_CONFLICT', () => {
    const e = ent({ ...P, expiresAt: inDays(40) });
    expect(refusal(() => planReversal({ before: [], after: [e], current: [e], laterActivations: [{ id: 8, entitlementIds: [e.id] }] }))).toBe('COUPON_REVERSAL_CONFLICT');
    expect(refusal(() => planReversal({ before: [], after: [e], current: [{ ...e, expiresAt: inDays(70) }], laterActivations: [] }))).toBe('COUPON_REVERSAL_CONFLICT');
    expect(refusal(() => planReversal({ before: [], after: [e], current: [{ ...e, status: 'suspended' }], laterActivations: [] }))).toBe('COUPON_REVERSAL_CONFLICT');
    // Same instant written differently is no change; a later activation of other entitlements is no conflict.
    const sameInstant = { ...e, expiresAt: e.expiresAt!.replace('Z', '+00:00') };
    expect(planReversal({ before: [], after: [e], current: [sameInstant], laterActivations: [{ id: 9, entitlementIds: [e.id + 1000] }] }).remove).toEqual([e.id]);
  });
});
