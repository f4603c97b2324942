import { createRoute, z } from '@hono/zod-openapi';
import { todayIn } from '../../domain/dates';
import { activateClient } from '../../operations/client-blocks/activate-client';
import { blockClient } from '../../operations/client-blocks/block-client';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { idParam, jsonBody, jsonResponses } from '../schemas';

const reasonInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('ClientBlockInput');
const answer = z.object({ clientId: z.number(), status: z.string(), block: z.object({ kind: z.string(), n: z.number() }).nullable() });

/** Spec 01 §4.4, decision 3: the operator's administrative block and the client's activation. */
export function clientBlockRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const today = () => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/administrative-block',
      tags: ['Clients'],
      summary: 'Block the client: its working subscriptions are stopped, whatever the stop mode (scenario administrative-block-<client>-<n>)',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(reasonInput) },
      responses: jsonResponses(200, answer, 'the client is administratively blocked'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json') as z.infer<typeof reasonInput>;
      const staff = c.get('staff');
      const n = await blockClient(sql, { clientId: id, reason, by: staff.id });
      return c.json({ clientId: id, status: 'administratively_blocked', block: { kind: 'administrative', n } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/activate',
      tags: ['Clients'],
      summary: 'Lift the administrative block: the client is active again, or financially blocked when the balance says so (decision 3)',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(reasonInput) },
      responses: jsonResponses(200, answer, 'the client after activation'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json') as z.infer<typeof reasonInput>;
      const staff = c.get('staff');
      const result = await activateClient(sql, { clientId: id, reason, by: staff.id }, today());
      return c.json({ clientId: id, ...result }, 200);
    },
  );

  return app;
}
