import { createRoute, z } from '@hono/zod-openapi';
import { todayIn } from '../../domain/dates';
import { maxNominal } from '../../domain/exchange';
import { addExchangeRate } from '../../operations/exchange-rates/add-exchange-rate';
import { findRateInForce } from '../../operations/exchange-rates/rate-in-force';
import { listExchangeRates } from '../../queries/exchange-rates';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError } from '../../domain/errors';
import { currency, isoDate, jsonBody, jsonResponses, page, pageOf, pageQuery } from '../schemas';

const exchangeRate = z
  .object({
    id: z.number(),
    baseCurrency: z.string().describe("the client's (operator's) currency the rate is counted in"),
    quotedCurrency: z.string().describe("the plan's currency"),
    rate: z.string().describe('exact decimal, 4 decimals: baseCurrency units per `nominal` quotedCurrency units'),
    nominal: z.number().int(),
    validFrom: z.string(),
    createdBy: z.number().nullable(),
    createdAt: z.string(),
  })
  .openapi('ExchangeRate');

const exchangeRateInput = z
  .object({
    baseCurrency: currency.describe("the client's currency (what charges are counted in), e.g. RUB"),
    quotedCurrency: currency.describe("the plan's currency, e.g. USD"),
    // A string, so that the rate stays exact: a JSON number would pass through a float first.
    rate: z.string().max(32).openapi({ example: '92.5', description: 'decimal text, > 0, at most 4 decimals and 12 integer digits' }),
    nominal: z.number().int().min(1).max(maxNominal).default(1).describe('how many units of quotedCurrency the rate is for (100 JPY)'),
    validFrom: isoDate.optional().describe("in force from this date (default: today); supersedes the pair's earlier rates from then on"),
  })
  .strict()
  .openapi('ExchangeRateInput');

const pairQuery = {
  baseCurrency: currency.optional(),
  quotedCurrency: currency.optional(),
};

/** Spec 02 §4.13, seed manual 8.7.2: the operator's exchange rates, with their history. */
export function exchangeRateRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const today = () => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  app.openapi(
    createRoute({
      method: 'get',
      path: '/exchange-rates',
      tags: ['Exchange rates'],
      summary: "The rates' history, newest entry first; filter by pair, or by `onDate` for the rate of each pair in force that day",
      ...guard('catalog', false),
      request: { query: z.object({ ...pageQuery, ...pairQuery, onDate: isoDate.optional() }) },
      responses: jsonResponses(200, pageOf(exchangeRate), 'a page of exchange rates'),
    }),
    async (c) => {
      const f = c.req.valid('query');
      const rows = await listExchangeRates(sql, f);
      return c.json(page(rows, f.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/exchange-rates/in-force',
      tags: ['Exchange rates'],
      summary: 'The rate of a pair in force on a date (default today): the latest one whose validFrom is on or before it',
      ...guard('catalog', false),
      request: { query: z.object({ baseCurrency: currency, quotedCurrency: currency, date: isoDate.optional() }) },
      responses: jsonResponses(200, exchangeRate, 'the rate in force'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const date = q.date ?? today();
      const found = await findRateInForce(sql, q.baseCurrency, q.quotedCurrency, date);
      if (!found) throw new AppError('not_found', `no exchange rate ${q.baseCurrency} per ${q.quotedCurrency} is in force on ${date}`);
      return c.json(found, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/exchange-rates',
      tags: ['Exchange rates'],
      summary: "Set a pair's rate from a date on (a new entry: earlier rates are never edited)",
      ...guard('billing_config', true),
      request: jsonBody(exchangeRateInput),
      responses: jsonResponses(201, exchangeRate, 'the rate added'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const added = await addExchangeRate(sql, { ...input, validFrom: input.validFrom ?? today(), by: c.get('staff').id });
      return c.json(added, 201);
    },
  );

  return app;
}
