import type { Db } from '../../db/client';
import { addDays, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { clientRefusal } from '../../domain/order-effects';
import { prolongedUntilAfter } from '../../domain/lifecycle';
import { extensionCharges } from '../charges/charges';
import { additionalResources } from './additional-resources';
import { loadSubscriptionForOrder, refuseIf, subjectOf, type SubscriptionOrderDraft } from './subscription-for-order';
import { loadLifecycleStates } from './subscription-orders';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import type { DiscountTerms } from '../../domain/discounts';
import { discountDraft } from './promo-code';

export interface ProlongationOrderInput {
  subscriptionId: number;
  today: IsoDate;
  /** A promo code: the prolongation is discounted (spec 02 §4.14), or refused before anything is written. */
  promoCode?: string | undefined;
}

/**
 * An operator prolongs a stopped per-period subscription by hand to the end of the current financial period
 * (spec 01 §11.3); active ones are prolonged by the billing run. Spec 01 §4.2: a blocked client's subscriptions are
 * not changed (in a financial block, postpay ones still are).
 */
export async function draftProlongationOrder(db: Db, { subscriptionId: id, today, promoCode }: ProlongationOrderInput): Promise<SubscriptionOrderDraft> {
  const sub = await loadSubscriptionForOrder(db, id);
  if (!billedPerPeriod(sub.billing_type)) throw new AppError('not_prolongable', 'only subscriptions billed per financial period are prolonged; renew this one');
  if (sub.status !== 'stopped') throw new AppError('subscription_status', `subscription ${id} is ${sub.status}; only a stopped subscription is prolonged by hand (active ones are prolonged by the billing run)`);
  refuseIf(clientRefusal(subjectOf(sub)));
  if (sub.expiration_date === null || today > sub.expiration_date) throw new AppError('term_ended', `the term ended on ${sub.expiration_date}; renew the subscription instead`);
  const [row] = await loadLifecycleStates(db, { ids: [id] });
  const until = prolongedUntilAfter(today, sub.expiration_date, sub.financial_day);
  const amount = row?.state.prolongationAmount ?? Number(sub.recurring_fee);
  const resources = await additionalResources(db, id);
  const charge = (discount: DiscountTerms | null) =>
    extensionCharges({ type: 'prolongation', billingType: sub.billing_type, expirationDate: sub.expiration_date!, period: sub, financialDay: sub.financial_day, renewalFee: 0, amount, prolonged: { from: today, to: addDays(until, -1) }, discount, resources });
  const draft: SubscriptionOrderDraft = {
    type: 'prolongation',
    subscriptionId: id,
    amount,
    lines: [{ kind: 'subscription', priceType: 'recurring', description: `${sub.plan_name}: prolongation ${today} – ${addDays(until, -1)}`, quantity: 1, periodMonths: '1', unitPrice: amount, amount }],
    termKey: today,
    details: { from: today, to: addDays(until, -1), prolongedUntil: until },
    charges: charge(null),
  };
  if (promoCode === undefined) return draft;
  return discountDraft(db, draft, { code: promoCode, clientId: sub.client_id, planId: sub.plan_id, planPeriodId: sub.plan_period_id, currency: sub.plan_currency, today }, charge);
}
