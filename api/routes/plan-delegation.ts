import { createRoute, z } from '@hono/zod-openapi';
import { delegatePlan } from '../../operations/catalog/delegate-plan';
import { editPlan, editPlanPeriod } from '../../operations/catalog/edit-plan';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { planCardOr404 } from './catalog';
import { idParam, jsonBody, jsonResponses, looseObject, money, name } from '../schemas';

const markup = z
  .string()
  .max(12)
  .regex(/^\d{1,8}(\.\d{1,2})?$/, 'a decimal with at most 2 decimals')
  .openapi({ example: '1.50', description: 'the automatic markup (coefficient, 2 decimals, > 0) on the parent price' });

const delegationInput = z
  .object({
    resellerId: z.number().int().positive().describe("a direct child of the plan's owner"),
    markup: markup.optional().describe('absent: "not set", the child sells at the parent price'),
  })
  .strict()
  .openapi('PlanDelegationInput');

const planEdit = z
  .object({
    name: name.optional(),
    sku: z.string().max(100).nullable().optional(),
    description: z.string().max(4000).nullable().optional(),
    status: z.enum(['active', 'inactive']).optional(),
    markup: markup
      .nullable()
      .optional()
      .describe("a delegated copy only; null switches automatic markup off. usage_external: the level's coefficient on the provider's price (never off), a new price version for every subscription below"),
    fixedPrice: z.boolean().optional().describe('where the plan was created only; synced to every copy (spec 05 §4.6)'),
  })
  .strict()
  .openapi('PlanEdit');

const periodEdit = z
  .object({ setupFee: money.optional(), recurringFee: money.optional(), renewalFee: money.optional(), transferFee: money.optional(), published: z.boolean().optional() })
  .strict()
  .openapi('PlanPeriodEdit');

const periodParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  periodId: z.coerce.number().int().positive().openapi({ param: { name: 'periodId', in: 'path' } }),
});

/**
 * Plans through the tenant tree (spec 05 §3.3, §4): delegating a plan to a direct child, and the edits that reach
 * every copy below (synced fields, prices through each level's markup, deactivation).
 */
export function planDelegationRoutes({ sql }: ApiDeps) {
  const app = router();
  const card = (id: number) => planCardOr404(sql, id);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{id}/delegations',
      tags: ['Plans'],
      summary: "Delegates an active plan of the caller's reseller to a direct child: a copy at the parent's prices × the markup",
      ...guard('resellers', true),
      request: { params: idParam, ...jsonBody(delegationInput) },
      responses: jsonResponses(201, looseObject, "the child's copy with its periods and resources"),
    }),
    async (c) => {
      const staff = c.get('staff');
      const body = c.req.valid('json');
      const copyId = await delegatePlan(sql, { planId: c.req.valid('param').id, resellerId: body.resellerId, markup: body.markup }, { staffId: staff.id, resellerId: staff.resellerId });
      return c.json(await card(copyId), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/plans/{id}',
      tags: ['Plans'],
      summary: 'Edits a plan; synced fields and status reach every delegated copy below',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(planEdit) },
      responses: jsonResponses(200, looseObject, 'the plan'),
    }),
    async (c) => {
      const staff = c.get('staff');
      const { id } = c.req.valid('param');
      await editPlan(sql, id, c.req.valid('json'), { staffId: staff.id, resellerId: staff.resellerId });
      return c.json(await card(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/plans/{id}/periods/{periodId}',
      tags: ['Plans'],
      summary: "Edits a period's prices; on a delegated copy a price entered by hand switches its automatic markup off",
      ...guard('catalog', true),
      request: { params: periodParams, ...jsonBody(periodEdit) },
      responses: jsonResponses(200, looseObject, 'the plan'),
    }),
    async (c) => {
      const staff = c.get('staff');
      const { id, periodId } = c.req.valid('param');
      await editPlanPeriod(sql, id, periodId, c.req.valid('json'), { staffId: staff.id, resellerId: staff.resellerId });
      return c.json(await card(id), 200);
    },
  );

  return app;
}
