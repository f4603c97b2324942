import type { Sql } from '../../db/client';
import { mergePayments, PaymentMergeError } from './merge-payments';

/**
 * The nightly automatic merge (spec 02 §2.11, when the setting is on): per client, the waiting payments of
 * prolongation orders and of renewal orders of auto-renewing subscriptions — with an earlier automatic
 * merged payment — become one merged payment when there are at least two. Idempotent: a payment merged once is
 * cancelled and no longer selected; a re-run merges only what is still waiting.
 */
export async function mergeWaitingPayments(sql: Sql): Promise<{ clients: number; merged: number }> {
  const [setting] = await sql<Array<{ value: unknown }>>`select value from settings where key = 'merge_payments'`;
  if (setting?.value !== true) return { clients: 0, merged: 0 };
  const rows = await sql<Array<{ id: number; client_id: number }>>`
    select p.id, p.client_id from payments p
      left join orders o on o.id = p.order_id
      left join subscriptions s on s.id = o.subscription_id
    where p.status = 'waiting_for_payment' and p.type = 'order'
      and ((p.merged and not exists (select 1 from payments t where t.merged_into_id = p.id and t.type = 'manual_topup'))
           or (not p.merged and o.status = 'awaiting_payment' and (o.type = 'prolongation' or (o.type = 'renewal' and s.auto_renew))))
    order by p.client_id, p.id`;
  const byClient = new Map<number, number[]>();
  for (const r of rows) byClient.set(r.client_id, [...(byClient.get(r.client_id) ?? []), r.id]);
  let merged = 0;
  for (const [clientId, paymentIds] of byClient) {
    if (paymentIds.length < 2) continue;
    try {
      await sql.begin((tx) => mergePayments(tx, { clientId, paymentIds, by: null, automatic: true }));
      merged += 1;
    } catch (err) {
      // A payment paid or cancelled since the selection: tomorrow's run finds the client again.
      if (!(err instanceof PaymentMergeError)) throw err;
    }
  }
  return { clients: byClient.size, merged };
}
