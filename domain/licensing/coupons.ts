// Coupon decisions of the licensing plugin (spec 04 §3): the generation rules of the three coupon types
// (§3.1), the order of checks when a coupon is applied with a key (§3.3), the effect of an activation on the
// key's entitlements (§3.2) and the reversal of a mistaken activation (§3.5). Refusals carry the §7.4 codes.
//
// Pure: no database, no I/O, no clock reads. The caller reads a snapshot of the key's entitlements (locked),
// passes `now`, and writes what a plan says in the same transaction.
//
// Choices the spec leaves open are marked "Choice:" in the doc comments; the main ones:
// - A key holds at most one "current" entitlement per product: the newest one that is not `deleted` (the same
//   row the public API's `entitlementFor` reads). Deleted entitlements are history and count as absent.
// - add_product on an expired or superseded paid entitlement reactivates it (`expiresAt = max(expiresAt, now)
//   + period`); on an active perpetual one it is refused (nothing to add); seats never go down (max of both).
// - Entitlements that are `ordered` or `suspended` are not changed by any coupon (COUPON_NOT_APPLICABLE); an
//   `in_progress` one answers OPERATION_IN_PROGRESS (§4.1: mutating requests are not queued).
// - change_composition sets each listed entitlement to the item's seats and to `kind = paid`; the replacing
//   product named by `superseded_by` is the first listed product the key did not already hold active (else the
//   first listed product).
// - A reversal is refused when a later applied coupon activation of the key touched one of the same
//   entitlements, or when any of them no longer looks as the activation left it (billing, staff, expiry timer).

import { AppError } from '../errors';
import type { EntitlementStatus } from './activation';
import { LicensingCodeError, parseCoupon, parseLicenseKey, type CouponType } from './codes';

const MS_PER_DAY = 86_400_000;

export type { CouponType };
export const COUPON_TYPES = ['add_product', 'extend_trial', 'change_composition'] as const satisfies readonly CouponType[];
export type CouponStatus = 'unused' | 'used' | 'void';
export type CouponChannel = 'in_app' | 'customer_portal' | 'vendor_portal' | 'billing';

/** Limits of §3.1 (a Proposal in the spec). */
export const COUPON_LIMITS = { count: { min: 1, max: 1000 }, remainingDays: { min: 1, max: 365 }, periodDays: { min: 1, max: 3650 } } as const;

// ---------------------------------------------------------------------------------------------------------
// Errors (§7.4)
// ---------------------------------------------------------------------------------------------------------

export type CouponErrorCode =
  | 'COUPON_INVALID_FORMAT'
  | 'INVALID_KEY_FORMAT'
  | 'COUPON_VENDOR_MISMATCH'
  | 'KEY_NOT_FOUND'
  | 'COUPON_NOT_FOUND'
  | 'COUPON_VOID'
  | 'COUPON_ALREADY_USED'
  | 'COUPON_ALREADY_USED_BY_KEY'
  | 'COUPON_KEY_MISMATCH'
  | 'COUPON_NOT_APPLICABLE'
  | 'OPERATION_IN_PROGRESS'
  | 'COUPON_REVERSAL_CONFLICT';

