// Order amounts for a plan period (spec 02 §8.2, spec 01 §16.5).
//
// OUR DECISION on how period prices combine (the spec's "purchase = setup fee + recurring fee"
// reads as if every period were one month; recurring_fee is stored PER MONTH):
//
// - months(period) = duration for 'month', duration × 12 for 'year'.
// - Purchase = setupFee + recurringFee × months.
//   Renewal  = recurringFee × months + renewalFee (no setup fee).
// - 'day' periods have no whole number of months, so their recurringFee is the price of the WHOLE
//   period (not per month): purchase = setupFee + recurringFee, renewal = recurringFee + renewalFee.
// - Trial periods are free (spec 02 §8.2), on purchase and on any renewal decision 17 allows:
//   amount 0 whatever prices are stored.
// - Unlimited periods cost the setup fee only and are never renewed.
//
// All amounts are integer minor units, so no rounding happens here: a price × a whole number of
// months is exact. Discounts and per-charge rounding (spec 02 §4.14) belong elsewhere.

import { periodLengthInMonths, type PeriodLength } from './dates';
import { AppError } from './errors';
import { multiplyByQuantity, sumMoney, type MinorUnits } from './money';
import type { BillingType } from './billing-types/types';
import { billedPerPeriod } from './billing-types/payment';

export interface PlanPeriodPricing extends PeriodLength {
  trial: boolean;
  unlimited: boolean;
  setupFee: MinorUnits;
  /** Per month; for 'day' periods, the price of the whole period. */
  recurringFee: MinorUnits;
  renewalFee: MinorUnits;
}

export type PricingErrorCode = 'invalid_period' | 'invalid_price' | 'not_renewable';

