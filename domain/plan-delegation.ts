// Plans through the tenant tree (spec 05 §3.3, §4): a plan is delegated one level at a time, to a direct child,
// as a copy whose prices are the parent's × the child's markup. The rules below are pure; the operations walk the
// copies and write.

import { AppError, type Refusal } from './errors';
import type { MinorUnits } from './money';

/** `deactivated_by_provider`: a copy whose upstream plan was deactivated; it cannot be sold (05 §3.3 rule 11). */
export const planStatuses = ['active', 'inactive', 'deactivated_by_provider'] as const;
export type PlanStatus = (typeof planStatuses)[number];

/** The largest coefficient taken: numeric(10, 2). The manual bounds only the decimals (05 Q10); any value > 0 is taken. */
const MARKUP_TEXT = /^(\d{1,8})(?:\.(\d{1,2}))?$/;

/** A markup (coefficient, 2 decimals) in hundredths: "2" → 200n, "1.5" → 150n. Refused: 0, a sign, 3 decimals. */
export function parseMarkup(text: string): bigint {
  const match = MARKUP_TEXT.exec(text);
  if (!match) throw new AppError('invalid_markup', `a markup is a positive decimal with at most 2 decimals, got "${text.slice(0, 20)}"`);
  const hundredths = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  if (hundredths <= 0n) throw new AppError('invalid_markup', 'a markup must be greater than 0');
  return hundredths;
}

/** A markup in its stored form: "2" → "2.00". */
export function normalizeMarkup(text: string): string {
  const h = parseMarkup(text);
  return `${h / 100n}.${String(h % 100n).padStart(2, '0')}`;
}

/**
 * The sale price of a level from its cost (the level above's sale price) and its markup: cost × markup, rounded
 * half-up to a minor unit; a markup that is not set passes the cost through (05 §4.1 rule 2, §13.1).
 */
export function markedUpPrice(cost: MinorUnits, markup: string | null): MinorUnits {
  if (!Number.isSafeInteger(cost) || cost < 0) throw new AppError('invalid_price', `a price is non-negative minor units, got ${cost}`);
  if (markup === null) return cost;
  const h = parseMarkup(markup);
  const result = (BigInt(cost) * h * 2n + 100n) / 200n;
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new AppError('out_of_range', 'the marked-up price is too large');
  return Number(result);
}

/** The prices down a chain: the origin's, then each level's from the one above (05 §13.1: 1 → ×2 → ×3 = 1, 2, 6). */
export function priceChain(origin: MinorUnits, markups: ReadonlyArray<string | null>): MinorUnits[] {
  const prices = [origin];
  for (const m of markups) prices.push(markedUpPrice(prices[prices.length - 1]!, m));
  return prices;
}

/**
 * A copy's price after its upstream price changed (05 §4.2): with automatic markup on it follows (cost × markup);
 * with markup "not set" (a price entered by hand) it stays frozen and only its cost moved (05 §11.3).
 */
export function followedPrice(current: MinorUnits, upstream: MinorUnits, markup: string | null): MinorUnits {
  return markup === null ? current : markedUpPrice(upstream, markup);
}

/** A decimal factor or amount as an integer and its number of decimals: "1.25" → [125n, 2]. */
function decimalParts(text: string, what: string): [bigint, number] {
  const m = /^(\d{1,26})(?:\.(\d{1,12}))?$/.exec(text);
  if (!m) throw new AppError('invalid_markup', `${what} is a non-negative decimal, got "${text.slice(0, 20)}"`);
  return [BigInt(m[1]! + (m[2] ?? '')), (m[2] ?? '').length];
}

/** The exact product of decimal factors as decimal text, trailing zeros dropped: ["2.00", "1.5"] → "3". */
export function multiplyDecimals(factors: readonly string[]): string {
  let num = 1n;
  let scale = 0;
  for (const f of factors) {
    const [n, decimals] = decimalParts(f, 'a markup');
    num *= n;
    scale += decimals;
  }
  if (scale === 0) return num.toString();
  const digits = num.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
}

