import type { Db } from '../../db/client';
import { billingTypeRefusal } from './subscription-for-order';
import { requirePayableCurrency } from '../../domain/currencies';
import { addDays, addMonthsClamped, daysBetween, periodLengthInMonths, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { multiplyByQuantity as multiplyPeriodPrice } from '../../domain/money';
import { orderRefusal } from '../../domain/order-effects';
import { periodMonths, proratedAmount, purchaseOrderAmount } from '../../domain/pricing';
import { loadSubscriptionForOrder, paidThrough, refuseIf, subjectOf, type SubscriptionForOrder, type SubscriptionOrderDraft } from './subscription-for-order';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import type { BillingType } from '../../domain/billing-types/types';

export interface PlanSwitchOrderInput {
  subscriptionId: number;
  /** A period of the plan to switch to. */
  planPeriodId: number;
  today: IsoDate;
}

interface TargetPeriod {
  plan_id: number; plan_name: string; plan_status: string; currency: string; service_template_id: number; billing_type: BillingType;
  duration: number; unit: PeriodUnit; trial: boolean; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string;
}

async function loadTarget(db: Db, sub: SubscriptionForOrder, planPeriodId: number): Promise<TargetPeriod> {
  const [target] = await db<TargetPeriod[]>`
    select pp.plan_id, p.name as plan_name, p.status as plan_status, p.currency, p.service_template_id, p.billing_type, pp.duration, pp.unit, pp.trial,
           pp.unlimited, pp.setup_fee, pp.recurring_fee, pp.renewal_fee
    from plan_periods pp join plans p on p.id = pp.plan_id where pp.id = ${planPeriodId}`;
  if (!target) throw new AppError('invalid_reference', `plan period ${planPeriodId} does not exist`);
  if (target.plan_id === sub.plan_id) throw new AppError('same_plan', 'the subscription is already on this plan; renew it to change the period');
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
 * An operator switches the subscription to another plan of the same service (spec 01 §10): the new plan's purchase
 * price less the unused part of the paid term; what the credit exceeds the price by returns to the balance when
 * the switch is applied.
 */
export async function draftPlanSwitchOrder(db: Db, { subscriptionId: id, planPeriodId, today }: PlanSwitchOrderInput): Promise<SubscriptionOrderDraft> {
  const sub = await loadSubscriptionForOrder(db, id);
  refuseIf(orderRefusal('plan_switch', subjectOf(sub), 'switched'));
  refuseIf(billingTypeRefusal(sub, 'switch', today));
  const target = await loadTarget(db, sub, planPeriodId);
  const pricing = { ...target, setupFee: Number(target.setup_fee), recurringFee: Number(target.recurring_fee), renewalFee: Number(target.renewal_fee) };
  const price = purchaseOrderAmount(billedPerPeriod(target.billing_type) ? { ...pricing, duration: 1, unit: 'month' } : pricing);
  const paidTo = paidThrough(sub);
  const credit = unusedValue(sub, today);
  const amount = Math.max(0, price - credit);
  return {
    type: 'plan_switch',
    subscriptionId: id,
    planPeriodId,
    amount,
    lines: [
      { kind: 'subscription', priceType: 'recurring', description: `${sub.plan_name}: unused part until ${paidTo}`, quantity: 1, periodMonths: '0', unitPrice: -credit, amount: -credit },
      { kind: 'subscription', priceType: 'recurring', description: `${target.plan_name}: purchase`, quantity: 1, periodMonths: periodMonths(target), unitPrice: price, amount: price },
    ],
    details: { fromPlanPeriodId: sub.plan_period_id, toPlanPeriodId: planPeriodId, credit: Math.max(0, credit - price) },
  };
}
