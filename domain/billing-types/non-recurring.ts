// Non-recurring subscription (spec 02 §4.10; seed 8.3.4.5): a one-time licence sale. Its plans price only the
// setup fee; the subscription is `delivered` once provisioned; it is never renewed, changed or switched, and
// stopping, activating or deleting it changes no charge.

import { dispatchEvents, forbids } from './rules';
import type { BillingTypeRules } from './types';

const label = 'Non-recurring';
const refused = new Set(['switch', 'increase', 'decrease', 'renew']);

export const nonRecurring: BillingTypeRules = {
  type: 'non_recurring',
  label,
  payment: 'once',
  activeStatus: 'delivered',
  refuses: (operation) => (refused.has(operation) ? forbids(label, operation, 'a one-time sale has nothing to change or renew') : null),
  planRefusal: (plan) =>
    plan.periods.some((p) => p.recurringFee > 0 || p.renewalFee > 0 || !p.unlimited)
      ? { code: 'plan_billing_type', message: 'Non-recurring plans have one unlimited period priced by its setup fee only' }
      : null,
  paidStatus: () => 'closed',
  whileStopped: 'close',
  onEvent: dispatchEvents({}),
};