/**
 * A usage_external chain (05 §4.7): the provider's cost × every level's coefficient down to the seller; an
 * individual markup of the subscription (01 §8.3) replaces only the seller's. Exact decimal text (the product keeps
 * every digit).
 */
export function usageChainMarkup(upstreamMarkups: readonly string[], sellerMarkup: string, individual: string | null): string {
  const factors = [...upstreamMarkups, individual ?? sellerMarkup];
  for (const f of factors) if (!/^\d{1,8}(?:\.\d{1,4})?$/.test(f)) throw new AppError('invalid_markup', `a markup is a positive decimal, got "${f.slice(0, 20)}"`);
  return multiplyDecimals(factors);
}

/**
 * The coefficients a usage_external subscription's usage is priced with, root first (05 §4.7): the plan's levels
 * (`levels`, the root's coefficient first, the seller's last), the seller's replaced by the subscription's individual
 * markup when it has one (§4.7.2), and, on a `fixed_price` plan, the levels above the seller as they were when the
 * subscription was created (`frozenUpstream`, §4.6).
 */
export function usageChain(levels: readonly string[], o: { individual: string | null; frozenUpstream: readonly string[] | null }): string[] {
  if (levels.length === 0) throw new AppError('invalid_value', 'a usage chain has at least the seller');
  const upstream = o.frozenUpstream !== null && o.frozenUpstream.length === levels.length - 1 ? o.frozenUpstream : levels.slice(0, -1);
  return [...upstream, o.individual ?? levels[levels.length - 1]!];
}

/**
 * What a level sells a usage charge's usage for (05 §4.7, §5.2): the charge's provider cost (exact, plan currency's
 * minor units) × the coefficients of the levels from the root down to that level (`markups` root first, `depth` 0
 * = the root), half-up to a minor unit. The seller's own coefficient (or individual markup) is never part of an
 * upper level's price.
 */
export function usageLevelPrice(cost: string, markups: readonly string[], depth: number): MinorUnits {
  if (!Number.isInteger(depth) || depth < 0 || depth >= markups.length) throw new AppError('invalid_value', `level ${depth} is not on a chain of ${markups.length}`);
  const [num, scale] = decimalParts(multiplyDecimals([cost, ...markups.slice(0, depth + 1)]).replace(/^(\d+)$/, '$1.0'), 'a usage cost');
  const unit = 10n ** BigInt(scale);
  const result = (num * 2n + unit) / (2n * unit);
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new AppError('out_of_range', 'the usage price is too large');
  return Number(result);
}

export interface DelegationFacts {
  plan: { id: number; resellerId: number; status: PlanStatus; billingType: string };
  /** The staff member's reseller: the plan must be its own. */
  callerResellerId: number;
  /** The target; null when it does not exist. */
  child: { id: number; parentId: number | null } | null;
  /** The target already holds a copy of the plan. */
  alreadyDelegated: boolean;
}

/**
 * Why a plan may not be delegated (null: it may), 05 §3.3 rule 2: only the caller's own active plans, only to a
 * direct child, once per child. A reseller outside the caller's children answers as unknown (05 §7.2), and a plan
 * of another reseller as not found.
 */
export function delegationRefusal(f: DelegationFacts): Refusal | null {
  if (f.plan.resellerId !== f.callerResellerId) return { code: 'not_found', message: `plan ${f.plan.id} does not exist` };
  if (!f.child || f.child.parentId !== f.callerResellerId) {
    return { code: 'delegation_not_to_child', message: `a plan is delegated only to a direct child of its owner; reseller ${f.child?.id ?? '?'} is not one` };
  }
  if (f.plan.status !== 'active') return { code: 'plan_inactive', message: `plan ${f.plan.id} is ${f.plan.status}: only active plans are delegated` };
  if (f.alreadyDelegated) return { code: 'plan_already_delegated', message: `plan ${f.plan.id} is already delegated to reseller ${f.child.id}` };
  return null;
}
