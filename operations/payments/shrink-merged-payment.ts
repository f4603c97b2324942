import type { TransactionSql } from 'postgres';

/**
 * An order in a merged payment was cancelled: the merged payment now asks for the rest, and is cancelled
 * itself when no order is left in it. Runs inside the order's cancellation (operations/orders/cancel-order.ts).
 */
export async function shrinkMergedPayment(tx: TransactionSql, orderId: number): Promise<void> {
  const [merged] = await tx<Array<{ id: number; status: string }>>`
    select m.id, m.status from payments s join payments m on m.id = s.merged_into_id
    where s.order_id = ${orderId} and not s.merged and m.merged
    for update of m`;
  if (!merged || merged.status !== 'waiting_for_payment') return;
  const [rest] = await tx<Array<{ amount: string; orders: number }>>`
    select coalesce(sum(s.amount), 0)::text as amount, count(s.order_id)::int as orders
    from payments s left join orders o on o.id = s.order_id
    where s.merged_into_id = ${merged.id} and not s.merged and (o.id is null or o.status <> 'cancelled')`;
  if (rest!.orders === 0) {
    await tx`update payments set status = 'cancelled', closed_at = now(), updated_at = now() where id = ${merged.id}`;
  } else {
    await tx`update payments set amount = ${rest!.amount}, updated_at = now() where id = ${merged.id}`;
  }
}
