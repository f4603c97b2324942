// Discounts and the rounding of discounted orders and charges (spec 02 §4.14, the seed manual's 8.3.5 and 13).
//
// Money is integer minor units; a fraction is an exact rational (no floats): a percentage is basis points
// (34.3 % = 3430; the seed's percent has at most 2 decimals), a fixed amount A on a discountable amount D is the
// fraction min(A, D) / D. Every rounding is "mathematical" (half-up) to a minor unit.
//
// The algorithm, in the seed's words (8.3.5):
//  1. R = the order amount without discount, rounded to 0.01 (here: already minor units);
//  2. discount = fraction × R; discounted = R − discount, rounded → the reference order amount;
//  3. the reference order discount = R − reference order amount;
//  4. each charge: period (months to 0.001) × quantity × monthly price → round (its base) → apply the discount →
//     round → its reference amount; its reference discount = base − reference amount. A positive base whose
//     discounted amount would round to 0 is 0.01; with a 100 % discount the amount is 0 (and its discount the base,
//     which is the documented 0.01 for a 0.01 charge: see "OUR READING" below);
//  5. corrections: amount = reference order amount − Σ reference charge amounts, discount = reference order
//     discount − Σ reference charge discounts, each added to the recurring charges with the target rule
//     (`applyCorrection`).
//
// OUR READING (ambiguous points):
//  - 100 % discount (spec 02 §17 Q13): the charge's amount is 0 and its discount its whole base; the manual's
//    "discount 0.01" is the case it illustrates (a 0.01 charge). Any other reading would leave the discounts to
//    be moved wholesale by the correction.
//  - What a discount applies to (the seed's "apply to": setup, renewal, recurring, transfer fees): the discounted
//    part D of the order is its one-off fees of the kinds it applies to, plus the recurring part (R − one-off fees)
//    if it applies to recurring fees. R − D is not discounted. With every kind applicable D = R: the spec's case.
//  - A fixed amount is spread over the charges proportionally to their bases (the fraction A / D on each), with
//    the same reference values and corrections; an amount over D discounts D (the order costs 0, never less).
//  - Charge bases: §4.6's worked example prorates by days (9 days of a 28-day month × 30.00 = 9.64) while 8.3.5
//    rounds the period to 0.001 month first (0.467 × 56.00 = 26.152 → 26.15, where 14/30 × 56.00 gives 26.13).
//    A discounted order follows 8.3.5 (its figures are the named tests); an order without a discount keeps the
//    days formula and orderCharges' correction rule as they were (domain/charges.ts), so no existing price moved.
//  - When a correction cannot be absorbed by the recurring charges (none, or all taken to 0), it goes on over the
//    other charges with the same rule, so the sums always hold.
//  - "The first charge of the subscription" is the first charge of the order (our charges belong to orders); for
//    resource-change and switch orders the current financial period's charge takes its place (`head`), which is
//    the order's first whenever its charges start on the order day, as they do today.
//  - The subscription limit ("Количество подписок") counts redemptions, by orders of every kind: a purchase and a
//    renewal of the same subscription with one code use it twice (our choice; the manual counts subscriptions
//    without saying what a renewal does).

import { AppError } from './errors';
import type { MinorUnits } from './money';

export type ChargeKind = 'setup' | 'renewal' | 'recurring' | 'transfer';
export const chargeKinds: readonly ChargeKind[] = ['setup', 'renewal', 'recurring', 'transfer'];

/** A discount's terms: a percentage in basis points (1..10000) or a fixed amount, on the kinds of fee it names. */
export type DiscountTerms = ({ kind: 'percent'; basisPoints: number } | { kind: 'amount'; amount: MinorUnits }) & {
  /** Default: every kind. */
  appliesTo?: readonly ChargeKind[];
};

/** An exact fraction num / den, 0 ≤ num ≤ den, den > 0. */
interface Fraction {
  num: bigint;
  den: bigint;
}

