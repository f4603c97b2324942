import type { Db } from '../../db/client';
import { billingTypeRefusal } from './subscription-for-order';
import { requirePayableCurrency } from '../../domain/currencies';
import { addDays, addMonthsClamped, daysBetween, firstExpirationDate, periodLengthInMonths, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { firstFinancialPeriod } from '../../domain/charges';
import { purchaseCharges } from '../charges/charges';
import { AppError } from '../../domain/errors';
import { multiplyByQuantity as multiplyPeriodPrice } from '../../domain/money';
import { orderRefusal } from '../../domain/order-effects';
import { periodMonths, proratedAmount, purchaseOrderAmount } from '../../domain/pricing';
import { loadSubscriptionForOrder, paidThrough, refuseIf, subjectOf, type SubscriptionForOrder, type SubscriptionOrderDraft } from './subscription-for-order';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import type { BillingType } from '../../domain/billing-types/types';
import type { DiscountTerms } from '../../domain/discounts';
import { discountDraft } from './promo-code';

export interface PlanSwitchOrderInput {
  subscriptionId: number;
  /** A period of the plan to switch to. */
  planPeriodId: number;
  today: IsoDate;
  /** A promo code for the new plan (and period): the switch is discounted (spec 02 §4.14), or refused before anything is written. */
  promoCode?: string | undefined;
}

interface TargetPeriod {
  plan_id: number; plan_name: string; plan_status: string; currency: string; service_template_id: number; billing_type: BillingType;
  duration: number; unit: PeriodUnit; trial: boolean; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string;
  financial_day: number;
}

async function loadTarget(db: Db, sub: SubscriptionForOrder, planPeriodId: number): Promise<TargetPeriod> {
  const [target] = await db<TargetPeriod[]>`
    select pp.plan_id, p.name as plan_name, p.status as plan_status, p.currency, p.service_template_id, p.billing_type, pp.duration, pp.unit, pp.trial,
           pp.unlimited, pp.setup_fee, pp.recurring_fee, pp.renewal_fee, pr.financial_day
    from plan_periods pp join plans p on p.id = pp.plan_id join provisioning_rules pr on pr.id = p.provisioning_rule_id where pp.id = ${planPeriodId}`;
  if (!target) throw new AppError('invalid_reference', `plan period ${planPeriodId} does not exist`);
  if (target.plan_id === sub.plan_id) throw new AppError('same_plan', 'the subscription is already on this plan; renew it to change the period');
  // Spec 05 §3.3 rule 11: a copy whose provider deactivated the plan upstream sells nothing in the subtree.
  if (target.plan_status === 'deactivated_by_provider') throw new AppError('plan_deactivated_by_provider', `plan "${target.plan_name}" was deactivated by its provider`);
  if (target.plan_status !== 'active') throw new AppError('plan_inactive', `plan "${target.plan_name}" is not active`);
  if (target.service_template_id !== sub.service_template_id) throw new AppError('plan_not_switchable', `plan "${target.plan_name}" is provided by another service; order it instead`);
  requirePayableCurrency(sub.client_currency, target.currency);
  // The switch credits the unused part of the old plan against the new plan's price, both in one plan currency,
  // and the order is converted to the client's from there (subscription-orders.ts). Plans of one service in two
  // currencies would need the credit converted at the rate of the old order: not supported yet.
  if (target.currency !== sub.plan_currency) {
    throw new AppError('currency_mismatch', `the subscription's plan is priced in ${sub.plan_currency} and plan "${target.plan_name}" in ${target.currency}: a switch stays within one plan currency`);
  }
  return target;
}

/** The unused value of the paid term from today (a trial has none), prorated by days. */
function unusedValue(sub: SubscriptionForOrder, today: IsoDate): number {
  const paidTo = paidThrough(sub);
  if (!paidTo || today > paidTo || sub.trial) return 0;
  const months = billedPerPeriod(sub.billing_type) ? 1 : (periodLengthInMonths(sub) ?? 1);
  const termStart = addDays(addMonthsClamped(paidTo, -months), 1);
  return proratedAmount(multiplyPeriodPrice(Number(sub.recurring_fee), months), daysBetween(today, paidTo) + 1, daysBetween(termStart, paidTo) + 1);
}

/**
 * An operator switches the subscription to another plan of the same service (spec 01 §10, spec 02 §4.9 "Plan
 * switch"): the order is the new plan's purchase from today (its charges, per-period types their first financial
 * period prorated); when the switch is applied, the old plan's current and future charges are split by the old
 * billing type (used part closed, the rest given back through the ledger), so the order shows what the unused part
 * will return (`details.unusedReturned`) rather than netting it. A promo code discounts the new plan's purchase;
 * the unused part returned is the old plan's and is not discounted again.
 */
export async function draftPlanSwitchOrder(db: Db, { subscriptionId: id, planPeriodId, today, promoCode }: PlanSwitchOrderInput): Promise<SubscriptionOrderDraft> {
  const sub = await loadSubscriptionForOrder(db, id);
  refuseIf(orderRefusal('plan_switch', subjectOf(sub), 'switched'));
  refuseIf(billingTypeRefusal(sub, 'switch', today));
  const target = await loadTarget(db, sub, planPeriodId);
  const period = { duration: target.duration, unit: target.unit, trial: target.trial, unlimited: target.unlimited, setupFee: Number(target.setup_fee), recurringFee: Number(target.recurring_fee), renewalFee: Number(target.renewal_fee) };
  const perPeriod = billedPerPeriod(target.billing_type) && !period.unlimited && !period.trial;
  const first = perPeriod ? firstFinancialPeriod(today, firstExpirationDate(today, period), target.financial_day, period.recurringFee) : null;
  const price = first ? period.setupFee + first.amount : purchaseOrderAmount(period);
  // Spec 02 §4.14: a switch's corrections compare the current financial period's charge (not the first) with the last.
  const charge = (discount: DiscountTerms | null) =>
    purchaseCharges({ today, billingType: target.billing_type, period, financialDay: target.financial_day, setupFee: period.setupFee, recurringFee: period.recurringFee, total: price, discount, currentPeriod: today });
  const paidTo = paidThrough(sub);
  const draft: SubscriptionOrderDraft = {
    type: 'plan_switch',
    subscriptionId: id,
    planPeriodId,
    amount: price,
    lines: [{ kind: 'subscription', priceType: 'recurring', description: `${target.plan_name}: purchase${first ? ` ${first.from} – ${first.to}` : ''}`, quantity: 1, periodMonths: first ? (first.full ? '1' : periodMonths({ duration: first.days, unit: 'day' })) : periodMonths(target), unitPrice: price, amount: price }],
    details: { fromPlanPeriodId: sub.plan_period_id, toPlanPeriodId: planPeriodId, splitsCharges: true, unusedReturned: unusedValue(sub, today), unusedUntil: paidTo },
    charges: charge(null),
  };
  if (promoCode === undefined) return draft;
  return discountDraft(db, draft, { code: promoCode, clientId: sub.client_id, planId: target.plan_id, planPeriodId, currency: target.currency, today }, charge);
}
