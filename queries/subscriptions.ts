import type { Db } from '../db/client';

/**
 * A client's working prepaid subscriptions (active or payment overdue), oldest first: what a block would stop. The
 * block scenario's first step and the UI's block confirmation read the same list.
 */
export async function workingPrepaidSubscriptionIds(sql: Db, clientId: number): Promise<number[]> {
  const rows = await sql<Array<{ id: number }>>`
    select id from subscriptions where client_id = ${clientId} and payment_model = 'prepay' and status in ('active', 'payment_overdue') order by id`;
  return rows.map((r) => r.id);
}
