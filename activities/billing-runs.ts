import type { Sql } from '../db/client';

/**
 * The billing run's reads and records. Selections are set-based and depend only on the business date and
 * the current state, so a re-run of a date finds only what is still due.
 */
export function createBillingRunActivities({ sql }: { sql: Sql }) {
  return {
    /** Idempotent per execution: a retried call changes nothing; a new run of the date counts once and resets the duties. */
    async beginBillingRun({ businessDate, scenarioId, runId }: { businessDate: string; scenarioId: string; runId: string }) {
      await sql`
        insert into billing_runs (business_date, status, scenario_id, run_id) values (${businessDate}, 'running', ${scenarioId}, ${runId})
        on conflict (business_date) do update set status = 'running', scenario_id = excluded.scenario_id, run_id = excluded.run_id,
          runs = billing_runs.runs + 1, duties = '{}'::jsonb, started_at = now(), finished_at = null
        where billing_runs.run_id <> excluded.run_id`;
    },

    /** Spec 01 §16.8, decision 8: prepaid orders still awaiting payment after their end date. */
    async findUnpaidOrdersPastEndDate({ businessDate, limit }: { businessDate: string; limit: number }) {
      const rows = await sql<Array<{ workflow_id: string }>>`
        select workflow_id from orders
        where status = 'awaiting_payment' and end_date < ${businessDate}::date and scenario_started_at is not null
        order by id limit ${limit}`;
      return rows.map((r) => r.workflow_id);
    },

    async recordDuty({ businessDate, duty, found, done }: { businessDate: string; duty: string; found: number; done: number }) {
      await sql`
        update billing_runs set duties = duties || jsonb_build_object(${duty}::text, jsonb_build_object('found', ${found}::int, 'done', ${done}::int))
        where business_date = ${businessDate}`;
    },

    async finishBillingRun({ businessDate, status }: { businessDate: string; status: 'completed' | 'failed' }) {
      await sql`update billing_runs set status = ${status}, finished_at = now() where business_date = ${businessDate}`;
    },
  };
}

export type BillingRunActivities = ReturnType<typeof createBillingRunActivities>;
