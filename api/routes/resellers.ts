import { createRoute, z } from '@hono/zod-openapi';
import { createReseller, defaultSettingsOptions } from '../../operations/resellers/create-reseller';
import { findReseller, listResellers } from '../../queries/resellers';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { currency, idParam, jsonBody, jsonResponses, name, page, pageOf, pageQuery } from '../schemas';

const resellerInput = z
  .object({
    parentId: z.number().int().positive().optional().describe("the parent reseller: the caller's own (default) or one of its descendants"),
    name,
    currency,
    managerId: z.number().int().positive().optional().describe("a staff member of the parent responsible for the reseller"),
    defaultSettings: z
      .enum(defaultSettingsOptions)
      .default('copy_provider')
      .describe("copy_provider: the parent's service rules are copied once (without the default flag); copy_standard: one standard default rule. Templates, handlers and provisioning rules are inherited either way"),
  })
  .strict()
  .openapi('ResellerInput');

const reseller = z
  .object({
    id: z.number().int(),
    parentId: z.number().int().nullable(),
    parentName: z.string().nullable(),
    name: z.string(),
    currency: z.string(),
    managerId: z.number().int().nullable(),
    level: z.number().int().describe("levels below the caller's reseller (0: its own, 1: a direct child)"),
    createdAt: z.coerce.string(),
  })
  .openapi('Reseller');

/**
 * The tenant tree (spec 05 §1, §7.2): system administrators create resellers under their own reseller or any of its
 * descendants, list every descendant level with its parent, and read one of them; a reseller outside the caller's
 * subtree is not found. What resellers own (clients, staff, delegated plans) arrives with the rest of issue 21.
 */
export function resellerRoutes({ sql }: ApiDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/resellers',
      tags: ['Resellers'],
      ...guard('resellers', true),
      request: jsonBody(resellerInput),
      responses: jsonResponses(201, reseller, 'the reseller'),
    }),
    async (c) => {
      const staff = c.get('staff');
      const input = c.req.valid('json');
      const id = await createReseller(sql, { ...input, parentId: input.parentId ?? staff.resellerId }, { staffId: staff.id, resellerId: staff.resellerId });
      return c.json(reseller.parse(await findReseller(sql, staff, id)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/resellers',
      tags: ['Resellers'],
      summary: "Every descendant of the caller's reseller, at every level, with its parent",
      ...guard('resellers', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(reseller), 'resellers, in id order'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const rows = await listResellers(sql, c.get('staff'), { after, limit });
      return c.json(page(rows.map((r) => reseller.parse(r)), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/resellers/{id}',
      tags: ['Resellers'],
      ...guard('resellers', false),
      request: { params: idParam },
      responses: jsonResponses(200, reseller, "the reseller (the caller's own or a descendant)"),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const row = await findReseller(sql, c.get('staff'), id);
      if (!row) throw notFound('reseller', id);
      return c.json(reseller.parse(row), 200);
    },
  );

  return app;
}
