// Payment in full (spec 02 §4.10; seed 8.3.4.8): a full month's price for the month, free until the first
// financial day; no changes during that free period. A stop on the period's first day releases the month's
// charge (open), on any other day it stays; an activation blocks it again; deletion on the first day deletes
// it, on any other day closes it; a plan switch gives the charge back as a refund.

import { addDays, type IsoDate } from '../dates';
import { nextFinancialDay } from '../lifecycle';
import { dispatchEvents, forbids, noOneOffFees } from './rules';
import { standardResourceDecrease } from './resource-decrease';
import { chargesOn, chargesAfter } from './splits';
import type { BillingTypeRules, ChargeChanges, ChargeView } from './types';
import { noChanges } from './types';

const label = 'Payment in full';

/** The free first period: from the start date to the day before the next financial day. */
export function freePeriodEnd(startDate: IsoDate, financialDay: number): IsoDate {
  return addDays(nextFinancialDay(startDate, financialDay), -1);
}

export const peakMonthly: BillingTypeRules = {
  type: 'peak_monthly',
  label,
  payment: 'term',
  activeStatus: 'active',
  refuses: (operation, s) => {
    const changes = operation === 'switch' || operation === 'increase' || operation === 'decrease';
    if (changes && s.startDate !== null && s.date <= freePeriodEnd(s.startDate, s.financialDay)) return forbids(label, operation, 'not during the free period before the first financial day');
    return null;
  },
  planRefusal: (plan) =>
    noOneOffFees(label, plan) ??
    (plan.financialDay !== 1 ? { code: 'plan_billing_type', message: 'Payment-in-full plans need a provisioning rule whose financial day is 1' } : null) ??
    (plan.periods.some((p) => !p.trial && !(p.unit === 'month' && p.duration === 1)) ? { code: 'plan_billing_type', message: 'Payment-in-full plans have one period of one month' } : null),
  paidStatus: () => 'blocked',
  // A renewal is one charge for the whole month at the full price, however the month falls (seed 8.3.4.8): the
  // term runs from its financial day (the expiration date) to the next.
  renewalCharges: ({ expirationDate, nextExpiration, amount }) => [{ kind: 'recurring', from: expirationDate, to: addDays(nextExpiration, -1), closeDate: nextExpiration, amount }],
  whileStopped: 'delete',
  onEvent: dispatchEvents({
    stop: (_s, charges, e) => onFirstDay(charges, e.date, 'open'),
    activate: (_s, charges, e) => {
      const changes = noChanges();
      for (const month of chargesOn(charges, e.date, ['open'])) changes.set.push({ id: month.id, status: 'blocked' });
      return changes;
    },
    delete: (_s, charges, e) => {
      const changes = onFirstDay(charges, e.date, 'deleted', 'closed');
      for (const c of chargesAfter(charges, e.date)) changes.set.push({ id: c.id, status: 'deleted' });
      return changes;
    },
    // Seed 8.3.4.8.6: the current month's charges do not change (nothing is given back); later months' resource
    // charges are lowered, the newest first.
    decrease: (_s, charges, e) => standardResourceDecrease(chargesAfter(charges, e.date), e),
    switch: (_s, charges, e) => {
      const changes = noChanges();
      for (const month of chargesOn(charges, e.date, ['blocked'])) {
        changes.set.push({ id: month.id, status: 'deleted' });
        changes.add.push({ ...month, status: 'refunded', refund: true, splitOf: month.id, part: 'refund on plan switch' });
      }
      return changes;
    },
  }),
};

/** On the first day of the charge's period the month's charge moves to `firstDay`; on other days to `otherDay` (if given). */
function onFirstDay(charges: readonly ChargeView[], date: IsoDate, firstDay: 'open' | 'deleted', otherDay?: 'closed'): ChargeChanges {
  const changes = noChanges();
  for (const month of chargesOn(charges, date, ['blocked', 'open'])) {
    if (month.from === date) changes.set.push({ id: month.id, status: firstDay });
    else if (otherDay) changes.set.push({ id: month.id, status: otherDay });
  }
  return changes;
}
