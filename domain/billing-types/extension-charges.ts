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
 * fee per financial period of the new term ([expiration, new expiration − 1]; for per-period billing its
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
  /** The additional resources the amount includes (units above the included ones, their monthly price): each gets its own charges. */
  resources?: readonly AdditionalResource[];
  discount?: DiscountTerms | null;
}): PlannedCharge[] {
  if (o.amount === 0) return [];
  const split = resourceShares(o);
  if (split) return [...serviceCharges({ ...o, amount: split.service }), ...split.resources.flatMap((r) => resourceCharges(o, r))];
  return serviceCharges(o);
}

/** Additional units of one resource as an extension prices them. */
export interface AdditionalResource {
  key: string;
  quantity: number;
  /** Their monthly price (units × the resource's price). */
  monthly: number;
}

type ExtensionInput = Parameters<typeof extensionCharges>[0];

/** The extension's months of each resource (one for per-period billing and prolongations, the period's months for a term). */
function resourceMonths(o: ExtensionInput): number | null {
  if (o.type === 'prolongation' || billedPerPeriod(o.billingType)) return 1;
  return o.period.unit === 'day' ? null : periodLengthInMonths(o.period);
}

/**
 * The amount apart: each resource's monthly price × the extension's months, the rest the service's. Null when the
 * charges stay one series (no resources, day periods, a type that shapes its own renewal, a discount, or a rest that
 * would not cover the renewal fee).
 */
function resourceShares(o: ExtensionInput): { service: number; resources: Array<AdditionalResource & { total: number }> } | null {
  const months = resourceMonths(o);
  const own = o.type === 'renewal' && billingTypeRules(o.billingType as BillingType).renewalCharges;
  // A discount is spread over the order's charges as one (spec 02 §4.14): its charges stay one series.
  if (!o.resources?.length || months === null || own || o.discount) return null;
  const resources = o.resources.filter((r) => r.quantity > 0 && r.monthly > 0).map((r) => ({ ...r, total: Math.round(r.monthly * months) }));
  const service = o.amount - resources.reduce((s, r) => s + r.total, 0);
  return resources.length > 0 && service >= (o.type === 'renewal' ? o.renewalFee : 0) ? { service, resources } : null;
}

function resourceCharges(o: ExtensionInput, r: AdditionalResource & { total: number }): PlannedCharge[] {
  const span = o.type === 'prolongation' ? o.prolonged! : renewalSpan(o);
  return orderCharges({ span, financialDay: o.financialDay, monthlyFee: r.monthly, total: r.total }).map((c) => ({ ...c, resourceKey: r.key, quantity: r.quantity }));
}

/**
 * The renewed term's charged days: from the expiration date (the first day the term before did not charge: its
 * charges end the day before, firstTermChargeSpan) to the day before the next expiration date, or for per-period
 * billing to the day before the "prolonged until" the renewal sets (apply-subscription-order.ts applyRenewal).
 * Payment in full's own renewal charges start on the expiration date too.
 */
function renewalSpan(o: ExtensionInput): { from: IsoDate; to: IsoDate } {
  const next = nextExpirationDate(o.expirationDate, o.period);
  const to = billedPerPeriod(o.billingType) ? addDays(prolongedUntilAfter(addDays(o.expirationDate, 1), next, o.financialDay), -1) : addDays(next, -1);
  return { from: o.expirationDate, to };
}

/** The service's charges (with the resources when they are not apart). */
function serviceCharges(o: ExtensionInput): PlannedCharge[] {
  if (o.amount === 0) return [];
  const discount = o.discount ?? null;
  const own = o.type === 'renewal' ? billingTypeRules(o.billingType as BillingType).renewalCharges?.({ expirationDate: o.expirationDate, nextExpiration: nextExpirationDate(o.expirationDate, o.period), amount: o.amount }) : undefined;
  if (own) return discountPlannedCharges(own, o.amount, discount);
  if (o.type === 'prolongation') {
    const span = o.prolonged!;
    return orderCharges({ span, financialDay: o.financialDay, monthlyFee: o.amount, total: o.amount, discount });
  }
  const perPeriod = billedPerPeriod(o.billingType);
  const span = renewalSpan(o);
  const renewalFee = Math.min(o.renewalFee, o.amount);
  if (o.period.unit === 'day' && !perPeriod) {
    const oneOff: PlannedCharge[] = renewalFee > 0 ? [{ kind: 'renewal', from: span.from, to: span.to, closeDate: span.from, amount: renewalFee }] : [];
    return discountPlannedCharges([...oneOff, { kind: 'recurring', from: span.from, to: span.to, closeDate: addDays(span.to, 1), amount: o.amount - renewalFee }], o.amount, discount);
  }
  const months = perPeriod ? 1 : (periodLengthInMonths(o.period) ?? 1);
  return orderCharges({ span, financialDay: o.financialDay, monthlyFee: Math.floor((o.amount - renewalFee) / months), oneOff: { kind: 'renewal', amount: renewalFee }, total: o.amount, discount });
}
