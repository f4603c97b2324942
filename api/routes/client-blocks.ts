import { createRoute, z } from '@hono/zod-openapi';
import { logEvent } from '../../operations/event-log/event-log';
import { financialBlockState, setFinancialBlockPeriod } from '../../operations/ledger/ledger';
import { canStartClientOperation } from '../../domain/blocking';
import { todayIn } from '../../domain/dates';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
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
      const n = await sql.begin(async (tx) => {
        const [client] = await tx<Array<{ status: string }>>`select status from clients where id = ${id} for no key update`;
        if (!client) throw notFound('client', id);
        if (!canStartClientOperation('administrative_block', client.status)) {
          throw new AppError('client_status', `client ${id} is ${client.status}; only an active or financially blocked client can be blocked`);
        }
        // The administrative block takes over: a financial block period ends (its subscriptions stay stopped).
        await setFinancialBlockPeriod(tx, id, null);
        await tx`update clients set status = 'administratively_blocked', updated_at = now() where id = ${id}`;
        const [period] = await tx<Array<{ n: number }>>`
          insert into client_blocks (client_id, kind, n, reason)
          select ${id}, 'administrative', coalesce(max(n), 0) + 1, ${reason} from client_blocks where client_id = ${id} and kind = 'administrative'
          returning n`;
        await logEvent(tx, { actorId: staff.id, viaApi: true, entityKind: 'client', entityId: id, action: 'administratively_blocked', reason, changes: { status: [client.status, 'administratively_blocked'] } });
        return period!.n;
      });
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
      const result = await sql.begin(async (tx) => {
        const [client] = await tx<Array<{ status: string }>>`select status from clients where id = ${id} for no key update`;
        if (!client) throw notFound('client', id);
        if (!canStartClientOperation('activate', client.status)) throw new AppError('client_status', `client ${id} is ${client.status}, not administratively blocked`);
        await tx`update client_blocks set ended_at = now() where client_id = ${id} and kind = 'administrative' and ended_at is null`;
        const state = (await financialBlockState(tx, id, today()))!;
        const next = state.reason ? 'financially_blocked' : 'active';
        await tx`update clients set status = ${next}, updated_at = now() where id = ${id}`;
        if (state.reason) await setFinancialBlockPeriod(tx, id, state.description);
        // One event whatever the outcome: the account changed from blocked to active or to financially blocked.
        await logEvent(tx, { actorId: staff.id, viaApi: true, entityKind: 'client', entityId: id, action: 'activated', reason, changes: { status: ['administratively_blocked', next], ...(state.reason ? { financialBlock: state.description } : {}) } });
        const [open] = await tx<Array<{ n: number }>>`select n from client_blocks where client_id = ${id} and kind = 'financial' and ended_at is null`;
        return { status: next, block: open ? { kind: 'financial', n: open.n } : null };
      });
      return c.json({ clientId: id, ...result }, 200);
    },
  );

  return app;
}
