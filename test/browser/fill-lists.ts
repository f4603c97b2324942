import type { Sql } from '../../db/client';

/**
 * Enough rows on every list page to page through (more than 50), cloned from records the test made through the
 * API. The clones are closed records (cancelled orders and payments, deleted subscriptions, completed
 * scenarios) with zero balances, so no billing run, scenario or ledger check takes them for live business.
 * Triggers are off while cloning, so the clones raise no notification events.
 */
const COPIES = 60;

async function clone(tx: Sql, table: string, where: string, params: unknown[], overrides: Record<string, string>) {
  const columns = (
    await tx<Array<{ column_name: string }>>`
      select column_name from information_schema.columns
      where table_schema = 'public' and table_name = ${table} and is_generated = 'NEVER' order by ordinal_position`
  )
    .map((r) => r.column_name)
    .filter((c) => c !== 'id' || overrides.id);
  const select = columns.map((c) => overrides[c] ?? `t.${c}`);
  await tx.unsafe(`insert into ${table} (${columns.join(', ')}) select ${select.join(', ')} from ${table} t, generate_series(1, ${COPIES}) g where ${where}`, params as never[]);
}

export async function fillLists(sql: Sql, from: { orderId: number; scenarioId: string; operationId: number }) {
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    const [order] = await tx<Array<{ client_id: number; subscription_id: number }>>`select client_id, subscription_id from orders where id = ${from.orderId}`;
    const t = tx as unknown as Sql;
    await clone(t, 'clients', 't.id = $1', [order!.client_id], {
      name: `t.name || ' ' || g`,
      balance: '0',
      negative_since: 'null',
      status: `case when g % 4 = 0 then 'deleted' else t.status end`,
    });
    await clone(t, 'subscriptions', 't.id = $1', [order!.subscription_id], { name: `t.name || ' #' || g`, status: `'deleted'`, expiration_date: `t.expiration_date - g * 7` });
    await clone(t, 'orders', 't.id = $1', [from.orderId], { number: `t.number || '-F' || g`, status: `'cancelled'`, workflow_id: `t.workflow_id || '-fill-' || g`, automatic: 'false', amount: 't.amount + g' });
    await clone(t, 'payments', 't.order_id = $1', [from.orderId], { number: `t.number || '-F' || g`, status: `'cancelled'`, order_id: 'null', amount: 't.amount + g' });
    await clone(t, 'scenarios', 't.id = $1', [from.scenarioId], {
      id: `'fill-' || g`,
      run_id: `'fill'`,
      started_at: `t.started_at - g * interval '1 minute'`,
      status: `case when g % 4 = 0 then 'cancelled' else t.status end`,
    });
    await clone(t, 'scenario_steps', 't.scenario_id = $1', [from.scenarioId], { scenario_id: `'fill-' || g`, status: `case when g % 4 = 0 then 'cancelled' else t.status end` });
    await clone(t, 'manual_operations', 't.id = $1', [from.operationId], { status: `'approved'`, scenario_id: `'fill-' || g` });
    await clone(t, 'notifications', 't.id = (select min(id) from notifications)', [], { dedupe_key: `t.dedupe_key || '-fill-' || g`, status: `case when g % 3 <> 0 then t.status when t.status = 'failed' then 'sent' else 'failed' end` });
    await clone(t, 'event_log', 't.id = (select min(id) from event_log)', [], { dedupe_key: 'null', entity_id: `t.entity_id || '-' || g` });
  });
}
