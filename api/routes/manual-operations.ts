import { createRoute, z } from '@hono/zod-openapi';
import { canDecideManualOperation } from '../../domain/operator-decisions';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { manualOperationTypes } from '../../db/schema';
import { manualDecisionUpdate } from '../../contracts/messages';
import { listViewer } from '../tenancy';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { newestFirst } from '../../queries/lists/engine';
import { manualOperationList, type ManualOperationFilters } from '../../queries/lists/manual-operations';

const approveInput = z
  .object({
    comment: z.string().trim().max(2000).optional(),
    output: z.record(z.string(), z.unknown()).optional().describe('what was done by hand, e.g. { "vendorReference": "ACME-42" }'),
  })
  .strict()
  .openapi('ApproveManualOperationInput');
const rejectInput = z.object({ comment: z.string().trim().max(2000).optional() }).strict().openapi('RejectManualOperationInput');

interface OperationRow {
  id: number;
  status: string;
  scenarioId: string;
  step: string;
  round: number;
  [key: string]: unknown;
}

/**
 * Manual operations (spec 01 §18): list, card, approve, reject. A decision goes to the scenario that
 * waits for it; deciding twice, or an operation that is no longer pending, answers 409. Long because it registers
 * every manual-operation route; the handlers are a few lines each.
 */
export function manualOperationRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  async function loadOperation(id: number) {
    const [op] = await sql<OperationRow[]>`
      select m.id, m.type, m.status, m.description, m.scenario_id as "scenarioId", m.step_path as "step", m.round,
             m.client_id as "clientId", c.name as "clientName", c.manager_id as "managerId",
             c.service_rule_id as "serviceRuleId", r.name as "serviceRuleName",
             m.subscription_id as "subscriptionId", m.order_id as "orderId", m.comment, m.output,
             m.decided_by as "decidedBy", s.name as "decidedByName", m.decided_at as "decidedAt",
             m.created_at as "createdAt", m.updated_at as "updatedAt"
      from manual_operations m join clients c on c.id = m.client_id join service_rules r on r.id = c.service_rule_id
           left join staff s on s.id = m.decided_by
      where m.id = ${id}`;
    if (!op) throw notFound('manual operation', id);
    return op;
  }

  async function decide(id: number, decision: 'approve' | 'reject', by: number, comment?: string, output?: Record<string, unknown>) {
    const op = await loadOperation(id);
    if (!canDecideManualOperation(op.status)) throw new AppError('already_decided', `manual operation ${id} is already ${op.status}`);
    try {
      await deps.temporal.workflow
        .getHandle(op.scenarioId)
        .executeUpdate(manualDecisionUpdate, { args: [{ operationId: id, step: op.step, round: op.round, decision, comment, output, by }] });
    } catch (err) {
      // Someone decided a moment earlier (the scenario refused the second decision) or the scenario ended.
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
        const now = await loadOperation(id);
        throw new AppError('already_decided', `manual operation ${id} is ${now.status === 'pending' ? 'no longer awaiting a decision' : `already ${now.status}`}`);
      }
      throw err;
    }
    return loadOperation(id);
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/manual-operations',
      tags: ['Manual operations'],
      ...guard('operations', false),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(['pending', 'approved', 'rejected']).optional(),
          type: z.enum(manualOperationTypes).optional(),
          clientId: z.coerce.number().int().positive().optional(),
          managerId: z.coerce.number().int().positive().optional(),
          serviceRuleId: z.coerce.number().int().positive().optional(),
          createdFrom: isoDate.optional(),
          createdTo: isoDate.optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of manual operations, newest first'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await newestFirst<ManualOperationFilters, { id: number }>(sql, listViewer(c), manualOperationList, ['id', 'type', 'status', 'description', 'clientId', 'clientName', 'managerId', 'serviceRuleId', 'subscriptionId', 'orderId', 'decidedBy', 'createdAt'], filters, limit);
      return c.json(page(rows, limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/manual-operations/{id}',
      tags: ['Manual operations'],
      ...guard('operations', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the operation with its event log'),
    }),
    async (c) => {
      const op = await loadOperation(c.req.valid('param').id);
      const events = await sql`
        select id, created_at as "createdAt", actor_kind as "actorKind", actor_id as "actorId", action, reason, changes
        from event_log where entity_kind = 'manual_operation' and entity_id = ${String(op.id)} order by id`;
      return c.json({ ...op, events }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/manual-operations/{id}/approve',
      tags: ['Manual operations'],
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(approveInput) },
      responses: jsonResponses(200, looseObject, 'the approved operation'),
    }),
    async (c) => {
      const { comment, output } = c.req.valid('json');
      return c.json(await decide(c.req.valid('param').id, 'approve', c.get('staff').id, comment, output), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/manual-operations/{id}/reject',
      tags: ['Manual operations'],
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(rejectInput) },
      responses: jsonResponses(200, looseObject, 'the rejected operation'),
    }),
    async (c) => {
      const { comment } = c.req.valid('json');
      return c.json(await decide(c.req.valid('param').id, 'reject', c.get('staff').id, comment), 200);
    },
  );

  return app;
}
