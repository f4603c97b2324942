import { inTransaction, type Db } from '../../../db/client';
import { renewEntitlement } from './renew-entitlement';
import { renewalState, waitingRenewal } from './renewal-state';

export type AutoRenewalOutcome =
  | 'renewed'
  | 'invoiced'
  | 'already_handed_off'
  | 'awaiting_payment'
  | 'not_due'
  | 'not_auto_renewed'
  | 'billed_by_subscription'
  | 'no_price'
  | 'no_billing_client';

export interface AutoRenewal {
  outcome: AutoRenewalOutcome;
  renewalId?: number;
  paymentId?: number | null;
}

/** One auto-renewal per valid-until: a replayed or retried hand-off finds its renewal by this key and renews nothing twice. */
export const autoRenewalKey = (entitlementId: number, expiresAt: string) => `license-auto-renewal/${entitlementId}/${expiresAt}`;

/**
 * The auto-renewal hand-off at a license's valid-until (spec 04 §4.2 "auto-renew period", §7.3): a standalone license
 * with an auto-renewal period and price is renewed through the panel's renewal (renew-entitlement.ts) with §4.2's
 * payment rule: from the balance when it covers the cost (the license stays `active`, valid-until moves on), else on a
 * new invoice (the renewal waits for its payment; the workflow then lets the license expire, and paying the invoice
 * renews it, apply-paid-renewals.ts). The renewal is dated at the valid-until it continues, so the new term follows
 * the old one without a gap even when the timer fires late.
 *
 * Nothing happens (an outcome says why) for a license billed by a subscription (billing's own run renews the
 * subscription and, through the plugin, the license: renewing here too would charge twice), one without auto-renewal
 * or without its price, one no longer due (renewed, suspended or deleted meanwhile), or one whose renewal already
 * waits for a payment. Idempotent: the renewal carries `autoRenewalKey`, looked up under the license's lock first.
 */
export async function handOffAutoRenewal(db: Db, input: { entitlementId: number; expiresAt: string }): Promise<AutoRenewal> {
  const id = input.entitlementId;
  const key = autoRenewalKey(id, input.expiresAt);
  return inTransaction(db, async (tx) => {
    const [row] = await tx<Array<{ status: string; expires_at: string | null; subscription_id: number | null; auto_renew_months: number | null; auto_renew_price: string | null }>>`
      select status, expires_at, subscription_id, auto_renew_months, auto_renew_price::text from entitlements where id = ${id} for update`;
    if (!row) return { outcome: 'not_due' };
    const [done] = await tx<Array<{ id: number; payment_id: number | null }>>`select id, payment_id from license_renewals where idempotency_key = ${key}`;
    if (done) return { outcome: 'already_handed_off', renewalId: done.id, paymentId: done.payment_id };
    if (row.subscription_id !== null) return { outcome: 'billed_by_subscription' };
    if (row.auto_renew_months === null) return { outcome: 'not_auto_renewed' };
    if (row.status !== 'active' || row.expires_at === null || new Date(row.expires_at).toISOString() !== input.expiresAt) return { outcome: 'not_due' };
    if (row.auto_renew_price === null) return { outcome: 'no_price' };
    if (await waitingRenewal(tx, id)) return { outcome: 'awaiting_payment' };
    const state = await renewalState(tx, { entitlementId: id, lock: false });
    if (state.balance === null) return { outcome: 'no_billing_client' };
    const price = Number(row.auto_renew_price);
    const paymentMethod = state.balance >= price ? 'balance' : 'invoice';
    const renewed = await renewEntitlement(tx, {
      entitlementId: id,
      periodMonths: row.auto_renew_months,
      paymentMethod,
      price,
      actor: { actorId: null },
      now: new Date(input.expiresAt),
      idempotencyKey: key,
    });
    return { outcome: paymentMethod === 'balance' ? 'renewed' : 'invoiced', renewalId: renewed.renewalId, paymentId: renewed.paymentId };
  });
}
