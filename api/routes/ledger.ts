import { createRoute, z } from '@hono/zod-openapi';
import { checkLedger } from '../../activities/ledger-check';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { jsonResponses } from '../schemas';

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
  return app;
}
