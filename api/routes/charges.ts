import { createRoute, z } from '@hono/zod-openapi';
import { clientBalanceForecast } from '../../operations/charges/charge-forecast';
import { clientFunds } from '../../operations/charges/charges';
import { clientAccess } from '../client-access';
import { ownRows } from '../tenancy';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { chargeForecastEvent, forecastDays, idParam, jsonBody, jsonResponses, page, pageOf, pageQuery } from '../schemas';
import { chargeStatuses } from '../../domain/billing-types/types';
import { closeAllCharges } from '../../operations/charges/close-all-charges';
import { todayIn } from '../../domain/dates';

const charge = z
  .object({
    id: z.number(),
    clientId: z.number(),
    orderId: z.number(),
    subscriptionId: z.number().nullable(),
    kind: z.enum(['setup', 'renewal', 'transfer', 'recurring', 'usage']),
    status: z.enum(chargeStatuses),
    description: z.string(),
    periodFrom: z.string(),
    periodTo: z.string(),
    closeDate: z.string(),
    amount: z.number(),
    discount: z.number().describe('the discount the charge carries (spec 02 §4.14): Σ over an order = its discount'),
    currency: z.string(),
    /** Spec 02 §4.13: what the charge was converted from; null on charges written before exchange rates. */
    originalAmount: z.number().nullable().describe("the amount in the plan's currency (minor units) this charge was converted from"),
    originalCurrency: z.string().nullable().describe("the plan's currency"),
    exchangeRate: z.string().nullable().describe("the rate used, exact decimal: currency units per exchangeNominal originalCurrency units ('1.0000' for the same currency)"),
    exchangeNominal: z.number().int().nullable().describe('the nominal of the rate (how many originalCurrency units the rate is for)'),
    closedAt: z.coerce.string().nullable(),
    splitOf: z.number().nullable().describe('The charge this one is a part of (spec 02 §4.9 splitting)'),
    superseded: z.boolean().describe('Its amount moved into its parts or a close-all charge: not counted in its order'),
    refund: z.boolean().describe('A refund charge: records money given back'),
    resourceKey: z.string().nullable().describe('A charge for additional resources: the plan resource it pays for (null: the service)'),
    quantity: z.number().int().nullable().describe('How many units above the included ones it pays for (null: the service)'),
    commitment: z.boolean().describe("A later month of a no-refund commitment, open from the purchase on: in no order's amount; its month's prolongation order replaces it"),
  })
  .openapi('Charge');

