// Recurring charges of a subscription term (spec 02 §4.6): one charge per financial period the term
// touches, prorated by days for partial periods.
//
// OUR READING (also in the issue note):
// - A full financial period costs exactly the monthly fee, whatever its length. A partial one costs
//   days used × monthly fee / days of the financial period it belongs to (for financial day 1 that is
//   the calendar month, as in the spec's example), rounded half-up to a minor unit.
// - The charged span of a first term is [start date, expiration date − 1]: the purchase day counts as a
//   day of use (decision 12) and the term ends on the same day of month N months later, so the charges
//   cover exactly N months. Ordered on 10 Nov for 3 months with financial day 1: 10–30 Nov (21 days),
//   December, January, 1–9 Feb (9 days of a 28-day month) = N + 1 charges; ordered on the financial day:
//   N charges. A renewed term [previous expiration + 1, new expiration] is N months long as it stands.

import { addDays, addMonthsClamped, compareDates, daysBetween, type IsoDate } from './dates';
import { chargeBase, discountCharges, periodMilliMonths, type DiscountTerms } from './discounts';
import { AppError } from './errors';
import { nextFinancialDay } from './lifecycle';
import type { MinorUnits } from './money';

export interface ChargePeriod {
  from: IsoDate;
  /** Inclusive. */
  to: IsoDate;
  days: number;
  /** Days of the whole financial period this one belongs to. */
  periodDays: number;
  full: boolean;
  amount: MinorUnits;
}

/** The financial period (first and last day) containing `date`. */
export function financialPeriodOf(date: IsoDate, financialDay: number): { from: IsoDate; to: IsoDate } {
  const next = nextFinancialDay(date, financialDay);
  return { from: addMonthsClamped(next, -1), to: addDays(next, -1) };
}

/** Days × fee / periodDays, rounded half-up to a minor unit; a full period is exactly the fee. */
export function proratedFee(monthlyFee: MinorUnits, days: number, periodDays: number): MinorUnits {
  if (!Number.isSafeInteger(monthlyFee) || monthlyFee < 0) throw new AppError('invalid_price', `monthly fee must be non-negative minor units, got ${monthlyFee}`);
  if (!Number.isInteger(days) || !Number.isInteger(periodDays) || days < 0 || periodDays < 1 || days > periodDays) {
    throw new AppError('invalid_period', `cannot prorate ${days} of ${periodDays} days`);
  }
  return Math.floor((monthlyFee * days * 2 + periodDays) / (periodDays * 2));
}

/** The charges of the span [from, to] (inclusive), one per financial period touched, in date order. */
export function recurringCharges(from: IsoDate, to: IsoDate, financialDay: number, monthlyFee: MinorUnits): ChargePeriod[] {
  if (compareDates(from, to) > 0) throw new AppError('invalid_period', `the span ${from} – ${to} is empty`);
  const charges: ChargePeriod[] = [];
  let cursor = from;
  while (compareDates(cursor, to) <= 0) {
    const period = financialPeriodOf(cursor, financialDay);
    const end = compareDates(period.to, to) < 0 ? period.to : to;
    const days = daysBetween(cursor, end) + 1;
    const periodDays = daysBetween(period.from, period.to) + 1;
    const full = days === periodDays;
    charges.push({ from: cursor, to: end, days, periodDays, full, amount: full ? monthlyFee : proratedFee(monthlyFee, days, periodDays) });
    cursor = addDays(end, 1);
  }
  return charges;
}

/** The charged span of a first term: from the start date to the day before the expiration date. */
export function firstTermChargeSpan(startDate: IsoDate, expirationDate: IsoDate): { from: IsoDate; to: IsoDate } {
  const to = addDays(expirationDate, -1);
  return compareDates(to, startDate) < 0 ? { from: startDate, to: startDate } : { from: startDate, to };
}

export interface PlannedCharge {
  kind: 'setup' | 'renewal' | 'recurring';
  from: IsoDate;
  to: IsoDate;
  /** When the charge is closed: one-off fees on payment (the order's day), recurring ones the day after their period. */
  closeDate: IsoDate;
  amount: MinorUnits;
  /** The discount the charge carries (spec 02 §4.1, §4.14); 0 or absent without one. */
  discount?: MinorUnits;
  /** A charge for additional resources: which, and how many units above the included ones (absent: the service). */
  resourceKey?: string;
  quantity?: number;
  /** A later month of a no-refund commitment: written open, in no order's amount (types.ts ChargeView.commitment). */
  commitment?: boolean;
}

/**
 * The charges of one order (spec 02 §4.6, §4.14): a one-off fee, then one recurring charge per financial
 * period of the span, prorated. The order's total is the price list's (months × monthly fee), so the
 * difference proration leaves is corrected on the recurring charges: added to the one with the longest
 * period (the last of equals); a correction that would make it negative sets it to 0 and carries the rest
 * to the next longest. Σ amounts = `total` always.
 */
