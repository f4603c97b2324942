// How each billing type's orders pay (spec 02 §4.10), apart from the rest of its rules so that the lifecycle
// rules can ask without importing the strategies (which use them).

import type { BillingType } from './types';

export type PaymentMode = 'term' | 'period' | 'once' | 'usage';

export const paymentOf: Record<BillingType, PaymentMode> = {
  prepaid_term: 'term',
  csp_annual: 'term',
  peak_monthly: 'term',
  monthly_flexible: 'period',
  csp_monthly: 'period',
  eset_monthly: 'period',
  no_refund: 'period',
  non_recurring: 'once',
  usage_internal: 'usage',
  usage_external: 'usage',
};

/** Paid one financial period at a time: the purchase pays the current period, prolongation orders the next ones. */
export function billedPerPeriod(type: string): boolean {
  return paymentOf[type as BillingType] === 'period';
}
