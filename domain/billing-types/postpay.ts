// Postpay splits (spec 02 §4.11; seed 8.3.6): a postpay charge is debt, not money taken, so the same split rules
// apply with one difference: what a prepaid split closes at once (the used part) stays blocked, debt the acts
// bill, and closes on the financial day after its period like every postpay charge. Debt once incurred is never
// deleted by an event: only the part not yet used goes.

import type { BillingTypeRules, ChargeChanges, ChargeEvent, ChargeStatus, ChargeView, SubscriptionTerms } from './types';
import { billingTypeRules } from './index';
import { withResourceRefunds } from './resource-decrease';
import { reblockFrom } from './splits';

/**
 * The changes a billing type makes for an event, for either payment model: the one entry point for the operation
 * that persists them, the charge forecast and the charge book, so a postpay subscription is never split by the
 * prepaid statuses.
 */
export function chargeChangesOf(s: SubscriptionTerms, charges: readonly ChargeView[], event: ChargeEvent, rules: BillingTypeRules = billingTypeRules(s.billingType)): ChargeChanges {
  const changes = rules.onEvent(s, charges, event);
  const refunded = event.kind === 'switch' ? withResourceRefunds(changes, charges) : changes;
  if (s.prepay) return refunded;
  const postpay = asPostpay(refunded, charges, event);
  // What a stop left open is owed again from the activation day (the vendor types hold it blocked when prepaid).
  return event.kind === 'activate' ? reblockFrom(postpay, charges, event.date) : postpay;
}

/**
 * A prepaid split as postpay (spec 02 §4.11 "Splitting"): a used part blocked, not closed, until the financial day
 * after the split charge's period (its own close date); a blocked charge (debt for days used) is not deleted; no
 * refund charge is written (nothing was paid, so nothing is given back: the debt simply shrinks). What a stop
 * holds blocked for the days after it (the vendor types' remainder) is open instead: days not used are not owed.
 */
export function asPostpay(changes: ChargeChanges, charges: readonly ChargeView[], event: ChargeEvent): ChargeChanges {
  const byId = new Map(charges.map((c) => [c.id, c] as const));
  const set = changes.set.flatMap((s) => {
    if (s.superseded) return [s];
    const status = postpayStatus(s.status);
    if (byId.get(s.id)?.status === 'blocked' && (status === 'deleted' || status === 'blocked')) return [];
    return [{ ...s, status }];
  });
  // A refund charge records money given back beside the deleted part it mirrors; postpay gave nothing, so it goes.
  const add = changes.add.filter((a) => !a.refund).map((a) => {
    if (a.status === 'closed') return { ...a, status: 'blocked' as const, closeDate: byId.get(a.splitOf)?.closeDate ?? a.closeDate };
    if (event.kind === 'stop' && a.status === 'blocked' && a.from > event.date) return { ...a, status: 'open' as const };
    return { ...a, status: postpayStatus(a.status) };
  });
  return { set, add };
}

/** A prepaid status as debt: consumed is owed (blocked); given back is simply not owed (deleted). */
function postpayStatus(status: ChargeStatus): ChargeStatus {
  if (status === 'closed') return 'blocked';
  return status === 'refunded' || status === 'awaiting_refund' ? 'deleted' : status;
}
