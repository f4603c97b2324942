import type { Sql } from '../../db/client';
import { billingTypes, billingTypeRules } from '../../domain/billing-types';
import { applyChargeEvent } from './apply-charge-event';

/** The billing types whose due charges a financial day deletes while the subscription is stopped (spec 02 §4.9 stop step 5). */
const deletingTypes = billingTypes.filter((t) => billingTypeRules(t).whileStopped === 'delete');
/** ... and those whose charges it holds until an activation or deletion decides (CSP annual, seed 8.3.4.2.8). */
export const holdingTypes = billingTypes.filter((t) => billingTypeRules(t).whileStopped === 'hold');

/**
 * The billing run's financial day for stopped subscriptions, before due charges close: a type whose stopped
 * period is given back deletes its due charges (prepaid: the ledger returns their money; postpay: the open
 * remainder is not owed, the blocked used part stays debt), each subscription in its own transaction under its
 * row lock. Returns how many subscriptions changed.
 */
export async function settleStoppedSubscriptionCharges(sql: Sql, businessDate: string): Promise<number> {
  const due = await sql<Array<{ id: number }>>`
    select distinct s.id from subscriptions s join charges c on c.subscription_id = s.id
    where s.status in ('stopped', 'blocked') and s.billing_type in ${sql(deletingTypes)}
      and (c.status = 'open' or (c.status = 'blocked' and s.payment_model = 'prepay')) and c.close_date <= ${businessDate}::date and not c.superseded
    order by s.id`;
  let changed = 0;
  for (const { id } of due) {
    await sql.begin(async (tx) => {
      const [sub] = await tx<Array<{ status: string }>>`select status from subscriptions where id = ${id} for update`;
      if (sub?.status !== 'stopped' && sub?.status !== 'blocked') return;
      await applyChargeEvent(tx, { subscriptionId: id, event: { kind: 'financial_day_stopped', date: businessDate }, stopped: true, key: `financial-day/${id}/${businessDate}` });
      changed += 1;
    });
  }
  return changed;
}