/** a / b rounded half-up (a ≥ 0, b > 0). */
function roundDiv(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

function toMinor(v: bigint): MinorUnits {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new AppError('out_of_range', 'amount is too large');
  return n;
}

function requireAmount(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new AppError('invalid_price', `${what} must be non-negative minor units, got ${v}`);
}

/** Refuses terms no discount can have: a percentage outside (0, 100] or with more than 2 decimals, a negative amount. */
export function checkDiscountTerms(terms: DiscountTerms): void {
  if (terms.kind === 'percent') {
    if (!Number.isInteger(terms.basisPoints) || terms.basisPoints < 1 || terms.basisPoints > 10_000) {
      throw new AppError('invalid_value', `a discount percentage is more than 0 and at most 100 with 2 decimals, got ${terms.basisPoints / 100}`);
    }
  } else if (!Number.isSafeInteger(terms.amount) || terms.amount < 1) {
    throw new AppError('invalid_value', `a discount amount is a positive number of minor units, got ${terms.amount}`);
  }
}

/** "12.5" → 1250 basis points; at most 2 decimals, no floats. */
export function parsePercent(text: string): number {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw new AppError('invalid_value', `"${text}" is not a percentage with at most 2 decimals`);
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  checkDiscountTerms({ kind: 'percent', basisPoints: bp });
  return bp;
}

/** 1250 → "12.50". */
export function formatPercent(basisPoints: number): string {
  return `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}`;
}

/** A charge's period in thousandths of a month (spec 01: 3 decimals, 1 day of 30 = 0.033): a full period is 1000. */
export function periodMilliMonths(days: number, periodDays: number): number {
  if (!Number.isInteger(days) || !Number.isInteger(periodDays) || days < 0 || periodDays < 1 || days > periodDays) {
    throw new AppError('invalid_period', `cannot take ${days} of ${periodDays} days`);
  }
  return toMinor(roundDiv(BigInt(days) * 1000n, BigInt(periodDays)));
}

/** A charge's amount without discount: period (months to 0.001) × quantity × monthly price, rounded (§4.14). */
export function chargeBase(milliMonths: number, quantity: number, monthlyPrice: MinorUnits): MinorUnits {
  requireAmount(monthlyPrice, 'a monthly price');
  if (!Number.isInteger(milliMonths) || milliMonths < 0 || !Number.isInteger(quantity) || quantity < 0) {
    throw new AppError('invalid_value', `cannot price ${milliMonths / 1000} months × ${quantity}`);
  }
  return toMinor(roundDiv(BigInt(milliMonths) * BigInt(quantity) * BigInt(monthlyPrice), 1000n));
}

/** The discounted part of an order: its one-off fees the discount applies to, plus the recurring part if it applies. */
function discountable(orderAmount: MinorUnits, charges: readonly DiscountableCharge[], applies: (k: ChargeKind) => boolean): MinorUnits {
  const oneOffs = charges.filter((c) => c.kind !== 'recurring');
  const oneOffTotal = oneOffs.reduce((s, c) => s + c.base, 0);
  const d = oneOffs.filter((c) => applies(c.kind)).reduce((s, c) => s + c.base, 0) + (applies('recurring') ? orderAmount - oneOffTotal : 0);
  return Math.max(0, Math.min(orderAmount, d));
}

function fractionOf(terms: DiscountTerms, d: MinorUnits): Fraction {
  if (terms.kind === 'percent') return { num: BigInt(terms.basisPoints), den: 10_000n };
  if (d === 0) return { num: 0n, den: 1n };
  return { num: BigInt(Math.min(terms.amount, d)), den: BigInt(d) };
}

/** R rounded, discounted and rounded again: the reference amount and discount of `base` (§4.14 steps 1-3). */
function reference(base: MinorUnits, f: Fraction, isCharge: boolean): { amount: MinorUnits; discount: MinorUnits } {
  if (f.num === f.den) return { amount: 0, discount: base };
  let amount = toMinor(roundDiv(BigInt(base) * (f.den - f.num), f.den));
  // A positive charge never rounds to 0 under a discount below 100 %: it is 0.01.
  if (isCharge && base > 0 && amount === 0) amount = 1;
  return { amount, discount: base - amount };
}

/** The reference amount and discount of a whole amount R under a fraction (the order's, §4.14 steps 1-3). */
export function referenceOrder(orderAmount: MinorUnits, terms: DiscountTerms): { amount: MinorUnits; discount: MinorUnits } {
  requireAmount(orderAmount, 'an order amount');
  checkDiscountTerms(terms);
  return reference(orderAmount, fractionOf(terms, orderAmount), false);
}

/** The reference amount and discount of one charge of `base` on which the discount applies (§4.14 step 4). */
export function referenceCharge(base: MinorUnits, terms: DiscountTerms): { amount: MinorUnits; discount: MinorUnits } {
  requireAmount(base, 'a charge base');
  checkDiscountTerms(terms);
  return reference(base, fractionOf(terms, base), true);
}

export interface DiscountableCharge {
  kind: ChargeKind;
  /** The period in thousandths of a month (compares charges for the target rule). */
  milliMonths: number;
  /** The charge's amount without discount, rounded (§4.14 step 4). */
  base: MinorUnits;
}

export interface DiscountedCharge {
  amount: MinorUnits;
  discount: MinorUnits;
}

/**
 * Adds `correction` to `values` (in place) with the target rule of §4.14 over the charges `candidates` (indices
 * in date order): compare the first and the last; equal periods → the last, else the one with the longer period;
 * a result below 0 is set to 0, that charge leaves the ends, and the negative rest goes to the next extreme pair's
 * choice, until ≥ 0. Returns what could not be absorbed (0, or negative when every candidate is at 0).
 */
export function applyCorrection(values: MinorUnits[], months: readonly number[], candidates: readonly number[], correction: MinorUnits): MinorUnits {
  let lo = 0;
  let hi = candidates.length - 1;
  let rest = correction;
  while (rest !== 0 && lo <= hi) {
    const first = candidates[lo]!;
    const last = candidates[hi]!;
    const pickLast = months[last]! >= months[first]!;
    const target = pickLast ? last : first;
    const corrected = values[target]! + rest;
    values[target] = Math.max(0, corrected);
    rest = Math.min(0, corrected);
    if (pickLast) hi--;
    else lo++;
  }
  return rest;
}

/**
 * The discounted charges of an order (spec 02 §4.14): their reference amounts and discounts, corrected so that
 * Σ amounts = the reference order amount and Σ discounts = the reference order discount, no amount below 0.
 * `head` is the index of the charge that plays "the first charge" in the target rule: the current period's for
 * resource-change and switch orders (default: the first recurring charge).
 */
export function discountCharges(o: {
  orderAmount: MinorUnits;
  charges: readonly DiscountableCharge[];
  terms: DiscountTerms | null;
  head?: number;
}): { order: { amount: MinorUnits; discount: MinorUnits }; charges: DiscountedCharge[] } {
  requireAmount(o.orderAmount, 'an order amount');
  for (const c of o.charges) requireAmount(c.base, 'a charge base');
  if (o.terms) checkDiscountTerms(o.terms);
  const applicable = new Set(o.terms?.appliesTo ?? chargeKinds);
  const applies = (k: ChargeKind) => o.terms !== null && applicable.has(k);
  const d = discountable(o.orderAmount, o.charges, applies);
  const f = o.terms ? fractionOf(o.terms, d) : { num: 0n, den: 1n };
  const discounted = f.num === 0n ? { amount: d, discount: 0 } : reference(d, f, false);
  const order = { amount: o.orderAmount - d + discounted.amount, discount: discounted.discount };
  const refs = o.charges.map((c) => (applies(c.kind) && f.num > 0n ? reference(c.base, f, true) : { amount: c.base, discount: 0 }));
  const amounts = refs.map((r) => r.amount);
  const discounts = refs.map((r) => r.discount);
  const months = o.charges.map((c) => c.milliMonths);
  const recurring = o.charges.flatMap((c, i) => (c.kind === 'recurring' && i >= (o.head ?? 0) ? [i] : []));
  const others = o.charges.flatMap((c, i) => (recurring.includes(i) ? [] : [i]));
  for (const [values, target] of [[amounts, order.amount], [discounts, order.discount]] as const) {
    const correction = target - values.reduce((s, v) => s + v, 0);
    const rest = applyCorrection(values, months, others, applyCorrection(values, months, recurring, correction));
    if (rest !== 0) throw new AppError('invalid_price', `the charges cannot add up to ${target}`);
  }
  return { order, charges: amounts.map((amount, i) => ({ amount, discount: discounts[i]! })) };
}

/** What a promo code's use is checked against: the code, its discount, and the order asking for it. */
export interface PromoCodeUse {
  code: { status: 'active' | 'inactive'; reusable: boolean; activations: number };
  discount: {
    status: 'active' | 'inactive';
    validFrom: string | null;
    validTo: string | null;
    currency: string | null;
    maxSubscriptions: number | null;
    maxClients: number | null;
    uses: number;
    /** Distinct clients that used it, and whether this order's client is one of them. */
    clientsUsing: number;
    clientHasUsed: boolean;
    /** For every plan, or this order's plan (and period) is listed. */
    planAllowed: boolean;
  };
  order: { today: string; currency: string; amount: MinorUnits };
}

/**
 * Whether a promo code may discount an order (the seed manual's 13.1): refuses an inactive code or discount, a day
 * outside the validity window (both ends inclusive), a plan the discount is not for, a fixed amount in another
 * currency, a free order, and a code or discount used up (a single-use code used once, the subscription or client
 * limit reached). Run once before anything is written and again under the row locks.
 */
export function checkPromoCodeUse(u: PromoCodeUse): void {
  const { code, discount: d, order } = u;
  if (code.status !== 'active' || d.status !== 'active') throw new AppError('promo_code_inactive', 'the promo code is not active');
  if (d.validTo !== null && order.today > d.validTo) throw new AppError('promo_code_expired', `the promo code was valid until ${d.validTo}`);
  if (d.validFrom !== null && order.today < d.validFrom) throw new AppError('promo_code_not_applicable', `the promo code is valid from ${d.validFrom}`);
  if (!d.planAllowed) throw new AppError('promo_code_not_applicable', 'the promo code does not apply to this plan');
  if (d.currency !== null && d.currency !== order.currency) throw new AppError('promo_code_not_applicable', `the promo code is for orders in ${d.currency}`);
  if (order.amount === 0) throw new AppError('promo_code_not_applicable', 'the order costs nothing: there is nothing to discount');
  if (!code.reusable && code.activations >= 1) throw new AppError('promo_code_exhausted', 'the promo code has been used');
  if (d.maxSubscriptions !== null && d.uses >= d.maxSubscriptions) throw new AppError('promo_code_exhausted', `the discount has been used ${d.uses} times, its limit`);
  if (d.maxClients !== null && !d.clientHasUsed && d.clientsUsing >= d.maxClients) throw new AppError('promo_code_exhausted', `the discount has been used by ${d.clientsUsing} clients, its limit`);
}

/**
 * An order's discount shared among its lines in proportion to their amounts (largest remainders first, the earlier
 * line on a tie), so Σ line discounts = the order's discount exactly and no line is discounted below 0. The lines'
 * figures are what the order page shows (spec 01 §16); the charges carry the §4.14 amounts, which add up to the same.
 */
export function spreadDiscount(amounts: readonly MinorUnits[], discount: MinorUnits): MinorUnits[] {
  const total = amounts.reduce((s, a) => s + a, 0);
  requireAmount(discount, 'a discount');
  if (discount > total) throw new AppError('invalid_price', `a discount of ${discount} on lines of ${total}`);
  if (total === 0) return amounts.map(() => 0);
  const exact = amounts.map((a) => BigInt(a) * BigInt(discount));
  const shares = exact.map((e) => toMinor(e / BigInt(total)));
  let rest = discount - shares.reduce((s, x) => s + x, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e % BigInt(total) })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of byRemainder) {
    if (rest === 0) break;
    shares[i]! += 1;
    rest -= 1;
  }
  return shares;
}
