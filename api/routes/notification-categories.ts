import { createRoute, z } from '@hono/zod-openapi';
import {
  createNotificationCategory,
  deleteNotificationCategory,
  replaceNotificationCategory,
  restoreNotificationCategory,
} from '../../operations/notifications/notification-categories';
import { findPropagated, listPropagated } from '../../queries/propagated';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';

const categoryInput = z
  .object({
    name,
    description: z.string().max(2000).default(''),
    published: z.boolean().default(false).describe('client users receive the category and may switch it in the client panel'),
    enabledOnClientCreation: z.boolean().default(false).describe("switched on for every new client's users"),
  })
  .strict()
  .openapi('NotificationCategoryInput');

/**
 * Notification categories (spec 03 §3), propagated down the tree with the Installed / Inherited / Modified flags
 * like templates: list, create, read, replace (an inherited one becomes the caller's modified copy), restore to
 * upstream, delete (the creator only). A name is unique in the caller's view and its subtree. Long because it
 * registers every route of the resource; each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function notificationCategoryRoutes({ sql }: ApiDeps) {
  const app = router();
  const table = 'notification_categories';
  const load = async (viewerId: number, id: number) => {
    const row = await findPropagated(sql, table, viewerId, id);
    if (!row) throw notFound('notification category', id);
    return row;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-categories',
      tags: ['Notifications'],
      summary: "The categories the caller's reseller uses (its own, else inherited), with the Installed / Inherited / Modified flags",
      ...guard('billing_config', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'categories, newest first'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      return c.json(page(await listPropagated(sql, table, c.get('staff').resellerId, { after, limit }), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-categories',
      tags: ['Notifications'],
      summary: 'Create a category; every descendant receives it. A name used in the view or the subtree is refused',
      ...guard('billing_config', true),
      request: jsonBody(categoryInput),
      responses: jsonResponses(201, looseObject, 'the category'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      return c.json(await load(by, await createNotificationCategory(sql, c.req.valid('json'), by)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-categories/{id}',
      tags: ['Notifications'],
      ...guard('billing_config', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the category'),
    }),
    async (c) => c.json(await load(c.get('staff').resellerId, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-categories/{id}',
      tags: ['Notifications'],
      summary: "Replace a category for the caller's reseller: an inherited one becomes its modified copy (upstream changes stop there)",
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(categoryInput) },
      responses: jsonResponses(200, looseObject, 'the category'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      return c.json(await load(by, await replaceNotificationCategory(sql, by, c.req.valid('param').id, c.req.valid('json'))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-categories/{id}/restore',
      tags: ['Notifications'],
      summary: "Restore the caller's reseller's modified category to the upstream's current state",
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(z.object({}).strict()) },
      responses: jsonResponses(200, looseObject, 'the category now in use'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      return c.json(await load(by, await restoreNotificationCategory(sql, by, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/notification-categories/{id}',
      tags: ['Notifications'],
      summary: "Delete a category the caller's reseller created; descendants that modified it keep it",
      ...guard('billing_config', true),
      request: { params: idParam },
      responses: jsonResponses(200, z.object({ deleted: z.literal(true) }), 'deleted'),
    }),
    async (c) => {
      await deleteNotificationCategory(sql, c.get('staff').resellerId, c.req.valid('param').id);
      return c.json({ deleted: true as const }, 200);
    },
  );

  return app;
}
