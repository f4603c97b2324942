import type { TransactionSql } from 'postgres';
import { evaluateFinancialBlock } from '../ledger/ledger';

export interface UsageMovement {
  chargeId: number;
  clientId: number;
  orderId: number;
  subscriptionId: number;
  currency: string;
  /** Minor units the charge grew by: blocked (taken from the available balance). */
  delta: number;
  firstRecord: number;
}

/**
 * Blocks the growth of prepaid usage charges (spec 02 §4.10: "Δ is blocked") through the ledger, set-based: the
 * clients are locked in id order (FOR NO KEY UPDATE, as postLedgerEntry does), each movement's balance_after is
 * chained per client, and the balances move in one update. The business key `usage/<charge>/<first record>` is new
 * in every batch (the records were inserted by this transaction), so the ledger never takes the same usage twice.
 * The financial block predicate is then evaluated for the clients whose balance went below zero.
 */
export async function postUsageMovements(tx: TransactionSql, movements: UsageMovement[]): Promise<void> {
  if (movements.length === 0) return;
  const clientIds = [...new Set(movements.map((m) => m.clientId))].sort((a, b) => a - b);
  const balances = await tx<Array<{ id: number; balance: string }>>`
    select id, balance::text from clients where id = any(${clientIds}::int[]) order by id for no key update`;
  const balance = new Map(balances.map((b) => [b.id, Number(b.balance)]));
  const entries = [...movements]
    .sort((a, b) => a.clientId - b.clientId || a.chargeId - b.chargeId)
    .map((m, ord) => {
      const after = balance.get(m.clientId)! - m.delta;
      balance.set(m.clientId, after);
      return {
        ord, client_id: m.clientId, amount: -m.delta, balance_after: after, currency: m.currency, order_id: m.orderId,
        description: `Usage of subscription ${m.subscriptionId} blocked by charge ${m.chargeId}`, key: `usage/${m.chargeId}/${m.firstRecord}`,
      };
    });
  const inserted = await tx`
    insert into ledger_transactions (client_id, kind, amount, balance_after, currency, order_id, description, idempotency_key)
    select client_id, 'usage_charge', amount, balance_after, currency, order_id, description, key
    from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb) as e(ord int, client_id int, amount bigint, balance_after bigint, currency text, order_id int, description text, key text)
    order by ord
    on conflict (idempotency_key) do nothing returning id`;
  // Fresh keys cannot conflict; if one ever did, the chained balances would be wrong: fail the batch instead.
  if (inserted.length !== entries.length) throw new Error('a usage ledger key was taken twice');
  const finals = JSON.stringify([...balance.entries()].map(([id, b]) => ({ id, b })));
  const moved = await tx<Array<{ id: number; negative: boolean }>>`
    update clients c set balance = f.b, updated_at = now(),
      negative_since = case when f.b < 0 then coalesce(c.negative_since, now()) else null end
    from jsonb_to_recordset(${finals}::jsonb) as f(id int, b bigint) where c.id = f.id and c.id = any(${clientIds}::int[])
    returning c.id, (f.b < 0) as negative`;
  for (const c of moved) if (c.negative) await evaluateFinancialBlock(tx, c.id);
}
