import type { TransactionSql } from 'postgres';

export type LedgerKind = 'payment_received' | 'order_paid' | 'order_refund' | 'adjustment' | 'charge_closed' | 'promised_payment';

export interface LedgerEntry {
  clientId: number;
  kind: LedgerKind;
  /** Signed minor units: positive credits the client, negative debits. */
  amount: number;
  currency: string;
  description: string;
  /** A business key (`order-paid/12`); the same key never moves money twice. */
  idempotencyKey: string;
  paymentId?: number | null;
  orderId?: number | null;
}

/**
 * Posts one money movement inside the caller's transaction. Locks the client row first, so concurrent
 * movements on one client serialise and `balance_after` is exact. The lock is FOR NO KEY UPDATE: it
 * serialises balance changes without waiting on the key-share locks that inserting a payment or an order
 * of the client takes (FOR UPDATE there deadlocked two concurrent top-ups). Returns whether this call applied it.
 */
export async function postLedgerEntry(tx: TransactionSql, entry: LedgerEntry): Promise<{ applied: boolean; balanceAfter: number }> {
  const [client] = await tx<Array<{ balance: string }>>`select balance from clients where id = ${entry.clientId} for no key update`;
  if (!client) throw new Error(`client ${entry.clientId} does not exist`);
  const balanceAfter = Number(client.balance) + entry.amount;
  const inserted = await tx`
    insert into ledger_transactions (client_id, kind, amount, balance_after, currency, payment_id, order_id, description, idempotency_key)
    values (${entry.clientId}, ${entry.kind}, ${entry.amount}, ${balanceAfter}, ${entry.currency}, ${entry.paymentId ?? null},
            ${entry.orderId ?? null}, ${entry.description}, ${entry.idempotencyKey})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (inserted.length === 0) return { applied: false, balanceAfter: Number(client.balance) };
  await tx`
    update clients set balance = ${balanceAfter},
      negative_since = case when ${balanceAfter} < 0 then coalesce(negative_since, now()) else null end,
      updated_at = now()
    where id = ${entry.clientId}`;
  return { applied: true, balanceAfter };
}
