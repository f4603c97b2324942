import type { Db } from '../db/client';

/** The home page's latest billing runs: date, status, runs, and how many duties are done. */
export async function latestBillingRuns(sql: Db, limit: number) {
  return sql<Array<{ date: string; status: string; runs: number; duties: number }>>`
      select business_date::text as date, status, runs, (select count(*) from jsonb_object_keys(duties))::int as duties
      from billing_runs order by business_date desc limit ${limit}`;
}

/** The home page's scenarios waiting for a decision, newest first, with the step they wait at. */
export async function waitingScenarios(sql: Db, limit: number) {
  return sql<Array<{ id: string; type: string; step: string | null; error: string | null; startedAt: string }>>`
      select s.id, s.type, st.path || ' ' || st.name as step, coalesce(st.error_message, s.error) as error, s.started_at as "startedAt"
      from scenarios s left join scenario_steps st on st.scenario_id = s.id and st.path = s.current_step
      where s.status = 'waiting' order by s.started_at desc limit ${limit}`;
}
