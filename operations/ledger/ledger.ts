import type { TransactionSql } from 'postgres';
import { financialBlockReason } from '../../domain/blocking';
import { logEvent } from '../event-log/event-log';

export type LedgerKind = 'payment_received' | 'order_paid' | 'order_refund' | 'adjustment' | 'charge_closed' | 'promised_payment' | 'charge_split' | 'usage_charge' | 'license_renewal';

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
  await evaluateFinancialBlock(tx, entry.clientId);
  return { applied: true, balanceAfter };
}

/**
 * Decision 1: the financial block predicate, evaluated after every balance change (inside its
 * transaction) and by the billing run for the allowed negative period. The client's status follows the
 * predicate exactly: `active` ↔ `financially_blocked` (an administrative block is left alone). Dates are
 * UTC days. Each block is a `client_blocks` row whose scenarios stop and restore the subscriptions.
 */
export async function evaluateFinancialBlock(tx: TransactionSql, clientId: number, today = new Date().toISOString().slice(0, 10)) {
  const state = await financialBlockState(tx, clientId, today);
  if (!state || (state.status !== 'active' && state.status !== 'financially_blocked')) return { status: state?.status ?? null, changed: false };
  const next = state.reason ? 'financially_blocked' : 'active';
  if (next === state.status) return { status: state.status, changed: false };
  await tx`update clients set status = ${next}, updated_at = now() where id = ${clientId}`;
  await setFinancialBlockPeriod(tx, clientId, state.reason ? state.description : null);
  await logEvent(tx, {
    actorId: null,
    entityKind: 'client',
    entityId: clientId,
    action: state.reason ? 'financially_blocked' : 'financial_block_lifted',
    reason: state.description,
    changes: { status: [state.status, next] },
  });
  return { status: next, changed: true };
}

/** The predicate's inputs for a client, and why it holds (null reason: it does not). */
export async function financialBlockState(tx: TransactionSql, clientId: number, today: string) {
  const [c] = await tx<Array<{ status: string; balance: string; negative_since: string | null; threshold: string; negative_days: number }>>`
    select c.status, c.balance::text, to_char(c.negative_since at time zone 'UTC', 'YYYY-MM-DD') as negative_since,
           coalesce(c.credit_threshold_override, r.credit_threshold)::text as threshold, r.negative_balance_days as negative_days
    from clients c join service_rules r on r.id = c.service_rule_id where c.id = ${clientId}`;
  if (!c) return null;
  const reason = financialBlockReason({
    balance: Number(c.balance),
    threshold: Number(c.threshold),
    negativeSince: c.negative_since,
    allowedNegativeDays: c.negative_days,
    today,
  });
  const description =
    reason === 'threshold' ? `balance ${c.balance} is below the threshold −${c.threshold}` : reason === 'negative_period' ? `balance negative since ${c.negative_since}` : `balance ${c.balance}`;
  return { status: c.status, reason, description };
}

/**
 * Opens (reason given) or closes (null) the client's financial block period. The block period's scenarios
 * stop and later restore the subscriptions; they are started after commit, or by the sweep.
 */
export async function setFinancialBlockPeriod(tx: TransactionSql, clientId: number, reason: string | null) {
  if (reason) {
    await tx`
      insert into client_blocks (client_id, kind, n, reason)
      select ${clientId}, 'financial', coalesce(max(n), 0) + 1, ${reason} from client_blocks where client_id = ${clientId} and kind = 'financial'
      on conflict do nothing`;
  } else {
    await tx`update client_blocks set ended_at = now() where client_id = ${clientId} and kind = 'financial' and ended_at is null`;
  }
}
