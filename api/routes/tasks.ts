import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelTaskUpdate } from '../../contracts/messages';
import type { DecisionKind } from '../../contracts/scenario-records';
import { stepStatusesOfTask, taskStatuses, type TaskStatus } from '../../domain/statuses';
import { guard } from '../auth';
import { decideStep } from '../decisions';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';

/** The filters of the task list, shared by the list and the bulk retry so both select the same tasks. */
const taskFilter = {
  status: z.enum(taskStatuses).optional(),
  plugin: z.string().max(64).optional(),
  operation: z.string().max(64).optional(),
  clientId: z.coerce.number().int().positive().optional(),
  subscriptionId: z.coerce.number().int().positive().optional(),
  orderId: z.coerce.number().int().positive().optional(),
  scenarioType: z.string().max(100).optional(),
  errorClass: z.string().max(64).optional(),
  createdFrom: isoDate.optional(),
  createdTo: isoDate.optional(),
};
type TaskFilter = { [K in keyof typeof taskFilter]?: z.infer<(typeof taskFilter)[K]> };

const runInput = z
  .object({
    reason: z.string().trim().max(2000).optional(),
    input: z.record(z.string(), z.unknown()).optional().describe('replaces the step input for the next attempt'),
  })
  .strict()
  .openapi('RunTaskInput');
const cancelInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('CancelTaskInput');
const bulkRunInput = z
  .object({
    filter: z.object(taskFilter).omit({ status: true }).strict().default({}),
    reason: z.string().trim().max(2000).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict()
  .openapi('BulkRunTasksInput');

interface TaskRow {
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

function describeTask(t: TaskRow): string {
  const target = t.subscription_id ? `subscription #${t.subscription_id}` : t.order_id ? `order #${t.order_id}` : t.scenario_id;
  return `${t.plugin ?? 'plugin'}: ${t.operation ?? t.name} ${target}`;
}

function present(t: TaskRow) {
  return {
    id: Number(t.id),
    description: describeTask(t),
    status: t.status,
    name: t.name,
    plugin: t.plugin,
    operation: t.operation,
    scenarioId: t.scenario_id,
    scenarioType: t.scenario_type,
    step: t.path,
    subject: { kind: t.subject_kind, id: t.subject_id },
    clientId: t.client_id,
    subscriptionId: t.subscription_id,
    orderId: t.order_id,
    idempotencyKey: t.idempotency_key,
    errorClass: t.error_class,
    errorMessage: t.error_message,
    rounds: t.rounds,
    createdAt: t.created_at,
    startedAt: t.started_at,
    finishedAt: t.finished_at,
    durationMs: t.duration_ms,
  };
}

/**
 * The task queue (spec 01 §17): plugin calls of every scenario, with their logs. Run and cancel are the
 * scenario engine's retry and cancel decisions, so a task never changes behind its scenario's back.
 */
export function taskRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  /**
   * The scenarios of the client and/or the subscription filtered on, or null when neither is. The view's client
   * and subscription are coalesced over three joined tables, which no index serves; and a subquery here leaves
   * the planner walking every task newest first in the hope of 51 matches (BENCHMARKS.md). So the ids are found
   * first, from each kind of subject, and the tasks looked up by them.
   */
  async function scenariosOf(f: TaskFilter): Promise<string[] | null> {
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
   * The status filter on the step's own column as well as on the derived one: the derived status matches no
   * index, and filtered on alone it made the planner walk every older task (all 5.6 M steps for a status
   * no task has). One status is written `=`, several `in (...)`, so that an index gives the order by id.
   */
  function statusCondition(status: TaskStatus | undefined) {
    if (status === undefined) return sql`true`;
    const [first, ...more] = stepStatusesOfTask[status];
    const base = more.length === 0 ? sql`step_status = ${first!}` : sql`step_status in ${sql([first!, ...more])}`;
    return sql`${base} and status = ${status}`;
  }

  async function selectTasks(f: TaskFilter, limit: number, after?: number) {
    const scenarioIds = await scenariosOf(f);
    return sql<TaskRow[]>`
      select * from tasks
      where (${after ?? null}::bigint is null or id < ${after ?? null})
        and ${statusCondition(f.status)}
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

  async function loadTask(id: number): Promise<TaskRow> {
    const [task] = await sql<TaskRow[]>`select * from tasks where id = ${id}`;
    if (!task) throw notFound('task', id);
    return task;
  }

  const decide = (task: TaskRow, decision: DecisionKind, by: number, reason?: string, input?: Record<string, unknown>) =>
    decideStep(deps.temporal, task.scenario_id, { step: task.path, decision, reason, input, by });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tasks',
      tags: ['Tasks'],
      ...guard('tasks', false),
      request: { query: z.object({ ...pageQuery, ...taskFilter }) },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of tasks, newest first'),
    }),
    async (c) => {
      const { limit, after, ...filter } = c.req.valid('query');
      const rows = await selectTasks(filter, limit + 1, after);
      return c.json(page(rows.map(present), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tasks/{id}',
      tags: ['Tasks'],
      ...guard('tasks', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the task with its log: every attempt and every decision'),
    }),
    async (c) => {
      const task = await loadTask(c.req.valid('param').id);
      const log = await sql`
        select round, attempt, status, error_class as "errorClass", error_message as "errorMessage",
               response_excerpt as "responseExcerpt", started_at as "startedAt", finished_at as "finishedAt",
               duration_ms as "durationMs"
        from step_attempts where scenario_id = ${task.scenario_id} and path = ${task.path} order by round, attempt`;
      const decisions = await sql`
        select decision, reason, input, decided_by as "decidedBy", decided_at as "decidedAt"
        from scenario_decisions where scenario_id = ${task.scenario_id} and path = ${task.path} order by id`;
      return c.json({ ...present(task), input: task.input, output: task.output, log, decisions }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{id}/run',
      tags: ['Tasks'],
      summary: 'Run a failed task again, optionally with corrected input',
      ...guard('tasks', true),
      request: { params: idParam, ...jsonBody(runInput) },
      responses: jsonResponses(202, looseObject, 'the task is queued again'),
    }),
    async (c) => {
      const task = await loadTask(c.req.valid('param').id);
      const { reason, input } = c.req.valid('json');
      if (task.status !== 'failed') throw new AppError('task_not_failed', `task ${task.id} is ${task.status}; only a failed task can be run`);
      await decide(task, 'retry', c.get('staff').id, reason, input);
      return c.json(present(await loadTask(task.id)), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{id}/cancel',
      tags: ['Tasks'],
      summary: 'Cancel a queued or failed task: its scenario runs its compensations and ends cancelled (a running task cannot be cancelled)',
      ...guard('tasks', true),
      request: { params: idParam, ...jsonBody(cancelInput) },
      responses: jsonResponses(202, looseObject, 'the cancellation was taken in'),
    }),
    async (c) => {
      const task = await loadTask(c.req.valid('param').id);
      const { reason } = c.req.valid('json');
      if (task.status === 'failed') {
        await decide(task, 'cancel', c.get('staff').id, reason);
      } else if (task.status === 'queued') {
        try {
          await deps.temporal.workflow
            .getHandle(task.scenario_id)
            .executeUpdate(cancelTaskUpdate, { args: [{ step: task.path, reason, by: c.get('staff').id }] });
        } catch (err) {
          // It started running (or ended) in the meantime: decision 10 says a running task is not cancelled.
          if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
            throw new AppError('task_not_cancellable', `task ${task.id} is no longer queued`);
          }
          throw err;
        }
      } else {
        throw new AppError('task_not_cancellable', `task ${task.id} is ${task.status}; only a queued or failed task can be cancelled`);
      }
      return c.json(present(await loadTask(task.id)), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/run',
      tags: ['Tasks'],
      summary: 'Run again every failed task that matches a filter; safe to call twice',
      ...guard('tasks', true),
      request: jsonBody(bulkRunInput),
      responses: jsonResponses(200, z.object({ matched: z.number(), retried: z.number(), skipped: z.array(looseObject) }), 'what was retried'),
    }),
    async (c) => {
      const { filter, reason, limit } = c.req.valid('json');
      const staff = c.get('staff');
      const failed = await selectTasks({ ...filter, status: 'failed' }, limit);
      let retried = 0;
      const skipped: Array<{ id: number; reason: string }> = [];
      for (const task of failed) {
        try {
          await decide(task, 'retry', staff.id, reason);
          retried += 1;
        } catch (err) {
          // Someone else decided in the meantime, or the scenario ended: nothing to do for this task.
          if (err instanceof WorkflowUpdateFailedError || err instanceof AppError) {
            skipped.push({ id: Number(task.id), reason: err instanceof AppError ? err.message : String(err.cause?.message ?? err.message) });
          } else {
            throw err;
          }
        }
      }
      return c.json({ matched: failed.length, retried, skipped }, 200);
    },
  );

  return app;
}
