import { createRoute, z } from '@hono/zod-openapi';
import { todayIn } from '../../domain/dates';
import { AppError, errorStatus } from '../../domain/errors';
import { MAX_USAGE_RECORDS_PER_REQUEST, normaliseUsageRecord, usageDecimal } from '../../domain/usage';
import { saveSetting } from '../../operations/settings/save-setting';
import { changeUsagePrices, setUsageMarkup } from '../../operations/usage/change-usage-prices';
import { usageIngestQueue } from '../../operations/usage/ingest-queue';
import { ingestUsageRecords } from '../../operations/usage/ingest-usage-records';
import { subscriptionUsage, usageRecordsOfCharge } from '../../queries/usage';
import { guard } from '../auth';
import { USAGE_BODY_LIMIT } from '../body-limits';
import { router, type ApiDeps } from '../deps';
import { applyCreditLimits } from '../scenario-starts/subscriptions';
import { startUsagePull } from '../scenario-starts/usage';
import { idParam, isoDate, jsonBody, jsonResponses, looseObject, money } from '../schemas';

const usageRecord = z
  .object({
    recordId: z.string().min(1).max(200).describe("the provider's id of the record: with the batch's source, what makes a re-sent record a duplicate"),
    subscriptionId: z.number().int().positive(),
    resource: z.string().min(1).max(100).describe("a resource key of the subscription's plan"),
    quantity: z.union([z.number(), z.string()]).describe('non-negative, at most 6 decimals (a number or decimal text)'),
    usedAt: z.string().describe('the day used (YYYY-MM-DD) or an ISO 8601 instant, in the platform time zone; not in the future'),
    periodDays: z.number().int().min(1).max(31).optional().describe('days the record covers (the periodicity of the formula), default 1'),
    unitPrice: z.union([z.number(), z.string()]).optional().describe("pay-as-you-go (external): the provider's monthly price per unit, in the plan currency's minor units"),
  })
  .openapi('UsageRecord');

const ingestInput = z
  .object({
    source: z.string().trim().min(1).max(100).describe('who sends the records (a provider, a module): record ids are unique per source'),
    // Each record is checked on its own so that one bad record refuses only itself (its result says why).
    records: z.array(z.unknown()).min(1).max(MAX_USAGE_RECORDS_PER_REQUEST).describe('UsageRecord objects (schema UsageRecord)'),
  })
  .strict()
  .openapi('UsageRecordBatch');

const recordResult = z.object({
  index: z.number().int(),
  recordId: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  code: z.string().optional(),
  httpStatus: z.number().int().optional().describe('the status the code has on its own (errors catalogue)'),
  message: z.string().optional(),
});

const ingestAnswer = z
  .object({ accepted: z.number().int(), duplicates: z.number().int(), rejected: z.number().int(), results: z.array(recordResult) })
  .openapi('UsageRecordBatchResult');

const priceChange = z
  .object({
    resources: z.array(z.object({ key: z.string().min(1).max(100), recurringPrice: money }).strict()).max(100).optional().describe('internal prices: new monthly unit prices'),
    markup: z.string().max(20).optional().describe("external prices: the new markup on the provider's price, decimal text > 0, e.g. 1.25"),
  })
  .strict()
  .openapi('UsagePriceChange');

/**
 * Pay-as-you-go (issue 20): usage records in, a subscription's usage and the records behind a charge out, price
 * changes, the closed-period setting. Long because it registers every route of the resource; each handler validates,
 * guards, calls its operation or query and shapes the answer.
 */
