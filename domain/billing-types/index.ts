// The billing types (spec 02 §4.10): one strategy per type behind `BillingTypeRules`. Callers ask
// `billingTypeRules(type)` instead of comparing type names.

import { cspAnnual } from './csp-annual';
import { cspMonthly } from './csp-monthly';
import { esetMonthly } from './eset-monthly';
import { monthlyFlexible } from './monthly-flexible';
import { noRefund } from './no-refund';
import { nonRecurring } from './non-recurring';
import { peakMonthly } from './peak-monthly';
import { prepaidTerm } from './prepaid-term';
import type { BillingType, BillingTypeRules } from './types';
import { usageExternal, usageInternal } from './usage';

const registry: Record<BillingType, BillingTypeRules> = {
  prepaid_term: prepaidTerm,
  monthly_flexible: monthlyFlexible,
  no_refund: noRefund,
  peak_monthly: peakMonthly,
  csp_monthly: cspMonthly,
  csp_annual: cspAnnual,
  eset_monthly: esetMonthly,
  non_recurring: nonRecurring,
  usage_internal: usageInternal,
  usage_external: usageExternal,
};

export function billingTypeRules(type: BillingType): BillingTypeRules {
  return registry[type];
}

/** Whether the type is paid one financial period at a time (prolongation orders). */
export const billedPerPeriod = (type: BillingType): boolean => registry[type].payment === 'period';

export * from './types';