/** A refused coupon operation: the §7.4 code (its HTTP status is the catalogue's, domain/errors.ts) and, where useful, details for the caller. */
export class CouponError extends AppError {
  constructor(
    override readonly code: CouponErrorCode,
    message: string,
    override readonly details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Generation parameters (§3.1)
// ---------------------------------------------------------------------------------------------------------

/** An item of an add_product or change_composition coupon: a product for a number of days (null = perpetual). */
export interface PeriodItem {
  productCode: string;
  periodDays: number | null;
  seats: number;
}

/** The one item of an extend_trial coupon: the trial will have `remainingDays` days left (§9). */
export interface TrialItem {
  productCode: string;
  remainingDays: number;
}

/** Generation parameters as a staff member sends them; `couponParamsProblems` says what is wrong with them. */
export interface CouponParams {
  type: CouponType;
  count?: number | undefined;
  items: Array<{ productCode: string; periodDays?: number | null | undefined; seats?: number | undefined; remainingDays?: number | undefined }>;
  reusable?: boolean | undefined;
  targetKey?: string | undefined;
  activateImmediately?: boolean | undefined;
}

export interface ParamsProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * The cross-field rules of §3.1 (the value ranges are the schema's): `count` > 1 only for add_product,
 * `reusable` only for extend_trial, `targetKey` required for and only for change_composition,
 * `activateImmediately` only for change_composition; period items need `periodDays` (null = perpetual) and no
 * `remainingDays`; an extend_trial coupon has exactly one item with `remainingDays` only; no product twice.
 */
export function couponParamsProblems(p: CouponParams): ParamsProblem[] {
  const problems: ParamsProblem[] = [];
  if (p.count !== undefined && p.count !== 1 && p.type !== 'add_product') {
    problems.push({ path: ['count'], message: 'only add_product coupons are generated in batches; the other types are made one at a time' });
  }
  if (p.reusable === true && p.type !== 'extend_trial') problems.push({ path: ['reusable'], message: 'only an extend_trial coupon can be reusable' });
  if (p.type === 'change_composition' && p.targetKey === undefined) {
    problems.push({ path: ['targetKey'], message: 'a change_composition coupon is made for one key: targetKey is required' });
  }
  if (p.type !== 'change_composition' && p.targetKey !== undefined) problems.push({ path: ['targetKey'], message: 'only a change_composition coupon names a target key' });
  if (p.activateImmediately === true && p.type !== 'change_composition') {
    problems.push({ path: ['activateImmediately'], message: 'only a change_composition coupon can be activated at generation' });
  }
  if (p.type === 'extend_trial') {
    if (p.items.length !== 1) problems.push({ path: ['items'], message: 'an extend_trial coupon has exactly one item' });
    p.items.forEach((item, i) => {
      if (item.remainingDays === undefined) problems.push({ path: ['items', i, 'remainingDays'], message: 'the days the trial will have left (1-365) are required' });
      if (item.periodDays !== undefined) problems.push({ path: ['items', i, 'periodDays'], message: 'an extend_trial item has remainingDays, not periodDays' });
      if (item.seats !== undefined) problems.push({ path: ['items', i, 'seats'], message: 'a trial extension does not change seats' });
    });
  } else {
    p.items.forEach((item, i) => {
      if (item.periodDays === undefined) problems.push({ path: ['items', i, 'periodDays'], message: 'the period in days is required (null = perpetual)' });
      if (item.remainingDays !== undefined) problems.push({ path: ['items', i, 'remainingDays'], message: 'remainingDays belongs to extend_trial coupons only' });
    });
  }
  const seen = new Set<string>();
  p.items.forEach((item, i) => {
    if (seen.has(item.productCode)) problems.push({ path: ['items', i, 'productCode'], message: `the product ${item.productCode} is listed twice` });
    seen.add(item.productCode);
  });
  return problems;
}

/** The items as stored on the coupon (db comment on `coupons.items`): period items or the one trial item. */
export function storedItems(p: CouponParams): PeriodItem[] | TrialItem[] {
  if (p.type === 'extend_trial') return p.items.map((i) => ({ productCode: i.productCode, remainingDays: i.remainingDays ?? 0 }));
  return p.items.map((i) => ({ productCode: i.productCode, periodDays: i.periodDays ?? null, seats: i.seats ?? 1 }));
}

// ---------------------------------------------------------------------------------------------------------
// Order of checks (§3.3)
// ---------------------------------------------------------------------------------------------------------

export interface CheckedCodes {
  /** Canonical coupon code. */
  couponCode: string;
  couponType: CouponType;
  /** Canonical key code. */
  keyCode: string;
  prefix: string;
}

/**
 * §3.3 steps 1-3, offline (no database): the coupon's format and check characters (COUPON_INVALID_FORMAT),
 * then the key's (INVALID_KEY_FORMAT), then that both carry the same vendor prefix (COUPON_VENDOR_MISMATCH).
 * The details carry the precise reason of a format failure (code_format, code_checksum, code_prefix).
 */
export function checkCodes(couponInput: string, keyInput: string): CheckedCodes {
  const coupon = parseOrRefuse(() => parseCoupon(couponInput));
  const key = parseOrRefuse(() => parseLicenseKey(keyInput));
  if (coupon.prefix !== key.prefix) {
    throw new CouponError('COUPON_VENDOR_MISMATCH', `the coupon is of vendor ${coupon.prefix}, the key of vendor ${key.prefix}`, { couponPrefix: coupon.prefix, keyPrefix: key.prefix });
  }
  return { couponCode: coupon.code, couponType: coupon.couponType, keyCode: key.code, prefix: key.prefix };
}

function parseOrRefuse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof LicensingCodeError) throw new CouponError(err.code, err.message, { reason: err.reason });
    throw err;
  }
}

/** The key as read (and locked) by the caller; null when no key has the code. */
export interface KeyState {
  id: number;
  status: 'active' | 'deleted';
}

/** The coupon as read (and locked) by the caller; null when no coupon has the code. */
export interface CouponState {
  id: number;
  type: CouponType;
  status: CouponStatus;
  reusable: boolean;
  targetKeyId: number | null;
}

