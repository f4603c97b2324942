// CSP monthly (spec 02 §4.10; seed 8.3.4.1): resource charges one financial period at a time through nightly
// prolongation orders; no one-off fees. Stop and activation are the vendor's (vendor-monthly.ts); a financial
// day while stopped gives the elapsed period back; deletion closes the used part and gives the rest back, all
// of it when the subscription was already stopped (seed 8.3.4.1.13).

import { dispatchEvents, noOneOffFees } from './rules';
import { standardDeletion } from './splits';
import { vendorMonthlyEvents } from './vendor-monthly';
import type { BillingTypeRules } from './types';

const label = 'CSP monthly';

export const cspMonthly: BillingTypeRules = {
  type: 'csp_monthly',
  label,
  payment: 'period',
  activeStatus: 'active',
  refuses: () => null,
  planRefusal: (plan) => noOneOffFees(label, plan),
  paidStatus: () => 'blocked',
  whileStopped: 'delete',
  onEvent: dispatchEvents({
    ...vendorMonthlyEvents,
    switch: (_s, charges, e) => standardDeletion(charges, e.date),
  }),
};
