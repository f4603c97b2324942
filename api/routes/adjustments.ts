import { createRoute, z } from '@hono/zod-openapi';
import { createAdjustment } from '../../operations/adjustments/create-adjustment';
import { decideAdjustment } from '../../operations/adjustments/decide-adjustment';
import { ownRows } from '../tenancy';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses, money, page, pageOf, pageQuery } from '../schemas';

const adjustmentInput = z
  .object({
    direction: z.enum(['credit', 'debit']).describe('credit raises the balance, debit lowers it (decision 21)'),
    amount: money.refine((v) => v > 0, 'the amount must be positive'),
    comment: z.string().trim().min(1).max(2000),
    subscriptionId: z.number().int().positive().optional(),
    includeInAct: z.boolean().default(false),
    periodFrom: isoDate.optional(),
    periodTo: isoDate.optional(),
  })
  .strict()
  .refine((a) => !a.periodFrom || !a.periodTo || a.periodFrom <= a.periodTo, { message: 'periodFrom must not be after periodTo', path: ['periodTo'] })
  .openapi('AdjustmentInput');
const decisionInput = z.object({ comment: z.string().trim().min(1).max(2000).optional() }).strict().openapi('AdjustmentDecisionInput');

const adjustment = z
  .object({
    id: z.number(),
    clientId: z.number(),
    subscriptionId: z.number().nullable(),
    direction: z.enum(['credit', 'debit']),
    amount: z.number(),
    currency: z.string(),
    comment: z.string(),
    includeInAct: z.boolean(),
    periodFrom: z.string().nullable(),
    periodTo: z.string().nullable(),
    status: z.enum(['approval_required', 'approved', 'declined']),
    createdBy: z.number().nullable(),
    decidedBy: z.number().nullable(),
    decidedAt: z.coerce.string().nullable(),
    decisionComment: z.string().nullable(),
    createdAt: z.coerce.string(),
  })
  .openapi('Adjustment');

/** Spec 02 §5: balance corrections by staff, two steps (create, then approve or decline). */
export function adjustmentRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const columns = sql`
    id, client_id as "clientId", subscription_id as "subscriptionId", direction, amount::int8 as amount, currency, comment,
    include_in_act as "includeInAct", period_from::text as "periodFrom", period_to::text as "periodTo", status,
    created_by as "createdBy", decided_by as "decidedBy", decided_at as "decidedAt", decision_comment as "decisionComment",
    created_at as "createdAt"`;
  const load = async (id: number) => {
    const [row] = await sql<Array<Record<string, unknown>>>`select ${columns} from adjustments where id = ${id}`;
    if (!row) throw notFound('adjustment', id);
    return adjustment.parse({ ...row, amount: Number(row.amount) });
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/adjustments',
      tags: ['Adjustments'],
      summary: 'Create a balance adjustment; it changes nothing until approved',
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(adjustmentInput) },
      responses: jsonResponses(201, adjustment, 'the adjustment, awaiting approval'),
    }),
    async (c) => {
      const { id: clientId } = c.req.valid('param');
      const input = c.req.valid('json') as z.infer<typeof adjustmentInput>;
      const id = await createAdjustment(sql, { ...input, clientId, by: c.get('staff').id });
      return c.json(await load(id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/adjustments',
      tags: ['Adjustments'],
      ...guard('finance', false),
      request: { query: z.object({ ...pageQuery, clientId: z.coerce.number().int().positive().optional(), status: z.enum(['approval_required', 'approved', 'declined']).optional() }) },
      responses: jsonResponses(200, pageOf(adjustment), 'a page of adjustments, newest first'),
    }),
    async (c) => {
      const f = c.req.valid('query');
      const rows = await sql<Array<Record<string, unknown>>>`
        select ${columns} from adjustments
        where ${ownRows(c, sql, 'client_id')} and (${f.after ?? null}::int is null or id < ${f.after ?? null})
          and (${f.clientId ?? null}::int is null or client_id = ${f.clientId ?? null})
          and (${f.status ?? null}::text is null or status = ${f.status ?? null})
        order by id desc limit ${f.limit + 1}`;
      return c.json(page(rows.map((r) => adjustment.parse({ ...r, amount: Number(r.amount) })), f.limit), 200);
    },
  );

  for (const decision of ['approve', 'decline'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/adjustments/{id}/${decision}`,
        tags: ['Adjustments'],
        summary: decision === 'approve' ? 'Approve: the balance moves (one ledger transaction) and the financial block is re-evaluated' : 'Decline: nothing moves',
        ...guard('finance', true),
        request: { params: idParam, ...jsonBody(decisionInput) },
        responses: jsonResponses(200, adjustment, 'the decided adjustment'),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const { comment } = c.req.valid('json') as z.infer<typeof decisionInput>;
        await decideAdjustment(sql, { adjustmentId: id, decision, comment, by: c.get('staff').id });
        return c.json(await load(id), 200);
      },
    );
  }

  return app;
}
