// ESET solutions for ISP, monthly (spec 02 §4.10; seed 8.3.4.3): resource charges for the current financial
// period only; the vendor's stop and activation (vendor-monthly.ts); deletion closes the used part (the day
// included) and gives the rest back (8.3.4.3.9); plan switch is not supported (spec 02 §4.9).

import { deleteDue, dispatchEvents, forbids, noOneOffFees } from './rules';
import { closeAll } from './manual-close';
import { deleteAllLive, standardDeletion } from './splits';
import { vendorActivation, vendorStop } from './vendor-monthly';
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
  onEvent: dispatchEvents({
    stop: (_s, charges, e) => vendorStop(charges, e.date),
    activate: (_s, charges, e) => vendorActivation(charges, e.date),
    financial_day_stopped: (_s, charges, e) => deleteDue(charges, e.date),
    delete: (s, charges, e) => (s.stopped ? deleteAllLive(charges) : standardDeletion(charges, e.date)),
    manual_close: (_s, charges, e) => closeAll(charges, e.date),
  }),
};
