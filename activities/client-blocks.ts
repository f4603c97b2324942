import type { Sql } from '../db/client';

/** What the block and unblock scenarios need from the database. Read-only except where named. */
export function createClientBlockActivities({ sql }: { sql: Sql }) {
  return {
    /** Spec 01 §4.5.2: the prepaid subscriptions a financial block stops (working ones), oldest first. */
    async subscriptionsToStop({ clientId }: { clientId: number }) {
      const rows = await sql<Array<{ id: number }>>`
        select id from subscriptions where client_id = ${clientId} and payment_model = 'prepay' and status in ('active', 'payment_overdue') order by id`;
      return rows.map((r) => r.id);
    },

    /** Spec 01 §4.5.5: subscriptions this block stopped that were working before it, oldest first (decision 4). */
    async subscriptionsToRestore({ clientId, n }: { clientId: number; n: number }) {
      const rows = await sql<Array<{ id: number }>>`
        select s.id from subscriptions s
        where s.client_id = ${clientId} and s.status = 'stopped' and s.saved_status in ('active', 'payment_overdue')
          and exists (select 1 from scenarios sc where sc.id = 'subscription-' || s.id || '-stop-financial-block-' || ${n}::int and sc.status = 'completed')
        order by s.id`;
      return rows.map((r) => r.id);
    },

    /** Stop operations of this block still waiting for a person (manual stop mode). */
    async pendingBlockStopOperations({ clientId, n }: { clientId: number; n: number }) {
      return sql<Array<{ operationId: number; scenarioId: string; step: string; round: number }>>`
        select id as "operationId", scenario_id as "scenarioId", step_path as step, round from manual_operations
        where client_id = ${clientId} and type = 'stop_subscription' and status = 'pending'
          and scenario_id like ${`subscription-%-stop-financial-block-${n}`}
        order by id`;
    },
  };
}

export type ClientBlockActivities = ReturnType<typeof createClientBlockActivities>;