export function usageRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const now = () => (deps.now ?? (() => new Date()))();
  const dayOf = (d: Date) => todayIn(deps.timeZone, d);
  // Concurrent requests are written together (group commit): the single-record path's throughput.
  const ingestion = usageIngestQueue((input) => ingestUsageRecords(sql, input));

  app.openAPIRegistry.register('UsageRecord', usageRecord);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/usage-records',
      tags: ['Usage'],
      summary: `Take up to ${MAX_USAGE_RECORDS_PER_REQUEST} usage records (body up to ${USAGE_BODY_LIMIT / 1024 / 1024} MiB) in one transaction; each is accepted, a duplicate (same source and recordId: never billed twice) or rejected with its code`,
      ...guard('finance', true),
      request: jsonBody(ingestInput),
      responses: jsonResponses(200, ingestAnswer, 'the result of every record, in request order'),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const at = { now: now(), dayOf };
      const records = body.records.map((raw) => {
        const r = normaliseUsageRecord(raw, at);
        const recordId = typeof (raw as { recordId?: unknown })?.recordId === 'string' ? ((raw as { recordId: string }).recordId) : null;
        return 'code' in r ? { ...r, recordId } : r;
      });
      const { results, postpaySubscriptions } = await ingestion.ingest({ source: body.source, records, today: dayOf(at.now) });
      // Spec 01 §15.2: postpay usage is compared with the credit limit as it grows; over it, the subscription is blocked.
      if (postpaySubscriptions.length > 0) await applyCreditLimits(deps, { subscriptionIds: postpaySubscriptions });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return c.json(
        {
          accepted: count('accepted'),
          duplicates: count('duplicate'),
          rejected: count('rejected'),
          results: results.map((r) => (r.status === 'rejected' ? { ...r, httpStatus: errorStatus[r.code] } : r)),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscriptions/{id}/usage',
      tags: ['Usage'],
      summary: "A subscription's usage in a financial period (default: today's) by resource and day, its usage charges and the amount rated so far",
      ...guard('finance', false),
      request: { params: idParam, query: z.object({ date: isoDate.optional().describe('any day of the financial period') }) },
      responses: jsonResponses(200, looseObject, 'the usage of the period'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { date } = c.req.valid('query');
      const usage = await subscriptionUsage(sql, id, date ?? dayOf(now()));
      if (!usage) throw new AppError('not_found', `subscription ${id} does not exist`);
      return c.json(usage, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/charges/{id}/usage-records',
      tags: ['Usage', 'Charges'],
      summary: 'The usage records behind a usage charge, oldest first (keyset paging by id)',
      ...guard('finance', false),
      request: { params: idParam, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), after: z.coerce.number().int().min(0).optional() }) },
      responses: jsonResponses(200, looseObject, 'a page of records'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      const [charge] = await sql`select 1 from charges where id = ${id}`;
      if (!charge) throw new AppError('not_found', `charge ${id} does not exist`);
      const items = await usageRecordsOfCharge(sql, id, q);
      return c.json({ items, next: items.length === q.limit ? items[items.length - 1]!.id : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/usage-pull',
      tags: ['Usage'],
      summary: "Pull a pay-as-you-go (external) subscription's usage from its vendor now (the `usage` plugin operation): a scenario, page by page from the stored cursor",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(z.object({ maxPages: z.number().int().min(1).max(1000).optional() }).strict().openapi('UsagePullInput')) },
      responses: jsonResponses(202, z.object({ scenarioId: z.string() }), 'the pull scenario was started'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { maxPages } = c.req.valid('json');
      return c.json({ scenarioId: await startUsagePull(deps, id, maxPages) }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{id}/usage-prices',
      tags: ['Usage', 'Plans'],
      summary: "Change a pay-as-you-go plan's prices from today (spec 02 §4.10): internal, the running usage charges close; external, they stay blocked; new usage grows new charges",
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(priceChange) },
      responses: jsonResponses(200, looseObject, 'the new price version'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const markup = input.markup === undefined ? undefined : usageDecimal(input.markup);
      if (markup === null || (markup !== undefined && Number(markup) <= 0)) throw new AppError('invalid_value', 'markup: a decimal number above 0');
      const changed = await changeUsagePrices(sql, { planId: id, resources: input.resources, markup, today: dayOf(now()), by: c.get('staff').id });
      return c.json(changed, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/usage-markup',
      tags: ['Usage', 'Subscriptions'],
      summary: "Set (or clear, null) a pay-as-you-go (external) subscription's individual markup: it wins over the plan's from today; the running usage charge stays blocked and new usage grows a new one",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(z.object({ markup: z.string().max(20).nullable() }).strict().openapi('UsageMarkupInput')) },
      responses: jsonResponses(200, z.object({ markup: z.string().nullable() }), 'the individual markup'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { markup } = c.req.valid('json');
      const value = markup === null ? null : usageDecimal(markup);
      if (value === null && markup !== null) throw new AppError('invalid_value', 'markup: a decimal number above 0, or null');
      if (value !== null && Number(value) <= 0) throw new AppError('invalid_value', 'markup: a decimal number above 0, or null');
      return c.json(await setUsageMarkup(sql, { subscriptionId: id, markup: value, by: c.get('staff').id }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settings/usage-closed-period',
      tags: ['Settings', 'Usage'],
      summary: 'What a usage record for a closed financial period does: refused (period_closed, the default) or booked to the open period',
      ...guard('billing_config', true),
      request: jsonBody(z.object({ policy: z.enum(['refuse', 'next_period']) }).strict().openapi('UsageClosedPeriodInput')),
      responses: jsonResponses(200, looseObject, 'the policy'),
    }),
    async (c) => {
      const { policy } = c.req.valid('json');
      await saveSetting(sql, { key: 'usage_closed_period', value: policy, by: c.get('staff').id, changes: { policy } });
      return c.json({ policy }, 200);
    },
  );

  return app;
}