/**
 * §3.3 steps 4-7: the key exists and is not deleted (KEY_NOT_FOUND); the coupon exists (COUPON_NOT_FOUND) and
 * is not void (COUPON_VOID); a single-use coupon is unused (COUPON_ALREADY_USED) and a reusable one was not
 * applied to this key yet (COUPON_ALREADY_USED_BY_KEY; `usedByThisKey`: an `applied` activation of the pair
 * exists); a composition coupon is applied to its target key (COUPON_KEY_MISMATCH). Step 8 is planCouponEffect.
 */
export function checkCouponUse(key: KeyState | null | undefined, coupon: CouponState | null | undefined, usedByThisKey: boolean): { key: KeyState; coupon: CouponState } {
  if (!key || key.status !== 'active') throw new CouponError('KEY_NOT_FOUND', 'no such license key');
  if (!coupon) throw new CouponError('COUPON_NOT_FOUND', 'no such coupon');
  if (coupon.status === 'void') throw new CouponError('COUPON_VOID', 'the coupon was voided');
  if (!coupon.reusable && (coupon.status === 'used' || usedByThisKey)) throw new CouponError('COUPON_ALREADY_USED', 'the coupon has already been used');
  if (coupon.reusable && usedByThisKey) throw new CouponError('COUPON_ALREADY_USED_BY_KEY', 'the coupon has already been used with this key');
  if (coupon.type === 'change_composition' && coupon.targetKeyId !== key.id) {
    throw new CouponError('COUPON_KEY_MISMATCH', 'the coupon was made for another license key');
  }
  return { key, coupon };
}

// ---------------------------------------------------------------------------------------------------------
// Effect of an activation (§3.2) and check 8 (applicability)
// ---------------------------------------------------------------------------------------------------------

/**
 * One entitlement as a coupon activation sees it; also the shape of the `before` / `after` snapshots stored on
 * the CouponActivation (§1.2), which a reversal restores (§3.5). Times are ISO strings.
 */
export interface EntitlementSnapshot {
  id: number;
  productId: number;
  productCode: string;
  status: EntitlementStatus;
  kind: 'trial' | 'paid';
  seats: number;
  startsAt: string;
  expiresAt: string | null;
  supersededBy: number | null;
}

/** A coupon item with its product resolved (the caller looks the code up among the coupon vendor's products). */
export type ResolvedPeriodItem = PeriodItem & { productId: number };
export type ResolvedTrialItem = TrialItem & { productId: number };

export type CouponToApply =
  | { type: 'add_product'; items: ResolvedPeriodItem[] }
  | { type: 'change_composition'; items: ResolvedPeriodItem[] }
  | { type: 'extend_trial'; items: ResolvedTrialItem[] };

/** A new paid entitlement (`source = coupon`, `status = active`). */
export interface PlannedCreate {
  productId: number;
  productCode: string;
  seats: number;
  startsAt: string;
  expiresAt: string | null;
}

/** The new values of an existing entitlement. */
export interface PlannedUpdate {
  entitlementId: number;
  productId: number;
  status: EntitlementStatus;
  kind: 'trial' | 'paid';
  seats: number;
  expiresAt: string | null;
  /**
   * For a superseded entitlement: the product whose entitlement replaces it; the caller writes that
   * entitlement's id into `superseded_by` (it may be one the same plan creates). Null clears `superseded_by`.
   */
  supersededByProductId: number | null;
  /** Active machine bindings and leases are revoked (superseded entitlements, §3.2). */
  revokeBindings: boolean;
}

export interface CouponPlan {
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
}

const time = (iso: string | null): number => (iso === null ? Number.POSITIVE_INFINITY : Date.parse(iso));
const iso = (ms: number): string => new Date(ms).toISOString();
const plusDays = (ms: number, days: number): string => iso(ms + days * MS_PER_DAY);

/** The key's current entitlement of a product: the newest one that is not deleted. */
export function currentEntitlement(entitlements: readonly EntitlementSnapshot[], productId: number): EntitlementSnapshot | undefined {
  return entitlements.filter((e) => e.productId === productId && e.status !== 'deleted').sort((a, b) => b.id - a.id)[0];
}

/** Entitlements in these states are left alone by coupons (see the choices at the top of this file). */
function refuseUntouchable(e: EntitlementSnapshot): void {
  if (e.status === 'in_progress') {
    throw new CouponError('OPERATION_IN_PROGRESS', `an operation on the ${e.productCode} license is running; try again later`, { product: e.productCode });
  }
  if (e.status === 'ordered' || e.status === 'suspended') {
    throw new CouponError('COUPON_NOT_APPLICABLE', `the ${e.productCode} license is ${e.status}`, { product: e.productCode, status: e.status });
  }
}

