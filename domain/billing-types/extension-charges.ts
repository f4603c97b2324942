// The charges of a renewal or prolongation order (spec 02 §4.6 point 4), priced the same for the order operations
// (operations/subscription-orders) and the charge forecast (charge-forecast.ts).

import { discountPlannedCharges, orderCharges, type PlannedCharge } from '../charges';
import type { DiscountTerms } from '../discounts';
import { addDays, nextExpirationDate, periodLengthInMonths, type IsoDate, type PeriodUnit } from '../dates';
import { prolongedUntilAfter } from '../lifecycle';
import { billingTypeRules } from './index';
import { billedPerPeriod } from './payment';
import type { BillingType } from './types';

/**
 * The charges of a renewal or prolongation order (spec 02 §4.6 point 4): the renewal fee, then the recurring
 * fee per financial period of the new term ([expiration + 1, new expiration]; for per-period billing its
 * first period) or of the prolonged period. They start after the current term, so they stay blocked
 * (paid, not consumed) until their periods pass. With a promo code's `discount` they follow spec 02 §4.14.
 */
export function extensionCharges(o: {
  type: 'renewal' | 'prolongation';
  billingType: string;
  expirationDate: IsoDate;
  period: { duration: number; unit: PeriodUnit };
  financialDay: number;
  renewalFee: number;
  amount: number;
  prolonged?: { from: IsoDate; to: IsoDate };
  discount?: DiscountTerms | null;
}): PlannedCharge[] {
  if (o.amount === 0) return [];
  const discount = o.discount ?? null;
  const own = o.type === 'renewal' ? billingTypeRules(o.billingType as BillingType).renewalCharges?.({ expirationDate: o.expirationDate, nextExpiration: nextExpirationDate(o.expirationDate, o.period), amount: o.amount }) : undefined;
  if (own) return discountPlannedCharges(own, o.amount, discount);
  if (o.type === 'prolongation') {
    const span = o.prolonged!;
    return orderCharges({ span, financialDay: o.financialDay, monthlyFee: o.amount, total: o.amount, discount });
  }
  const from = addDays(o.expirationDate, 1);
  const next = nextExpirationDate(o.expirationDate, o.period);
  const perPeriod = billedPerPeriod(o.billingType);
  const span = { from, to: perPeriod ? addDays(prolongedUntilAfter(from, next, o.financialDay), -1) : next };
  const renewalFee = Math.min(o.renewalFee, o.amount);
  if (o.period.unit === 'day' && !perPeriod) {
    const oneOff: PlannedCharge[] = renewalFee > 0 ? [{ kind: 'renewal', from: span.from, to: span.to, closeDate: span.from, amount: renewalFee }] : [];
    return discountPlannedCharges([...oneOff, { kind: 'recurring', from: span.from, to: span.to, closeDate: addDays(span.to, 1), amount: o.amount - renewalFee }], o.amount, discount);
  }
  const months = perPeriod ? 1 : (periodLengthInMonths(o.period) ?? 1);
  return orderCharges({ span, financialDay: o.financialDay, monthlyFee: Math.floor((o.amount - renewalFee) / months), oneOff: { kind: 'renewal', amount: renewalFee }, total: o.amount, discount });
}
