import type { Sql } from '../../db/client';
import { firstExpirationDate, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { nextFinancialDay, prolongedUntilAfter } from '../../domain/lifecycle';
import { billingTypeRules, type BillingType } from '../../domain/billing-types';
import { logEvent } from '../event-log/event-log';
import { billedPerPeriod } from '../../domain/billing-types/payment';

export interface ActivateNewSubscriptionInput {
  subscriptionId: number;
  vendorReference: string | null;
  /** Today's business date: the subscription's start. */
  today: IsoDate;
}

/**
 * The vendor holds a newly provisioned resource: the subscription becomes active with its first term from today
 * (decision 12). Idempotent: an active subscription answers its term unchanged.
 */
export async function activateNewSubscription(sql: Sql, { subscriptionId, vendorReference, today }: ActivateNewSubscriptionInput) {
  return sql.begin(async (tx) => {
    const [sub] = await tx<Array<{ status: string; start_date: string | null; expiration_date: string | null; duration: number; unit: 'day' | 'month' | 'year'; unlimited: boolean; billing_type: string; financial_day: number }>>`
      select s.status, s.start_date::text, s.expiration_date::text, pp.duration, pp.unit, pp.unlimited, s.billing_type, pr.financial_day
      from subscriptions s join plan_periods pp on pp.id = s.plan_period_id join provisioning_rules pr on pr.id = s.provisioning_rule_id
      where s.id = ${subscriptionId} for update of s`;
    if (!sub) throw new AppError('subscription_not_found', `subscription ${subscriptionId} does not exist`);
    const rules = billingTypeRules(sub.billing_type as BillingType);
    if (sub.status === rules.activeStatus) return { startDate: sub.start_date, expirationDate: sub.expiration_date };
    const startDate = today;
    // Payment in full: the first term is the free period, to the next financial day (spec 02 §4.10).
    const expirationDate = sub.unlimited ? null : sub.billing_type === 'peak_monthly' ? nextFinancialDay(startDate, sub.financial_day) : firstExpirationDate(startDate, { duration: sub.duration, unit: sub.unit });
    // Per-period billing: the purchase paid the current financial period (spec 01 §11.1).
    const prolongedUntil = billedPerPeriod(sub.billing_type) && expirationDate ? prolongedUntilAfter(startDate, expirationDate, sub.financial_day) : null;
    await tx`
      update subscriptions set status = ${rules.activeStatus}, status_reason = null, start_date = ${startDate},
             expiration_date = ${expirationDate}, prolonged_until = ${prolongedUntil}, vendor_reference = coalesce(${vendorReference}, vendor_reference),
             updated_at = now()
      where id = ${subscriptionId}`;
    await logEvent(tx, {
      actorId: null,
      entityKind: 'subscription',
      entityId: subscriptionId,
      action: 'activated',
      changes: { status: [sub.status, rules.activeStatus], startDate, expirationDate },
      dedupeKey: `subscription-activated/${subscriptionId}/${startDate}`,
    });
    return { startDate, expirationDate };
  });
}