/**
 * What applying the coupon does to the key (§3.2), or the refusal of check 8 (COUPON_NOT_APPLICABLE).
 *
 * - add_product, per item: no entitlement → a paid one, `expiresAt = now + period` (null = perpetual); a trial
 *   → paid, `expiresAt = now + period`; a paid one → `expiresAt = max(expiresAt, now) + period`, reactivated
 *   when expired or superseded; a perpetual item makes it perpetual.
 * - extend_trial: only with a trial (active or expired) and no paid entitlement of the product; refused when
 *   the trial already has at least `remainingDays` left; else `expiresAt = now + remainingDays`.
 * - change_composition: each listed product is created or reactivated with
 *   `expiresAt = max(existing expiresAt, now + period)`; every other active entitlement becomes `superseded`.
 */
export function planCouponEffect(coupon: CouponToApply, entitlements: readonly EntitlementSnapshot[], now: Date): CouponPlan {
  switch (coupon.type) {
    case 'add_product':
      return planAddProduct(coupon.items, entitlements, now.getTime());
    case 'extend_trial':
      return planExtendTrial(coupon.items, entitlements, now.getTime());
    case 'change_composition':
      return planComposition(coupon.items, entitlements, now.getTime());
  }
}

function planAddProduct(items: readonly ResolvedPeriodItem[], entitlements: readonly EntitlementSnapshot[], now: number): CouponPlan {
  const plan: CouponPlan = { creates: [], updates: [] };
  for (const item of items) {
    const e = currentEntitlement(entitlements, item.productId);
    if (!e) {
      plan.creates.push({ productId: item.productId, productCode: item.productCode, seats: item.seats, startsAt: iso(now), expiresAt: item.periodDays === null ? null : plusDays(now, item.periodDays) });
      continue;
    }
    refuseUntouchable(e);
    let expiresAt: string | null;
    if (e.kind === 'trial') {
      expiresAt = item.periodDays === null ? null : plusDays(now, item.periodDays);
    } else if (e.expiresAt === null) {
      if (e.status === 'active') {
        throw new CouponError('COUPON_NOT_APPLICABLE', `the key already holds ${e.productCode} perpetually`, { product: e.productCode });
      }
      expiresAt = null; // a perpetual license that was superseded or marked expired comes back as it was
    } else {
      expiresAt = item.periodDays === null ? null : plusDays(Math.max(time(e.expiresAt), now), item.periodDays);
    }
    plan.updates.push({ entitlementId: e.id, productId: e.productId, status: 'active', kind: 'paid', seats: Math.max(e.seats, item.seats), expiresAt, supersededByProductId: null, revokeBindings: false });
  }
  return plan;
}

function planExtendTrial(items: readonly ResolvedTrialItem[], entitlements: readonly EntitlementSnapshot[], now: number): CouponPlan {
  const plan: CouponPlan = { creates: [], updates: [] };
  for (const item of items) {
    const held = entitlements.filter((e) => e.productId === item.productId && e.status !== 'deleted');
    if (held.some((e) => e.kind === 'paid')) {
      throw new CouponError('COUPON_NOT_APPLICABLE', `the key holds a paid ${item.productCode} license; a trial extension does not apply`, { product: item.productCode });
    }
    const trial = currentEntitlement(entitlements, item.productId);
    if (trial) refuseUntouchable(trial);
    if (!trial || (trial.status !== 'active' && trial.status !== 'expired')) {
      throw new CouponError('COUPON_NOT_APPLICABLE', `the key holds no trial of ${item.productCode}`, { product: item.productCode });
    }
    const left = time(trial.expiresAt) - now;
    if (left >= item.remainingDays * MS_PER_DAY) {
      throw new CouponError('COUPON_NOT_APPLICABLE', `the ${item.productCode} trial already has at least ${item.remainingDays} days left`, {
        product: item.productCode,
        expiresAt: trial.expiresAt,
      });
    }
    plan.updates.push({ entitlementId: trial.id, productId: trial.productId, status: 'active', kind: 'trial', seats: trial.seats, expiresAt: plusDays(now, item.remainingDays), supersededByProductId: null, revokeBindings: false });
  }
  return plan;
}

