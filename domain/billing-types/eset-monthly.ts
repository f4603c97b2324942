// ESET solutions for ISP, monthly (spec 02 §4.10; seed 8.3.4.3): resource charges for the current financial
// period only; the vendor's stop and activation (vendor-monthly.ts); deletion closes the used part (the day
// included) and gives the rest back (8.3.4.3.9); plan switch is not supported (spec 02 §4.9).

import { dispatchEvents, forbids, noOneOffFees } from './rules';
import { vendorMonthlyEvents } from './vendor-monthly';
import type { BillingTypeRules } from './types';

const label = 'ESET solutions for ISP (monthly)';

export const esetMonthly: BillingTypeRules = {
  type: 'eset_monthly',
  label,
  payment: 'period',
  activeStatus: 'active',
  refuses: (operation) => (operation === 'switch' ? forbids(label, operation, 'ESET does not switch plans') : null),
  planRefusal: (plan) => noOneOffFees(label, plan),
  paidStatus: () => 'blocked',
  whileStopped: 'delete',
  onEvent: dispatchEvents(vendorMonthlyEvents),
};
