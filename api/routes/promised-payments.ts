import { createRoute, z } from '@hono/zod-openapi';
import { todayIn } from '../../domain/dates';
import { providePromisedPayment } from '../../operations/payments/provide-promised-payment';
import { revokePromisedPaymentByHand } from '../../operations/payments/revoke-promised-payment-by-hand';
import { ownRows } from '../tenancy';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses, money, page, pageOf, pageQuery } from '../schemas';

const promisedInput = z
  .object({
    amount: money.refine((v) => v > 0, 'the amount must be positive'),
    expiresOn: isoDate.describe('the last day it may be used; the next billing run revokes it'),
    comment: z.string().trim().max(2000).optional(),
    override: z.boolean().default(false).describe("administrators only: beyond the service rule's limit or period (audited)"),
  })
  .strict()
  .openapi('PromisedPaymentInput');
const revokeInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('RevokePromisedPaymentInput');

const statuses = ['provided', 'provided_by_topup', 'revoked', 'revoked_by_topup'] as const;
const promised = z
  .object({
    id: z.number(),
    number: z.string(),
    clientId: z.number(),
    amount: z.number(),
    currency: z.string(),
    status: z.enum(statuses),
    expiresOn: z.string(),
    comment: z.string().nullable(),
    replacesId: z.number().nullable(),
    revokedAt: z.coerce.string().nullable(),
    revokedReason: z.string().nullable(),
    overridden: z.boolean(),
    createdAt: z.coerce.string(),
  })
  .openapi('PromisedPayment');

/** Spec 02 §3, decision 24: promised payments within the client's service rule, revoked by hand, expiry or top-up. */
export function promisedPaymentRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const columns = sql`
    id, number, client_id as "clientId", amount::int8 as amount, currency, status, expires_on::text as "expiresOn", comment,
    replaces_id as "replacesId", revoked_at as "revokedAt", revoked_reason as "revokedReason", overridden, created_at as "createdAt"`;
  const load = async (id: number) => {
    const [row] = await sql<Array<Record<string, unknown>>>`select ${columns} from promised_payments where id = ${id}`;
    if (!row) throw notFound('promised payment', id);
    return promised.parse({ ...row, amount: Number(row.amount) });
  };
  const today = () => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/promised-payments',
      tags: ['Promised payments'],
      summary: "Credit virtual money until a date, within the service rule's limit and period",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(promisedInput) },
      responses: jsonResponses(201, promised, 'the promised payment; its amount is on the balance'),
    }),
    async (c) => {
      const { id: clientId } = c.req.valid('param');
      const input = c.req.valid('json') as z.infer<typeof promisedInput>;
      const staff = c.get('staff');
      const id = await providePromisedPayment(sql, { ...input, clientId, by: { id: staff.id, role: staff.role } }, today());
      return c.json(await load(id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/promised-payments',
      tags: ['Promised payments'],
      ...guard('finance', false),
      request: { query: z.object({ ...pageQuery, clientId: z.coerce.number().int().positive().optional(), status: z.enum(statuses).optional() }) },
      responses: jsonResponses(200, pageOf(promised), 'a page of promised payments, newest first'),
    }),
    async (c) => {
      const f = c.req.valid('query');
      const rows = await sql<Array<Record<string, unknown>>>`
        select ${columns} from promised_payments
        where ${ownRows(c, sql, 'client_id')} and (${f.after ?? null}::int is null or id < ${f.after ?? null})
          and (${f.clientId ?? null}::int is null or client_id = ${f.clientId ?? null})
          and (${f.status ?? null}::text is null or status = ${f.status ?? null})
        order by id desc limit ${f.limit + 1}`;
      return c.json(page(rows.map((r) => promised.parse({ ...r, amount: Number(r.amount) })), f.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/promised-payments/{id}/revoke',
      tags: ['Promised payments'],
      summary: 'Revoke: its amount leaves the balance',
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(revokeInput) },
      responses: jsonResponses(200, promised, 'the revoked promised payment'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json') as z.infer<typeof revokeInput>;
      await revokePromisedPaymentByHand(sql, id, { reason, by: c.get('staff').id });
      return c.json(await load(id), 200);
    },
  );

  return app;
}
