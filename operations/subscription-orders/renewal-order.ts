import type { Db } from '../../db/client';
import type { IsoDate, PeriodUnit } from '../../domain/dates';
import { billingTypeRefusal } from './subscription-for-order';
import type { DiscountTerms } from '../../domain/discounts';
import { AppError } from '../../domain/errors';
import { manualRenewalRefusal } from '../../domain/lifecycle';
import { extensionAmounts, periodMonths } from '../../domain/pricing';
import { extensionCharges } from '../charges/charges';
import { additionalResources } from './additional-resources';
import { loadSubscriptionForOrder, refuseIf, subjectOf, type SubscriptionOrderDraft } from './subscription-for-order';
import { loadLifecycleStates } from './subscription-orders';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import { discountDraft } from './promo-code';

export interface RenewalOrderInput {
  subscriptionId: number;
  /** A period of the same plan; default: the current one. */
  planPeriodId?: number;
  today: IsoDate;
  /** A promo code: the renewal is discounted (spec 02 §4.14), or refused before anything is written. */
  promoCode?: string | undefined;
}

/**
 * An operator's renewal, inside the manual-renewal window (spec 01 §12.3): priced like the billing run's renewal
 * (the period's renewal price plus the resources above the plan's). Per-period billing renews early as a deferred
 * order, provisioned on the expiration date (§12.4). A promo code is checked against the period renewed onto.
 */
export async function draftRenewalOrder(db: Db, { subscriptionId: id, planPeriodId, today, promoCode }: RenewalOrderInput): Promise<SubscriptionOrderDraft> {
  const sub = await loadSubscriptionForOrder(db, id);
  refuseIf(billingTypeRefusal(sub, 'renew', today));
  refuseIf(manualRenewalRefusal({ ...subjectOf(sub), expirationDate: sub.expiration_date, unlimited: sub.unlimited, trial: sub.trial, trialRenewable: sub.trial_renewable === true, manualRenewPointDays: sub.manual_renew_point_days }, today));
  const expirationDate = sub.expiration_date!; // the rule refused an unlimited subscription (no expiration date)
  const periodId = planPeriodId ?? sub.plan_period_id;
  const [period] = await db<Array<{ plan_id: number; duration: number; unit: PeriodUnit; trial: boolean; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string }>>`
    select plan_id, duration, unit, trial, unlimited, setup_fee, recurring_fee, renewal_fee from plan_periods where id = ${periodId}`;
  if (!period || period.plan_id !== sub.plan_id) throw new AppError('invalid_reference', `plan period ${periodId} is not a period of the subscription's plan`);
  if (period.unlimited) throw new AppError('not_renewable', 'a subscription cannot be renewed onto an unlimited period');
  const [row] = await loadLifecycleStates(db, { ids: [id] });
  const resourceMonthly = row?.resourceMonthly ?? 0;
  const amount = extensionAmounts(sub.billing_type, { ...period, setupFee: Number(period.setup_fee), recurringFee: Number(period.recurring_fee), renewalFee: Number(period.renewal_fee) }, resourceMonthly).renewal;
  const deferred = billedPerPeriod(sub.billing_type) && today < expirationDate;
  const resources = await additionalResources(db, id);
  const charge = (discount: DiscountTerms | null) =>
    extensionCharges({ type: 'renewal', billingType: sub.billing_type, expirationDate: expirationDate, period, financialDay: sub.financial_day, renewalFee: Number(period.renewal_fee), amount, discount, resources });
  const draft: SubscriptionOrderDraft = {
    type: 'renewal',
    subscriptionId: id,
    planPeriodId: periodId,
    amount,
    lines: [{ kind: 'subscription', priceType: 'renewal', description: `${sub.plan_name}: renewal after ${expirationDate}${deferred ? ` (deferred to ${expirationDate})` : ''}`, quantity: 1, periodMonths: !billedPerPeriod(sub.billing_type) ? periodMonths(period) : '1', unitPrice: amount, amount }],
    termKey: expirationDate,
    deferred,
    provisioningDate: deferred ? expirationDate : today,
    details: { renewsAfter: expirationDate },
    charges: charge(null),
  };
  if (promoCode === undefined) return draft;
  return discountDraft(db, draft, { code: promoCode, clientId: sub.client_id, planId: sub.plan_id, planPeriodId: periodId, currency: sub.plan_currency, today }, charge);
}
