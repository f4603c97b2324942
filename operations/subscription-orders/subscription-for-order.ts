import type { Db } from '../../db/client';
import { addDays, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { billingTypeRules, type RestrictedOperation } from '../../domain/billing-types';
import { AppError, type Refusal } from '../../domain/errors';
import type { OrderSubject } from '../../domain/order-effects';
import type { NewSubscriptionOrder } from './subscription-orders';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import type { BillingType } from '../../domain/billing-types/types';

/** A subscription as an operator's order on it (renewal, prolongation, resource change, plan switch) reads it. */
export interface SubscriptionForOrder {
  id: number;
  status: string;
  client_id: number;
  plan_id: number;
  plan_name: string;
  plan_period_id: number;
  service_template_id: number;
  billing_type: BillingType;
  trial: boolean;
  trial_renewable: boolean | null;
  start_date: string | null;
  expiration_date: string | null;
  prolonged_until: string | null;
  manual_renew_point_days: number;
  financial_day: number;
  duration: number;
  unit: PeriodUnit;
  unlimited: boolean;
  recurring_fee: string;
  client_status: string;
  payment_model: 'prepay' | 'postpay';
  client_currency: string;
  /** The currency of the subscription's plan, its prices fixed in it at order time (spec 02 §4.13). */
  plan_currency: string;
}

/** An order priced and checked, ready to be placed (placeSubscriptionOrder adds who, when and where from). */
export type SubscriptionOrderDraft = Omit<NewSubscriptionOrder, 'today' | 'createdBy' | 'customerIp' | 'clientUserId'>;

export async function loadSubscriptionForOrder(db: Db, id: number): Promise<SubscriptionForOrder> {
  const [sub] = await db<SubscriptionForOrder[]>`
    select s.id, s.status, s.client_id, s.plan_id, p.name as plan_name, s.plan_period_id, s.service_template_id, s.billing_type, s.trial,
           (t.capabilities ->> 'trialRenewable')::boolean as trial_renewable, s.start_date::text, s.expiration_date::text,
           s.prolonged_until::text, s.manual_renew_point_days, pr.financial_day, pp.duration, pp.unit, pp.unlimited, pp.recurring_fee,
           c.status as client_status, s.payment_model, c.currency as client_currency, s.currency as plan_currency
    from subscriptions s join plans p on p.id = s.plan_id join plan_periods pp on pp.id = s.plan_period_id
         join provisioning_rules pr on pr.id = s.provisioning_rule_id join service_templates t on t.id = s.service_template_id
         join clients c on c.id = s.client_id
    where s.id = ${id}`;
  if (!sub) throw new AppError('not_found', `subscription ${id} does not exist`);
  return sub;
}

export const subjectOf = (sub: SubscriptionForOrder): OrderSubject => ({ id: sub.id, status: sub.status, clientStatus: sub.client_status, paymentModel: sub.payment_model });

/** Spec 02 §4.10: what the subscription's billing type forbids (no refund is never switched, ...), before any order exists. */
export function billingTypeRefusal(sub: SubscriptionForOrder, operation: RestrictedOperation, today: IsoDate): Refusal | null {
  return billingTypeRules(sub.billing_type).refuses(operation, { date: today, startDate: sub.start_date, financialDay: sub.financial_day });
}

/** Throws the refusal a rule gave, if any (its code and message). */
export function refuseIf(refusal: Refusal | null): void {
  if (refusal) throw new AppError(refusal.code, refusal.message, refusal.details);
}

/** The last day the subscription is paid for: "prolonged until" less a day for per-period billing, else the term's end. */
export const paidThrough = (sub: SubscriptionForOrder) =>
  billedPerPeriod(sub.billing_type) && sub.prolonged_until ? addDays(sub.prolonged_until, -1) : sub.expiration_date;
