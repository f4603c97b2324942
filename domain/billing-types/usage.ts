// Pay-as-you-go (spec 02 §4.10 "Pay-as-you-go"; seed 8.3.4.7): billed by usage records, one growing blocked charge
// per financial period (operations/usage grows it as records arrive; the billing run closes it on the financial
// day). The plan has one unlimited period and no fees: ordering is free and asks no resources (spec 01 §6, "usage-
// based"); prices are the plan's resource prices (internal) or the provider's × markup (external). Deletion closes
// the current charge at the deletion day (seed 8.3.4.7.6); a stop changes no charge (usage simply stops arriving).

import { dispatchEvents, forbids } from './rules';
import type { BillingTypeRules, ChargeChanges, ChargeView, PlanShape } from './types';
import type { IsoDate } from '../dates';
import type { Refusal } from '../errors';

/** Usage types are sold on one unlimited, fee-free period: what they cost comes from usage records only. */
function usagePlanRefusal(label: string, plan: PlanShape): Refusal | null {
  const fits = plan.periods.every((p) => p.unlimited && !p.trial && p.setupFee === 0 && p.renewalFee === 0 && p.recurringFee === 0);
  return fits ? null : { code: 'plan_billing_type', message: `${label} plans take unlimited periods without fees: usage records price them` };
}

/** Seed 8.3.4.7.6: the growing charges get the deletion day as their end and close date, and close (debited). */
export function closeUsageAt(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes: ChargeChanges = { set: [], add: [] };
  for (const c of charges) {
    if (c.kind === 'usage' && c.status === 'blocked') changes.set.push({ id: c.id, status: 'closed', to: c.to < date ? c.to : date, closeDate: date });
  }
  return changes;
}

function usageRules(type: 'usage_internal' | 'usage_external', label: string): BillingTypeRules {
  return {
    type,
    label,
    payment: 'usage',
    activeStatus: 'active',
    refuses: (operation) => (operation === 'renew' ? forbids(label, operation, 'pay-as-you-go subscriptions have an unlimited term') : null),
    planRefusal: (plan) => usagePlanRefusal(label, plan),
    paidStatus: () => 'blocked',
    whileStopped: 'close',
    onEvent: dispatchEvents({ delete: (_s, charges, e) => closeUsageAt(charges, e.date) }),
  };
}

export const usageInternal = usageRules('usage_internal', 'Pay-as-you-go (internal prices)');
export const usageExternal = usageRules('usage_external', 'Pay-as-you-go (provider prices)');
