import type { TransactionSql } from 'postgres';
import { renewEntitlement as decideRenewal } from '../../../domain/licensing/commercial';
import { logEvent } from '../../event-log/event-log';
import { postLedgerEntry } from '../../ledger/ledger';

/**
 * Applies the license renewals a payment paid (spec 04 §4.2 Renew: "after payment, expiresAt = max(expiresAt, now)
 * + period"), in the transaction that confirmed it and credited the balance: each renewal's price is debited again
 * (ledger `license_renewal`, key `license-renewal/<renewal id>`, so a repeated confirmation moves nothing twice)
 * and the license is extended from `now`. A license that can no longer be renewed (deleted, suspended, ...) leaves its
 * renewal `refused` and the money on the balance. `paymentId` is the payment paid: the renewals on it, or, for a merged
 * payment, on the top-ups merged into it (spec 02 §2.11: a part points at the payment that carries it now); the
 * ledger names the payment paid. Returns the renewals applied.
 */
export async function applyPaidRenewals(tx: TransactionSql, input: { paymentId: number; now: Date }): Promise<number[]> {
  const waiting = await tx<Array<{ id: number; entitlement_id: number; period_months: number; price: number; currency: string; client_id: number; status: string; expires_at: string | null }>>`
    select r.id, r.entitlement_id, r.period_months, r.price::int8 as price, r.currency, k.client_id, e.status, e.expires_at
    from license_renewals r join entitlements e on e.id = r.entitlement_id join license_keys k on k.id = e.key_id
    where r.status = 'awaiting_payment'
      and (r.payment_id = ${input.paymentId} or r.payment_id in (select id from payments where merged_into_id = ${input.paymentId}))
    order by r.id for update of r, e`;
  const applied: number[] = [];
  for (const r of waiting) {
    const decision = decideRenewal({ status: r.status as never, expiresAt: r.expires_at === null ? null : new Date(r.expires_at), now: input.now, periodMonths: r.period_months });
    if (!decision.ok) {
      await tx`update license_renewals set status = 'refused', updated_at = now() where id = ${r.id}`;
      await logEvent(tx, { actorId: null, entityKind: 'entitlement', entityId: r.entitlement_id, action: 'renewal_refused', reason: decision.message, changes: { renewalId: r.id, paymentId: input.paymentId } });
      continue;
    }
    await postLedgerEntry(tx, {
      clientId: r.client_id,
      kind: 'license_renewal',
      amount: -Number(r.price),
      currency: r.currency,
      description: `License ${r.entitlement_id} renewed for ${r.period_months} month(s)`,
      idempotencyKey: `license-renewal/${r.id}`,
      paymentId: input.paymentId,
    });
    await tx`update entitlements set expires_at = ${decision.expiresAt.toISOString()}, status = ${decision.status}, updated_at = ${input.now.toISOString()} where id = ${r.entitlement_id}`;
    await tx`
      update license_renewals set status = 'applied', expires_at_after = ${decision.expiresAt.toISOString()}, applied_at = ${input.now.toISOString()}, updated_at = now()
      where id = ${r.id}`;
    await logEvent(tx, { actorId: null, entityKind: 'entitlement', entityId: r.entitlement_id, action: 'renewed', changes: { renewalId: r.id, paymentId: input.paymentId, expiresAt: { from: r.expires_at, to: decision.expiresAt.toISOString() } } });
    applied.push(r.id);
  }
  return applied;
}