function planComposition(items: readonly ResolvedPeriodItem[], entitlements: readonly EntitlementSnapshot[], now: number): CouponPlan {
  const plan: CouponPlan = { creates: [], updates: [] };
  const kept = new Set<number>();
  let replacement: ResolvedPeriodItem | undefined;
  for (const item of items) {
    const e = currentEntitlement(entitlements, item.productId);
    const target = item.periodDays === null ? Number.POSITIVE_INFINITY : now + item.periodDays * MS_PER_DAY;
    if (!e) {
      plan.creates.push({ productId: item.productId, productCode: item.productCode, seats: item.seats, startsAt: iso(now), expiresAt: target === Number.POSITIVE_INFINITY ? null : iso(target) });
      replacement ??= item;
      continue;
    }
    refuseUntouchable(e);
    kept.add(e.id);
    if (e.status !== 'active') replacement ??= item;
    const end = Math.max(time(e.expiresAt), target);
    plan.updates.push({ entitlementId: e.id, productId: e.productId, status: 'active', kind: 'paid', seats: item.seats, expiresAt: end === Number.POSITIVE_INFINITY ? null : iso(end), supersededByProductId: null, revokeBindings: false });
  }
  replacement ??= items[0];
  for (const e of entitlements) {
    if (e.status !== 'active' || kept.has(e.id)) continue;
    plan.updates.push({ entitlementId: e.id, productId: e.productId, status: 'superseded', kind: e.kind, seats: e.seats, expiresAt: e.expiresAt, supersededByProductId: replacement?.productId ?? null, revokeBindings: true });
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Reversal (§3.5)
// ---------------------------------------------------------------------------------------------------------

export interface ReversalInput {
  /** The activation to reverse: the snapshots it stored. Entitlements in `after` but not in `before` were created by it. */
  before: readonly EntitlementSnapshot[];
  after: readonly EntitlementSnapshot[];
  /** The current state of the entitlements in `after` (locked by the caller). */
  current: readonly EntitlementSnapshot[];
  /** Later `applied` activations of the same key, with the entitlement ids their snapshots name. */
  laterActivations: ReadonlyArray<{ id: number; entitlementIds: readonly number[] }>;
}

export interface ReversalPlan {
  /** Entitlements written back to their `before` snapshot. */
  restore: EntitlementSnapshot[];
  /** Entitlements the activation created: they become `deleted` (nothing is physically deleted). */
  remove: number[];
  /** Entitlements whose active bindings and leases are revoked: removed, no longer active, or shortened. */
  revokeBindingsOf: number[];
}

/** The fields a coupon activation can change; a difference means someone changed the entitlement since. */
function sameState(a: EntitlementSnapshot, b: EntitlementSnapshot): boolean {
  return a.status === b.status && a.kind === b.kind && a.seats === b.seats && time(a.expiresAt) === time(b.expiresAt) && a.supersededBy === b.supersededBy;
}

/**
 * How to undo an activation (§3.5), or COUPON_REVERSAL_CONFLICT when a later coupon activation of the key
 * touched one of the same entitlements, or one of them changed since (a billing operation, staff, the expiry
 * timer): reverse the later change first. Bindings are revoked on entitlements that the reversal removes,
 * takes out of `active`, or shortens (an earlier `expiresAt`, perpetual counting as the latest).
 */
export function planReversal(input: ReversalInput): ReversalPlan {
  const touched = new Set(input.after.map((e) => e.id));
  const later = input.laterActivations.find((a) => a.entitlementIds.some((id) => touched.has(id)));
  if (later) {
    throw new CouponError('COUPON_REVERSAL_CONFLICT', `coupon activation ${later.id} changed the same licenses later; reverse it first`, { laterActivationId: later.id });
  }
  for (const after of input.after) {
    const now = input.current.find((e) => e.id === after.id);
    if (!now || !sameState(now, after)) {
      throw new CouponError('COUPON_REVERSAL_CONFLICT', `the ${after.productCode} license changed after this activation; the reversal would undo that change`, {
        entitlementId: after.id,
      });
    }
  }
  const plan: ReversalPlan = { restore: [], remove: [], revokeBindingsOf: [] };
  for (const after of input.after) {
    const before = input.before.find((e) => e.id === after.id);
    if (!before) {
      plan.remove.push(after.id);
      plan.revokeBindingsOf.push(after.id);
      continue;
    }
    plan.restore.push(before);
    const leavesActive = after.status === 'active' && before.status !== 'active';
    const shortened = time(before.expiresAt) < time(after.expiresAt);
    if (leavesActive || shortened) plan.revokeBindingsOf.push(after.id);
  }
  return plan;
}

/** The entitlement ids a stored activation names (for the later-activation check of a reversal). */
export function entitlementIdsOf(snapshots: { before: readonly EntitlementSnapshot[]; after: readonly EntitlementSnapshot[] }): number[] {
  return [...new Set([...snapshots.before, ...snapshots.after].map((e) => e.id))];
}
