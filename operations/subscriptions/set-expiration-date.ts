import type { Sql } from '../../db/client';
import { addDays, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { expirationDateRefusal } from '../../domain/subscription-operations';
import { logEvent } from '../event-log/event-log';
import { billedPerPeriod } from '../../domain/billing-types/payment';

export interface SetExpirationDateInput {
  subscriptionId: number;
  expirationDate: IsoDate;
  comment: string;
  by: number;
}

/**
 * Service operation (spec 01 §13.3): an operator sets the expiration date by hand. It creates no charges and may
 * break the subscription's billing; for per-period billing "prolonged until" never passes the day after the term.
 * Returns the previous expiration date.
 */
export async function setExpirationDate(sql: Sql, { subscriptionId: id, expirationDate, comment, by }: SetExpirationDateInput): Promise<string | null> {
  return sql.begin(async (tx) => {
    const [sub] = await tx<Array<{ status: string; expiration_date: string | null; start_date: string | null; billing_type: string; prolonged_until: string | null; financial_day: number }>>`
      select s.status, s.expiration_date::text, s.start_date::text, s.billing_type, s.prolonged_until::text, pr.financial_day
      from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id where s.id = ${id} for update of s`;
    if (!sub) throw new AppError('not_found', `subscription ${id} does not exist`);
    const refusal = expirationDateRefusal({ status: sub.status, expirationDate: sub.expiration_date });
    if (refusal) throw new AppError(refusal.code, refusal.message);
    if (sub.start_date && expirationDate < sub.start_date) throw new AppError('before_start', `the expiration date cannot be before the start date ${sub.start_date}`);
    const cap = addDays(expirationDate, 1);
    const prolongedUntil = billedPerPeriod(sub.billing_type) && sub.prolonged_until && sub.prolonged_until > cap ? cap : sub.prolonged_until;
    await tx`update subscriptions set expiration_date = ${expirationDate}, prolonged_until = ${prolongedUntil}, updated_at = now() where id = ${id}`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'subscription', entityId: id, action: 'expiration_date_changed', reason: comment, changes: { expirationDate: [sub.expiration_date, expirationDate] } });
    return sub.expiration_date;
  });
}
