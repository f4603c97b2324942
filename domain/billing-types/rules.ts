// What most billing types share, so that each type's file says only where it differs.

import type { IsoDate } from '../dates';
import type { Refusal } from '../errors';
import type { BillingTypeRules, ChargeChanges, ChargeEvent, ChargeView, PlanShape, RestrictedOperation, SubscriptionTerms } from './types';
import { noChanges } from './types';
import { standardResourceDecrease } from './resource-decrease';

export const forbids = (label: string, operation: RestrictedOperation, why: string): Refusal => ({
  code: 'billing_type_forbids',
  message: `${label} subscriptions cannot be ${verbs[operation]}: ${why}`,
  details: { operation },
});

const verbs: Record<RestrictedOperation, string> = {
  stop: 'stopped',
  activate: 'activated',
  delete: 'deleted',
  switch: 'switched to another plan',
  increase: 'given more resources',
  decrease: 'given fewer resources',
  renew: 'renewed',
  manual_close: 'closed by hand (close all charges)',
};

/** Vendor types never take setup, renewal or transfer fees (spec 02 §4.10 "General rules"). */
export function noOneOffFees(label: string, plan: PlanShape): Refusal | null {
  const priced = plan.periods.find((p) => p.setupFee > 0 || p.renewalFee > 0);
  return priced ? { code: 'plan_billing_type', message: `${label} plans take no setup or renewal fee (the vendor does not charge them)` } : null;
}

/** Blocked on payment, one-off fees closed (spec 02 §4.7): pre-order and most types. */
export function blockedOnPayment(c: Pick<ChargeView, 'kind'>): 'blocked' | 'closed' {
  return c.kind === 'recurring' || c.kind === 'usage' ? 'blocked' : 'closed';
}

/** A financial day while stopped that deletes the due charges (seed 8.3.4.1.8 step 5, spec 02 §4.9 stop steps 5-6). */
export function deleteDue(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes = noChanges();
  for (const c of charges) {
    if (c.kind === 'recurring' && !c.refund && (c.status === 'blocked' || c.status === 'open') && c.closeDate <= date) changes.set.push({ id: c.id, status: 'deleted' });
  }
  return changes;
}

/** A type's events, by kind; a kind a type leaves out changes nothing. */
export type EventRules = Partial<{ [K in ChargeEvent['kind']]: (s: SubscriptionTerms, charges: readonly ChargeView[], event: Extract<ChargeEvent, { kind: K }>) => ChargeChanges }>;

/** What a type does when it says nothing of its own: the standard resource decrease (spec 02 §4.9). */
const standardEvents: EventRules = {
  decrease: (_s, charges, e) => standardResourceDecrease(charges, e),
};

export function dispatchEvents(events: EventRules): BillingTypeRules['onEvent'] {
  return (s, charges, event) => {
    const rule = (events[event.kind] ?? standardEvents[event.kind]) as ((s: SubscriptionTerms, c: readonly ChargeView[], e: ChargeEvent) => ChargeChanges) | undefined;
    return rule ? rule(s, charges, event) : noChanges();
  };
}
