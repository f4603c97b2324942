// Pre-order (spec 02 §4.10 "Pre-order"; seed 8.3.4.9): the whole term is paid and blocked up front and released
// month by month. Stopping changes no charge (the seed gives pre-order no stop split: the term is paid);
// deletion and plan switch use the standard split.

import { blockedOnPayment, dispatchEvents } from './rules';
import { closeAll } from './manual-close';
import { standardDeletion } from './splits';
import type { BillingTypeRules } from './types';

export const prepaidTerm: BillingTypeRules = {
  type: 'prepaid_term',
  label: 'Pre-order',
  payment: 'term',
  activeStatus: 'active',
  refuses: () => null,
  planRefusal: () => null,
  paidStatus: blockedOnPayment,
  whileStopped: 'close',
  onEvent: dispatchEvents({
    delete: (_s, charges, e) => standardDeletion(charges, e.date),
    switch: (_s, charges, e) => standardDeletion(charges, e.date),
    manual_close: (_s, charges, e) => closeAll(charges, e.date),
  }),
};
