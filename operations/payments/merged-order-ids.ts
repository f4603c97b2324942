import type { Db } from '../../db/client';

/**
 * Merged payments (spec 02 §2.11): one payment for several waiting payments of one client. The merged payments are
 * cancelled with `merged_into_id` pointing at the new one and their orders stay awaiting payment; paying the merged
 * payment pays every order in it at once (pay-merged-payment.ts). Merging a merged payment again moves its parts to
 * the new one, so a part always points at the payment that carries it now.
 */

/** The orders a merged payment pays for (its parts that are order payments). */
export async function mergedOrderIds(db: Db, paymentId: number): Promise<number[]> {
  const rows = await db<Array<{ order_id: number }>>`
    select order_id from payments where merged_into_id = ${paymentId} and not merged and order_id is not null order by order_id`;
  return rows.map((r) => r.order_id);
}
