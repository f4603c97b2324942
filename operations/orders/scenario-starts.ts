import type { Db } from '../../db/client';

/**
 * An order's scenario is started after the order commits (the API starts it; the sweep starts it again when that
 * start was lost). These record and find which orders' scenarios have started.
 */

/** Records that the order's scenario has started (the first time counts). */
export async function markOrderScenarioStarted(db: Db, orderId: number): Promise<void> {
  await db`update orders set scenario_started_at = coalesce(scenario_started_at, now()) where id = ${orderId}`;
}

/** Orders whose scenario start was lost (the process died between the insert and the start), oldest first. */
export async function ordersWithoutScenario(db: Db): Promise<Array<{ id: number; type: string }>> {
  return db<Array<{ id: number; type: string }>>`
    select id, type from orders where scenario_started_at is null and created_at < now() - interval '30 seconds' order by id limit 500`;
}

/**
 * Orders paid by a merged payment whose scenario still waits for payment: the API stopped between the payment and
 * the signal that tells the scenario.
 */
export async function ordersAwaitingPaidSignal(db: Db): Promise<number[]> {
  const rows = await db<Array<{ id: number }>>`
    select o.id from orders o
      join payments s on s.order_id = o.id and s.merged_into_id is not null
      join payments m on m.id = s.merged_into_id and m.status in ('completed', 'paid_from_balance')
      join scenario_steps st on st.scenario_id = o.workflow_id and st.kind = 'wait' and st.status = 'waiting' and st.name like 'Wait for payment%'
    where o.status in ('provisioning', 'awaiting_provisioning') and m.updated_at < now() - interval '30 seconds'
    order by o.id limit 500`;
  return rows.map((r) => r.id);
}
