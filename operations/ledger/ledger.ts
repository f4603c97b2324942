import type { TransactionSql } from 'postgres';
import { financialBlockReason } from '../../domain/blocking';
import { logEvent } from '../event-log/event-log';

export type LedgerKind = 'payment_received' | 'order_paid' | 'order_refund' | 'adjustment' | 'charge_closed' | 'promised_payment' | 'charge_split' | 'usage_charge' | 'license_update' | 'license_renewal';

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
 * Posts one money movement inside the caller's transaction: postLedgerEntries with one entry, so the ledger's
 * rules have one home. The client row is locked FOR NO KEY UPDATE, so concurrent movements on one client
 * serialise and `balance_after` is exact, without waiting on the key-share locks that inserting a payment or an
 * order of the client takes (FOR UPDATE there deadlocked two concurrent top-ups). Returns whether this call applied
 * it and the client's balance after it (the current balance when the key was already taken).
 */
export async function postLedgerEntry(tx: TransactionSql, entry: LedgerEntry): Promise<{ applied: boolean; balanceAfter: number }> {
  const { applied, balances } = await postLedgerEntries(tx, [entry]);
  return { applied: applied === 1, balanceAfter: balances.get(entry.clientId)! };
}

/**
 * Posts many movements at once, by the rules of postLedgerEntry but set-based (a usage batch moves hundreds of
 * balances): the clients are locked in id order FOR NO KEY UPDATE, a key already taken is not applied again (nor the
 * second of two entries with one key), `balance_after` is chained per client in the entries' order, and each balance
 * moves in one update. The financial block predicate is evaluated for every client left negative or financially
 * blocked: it gives no reason for a balance that is not negative, so no other client's status can change. Answers
 * how many movements it applied and every locked client's balance after them.
 */
export async function postLedgerEntries(
  tx: TransactionSql,
  entries: readonly LedgerEntry[],
): Promise<{ applied: number; balances: ReadonlyMap<number, number> }> {
  if (entries.length === 0) return { applied: 0, balances: new Map() };
  const clientIds = [...new Set(entries.map((e) => e.clientId))].sort((a, b) => a - b);
  const locked = await tx<Array<{ id: number; balance: string }>>`
    select id, balance::text from clients where id = any(${clientIds}::int[]) order by id for no key update`;
  if (locked.length !== clientIds.length) throw new Error(`a client of the movements does not exist: ${clientIds.join(', ')}`);
  const taken = await tx<Array<{ key: string }>>`
    select idempotency_key as key from ledger_transactions where idempotency_key = any(${entries.map((e) => e.idempotencyKey)}::text[])`;
  const seen = new Set(taken.map((t) => t.key));
  const balance = new Map(locked.map((b) => [b.id, Number(b.balance)]));
  const rows = entries.flatMap((e) => {
    if (seen.has(e.idempotencyKey)) return [];
    seen.add(e.idempotencyKey);
    const after = balance.get(e.clientId)! + e.amount;
    balance.set(e.clientId, after);
    return [{ client_id: e.clientId, kind: e.kind, amount: e.amount, balance_after: after, currency: e.currency, payment_id: e.paymentId ?? null, order_id: e.orderId ?? null, description: e.description, key: e.idempotencyKey }];
  });
  if (rows.length === 0) return { applied: 0, balances: balance };
  const inserted = await tx`
    insert into ledger_transactions (client_id, kind, amount, balance_after, currency, payment_id, order_id, description, idempotency_key)
    select client_id, kind, amount, balance_after, currency, payment_id, order_id, description, key
    from jsonb_to_recordset(${JSON.stringify(rows.map((r, ord) => ({ ...r, ord })))}::jsonb)
      as e(ord int, client_id int, kind text, amount bigint, balance_after bigint, currency text, payment_id int, order_id int, description text, key text)
    order by ord
    on conflict (idempotency_key) do nothing returning id`;
  // The clients are locked and the keys were checked under the locks; a conflict now would break the chained balances.
  if (inserted.length !== rows.length) throw new Error('a ledger key was taken while its client was locked');
  const moved = [...new Set(rows.map((r) => r.client_id))];
  const finals = JSON.stringify(moved.map((id) => ({ id, b: balance.get(id)! })));
  const updated = await tx<Array<{ id: number; evaluate: boolean }>>`
    update clients c set balance = f.b, updated_at = now(),
      negative_since = case when f.b < 0 then coalesce(c.negative_since, now()) else null end
    from jsonb_to_recordset(${finals}::jsonb) as f(id int, b bigint) where c.id = f.id and c.id = any(${moved}::int[])
    returning c.id, (f.b < 0 or c.status = 'financially_blocked') as evaluate`;
  for (const c of updated) if (c.evaluate) await evaluateFinancialBlock(tx, c.id);
  return { applied: rows.length, balances: balance };
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
