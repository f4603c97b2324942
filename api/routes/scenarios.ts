import { createRoute, z } from '@hono/zod-openapi';
import { scenarioTakesDecisions } from '../../domain/operator-decisions';
import { scenarioTreeQuery } from '../../contracts/messages';
import { listViewer } from '../tenancy';
import { guard } from '../auth';
import { decideStep } from '../decisions';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { AppError, notFound } from '../errors';
import { jsonBody, jsonResponses, looseObject, pageOf } from '../schemas';
import { listRows } from '../../queries/lists/engine';
import { scenarioList, type ScenarioFilters } from '../../queries/lists/scenarios';

const scenarioIdParam = z.object({
  id: z.string().regex(/^[\w.-]{1,200}$/).openapi({ param: { name: 'id', in: 'path' }, example: 'order-12' }),
});

const decisionInput = z
  .object({
    step: z.string().regex(/^\d+(\.\d+)*$/, 'a step path such as 5 or 2.1'),
    decision: z.enum(['retry', 'skip', 'cancel']),
    reason: z.string().trim().max(2000).optional(),
    input: z.record(z.string(), z.unknown()).optional().describe('retry only: replaces the step input'),
  })
  .strict()
  .openapi('DecisionInput');

/**
 * The scenario routes: list, card with its step tree, decisions on a failed step. Long because it registers every
 * scenario route; each handler validates, reads through queries or sends the decision to the scenario.
 */
export function scenarioRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/scenarios',
      tags: ['Scenarios'],
      ...guard('scenarios', false),
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.iso.datetime({ offset: true }).optional().describe('paging: the startedAt of the last row of the previous page'),
          type: z.string().max(100).optional(),
          status: z.enum(['running', 'waiting', 'completed', 'failed', 'cancelled']).optional(),
          subjectKind: z.enum(['order', 'subscription', 'client', 'billing_run']).optional(),
          subjectId: z.string().max(100).optional(),
          minDurationMs: z.coerce.number().int().min(0).optional(),
          maxDurationMs: z.coerce.number().int().min(0).optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject).extend({ nextCursor: z.string().nullable() }), 'scenarios, newest first'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await listRows<ScenarioFilters, { id: string; startedAt: Date }>(sql, scenarioList, {
        viewer: listViewer(c),
        columns: ['id', 'type', 'status', 'subjectKind', 'subjectId', 'currentStep', 'currentStepName', 'error', 'startedAt', 'finishedAt', 'durationMs'],
        filters,
        // Newest first in the order of scenarios_started_idx, which the UI's list sorts by too (ties: newest id first).
        sort: { column: 'startedAt', dir: 'desc', ties: 'desc' },
        limit: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return c.json({ items, nextCursor: rows.length > limit && last ? new Date(last.startedAt).toISOString() : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/scenarios/{id}',
      tags: ['Scenarios'],
      summary: 'A scenario with its step tree, attempts and decisions (from the read model)',
      ...guard('scenarios', false),
      request: { params: scenarioIdParam },
      responses: jsonResponses(200, entities.scenario, 'the scenario, its step tree with attempts, and its decisions'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [scenario] = await sql`
        select id, run_id as "runId", type, status, subject_kind as "subjectKind", subject_id as "subjectId",
               current_step as "currentStep", error, started_at as "startedAt", finished_at as "finishedAt",
               duration_ms as "durationMs"
        from scenarios where id = ${id}`;
      if (!scenario) throw notFound('scenario', id);
      const steps = await sql<Array<{ path: string; parentPath: string | null }>>`
        select path, parent_path as "parentPath", position, name, kind, status, plugin, operation,
               idempotency_key as "idempotencyKey", input, output, error_class as "errorClass",
               error_message as "errorMessage", rounds, started_at as "startedAt", finished_at as "finishedAt",
               duration_ms as "durationMs"
        from scenario_steps where scenario_id = ${id}`;
      const attempts = await sql<Array<{ path: string }>>`
        select path, round, attempt, status, error_class as "errorClass", error_message as "errorMessage",
               response_excerpt as "responseExcerpt", started_at as "startedAt", finished_at as "finishedAt",
               duration_ms as "durationMs"
        from step_attempts where scenario_id = ${id} order by path, round, attempt`;
      const decisions = await sql`
        select path as step, decision, reason, input, decided_by as "decidedBy", decided_at as "decidedAt"
        from scenario_decisions where scenario_id = ${id} order by id`;
      return c.json(entities.scenario.parse({ ...scenario, tree: buildTree(steps, attempts), decisions }), 200);
    },
  );

  // The live tree comes from the workflow itself (a query), so it shows a step the moment it starts,
  // even while the read model is catching up or the database is unreachable.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/scenarios/{id}/live',
      tags: ['Scenarios'],
      summary: 'The step tree as the running workflow holds it (a Temporal query)',
      ...guard('scenarios', false),
      request: { params: scenarioIdParam },
      responses: jsonResponses(200, looseObject, 'the live scenario and its tree'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const live = await deps.temporal.workflow.getHandle(id).query(scenarioTreeQuery);
      const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      const steps = live.steps.map(({ scenarioId: _scenarioId, seq: _seq, ...step }) => ({
        ...step,
        startedAt: at(step.startedAt),
        finishedAt: at(step.finishedAt),
        durationMs: step.finishedAt !== null && step.startedAt !== null ? step.finishedAt - step.startedAt : null,
      }));
      const { seq: _seq, ...scenario } = live.scenario;
      return c.json({ ...scenario, startedAt: at(scenario.startedAt), finishedAt: at(scenario.finishedAt), tree: buildTree(steps, []) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/scenarios/{id}/decisions',
      tags: ['Scenarios'],
      summary: 'Retry (optionally with corrected input), skip (with a reason) or cancel a failed step',
      ...guard('scenarios', true),
      request: { params: scenarioIdParam, ...jsonBody(decisionInput) },
      responses: jsonResponses(202, looseObject, 'the decision was taken in; the scenario goes on'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const [scenario] = await sql<Array<{ status: string }>>`select status from scenarios where id = ${id}`;
      if (!scenario) throw notFound('scenario', id);
      if (!scenarioTakesDecisions(scenario.status)) {
        throw new AppError('scenario_finished', `scenario ${id} is ${scenario.status}`);
      }
      return c.json(await decideStep(deps.temporal, id, { ...body, by: c.get('staff').id }), 202);
    },
  );

  return app;
}

type Node = Record<string, unknown> & { path: string; parentPath: string | null; children: Node[]; attempts: unknown[] };

/** Nests the flat step rows by path, in position order, each with its attempts. */
export function buildTree(steps: Array<{ path: string; parentPath: string | null }>, attempts: Array<{ path: string }>): Node[] {
  const byPath = new Map<string, Node>();
  for (const s of steps) byPath.set(s.path, { ...s, children: [], attempts: [] });
  for (const a of attempts) byPath.get(a.path)?.attempts.push(a);
  const roots: Node[] = [];
  for (const node of byPath.values()) {
    const parent = node.parentPath ? byPath.get(node.parentPath) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const order = (nodes: Node[]) => {
    nodes.sort((a, b) => Number(a.position) - Number(b.position));
    nodes.forEach((n) => order(n.children));
  };
  order(roots);
  return roots;
}
