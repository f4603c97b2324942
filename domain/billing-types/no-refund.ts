// No refund (spec 02 §4.10; seed 8.3.4.6): a year's commitment billed month by month, each month debited at
// once (its charge passes blocked → closed on payment). The purchase shows the later months as open commitment
// charges (seed 8.3.4.6.4: charges 2-13 open); each month's prolongation order replaces its month's. Google supports no decrease, stop, deletion or plan
// switch, so the platform refuses them; renewal is not implemented upstream either, and closing by hand is
// warned against (seed 8.3.4 "not recommended"): refused too.

import { dispatchEvents, forbids, noOneOffFees } from './rules';
import type { BillingTypeRules, ChargeView } from './types';
import { noChanges } from './types';

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
  paidStatus: () => 'closed',
  whileStopped: 'close',
  commitsTerm: true,
  onEvent: dispatchEvents({
    // The billing run deletes an expired (or unpaid and stopped) subscription: the months nobody billed go.
    delete: (_s, charges) => {
      const changes = noChanges();
      for (const c of charges) if (c.commitment && c.status === 'open') changes.set.push({ id: c.id, status: 'deleted' });
      return changes;
    },
  }),
};

/**
 * Whether an open commitment month is replaced by an order's charges: one of its recurring charges covers a day of
 * it (the month's prolongation). The forecast and the charge book ask it; operations/charges/charges.ts
 * replaceCommitments makes the same test in SQL.
 */
export function replacesCommitment(c: ChargeView, planned: ReadonlyArray<{ kind: string; from: string; to: string }>): boolean {
  return !!c.commitment && c.status === 'open' && planned.some((p) => p.kind === 'recurring' && c.from <= p.to && c.to >= p.from);
}
