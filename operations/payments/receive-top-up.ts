import type { TransactionSql } from 'postgres';
import { postLedgerEntry } from '../ledger/ledger';
import { coverPromisedPaymentsByTopUp } from './promised-payments';

/**
 * A top-up's money has arrived (spec 02 §2.5-2.6, §3.5): the balance is credited once (by the payment's
 * key), the payment completes, and the money covers the client's promised payments first, oldest first.
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
  await coverPromisedPaymentsByTopUp(tx, { clientId: p.clientId, amount: p.amount, by: p.by });
  return { balanceAfter };
}
