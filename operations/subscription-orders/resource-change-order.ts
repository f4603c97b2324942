import type { Db } from '../../db/client';
import { billingTypeRefusal } from './subscription-for-order';
import { discountedOrderCharges, orderCharges } from '../../domain/charges';
import type { DiscountTerms } from '../../domain/discounts';
import { addDays, addMonthsClamped, daysBetween, periodLengthInMonths, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { multiplyByQuantity as multiplyPeriodPrice } from '../../domain/money';
import { orderRefusal } from '../../domain/order-effects';
import { proratedAmount } from '../../domain/pricing';
import { loadSubscriptionForOrder, paidThrough, refuseIf, subjectOf, type SubscriptionForOrder, type SubscriptionOrderDraft } from './subscription-for-order';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import { discountDraft } from './promo-code';

export interface ResourceChangeOrderInput {
  subscriptionId: number;
  /** The new quantities by resource key. */
  resources: Record<string, number>;
  today: IsoDate;
  /** A promo code: the increase is discounted (spec 02 §4.14), or the order refused before anything is written. */
  promoCode?: string | undefined;
}

interface PlanResource {
  key: string;
  name: string;
  included: number;
  minimum: number;
  maximum: number | null;
  recurring_price: string;
}

type OrderLine = SubscriptionOrderDraft['lines'][number];

/**
 * One resource's line: an increase above what is held (or included) is charged for the rest of the paid period,
 * prorated by days (spec 01 §9); a decrease costs nothing. `addedMonthly` is the increase's monthly price.
 */
function resourceLine(sub: SubscriptionForOrder, res: PlanResource, before: number, quantity: number, today: IsoDate): { line: OrderLine; addedMonthly: number; added: number } {
  const paidTo = paidThrough(sub);
  const months = billedPerPeriod(sub.billing_type) ? 1 : (periodLengthInMonths(sub) ?? 1);
  const added = Math.max(0, quantity - Math.max(before, res.included));
  let amount = 0;
  let addedMonthly = 0;
  if (added > 0 && paidTo && today <= paidTo) {
    // Per-period billing pays the financial period that ends on paidTo: it started a month before the day after it
    // (a month back from paidTo itself would count 31 days in a 30-day September).
    const termStart = billedPerPeriod(sub.billing_type) ? addMonthsClamped(addDays(paidTo, 1), -1) : addDays(addMonthsClamped(paidTo, -months), 1);
    amount = proratedAmount(multiplyPeriodPrice(Number(res.recurring_price) * added, months), daysBetween(today, paidTo) + 1, daysBetween(termStart, paidTo) + 1);
    addedMonthly = Number(res.recurring_price) * added;
  }
  const line: OrderLine = { kind: 'resource', priceType: 'recurring', description: `${res.name}: ${before} → ${quantity}${amount > 0 ? ` (until ${paidTo})` : ''}`, quantity: Math.abs(quantity - before), periodMonths: String(months), unitPrice: Number(res.recurring_price), amount };
  return { line, addedMonthly, added };
}

/**
 * An operator orders new resource quantities (spec 01 §9); increases are charged for the rest of the paid period.
 * A promo code is checked against the subscription's plan period; a decrease costs nothing, so none applies to it.
 */
export async function draftResourceChangeOrder(db: Db, { subscriptionId: id, resources, today, promoCode }: ResourceChangeOrderInput): Promise<SubscriptionOrderDraft> {
  const sub = await loadSubscriptionForOrder(db, id);
  refuseIf(orderRefusal('resource_change', subjectOf(sub), 'changed'));
  const planResources = await db<PlanResource[]>`
    select key, name, included, minimum, maximum, recurring_price from plan_resources where plan_id = ${sub.plan_id}`;
  const current = new Map((await db<Array<{ key: string; quantity: number }>>`select key, quantity from subscription_resources where subscription_id = ${id}`).map((r) => [r.key, r.quantity]));
  const lines: OrderLine[] = [];
  const increases: Array<{ key: string; added: number; monthly: number; amount: number }> = [];
  for (const [key, quantity] of Object.entries(resources)) {
    const res = planResources.find((r) => r.key === key);
    if (!res) throw new AppError('unknown_resource', `the plan has no resource "${key}"`);
    if (quantity < res.minimum || (res.maximum !== null && quantity > res.maximum)) {
      throw new AppError('quantity_out_of_range', `"${key}" must be between ${res.minimum} and ${res.maximum ?? 'unlimited'}, got ${quantity}`);
    }
    const before = current.get(key) ?? res.included;
    if (quantity !== before) refuseIf(billingTypeRefusal(sub, quantity > before ? 'increase' : 'decrease', today));
    const priced = resourceLine(sub, res, before, quantity, today);
    lines.push(priced.line);
    if (priced.line.amount > 0) increases.push({ key, added: priced.added, monthly: priced.addedMonthly, amount: priced.line.amount });
  }
  if (lines.every((l) => l.quantity === 0)) throw new AppError('nothing_to_change', 'the quantities are the current ones');
  const amount = lines.reduce((sum, l) => sum + l.amount, 0);
  // Spec 02 §4.8: an increase is charged per financial period for the rest of the paid period ("Resource increase (recurring)").
  // A term's charges end the day before its expiration date, like the purchase's (firstTermChargeSpan).
  const paidTo = paidThrough(sub);
  const chargedTo = paidTo && !billedPerPeriod(sub.billing_type) ? addDays(paidTo, -1) : paidTo;
  // One series of charges per resource, each recording its resource and units (spec 02 §4.9: a decrease splits
  // and refunds them, newest order first).
  const span = chargedTo ? { from: today, to: chargedTo < today ? today : chargedTo } : null;
  const charges = span
    ? increases.flatMap((r) => orderCharges({ span, financialDay: sub.financial_day, monthlyFee: r.monthly, total: r.amount }).map((c) => ({ ...c, resourceKey: r.key, quantity: r.added })))
    : [];
  const draft: SubscriptionOrderDraft = { type: 'resource_change', subscriptionId: id, amount, lines, details: { resources }, charges };
  if (promoCode === undefined) return draft;
  // Spec 02 §4.14: for a resource change the charge of the current financial period, not the first, is compared
  // with the last when the corrections are placed. The discount is spread over the order as one series; it still
  // records its resource when the order increases one (several resources at once share untagged charges, which a
  // later decrease does not refund).
  const addedMonthly = increases.reduce((sum, r) => sum + r.monthly, 0);
  const only = increases.length === 1 ? increases[0]! : null;
  const discounted = (discount: DiscountTerms) =>
    span
      ? discountedOrderCharges({ span, financialDay: sub.financial_day, monthlyFee: addedMonthly, total: amount, discount, currentPeriod: today }).charges.map((c) => (only ? { ...c, resourceKey: only.key, quantity: only.added } : c))
      : [];
  return discountDraft(db, draft, { code: promoCode, clientId: sub.client_id, planId: sub.plan_id, planPeriodId: sub.plan_period_id, currency: sub.plan_currency, today }, discounted);
}
