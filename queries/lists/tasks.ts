import type { Db } from '../../db/client';
import { stepStatusesOfTask, taskStatuses, type TaskStatus } from '../../domain/statuses';
import type { ListQuery } from './engine';


/** The filters of the task list, shared by the list and the bulk retry so both select the same tasks. */
export interface TaskFilter {
  status?: TaskStatus;
  plugin?: string;
  operation?: string;
  clientId?: number;
  subscriptionId?: number;
  orderId?: number;
  scenarioType?: string;
  errorClass?: string;
  createdFrom?: string;
  createdTo?: string;
}

export interface TaskRow {
  id: number;
  scenario_id: string;
  path: string;
  name: string;
  plugin: string | null;
  operation: string | null;
  status: TaskStatus;
  subscription_id: number | null;
  order_id: number | null;
  client_id: number | null;
  [key: string]: unknown;
}

/**
 * The scenarios of the client and/or the subscription filtered on, or null when neither is. The view's client
 * and subscription are coalesced over three joined tables, which no index serves; and a subquery here leaves
 * the planner walking every task newest first in the hope of 51 matches (BENCHMARKS.md). So the ids are found
 * first, from each kind of subject, and the tasks looked up by them.
 */
async function scenariosOf(sql: Db, f: TaskFilter): Promise<string[] | null> {
  const sets: string[][] = [];
  if (f.clientId !== undefined) {
    const rows = await sql<Array<{ id: string }>>`
        select o.workflow_id as id from orders o where o.client_id = ${f.clientId}
        union all
        select sc.id from subscriptions s join scenarios sc on sc.subject_kind = 'subscription' and sc.subject_id = s.id::text
        where s.client_id = ${f.clientId}
        union all
        select sc.id from scenarios sc where sc.subject_kind = 'client' and sc.subject_id = ${String(f.clientId)}`;
    sets.push(rows.map((r) => r.id));
  }
  if (f.subscriptionId !== undefined) {
    const rows = await sql<Array<{ id: string }>>`
        select o.workflow_id as id from orders o where o.subscription_id = ${f.subscriptionId}
        union all
        select sc.id from scenarios sc where sc.subject_kind = 'subscription' and sc.subject_id = ${String(f.subscriptionId)}`;
    sets.push(rows.map((r) => r.id));
  }
  if (sets.length === 0) return null;
  return sets.reduce((a, b) => {
    const inB = new Set(b);
    return a.filter((id) => inB.has(id));
  });
}

/**
 * The API's task list (GET /api/v1/tasks, newest first, keyset on the id) and the bulk retry's selection. Its SQL
 * is tuned for the plan (BENCHMARKS.md): it stays as it is, separate from the UI's table below, which pages,
 * sorts, searches and matches text in part.
 */
/**
 * The status filter on the step's own column as well as on the derived one: the derived status matches no index,
 * and filtered on alone it made the planner walk every older task (all 5.6 M steps for a status no task has). One
 * status is written `=`, several `in (...)`, so that an index gives the order by id.
 */
function statusCondition(sql: Db, status: TaskStatus | undefined) {
  if (status === undefined) return sql`true`;
  const [first, ...more] = stepStatusesOfTask[status];
  const base = more.length === 0 ? sql`step_status = ${first!}` : sql`step_status in ${sql([first!, ...more])}`;
  return sql`${base} and status = ${status}`;
}

export async function selectTasks(sql: Db, f: TaskFilter, limit: number, after?: number) {
  const scenarioIds = await scenariosOf(sql, f);
  return sql<TaskRow[]>`
      select * from tasks
      where (${after ?? null}::bigint is null or id < ${after ?? null})
        and ${statusCondition(sql, f.status)}
        and (${f.plugin ?? null}::text is null or plugin = ${f.plugin ?? null})
        and (${f.operation ?? null}::text is null or operation = ${f.operation ?? null})
        and (${scenarioIds === null} or scenario_id = any(${scenarioIds ?? []}::text[]))
        and (${f.orderId ?? null}::int is null or order_id = ${f.orderId ?? null})
        and (${f.scenarioType ?? null}::text is null or scenario_type = ${f.scenarioType ?? null})
        and (${f.errorClass ?? null}::text is null or error_class = ${f.errorClass ?? null})
        and (${f.createdFrom ?? null}::date is null or created_at >= ${f.createdFrom ?? null}::date)
        and (${f.createdTo ?? null}::date is null or created_at < ${f.createdTo ?? null}::date + 1)
      order by id desc limit ${limit}`;
}

/** One task by id, or null. */
export async function findTask(sql: Db, id: number): Promise<TaskRow | null> {
  const [task] = await sql<TaskRow[]>`select * from tasks where id = ${id}`;
  return task ?? null;
}

export interface TaskTableFilters {
  status?: string;
  pluginContains?: string;
  operationContains?: string;
  createdFrom?: string;
  createdTo?: string;
}

/** The UI's task table: the same tasks, paged and sorted by any column, with text filters that match in part. */
export const taskTable: ListQuery<TaskTableFilters> = {
  name: 'tasks',
  from: 'tasks k',
  id: 'k.id',
  client: null,
  columns: {
    id: { expr: 'k.id', sortable: true },
    name: { expr: 'k.name', sortable: true },
    status: { expr: 'k.status', sortable: true },
    plugin: { expr: 'k.plugin', sortable: true },
    operation: { expr: 'k.operation', sortable: true },
    scenarioId: { expr: 'k.scenario_id' },
    errorMessage: { expr: 'k.error_message' },
    rounds: { expr: 'k.rounds' },
    orderId: { expr: 'k.order_id' },
    createdAt: { expr: 'k.created_at', sortable: true },
  },
  filters: {
    // On the step's own column too, as in the API's list (statusCondition): the derived status matches no index.
    status: (status, db) => ({ sql: (taskStatuses as readonly string[]).includes(status) ? statusCondition(db, status as TaskStatus) : db`k.status = ${status}` }),
    pluginContains: { expr: 'k.plugin', match: 'contains' },
    operationContains: { expr: 'k.operation', match: 'contains' },
    createdFrom: { expr: 'k.created_at', match: 'from' },
    createdTo: { expr: 'k.created_at', match: 'to' },
  },
};
