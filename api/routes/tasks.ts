import { createRoute, z } from '@hono/zod-openapi';
import { canCancelTask, canRunTask } from '../../domain/operator-decisions';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelTaskUpdate } from '../../contracts/messages';
import type { DecisionKind } from '../../contracts/scenario-records';
import { guard } from '../auth';
import { decideStep } from '../decisions';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { taskStatuses } from '../../domain/statuses';
import { findTask, selectTasks, type TaskRow } from '../../queries/lists/tasks';

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
 * The task list (spec 01 §17): plugin calls of every scenario, with their logs. Run and cancel are the
 * scenario engine's retry and cancel decisions, so a task never changes behind its scenario's back. Long because
 * it registers every task route (list, card, log, run, bulk run, cancel); the list reads queries/lists/tasks.ts.
 */
export function taskRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  async function loadTask(id: number): Promise<TaskRow> {
    const task = await findTask(sql, id);
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
      const rows = await selectTasks(sql, filter, limit + 1, after);
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
      if (!canRunTask(task.status)) throw new AppError('task_not_failed', `task ${task.id} is ${task.status}; only a failed task can be run`);
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
      if (!canCancelTask(task.status)) {
        throw new AppError('task_not_cancellable', `task ${task.id} is ${task.status}; only a queued or failed task can be cancelled`);
      }
      if (task.status === 'failed') {
        await decide(task, 'cancel', c.get('staff').id, reason);
      } else {
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
      const failed = await selectTasks(sql, { ...filter, status: 'failed' }, limit);
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
