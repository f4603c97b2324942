import { createRoute, z } from '@hono/zod-openapi';
import { invoicePaymentMethods } from '../../db/schema/client-types';
import { changeClientType } from '../../operations/client-types/change-client-type';
import { createClientType } from '../../operations/client-types/create-client-type';
import { deleteClientType } from '../../operations/client-types/delete-client-type';
import { findClientType, listClientTypes } from '../../queries/client-types';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, key, name } from '../schemas';

const defaultPaymentMethod = z
  .enum(invoicePaymentMethods)
  .nullable()
  .describe("the caller's reseller's default payment method for the type: an invoice (CheckCash) method, spec 02 §10; null = none");
const isDefault = z.boolean().describe("true makes the type the caller's reseller's default for new clients; the default cannot be unset, only replaced");

/** Serialised by JSON as an ISO date-time string. */
const dateTime = z.date().openapi({ type: 'string', format: 'date-time' });

const clientTypeInput = z
  .object({ key, name, defaultPaymentMethod: defaultPaymentMethod.optional(), isDefault: isDefault.optional() })
  .strict()
  .openapi('ClientTypeInput');
const clientTypeChange = z
  .object({ key: key.optional(), name: name.optional(), defaultPaymentMethod: defaultPaymentMethod.optional(), isDefault: isDefault.optional() })
  .strict()
  .openapi('ClientTypeChange');
const clientType = z
  .object({
    id: z.number().int(),
    key: z.string(),
    name: z.string(),
    resellerId: z.number().int().describe('the reseller that owns the type'),
    delegated: z.boolean().describe('created upstream: read-only here except defaultPaymentMethod and isDefault'),
    defaultPaymentMethod: z.string().nullable(),
    isDefault: z.boolean(),
    keyConflict: z.boolean().describe('another type seen here has the same key (one delegated, one own): re-key the own one'),
    keyConflictMessage: z.string().optional(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .openapi('ClientType');

/**
 * Client types (spec 02 §10, 05 §3.5): each reseller's staff list the types they see (their own and those
 * delegated from upstream), create their own (every descendant receives them), change their own, set their own
 * default payment method and default type on any, and delete their own. Long because it registers every route of the
 * resource; each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function clientTypeRoutes({ sql }: ApiDeps) {
  const app = router();
  const load = async (viewerId: number, id: number) => {
    const t = await findClientType(sql, viewerId, id);
    if (!t) throw notFound('client type', id);
    return t;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/client-types',
      tags: ['Client types'],
      summary: "The client types the caller's reseller sees: its own and those delegated from upstream",
      ...guard('billing_config', false),
      responses: jsonResponses(200, z.object({ items: z.array(clientType) }), 'every client type'),
    }),
    async (c) => c.json({ items: await listClientTypes(sql, c.get('staff').resellerId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/client-types',
      tags: ['Client types'],
      summary: "Create a client type of the caller's reseller; every descendant receives it, read-only",
      ...guard('billing_config', true),
      request: jsonBody(clientTypeInput),
      responses: jsonResponses(201, clientType.extend({ downstreamKeyConflicts: z.array(z.number().int()).describe('descendants whose own type has this key: they are asked to re-key it') }), 'the client type'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      const created = await createClientType(sql, c.req.valid('json'), by);
      return c.json({ ...(await load(by, created.id)), downstreamKeyConflicts: created.downstreamKeyConflicts }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/client-types/{id}',
      tags: ['Client types'],
      ...guard('billing_config', false),
      request: { params: idParam },
      responses: jsonResponses(200, clientType, 'the client type'),
    }),
    async (c) => c.json(await load(c.get('staff').resellerId, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/client-types/{id}',
      tags: ['Client types'],
      summary: 'Change a client type: key and name at its owner only (copy_read_only elsewhere); the default payment method and default flag anywhere',
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(clientTypeChange) },
      responses: jsonResponses(200, clientType, 'the client type'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      await changeClientType(sql, by, c.req.valid('param').id, c.req.valid('json'));
      return c.json(await load(by, c.req.valid('param').id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/client-types/{id}',
      tags: ['Client types'],
      summary: "Delete a client type the caller's reseller created and its clients do not have; descendants with clients of it keep it as their own",
      ...guard('billing_config', true),
      request: { params: idParam },
      responses: jsonResponses(200, z.object({ deleted: z.literal(true) }), 'deleted'),
    }),
    async (c) => {
      await deleteClientType(sql, c.get('staff').resellerId, c.req.valid('param').id);
      return c.json({ deleted: true as const }, 200);
    },
  );

  return app;
}
