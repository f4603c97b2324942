import { createRoute, z } from '@hono/zod-openapi';
import { addContact } from '../../operations/clients/add-contact';
import { createClient } from '../../operations/clients/create-client';
import { topUpClient } from '../../operations/clients/top-up-client';
import { clientAccess } from '../client-access';
import { listViewer } from '../tenancy';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { notFound } from '../errors';
import { currency, idParam, key, jsonBody, jsonResponses, looseObject, money, name, page, pageOf, pageQuery } from '../schemas';
import { newestFirst } from '../../queries/lists/engine';
import { clientList, type ClientFilters } from '../../queries/lists/clients';

const contactInput = z
  .object({
    name,
    email: z.email().max(320).optional(),
    phone: z.string().regex(/^\+?[0-9 ()-]{5,32}$/).optional(),
    language: z.enum(['en', 'ru']).optional(),
    role: z.enum(['owner', 'technical', 'financial', 'other']).default('owner'),
  })
  .strict()
  .openapi('ContactInput');

const clientInput = z
  .object({
    name,
    clientType: key
      .optional()
      .describe("the key of a client type the caller's reseller sees (GET /client-types); omitted: its default type (legal_entity at the operator)"),
    serviceRuleId: z.number().int().positive(),
    managerId: z.number().int().positive().optional(),
    currency: currency.default('EUR'),
    language: z.enum(['en', 'ru']).default('en'),
    creditThresholdOverride: money.optional(),
    subscriptionCreditLimitOverride: money.optional(),
    contacts: z.array(contactInput).max(20).default([]),
  })
  .strict()
  .openapi('ClientInput');

const topUpInput = z
  .object({
    amount: money.refine((v) => v > 0, 'must be positive'),
    method: z.string().trim().min(1).max(64).default('bank_transfer'),
    comment: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('TopUpInput');

/**
 * Clients, their contacts and top-ups. Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function clientRoutes({ sql }: ApiDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients',
      tags: ['Clients'],
      ...guard('operations', true),
      request: jsonBody(clientInput),
      responses: jsonResponses(201, entities.client, 'the client'),
    }),
    async (c) => {
      const id = await createClient(sql, c.req.valid('json'), { by: c.get('staff').id, resellerId: c.get('staff').resellerId });
      return c.json(await loadClient(sql, id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients',
      tags: ['Clients'],
      ...guard('operations', false),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(['active', 'administratively_blocked', 'financially_blocked', 'deleted']).optional(),
          q: z.string().trim().max(200).optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of clients, newest first'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await newestFirst<ClientFilters, { id: number; balance: string }>(sql, listViewer(c), clientList, ['id', 'name', 'status', 'clientType', 'balance', 'currency', 'createdAt'], filters, limit);
      return c.json(page(rows.map((r) => ({ ...r, balance: Number(r.balance) })), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}',
      tags: ['Clients'],
      ...guard('operations', false, clientAccess.clientPath(sql, 'view_balance')),
      request: { params: idParam },
      responses: jsonResponses(200, entities.client, 'the client card'),
    }),
    async (c) => c.json(await loadClient(sql, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/contacts',
      tags: ['Clients'],
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(contactInput) },
      responses: jsonResponses(201, looseObject, 'the contact'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const contact = c.req.valid('json');
      await loadClient(sql, id);
      const row = await addContact(sql, id, contact);
      return c.json(row, 201);
    },
  );

  // A top-up is a payment confirmed on creation: money in, ledger credited, in one transaction.
  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/top-ups',
      tags: ['Clients', 'Payments'],
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(topUpInput) },
      responses: jsonResponses(201, looseObject, 'the completed payment'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { amount, method, comment } = c.req.valid('json');
      const payment = await topUpClient(sql, { clientId: id, amount, method, comment, by: c.get('staff').id });
      return c.json(payment, 201);
    },
  );

  return app;
}

export async function loadClient(sql: ApiDeps['sql'], id: number) {
  const [client] = await sql<Array<Record<string, unknown> & { status: string; currency: string }>>`
    select c.id, c.name, c.status, (select key from client_types where id = c.client_type_id) as "clientType", c.service_rule_id as "serviceRuleId",
           c.manager_id as "managerId", c.currency, c.language, c.balance, c.postpay_permission as "postpayPermission",
           c.credit_threshold_override as "creditThresholdOverride", c.negative_since as "negativeSince",
           c.created_at as "createdAt", c.updated_at as "updatedAt"
    from clients c where c.id = ${id}`;
  if (!client) throw notFound('client', id);
  const contacts = await sql`
    select id, name, email, phone, language, role from client_contacts where client_id = ${id} order by id`;
  return entities.client.parse({ ...client, contacts });
}