export function orderCharges(o: {
  span: { from: IsoDate; to: IsoDate };
  financialDay: number;
  monthlyFee: MinorUnits;
  oneOff?: { kind: 'setup' | 'renewal'; amount: MinorUnits };
  total: MinorUnits;
  /** A discount on the order: the charges follow spec 02 §4.14 (`discountedOrderCharges`). */
  discount?: DiscountTerms | null;
  /** Resource-change and switch orders: today, whose charge plays "the first" in the §4.14 target rule. */
  currentPeriod?: IsoDate;
}): PlannedCharge[] {
  if (o.discount) return discountedOrderCharges({ ...o, discount: o.discount }).charges;
  const planned: PlannedCharge[] = [];
  if (o.oneOff && o.oneOff.amount > 0) planned.push({ kind: o.oneOff.kind, from: o.span.from, to: o.span.to, closeDate: o.span.from, amount: o.oneOff.amount });
  const recurring = o.monthlyFee > 0 || o.total > (o.oneOff?.amount ?? 0) ? recurringCharges(o.span.from, o.span.to, o.financialDay, o.monthlyFee) : [];
  const recurringPlanned = recurring.map((c) => ({ kind: 'recurring' as const, from: c.from, to: c.to, closeDate: addDays(c.to, 1), amount: c.amount, days: c.days }));
  let correction = o.total - planned.reduce((s, c) => s + c.amount, 0) - recurringPlanned.reduce((s, c) => s + c.amount, 0);
  // Longest period first; among equals the later one.
  const order = recurringPlanned.map((c, i) => ({ c, i })).sort((a, b) => b.c.days - a.c.days || b.i - a.i);
  for (const { c } of order) {
    if (correction === 0) break;
    const corrected = c.amount + correction;
    c.amount = Math.max(0, corrected);
    correction = Math.min(0, corrected);
  }
  if (correction !== 0) throw new AppError('invalid_price', `charges cannot add up to ${o.total}`);
  return [...planned, ...recurringPlanned.map(({ days: _days, ...c }) => c)];
}

/**
 * The charges of a discounted order (spec 02 §4.14): each charge's base is its period in months to 0.001 × the
 * monthly fee, rounded (a full period is the fee); the discount and the corrections are `discountCharges`'. The
 * order's amount is the reference order amount and its discount the reference order discount; Σ charge amounts and
 * Σ charge discounts equal them. `head` (an index among the recurring charges) or `currentPeriod` (a date) names the
 * current-period charge for change and switch orders: it stands in for "the first charge" of the target rule.
 */
export function discountedOrderCharges(o: {
  span: { from: IsoDate; to: IsoDate };
  financialDay: number;
  monthlyFee: MinorUnits;
  oneOff?: { kind: 'setup' | 'renewal'; amount: MinorUnits };
  total: MinorUnits;
  discount: DiscountTerms | null;
  head?: number;
  currentPeriod?: IsoDate;
}): { amount: MinorUnits; discount: MinorUnits; charges: PlannedCharge[] } {
  const oneOff: PlannedCharge[] = o.oneOff && o.oneOff.amount > 0 ? [{ kind: o.oneOff.kind, from: o.span.from, to: o.span.to, closeDate: o.span.from, amount: o.oneOff.amount }] : [];
  const recurring = o.monthlyFee > 0 || o.total > (o.oneOff?.amount ?? 0) ? recurringCharges(o.span.from, o.span.to, o.financialDay, o.monthlyFee) : [];
  const months = recurring.map((c) => (c.full ? 1000 : periodMilliMonths(c.days, c.periodDays)));
  const planned: PlannedCharge[] = [...oneOff, ...recurring.map((c, i) => ({ kind: 'recurring' as const, from: c.from, to: c.to, closeDate: addDays(c.to, 1), amount: chargeBase(months[i]!, 1, o.monthlyFee) }))];
  const head = o.currentPeriod === undefined ? o.head : currentPeriodIndex(recurring, o.currentPeriod);
  const { order, charges } = discountCharges({
    orderAmount: o.total,
    charges: planned.map((c, i) => ({ kind: c.kind, milliMonths: c.kind === 'recurring' ? months[i - oneOff.length]! : 0, base: c.amount })),
    terms: o.discount,
    head: head === undefined ? undefined : head + oneOff.length,
  });
  return { ...order, charges: planned.map((c, i) => ({ ...c, amount: charges[i]!.amount, discount: charges[i]!.discount })) };
}

/**
 * The index of the charge (in date order) whose period holds `date`: spec 02 §4.14 takes "the charge of the current
 * financial period" instead of the first for resource-change and switch orders. A date before every period is the
 * first's (nothing earlier is current); one after every period, the last's.
 */
export function currentPeriodIndex(periods: ReadonlyArray<{ from: IsoDate; to: IsoDate }>, date: IsoDate): number {
  const holding = periods.findIndex((p) => compareDates(p.from, date) <= 0 && compareDates(date, p.to) <= 0);
  if (holding >= 0) return holding;
  const later = periods.findIndex((p) => compareDates(p.from, date) > 0);
  return later >= 0 ? later : Math.max(0, periods.length - 1);
}

/**
 * A discount on charges planned without one (a whole unlimited or day period: one charge per kind): §4.14 with
 * each charge's amount as its base, one month each for the target rule. Without terms, the charges as they are.
 */
export function discountPlannedCharges(planned: PlannedCharge[], total: MinorUnits, terms: DiscountTerms | null | undefined): PlannedCharge[] {
  if (!terms) return planned;
  const { charges } = discountCharges({ orderAmount: total, charges: planned.map((c) => ({ kind: c.kind, milliMonths: 1000, base: c.amount })), terms });
  return planned.map((c, i) => ({ ...c, amount: charges[i]!.amount, discount: charges[i]!.discount }));
}

/**
 * Per-period billing (spec 02 §4.10 G Suite, CSP monthly, ESET, no refund): the purchase pays the financial period
 * it is made in, from the order day to the day before the next financial day (or the term's end), prorated
 * (21 days of a 30-day month at 30.00 = 21.00, seed 8.3.4.1.3); the billing run's prolongations pay the next ones.
 */
export function firstFinancialPeriod(today: IsoDate, expirationDate: IsoDate, financialDay: number, monthlyFee: MinorUnits): ChargePeriod {
  const next = nextFinancialDay(today, financialDay);
  const end = compareDates(next, expirationDate) < 0 ? next : expirationDate;
  const to = compareDates(addDays(end, -1), today) < 0 ? today : addDays(end, -1);
  return recurringCharges(today, to, financialDay, monthlyFee)[0]!;
}
