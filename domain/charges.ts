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
import { DomainValidationError } from './errors';
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
  if (!Number.isSafeInteger(monthlyFee) || monthlyFee < 0) throw new DomainValidationError('invalid_price', `monthly fee must be non-negative minor units, got ${monthlyFee}`);
  if (!Number.isInteger(days) || !Number.isInteger(periodDays) || days < 0 || periodDays < 1 || days > periodDays) {
    throw new DomainValidationError('invalid_period', `cannot prorate ${days} of ${periodDays} days`);
  }
  return Math.floor((monthlyFee * days * 2 + periodDays) / (periodDays * 2));
}

/** The charges of the span [from, to] (inclusive), one per financial period touched, in date order. */
export function recurringCharges(from: IsoDate, to: IsoDate, financialDay: number, monthlyFee: MinorUnits): ChargePeriod[] {
  if (compareDates(from, to) > 0) throw new DomainValidationError('invalid_period', `the span ${from} – ${to} is empty`);
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
