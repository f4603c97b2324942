import type { TransactionSql } from 'postgres';
import { applyPaidRenewals } from '../licensing/entitlements/apply-paid-renewals';
import { postLedgerEntry } from '../ledger/ledger';
import { coverPromisedPaymentsByTopUp } from './promised-payments';

/**
 * A top-up's money has arrived (spec 02 §2.5-2.6, §3.5): the balance is credited once (by the payment's
 * key), the payment completes, and the money does what top-up money does (applyTopUpMoney).
 */
export async function receiveTopUp(
  tx: TransactionSql,
  p: { paymentId: number; number: string; clientId: number; amount: number; currency: string; method: string; by: number | null },
): Promise<{ balanceAfter: number }> {
  const { balanceAfter } = await postLedgerEntry(tx, {
    clientId: p.clientId,
    kind: 'payment_received',
    amount: p.amount,
    currency: p.currency,
    description: `Top-up ${p.number} (${p.method})`,
    idempotencyKey: `payment-received/${p.paymentId}`,
    paymentId: p.paymentId,
  });
  await tx`
    update payments set status = 'completed', method = ${p.method}, confirmed_by = ${p.by}, balance_after = ${balanceAfter},
           closed_at = coalesce(closed_at, now()), updated_at = now()
    where id = ${p.paymentId}`;
  await applyTopUpMoney(tx, { paymentId: p.paymentId, clientId: p.clientId, amount: p.amount, by: p.by, now: new Date() });
  return { balanceAfter };
}

/**
 * What top-up money does once it is credited, whether the top-up was paid on its own (receiveTopUp) or inside a
 * merged payment with orders (pay-merged-payment.ts): the one place both go through, so that neither misses an
 * effect. It covers the client's promised payments first, oldest first (spec 02 §3.5), and applies the license
 * renewals invoiced on the payment or on the top-ups merged into it (spec 04 §4.2 Renew "after payment").
 */
export async function applyTopUpMoney(tx: TransactionSql, p: { paymentId: number; clientId: number; amount: number; by: number | null; now: Date }): Promise<void> {
  await coverPromisedPaymentsByTopUp(tx, { clientId: p.clientId, amount: p.amount, by: p.by });
  await applyPaidRenewals(tx, { paymentId: p.paymentId, now: p.now });
}