export class PricingError extends AppError {
  constructor(
    override readonly code: PricingErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

export type OrderLineKind = 'setup_fee' | 'recurring_fee' | 'renewal_fee';

/** A detail line of an order (spec 01 §16.5 "Detail lines"). */
export interface OrderLine {
  kind: OrderLineKind;
  description: string;
  quantity: number;
  /** Paid period in months ("0.033", "12"); null for one-off fees. */
  periodMonths: string | null;
  /**
   * Recurring lines: the monthly price (amount = unitPrice × quantity × months), or for 'day'
   * periods the whole-period price (amount = unitPrice × quantity). One-off lines: the fee.
   */
  unitPrice: MinorUnits;
  amount: MinorUnits;
}

function requireValid(period: PlanPeriodPricing): void {
  if (period.trial && period.unlimited) {
    throw new PricingError('invalid_period', 'A period cannot be both trial and unlimited');
  }
  for (const [name, fee] of [
    ['setupFee', period.setupFee],
    ['recurringFee', period.recurringFee],
    ['renewalFee', period.renewalFee],
  ] as const) {
    if (!Number.isSafeInteger(fee) || fee < 0) {
      throw new PricingError('invalid_price', `${name} must be a non-negative integer of minor units, got ${fee}`);
    }
  }
  // Unlimited periods have no meaningful length; every other period must have a valid one.
  if (!period.unlimited) periodLengthInMonths(period);
}

/** How many times the recurring fee is due: months for month/year periods, once for day periods. */
function recurringMultiplier(period: PeriodLength): number {
  return periodLengthInMonths(period) ?? 1;
}

function recurringAmount(period: PlanPeriodPricing): MinorUnits {
  return multiplyByQuantity(period.recurringFee, recurringMultiplier(period));
}

/**
 * The period in months as a decimal string (spec 01 §16.5, spec 02 §0): "1", "12", "24" for
 * month and year periods; for day periods days / 30 rounded half-up to 3 decimals, always written
 * with 3 decimals (1 day → "0.033", 15 days → "0.500", 30 days → "1.000").
 */
export function periodMonths(period: PeriodLength): string {
  const months = periodLengthInMonths(period);
  if (months !== null) return String(months);
  // Integer half-up rounding of days × 1000 / 30: floor((days × 1000 + 15) / 30).
  const numerator = period.duration * 1000 + 15;
  const thousandths = (numerator - (numerator % 30)) / 30;
  return `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`;
}

/** Human label of a period: "1 month", "3 months", "1 year", "10 days", "unlimited". */
export function describePeriod(period: PeriodLength & { unlimited?: boolean }): string {
  if (period.unlimited) return 'unlimited';
  periodLengthInMonths(period);
  return `${period.duration} ${period.unit}${period.duration === 1 ? '' : 's'}`;
}

export function purchaseOrderAmount(period: PlanPeriodPricing): MinorUnits {
  requireValid(period);
  if (period.trial) return 0;
  if (period.unlimited) return period.setupFee;
  return sumMoney([period.setupFee, recurringAmount(period)]);
}

export function renewalOrderAmount(period: PlanPeriodPricing): MinorUnits {
  requireValid(period);
  if (period.unlimited) throw new PricingError('not_renewable', 'Unlimited periods are never renewed');
  if (period.trial) return 0;
  return sumMoney([recurringAmount(period), period.renewalFee]);
}

function setupLine(planName: string, fee: MinorUnits): OrderLine {
  return { kind: 'setup_fee', description: `${planName}: setup fee`, quantity: 1, periodMonths: null, unitPrice: fee, amount: fee };
}

function recurringLine(planName: string, period: PlanPeriodPricing): OrderLine {
  const label = describePeriod(period);
  if (period.trial) {
    return { kind: 'recurring_fee', description: `${planName}, ${label} (trial)`, quantity: 1, periodMonths: periodMonths(period), unitPrice: 0, amount: 0 };
  }
  return {
    kind: 'recurring_fee',
    description: `${planName}, ${label} (recurring fee)`,
    quantity: 1,
    periodMonths: periodMonths(period),
    unitPrice: period.recurringFee,
    amount: recurringAmount(period),
  };
}

/**
 * Detail lines of a purchase order; their amounts sum to `purchaseOrderAmount`. A setup line
 * appears when a setup fee is due (always for unlimited periods, so the order has a line); the
 * recurring line always appears for limited periods, at 0 for trials.
 */
export function purchaseOrderLines(period: PlanPeriodPricing, planName: string): OrderLine[] {
  requireValid(period);
  if (period.unlimited) return [setupLine(planName, period.setupFee)];
  const lines: OrderLine[] = [];
  if (!period.trial && period.setupFee > 0) lines.push(setupLine(planName, period.setupFee));
  lines.push(recurringLine(planName, period));
  return lines;
}

/** Detail lines of a renewal order; their amounts sum to `renewalOrderAmount`. */
export function renewalOrderLines(period: PlanPeriodPricing, planName: string): OrderLine[] {
  requireValid(period);
  if (period.unlimited) throw new PricingError('not_renewable', 'Unlimited periods are never renewed');
  const lines: OrderLine[] = [recurringLine(planName, period)];
  if (!period.trial && period.renewalFee > 0) {
    lines.push({
      kind: 'renewal_fee',
      description: `${planName}: renewal fee`,
      quantity: 1,
      periodMonths: null,
      unitPrice: period.renewalFee,
      amount: period.renewalFee,
    });
  }
  return lines;
}

/**
 * What one extension of a subscription costs (spec 01 §11-12; OUR READING): a term renewal costs the
 * period's renewal (recurring × months + renewal fee) plus the additional resources for as many months;
 * per-financial-period billing (G Suite, CSP monthly, ESET, no refund) pays one month at a time, so its renewal is the new
 * term's first month (+ renewal fee) and each prolongation is one month. `resourceMonthly` is the monthly
 * price of the quantities above the plan's included ones. Trials cost nothing; unlimited terms never extend.
 */
export function extensionAmounts(
  billingType: BillingType,
  period: PlanPeriodPricing,
  resourceMonthly: MinorUnits,
): { renewal: MinorUnits; prolongation: MinorUnits } {
  requireValid(period);
  if (period.unlimited || period.trial) return { renewal: 0, prolongation: 0 };
  const monthly = sumMoney([period.recurringFee, resourceMonthly]);
  if (billedPerPeriod(billingType)) return { renewal: sumMoney([monthly, period.renewalFee]), prolongation: monthly };
  return {
    renewal: sumMoney([renewalOrderAmount(period), multiplyByQuantity(resourceMonthly, recurringMultiplier(period))]),
    prolongation: monthly,
  };
}

/**
 * The part of `fullAmount` (the price of a whole term of `termDays` days) that falls on the last
 * `remainingDays` days, rounded half-up to a minor unit. Used for resource increases and plan switches
 * in the middle of a term.
 */
export function proratedAmount(fullAmount: MinorUnits, remainingDays: number, termDays: number): MinorUnits {
  if (!Number.isSafeInteger(fullAmount) || fullAmount < 0) throw new PricingError('invalid_price', `amount must be non-negative minor units, got ${fullAmount}`);
  if (!Number.isInteger(termDays) || termDays < 1 || !Number.isInteger(remainingDays) || remainingDays < 0) {
    throw new PricingError('invalid_period', `cannot prorate ${remainingDays} of ${termDays} days`);
  }
  const days = Math.min(remainingDays, termDays);
  return Math.floor((fullAmount * days * 2 + termDays) / (termDays * 2));
}
