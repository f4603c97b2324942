import { createRoute, z } from '@hono/zod-openapi';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { guard } from '../auth';
import { clientAccess } from '../client-access';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { idParam, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';

const discrepancy = z.object({
  clientId: z.number(),
  check: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  detail: z.string().optional(),
});

export function ledgerRoutes(deps: ApiDeps) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/ledger/check',
      tags: ['Ledger'],
      summary: 'Recompute balances from the ledger history and report every stored figure that disagrees',
      ...guard('finance', false),
      request: { query: z.object({ clientId: z.coerce.number().int().positive().optional() }) },
      responses: jsonResponses(200, z.object({ clients: z.number(), transactions: z.number(), discrepancies: z.array(discrepancy) }), 'the result; an empty list means the ledger agrees'),
    }),
    async (c) => c.json(await checkLedger(deps.sql, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/transactions',
      tags: ['Ledger', 'Clients'],
      summary: "The client's balance history: every ledger transaction, newest first",
      ...guard('finance', false, clientAccess.clientPath(deps.sql, 'view_balance')),
      request: { params: idParam, query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of transactions'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, after } = c.req.valid('query');
      const [client] = await deps.sql`select 1 from clients where id = ${id}`;
      if (!client) throw notFound('client', id);
      const rows = await deps.sql<Array<{ id: string; amount: string; balanceAfter: string }>>`
        select id::text, kind, amount::text, balance_after::text as "balanceAfter", currency, description, payment_id as "paymentId",
               order_id as "orderId", created_at as "createdAt"
        from ledger_transactions where client_id = ${id} and (${after ?? null}::int8 is null or id < ${after ?? null})
        order by id desc limit ${limit + 1}`;
      return c.json(page(rows.map((r) => ({ ...r, id: Number(r.id), amount: Number(r.amount), balanceAfter: Number(r.balanceAfter) })), limit), 200);
    },
  );
  return app;
}
