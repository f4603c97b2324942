// Reseller charges (spec 05 §5): for a closed client charge on a delegated plan, each level above the seller
// charges the level below it:
//
//   amount = sale price at the level × period (months, 3 decimals) × quantity × (100 − discount %)/100,
//            converted at the level's rate from the plan currency into its own (05 §5.2, §5.3, Q4)
//
// OUR READING: one-off fees (setup, renewal, transfer) have period 1 (Q6); a recurring charge's period is the sum
// over the financial periods it touches of days / days of that period, to 0.001 (the manual's 0.032 = 1 day of
// 31). Each step rounds half-up to a minor unit: the undiscounted amount, the discount, the conversion.
//
// A usage charge has no single plan price. usage_external (05 §4.7): the level's price is the charge's provider cost ×
// the coefficients from the root down to the level (plan-delegation.ts `usageLevelPrice`). usage_internal: the
// charge's records at the level's own resource prices. Either way the days and quantities of its records are already
// inside that price (Δ = price × days × quantity / 30), so its period factor is 1 and its quantity the client
// charge's (none: 1), like a one-off fee.

import { convertAmount, type Exchange } from './exchange';
import { recurringCharges } from './charges';
import { chargeBase, periodMilliMonths } from './discounts';
import type { IsoDate } from './dates';
import { AppError } from './errors';
import type { MinorUnits } from './money';

/** The client charge kinds that carry reseller charges (usage: both pay-as-you-go types, see above). */
export const resellerChargeKinds = ['setup', 'renewal', 'transfer', 'recurring', 'usage'] as const;

/** A client charge's period in thousandths of a month. */
export function chargeMilliMonths(kind: string, from: IsoDate, to: IsoDate, financialDay: number): number {
  if (kind !== 'recurring') return 1000;
  return recurringCharges(from, to, financialDay, 0).reduce((s, p) => s + (p.full ? 1000 : periodMilliMonths(p.days, p.periodDays)), 0);
}

/** Thousandths of a month as the 3-decimal text the lists show: 32 → "0.032". */
export const formatMilliMonths = (m: number): string => `${Math.floor(m / 1000)}.${String(m % 1000).padStart(3, '0')}`;

export interface ResellerChargeTerms {
  /** The creditor's sale price (plan currency, minor units; monthly for recurring fees). */
  unitPrice: MinorUnits;
  milliMonths: number;
  quantity: number;
  /** The discount the creditor gave the debtor, basis points (0: none). */
  discountBp: number;
  exchange: Pick<Exchange, 'rate' | 'nominal'>;
}

export interface ResellerChargeAmounts {
  /** Undiscounted, plan currency. */
  gross: MinorUnits;
  discountAmount: MinorUnits;
  /** gross − discount, plan currency. */
  originalAmount: MinorUnits;
  /** In the creditor's currency. */
  amount: MinorUnits;
}

export function resellerChargeAmounts(t: ResellerChargeTerms): ResellerChargeAmounts {
  if (!Number.isInteger(t.discountBp) || t.discountBp < 0 || t.discountBp > 10_000) throw new AppError('invalid_value', `a discount is 0..10000 basis points, got ${t.discountBp}`);
  const gross = chargeBase(t.milliMonths, t.quantity, t.unitPrice);
  const discountAmount = Number((BigInt(gross) * BigInt(t.discountBp) * 2n + 10_000n) / 20_000n);
  const originalAmount = gross - discountAmount;
  return { gross, discountAmount, originalAmount, amount: convertAmount(originalAmount, t.exchange) };
}

export interface ResellerDiscountCandidate {
  id: number;
  percentBp: number;
  validFrom: IsoDate | null;
  validTo: IsoDate | null;
}

/**
 * The discount a level gives for a client charge's period (05 §4.5): among the active ones aimed at the debtor
 * (and the subscription, client or plan when narrowed; the caller selects those), the ones whose validity covers the
 * whole period, the largest first. Null: none.
 */
export function applicableDiscount<D extends ResellerDiscountCandidate>(candidates: readonly D[], period: { from: IsoDate; to: IsoDate }): D | null {
  let best: D | null = null;
  for (const d of candidates) {
    if (d.validFrom !== null && d.validFrom > period.from) continue;
    if (d.validTo !== null && d.validTo < period.to) continue;
    if (!best || d.percentBp > best.percentBp || (d.percentBp === best.percentBp && d.id < best.id)) best = d;
  }
  return best;
}
