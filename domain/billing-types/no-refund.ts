// No refund (spec 02 §4.10; seed 8.3.4.6): a year's commitment billed month by month, each month debited at
// once (its charge passes blocked → closed on payment). Google supports no decrease, stop, deletion or plan
// switch, so the platform refuses them; renewal is not implemented upstream either, and closing by hand is
// warned against (seed 8.3.4 "not recommended"): refused too.

import { dispatchEvents, forbids, noOneOffFees } from './rules';
import type { BillingTypeRules } from './types';

const label = 'No refund';
const why: Partial<Record<string, string>> = {
  stop: 'the vendor bills the whole year whatever happens',
  delete: 'the vendor bills the whole year whatever happens',
  switch: 'the vendor does not switch a commitment',
  decrease: 'the vendor does not lower a commitment',
  renew: 'renewal of a no-refund commitment is not available (seed 8.3.4.6.6)',
  manual_close: 'its charges close month by month as the vendor bills them',
};

export const noRefund: BillingTypeRules = {
  type: 'no_refund',
  label,
  payment: 'period',
  activeStatus: 'active',
  refuses: (operation) => {
    const reason = why[operation];
    return reason ? forbids(label, operation, reason) : null;
  },
  planRefusal: (plan) =>
    noOneOffFees(label, plan) ??
    (plan.periods.some((p) => !p.trial && !(p.unit === 'year' && p.duration === 1))
      ? { code: 'plan_billing_type', message: 'No-refund plans have one period of one year' }
      : null),
  paidStatus: (c) => (c.kind === 'recurring' ? 'closed' : 'closed'),
  whileStopped: 'close',
  onEvent: dispatchEvents({}),
};
