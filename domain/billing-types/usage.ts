// Pay-as-you-go (spec 02 §4.10 "Pay-as-you-go"): the seam its own issue fills. The type exists so that the
// registry is complete and every caller already asks the rules; no plan may take it until usage records do.

import { dispatchEvents, forbids } from './rules';
import type { BillingTypeRules } from './types';

function usageRules(type: 'usage_internal' | 'usage_external', label: string): BillingTypeRules {
  return {
    type,
    label,
    payment: 'usage',
    activeStatus: 'active',
    refuses: (operation) => (operation === 'renew' ? forbids(label, operation, 'pay-as-you-go subscriptions have an unlimited term') : null),
    planRefusal: () => ({ code: 'plan_billing_type', message: `${label} needs usage records, which this version does not take yet` }),
    paidStatus: () => 'blocked',
    whileStopped: 'close',
    onEvent: dispatchEvents({}),
  };
}

export const usageInternal = usageRules('usage_internal', 'Pay-as-you-go (internal prices)');
export const usageExternal = usageRules('usage_external', 'Pay-as-you-go (provider prices)');
