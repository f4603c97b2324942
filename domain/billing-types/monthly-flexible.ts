// G Suite, "monthly flexible" (spec 02 §4.10; seed 8.3.4.4): one financial period paid at a time, prolonged by
// the billing run. A stop is the standard stop split (spec 02 §4.9): the used part closes, the rest of the
// period goes back to the balance as an open charge, which an activation blocks again from its day on, and the
// next financial day deletes if the subscription is still stopped.

import { blockedOnPayment, deleteDue, dispatchEvents } from './rules';
import { closeAll } from './manual-close';
import { addDays } from '../dates';
import { chargesOn, splitCharge, standardDeletion } from './splits';
import type { BillingTypeRules, ChargeChanges } from './types';
import { noChanges } from './types';

export const monthlyFlexible: BillingTypeRules = {
  type: 'monthly_flexible',
  label: 'G Suite (monthly flexible)',
  payment: 'period',
  activeStatus: 'active',
  refuses: () => null,
  planRefusal: () => null,
  paidStatus: blockedOnPayment,
  whileStopped: 'delete',
  onEvent: dispatchEvents({
    stop: (_s, charges, e) => {
      const changes = noChanges();
      for (const current of chargesOn(charges, e.date, ['blocked'])) splitCharge(changes, current, e.date, { status: 'closed', closeDate: e.date, name: 'used part' }, { status: 'open', name: 'remainder while stopped' });
      return changes;
    },
    activate: (_s, charges, e) => reblockFrom(charges, e.date),
    financial_day_stopped: (_s, charges, e) => deleteDue(charges, e.date),
    delete: (_s, charges, e) => standardDeletion(charges, e.date),
    switch: (_s, charges, e) => standardDeletion(charges, e.date),
    manual_close: (_s, charges, e) => closeAll(charges, e.date),
  }),
};

/**
 * Activation (seed 8.3.4.4.7): the open remainder of the period now starts on the activation day and is blocked;
 * the stopped days are dropped. A remainder that starts after the activation day (activated the day it was
 * stopped) is blocked whole.
 */
function reblockFrom(charges: Parameters<BillingTypeRules['onEvent']>[1], date: string): ChargeChanges {
  const changes = noChanges();
  for (const remainder of charges.filter((c) => c.kind === 'recurring' && !c.refund && c.status === 'open' && c.to >= date)) {
    if (remainder.from < date) splitCharge(changes, remainder, addDays(date, -1), { status: 'deleted', name: 'stopped days' }, { status: 'blocked', name: 'from the activation' });
    else changes.set.push({ id: remainder.id, status: 'blocked' });
  }
  return changes;
}
