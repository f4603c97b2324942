import type { Sql } from '../../db/client';
import { billingTypeRules, type BillingType } from '../../domain/billing-types';
import type { IsoDate } from '../../domain/dates';
import { AppError, refuse } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { applyChargeEvent, planChargeEvent } from './apply-charge-event';

export interface CloseAllChargesInput {
  subscriptionId: number;
  today: IsoDate;
  comment: string;
  by: number;
  /** Answers what would happen and writes nothing. */
  dryRun: boolean;
}

/** What an operator is told before closing a subscription's charges by hand (spec 02 §4.9 "Manual close-all"). */
const warnings = [
  'every open and blocked charge is replaced by one closed charge per order for the whole remaining term, and its money is debited now',
  'until the renewal, decreasing additional resources is refused, and extra-resource orders are closed the same way once paid',
  'an act for the whole term follows on the day after the nearest financial day',
];

/**
 * Manual close-all (spec 02 §4.9), recommended for CSP annual: the subscription's billing type replaces its open
 * and blocked charges by closed ones (domain/billing-types/manual-close.ts), the open ones' money taken now
 * through the ledger. Refused where the seed warns against it: no-refund subscriptions (their type refuses it)
 * and postpay ones (their charges are debt, closed by the acts), and for subscriptions that are gone or not yet
 * provisioned. A dry run answers the same figures and writes nothing.
 */
export async function closeAllCharges(sql: Sql, { subscriptionId: id, today, comment, by, dryRun }: CloseAllChargesInput) {
  return sql.begin(async (tx) => {
    const [sub] = await tx<Array<{ status: string; billing_type: BillingType; payment_model: string; start_date: string | null; financial_day: number }>>`
      select s.status, s.billing_type, s.payment_model, s.start_date::text, pr.financial_day
      from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id where s.id = ${id} for update of s`;
    if (!sub) throw new AppError('not_found', `subscription ${id} does not exist`);
    const forbidden = billingTypeRules(sub.billing_type).refuses('manual_close', { date: today, startDate: sub.start_date, financialDay: sub.financial_day });
    if (forbidden) throw refuse(forbidden);
    if (sub.payment_model !== 'prepay') throw new AppError('manual_close_refused', 'postpay charges are debt, closed by the acts; they are not closed by hand');
    if (!['active', 'stopped', 'payment_overdue'].includes(sub.status)) throw new AppError('subscription_status', `subscription ${id} is ${sub.status}; its charges are not closed by hand`);
    const stopped = sub.status === 'stopped';
    const event = { kind: 'manual_close' as const, date: today };
    const plan = await planChargeEvent(tx, { subscriptionId: id, event, stopped });
    const replaced = plan?.changes.set.length ?? 0;
    const closedAmount = plan?.changes.add.reduce((s, c) => s + c.amount, 0) ?? 0;
    const debited = -(plan?.movement ?? 0);
    const answer = { subscriptionId: id, dryRun, replaced, closedAmount, debited, warnings };
    if (dryRun || !plan) return answer;
    // Closed charges are superseded for good, so the first of them names this close-all once.
    const first = Math.min(...plan.changes.set.map((s) => s.id));
    await applyChargeEvent(tx, { subscriptionId: id, event, stopped, key: `close-all/${id}/${first}` });
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'subscription', entityId: id, action: 'charges_closed_by_hand', reason: comment, changes: { replaced, closedAmount, debited } });
    return answer;
  });
}