/** Spec 02 §4: charges, the funds they block and the balance forecast. Long because it registers one route per list or figure; each handler is short. */
export function chargeRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/funds',
      tags: ['Clients', 'Charges'],
      summary: 'Balance, blocked and available funds (available = the ledger balance; blocked = Σ blocked charges)',
      ...guard('finance', false, clientAccess.clientPath(sql, 'view_balance')),
      request: { params: idParam },
      responses: jsonResponses(200, z.object({ balance: z.number(), blocked: z.number(), available: z.number() }), 'the funds'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const funds = await clientFunds(sql, id);
      if (!funds) throw notFound('client', id);
      return c.json(funds, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/forecast',
      tags: ['Clients', 'Charges'],
      summary:
        "Balance forecast: what the billing runs of the next N days will take from or give back to the client's available balance, and block, summed over every subscription's charge forecast (GET /subscriptions/{id}/forecast), with the projected available and blocked figures day by day",
      ...guard('finance', false, clientAccess.clientPath(sql, 'view_balance')),
      request: { params: idParam, query: z.object({ days: forecastDays }) },
      responses: jsonResponses(
        200,
        z.object({
          clientId: z.number(),
          from: z.string(),
          days: z.number(),
          funds: z.object({ available: z.number(), blocked: z.number() }).describe('now'),
          assumptions: z.string(),
          forecast: z.array(z.object({ date: z.string(), availableChange: z.number(), blockedChange: z.number(), available: z.number(), blocked: z.number() })).describe('one entry per day, at the end of its run'),
          subscriptions: z.array(z.object({ subscriptionId: z.number(), billingType: z.string(), events: z.number(), availableChange: z.number(), blockedChange: z.number() })),
          charges: z.array(chargeForecastEvent),
        }),
        'the balance forecast',
      ),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { days } = c.req.valid('query');
      const from = todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
      const predicted = await clientBalanceForecast(sql, { clientId: id, today: from, days });
      if (!predicted) throw notFound('client', id);
      return c.json(
        {
          clientId: id,
          from,
          days,
          funds: predicted.funds,
          assumptions: "each scenario a run starts finishes before the next run; no payments, top-ups or other orders in between; the subscriptions' auto-payments share the available balance",
          forecast: predicted.days,
          subscriptions: predicted.subscriptions,
          charges: predicted.events,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/charges',
      tags: ['Charges'],
      ...guard('finance', false, clientAccess.clientQuery(sql, 'view_charges')),
      request: {
        query: z.object({
          ...pageQuery,
          clientId: z.coerce.number().int().positive().optional(),
          orderId: z.coerce.number().int().positive().optional(),
          subscriptionId: z.coerce.number().int().positive().optional(),
          status: z.enum(chargeStatuses).optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(charge), 'a page of charges, by period'),
    }),
    async (c) => {
      const f = c.req.valid('query');
      const rows = await sql<Array<Record<string, unknown>>>`
        select id, client_id as "clientId", order_id as "orderId", subscription_id as "subscriptionId", kind, status, description,
               period_from::text as "periodFrom", period_to::text as "periodTo", close_date::text as "closeDate", amount::int8 as amount,
               discount::int8 as discount, currency, original_amount::int8 as "originalAmount", original_currency as "originalCurrency",
               exchange_rate::text as "exchangeRate", exchange_nominal as "exchangeNominal", closed_at as "closedAt", split_of as "splitOf", superseded, refund,
               resource_key as "resourceKey", quantity, commitment
        from charges
        where ${ownRows(c, sql, 'client_id')} and (${f.after ?? null}::int is null or id > ${f.after ?? null})
          and (${f.clientId ?? null}::int is null or client_id = ${f.clientId ?? null})
          and (${f.orderId ?? null}::int is null or order_id = ${f.orderId ?? null})
          and (${f.subscriptionId ?? null}::int is null or subscription_id = ${f.subscriptionId ?? null})
          and (${f.status ?? null}::text is null or status = ${f.status ?? null})
        order by id limit ${f.limit + 1}`;
      return c.json(page(rows.map((r) => charge.parse({ ...r, amount: Number(r.amount), discount: Number(r.discount), originalAmount: r.originalAmount === null ? null : Number(r.originalAmount) })), f.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/close-charges',
      tags: ['Charges', 'Subscriptions'],
      summary: "Close all the subscription's charges by hand (spec 02 §4.9, mainly CSP annual): one closed charge per order for the remaining term, open ones debited now. dryRun answers the figures and the warnings and writes nothing",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(closeChargesInput) },
      responses: jsonResponses(200, closeChargesAnswer, 'what was (or would be) closed, and the warnings'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { comment, dryRun } = c.req.valid('json') as z.infer<typeof closeChargesInput>;
      const today = todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
      return c.json(await closeAllCharges(sql, { subscriptionId: id, today, comment, dryRun, by: c.get('staff').id }), 200);
    },
  );

  return app;
}

const closeChargesInput = z
  .object({ comment: z.string().trim().min(1).max(2000), dryRun: z.boolean().default(false) })
  .strict()
  .openapi('CloseChargesInput');

const closeChargesAnswer = z.object({
  subscriptionId: z.number(),
  dryRun: z.boolean(),
  replaced: z.number().describe('open and blocked charges replaced'),
  closedAmount: z.number().describe('Σ of the replaced charges, now closed'),
  debited: z.number().describe('taken from the available balance now (the open ones)'),
  warnings: z.array(z.string()),
});
