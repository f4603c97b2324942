// CSP annual (spec 02 §4.10; seed 8.3.4.2): a year paid up front, 13 monthly charges (12 when ordered on the
// financial day) all blocked at payment, usually closed by hand (close-all). A stop splits the current charge
// the vendor's way; while stopped, financial days hold the charges (the activation gives back the past ones,
// seed 8.3.4.2.8); deletion of a stopped subscription gives back everything still blocked (8.3.4.2.10).

import { dispatchEvents, noOneOffFees } from './rules';
import { closeAll } from './manual-close';
import { deleteAllLive, standardDeletion } from './splits';
import { vendorActivation, vendorStop } from './vendor-monthly';
import type { BillingTypeRules } from './types';

const label = 'CSP annual';

export const cspAnnual: BillingTypeRules = {
  type: 'csp_annual',
  label,
  payment: 'term',
  activeStatus: 'active',
  refuses: () => null,
  planRefusal: (plan) =>
    noOneOffFees(label, plan) ??
    (plan.periods.some((p) => !p.trial && !(p.unit === 'year' && p.duration === 1) && !(p.unit === 'month' && p.duration === 12))
      ? { code: 'plan_billing_type', message: 'CSP annual plans have one paid period of one year' }
      : null),
  paidStatus: () => 'blocked',
  whileStopped: 'hold',
  onEvent: dispatchEvents({
    stop: (_s, charges, e) => vendorStop(charges, e.date),
    activate: (_s, charges, e) => vendorActivation(charges, e.date),
    delete: (s, charges, e) => (s.stopped ? deleteAllLive(charges) : standardDeletion(charges, e.date)),
    switch: (_s, charges, e) => standardDeletion(charges, e.date),
    manual_close: (_s, charges, e) => closeAll(charges, e.date),
  }),
};
