// G Suite, "monthly flexible" (spec 02 §4.10; seed 8.3.4.4): one financial period paid at a time, prolonged by
// the billing run. A stop is the standard stop split (spec 02 §4.9): the used part closes, the rest of the
// period goes back to the balance as an open charge, which an activation blocks again from its day on, and the
// next financial day deletes if the subscription is still stopped.

import { blockedOnPayment, deleteDue, dispatchEvents } from './rules';
import { closeAll } from './manual-close';
import { chargesOn, reblockFrom, splitCharge, standardDeletion } from './splits';
import type { BillingTypeRules } from './types';
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
    activate: (_s, charges, e) => reblockFrom(noChanges(), charges, e.date),
    financial_day_stopped: (_s, charges, e) => deleteDue(charges, e.date),
    delete: (_s, charges, e) => standardDeletion(charges, e.date),
    switch: (_s, charges, e) => standardDeletion(charges, e.date),
    manual_close: (_s, charges, e) => closeAll(charges, e.date),
  }),
};

