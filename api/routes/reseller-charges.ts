import { createRoute, z } from '@hono/zod-openapi';
import { todayIn } from '../../domain/dates';
import { csvDocument } from '../../infra/csv';
import { xlsxDocument } from '../../infra/xlsx';
import { maxNominal } from '../../domain/exchange';
import { setOwnExchangeRate } from '../../operations/exchange-rates/reseller-rate';
import { createResellerDiscount } from '../../operations/reseller-charges/create-reseller-discount';
import { listResellerCharges, receivableBalances } from '../../queries/reseller-charges';
import { closedClientChargesReport, closedResellerChargesReport } from '../../queries/reseller-reports';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { currency, isoDate, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';

const discountInput = z
  .object({
    name,
    percent: z.string().regex(/^\d{1,3}(\.\d{1,2})?$/).describe('more than 0 and at most 100, 2 decimals, as text ("50.00")'),
    childResellerId: z.number().int().positive().optional().describe('a direct child; absent: all direct children'),
    subscriptionId: z.number().int().positive().optional(),
    clientId: z.number().int().positive().optional(),
    planId: z.number().int().positive().optional(),
    validFrom: isoDate.optional(),
    validTo: isoDate.optional(),
  })
  .strict()
  .openapi('ResellerDiscountInput');

const ownRateInput = z
  .object({
    baseCurrency: currency,
    quotedCurrency: currency,
    rate: z.string().max(32),
    nominal: z.number().int().min(1).max(maxNominal).default(1),
    validFrom: isoDate.optional(),
  })
  .strict()
  .openapi('OwnExchangeRateInput');

const chargeQuery = z.object({
  ...pageQuery,
  counterpartyId: z.coerce.number().int().positive().optional().describe('the other reseller'),
  role: z.enum(['creditor', 'debtor']).optional().describe("the caller's side: owed to it, or owed by it"),
  subscriptionId: z.coerce.number().int().positive().optional(),
  closedFrom: isoDate.optional(),
  closedTo: isoDate.optional(),
});

const reportQuery = z.object({ closedFrom: isoDate, closedTo: isoDate, format: z.enum(['csv', 'xlsx']).default('csv').describe('csv (default) or xlsx (Excel)') }).refine((q) => q.closedFrom <= q.closedTo, { message: 'closedFrom is after closedTo', path: ['closedFrom'] });

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const csvResponse = (description: string) => ({ 200: { description, content: { 'text/csv': { schema: z.string() }, [xlsxType]: { schema: z.string().describe('binary') } } } });

/**
 * What resellers owe each other (spec 05 §4.5, §4.9, §5, §9; decision 37 option A): reseller discounts, a
 * reseller's own rates, the reseller charges and receivable balances of the caller's reseller, and the CSV exports
 * of reports 17.2 and 17.6. Every read is relative to the caller's reseller.
 */
export function resellerChargeRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const today = () => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  app.openapi(
    createRoute({ method: 'post', path: '/reseller-discounts', tags: ['Resellers'], summary: "A discount on what the caller's direct children owe it", ...guard('resellers', true), request: jsonBody(discountInput), responses: jsonResponses(201, z.object({ id: z.number().int() }), 'the discount') }),
    async (c) => {
      const staff = c.get('staff');
      const id = await createResellerDiscount(sql, c.req.valid('json'), { staffId: staff.id, resellerId: staff.resellerId });
      return c.json({ id }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/exchange-rates/own', tags: ['Exchange rates'], summary: "'Set own': a rate of the caller's reseller only; its descendants keep the root's", ...guard('resellers', true), request: jsonBody(ownRateInput), responses: jsonResponses(201, z.object({ id: z.number().int() }), 'the rate') }),
    async (c) => {
      const staff = c.get('staff');
      const body = c.req.valid('json');
      const id = await setOwnExchangeRate(sql, { ...body, validFrom: body.validFrom ?? today() }, { staffId: staff.id, resellerId: staff.resellerId });
      return c.json({ id }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/reseller-charges', tags: ['Resellers'], summary: 'Reseller charges owed to or by the caller\'s reseller, in id order', ...guard('resellers', false), request: { query: chargeQuery }, responses: jsonResponses(200, pageOf(looseObject), 'a page of reseller charges') }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(page(await listResellerCharges(sql, c.get('staff').resellerId, q), q.limit), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/reseller-charges/balances', tags: ['Resellers'], summary: 'The receivable ledger: per creditor, debtor and currency, the sum of reseller charges', ...guard('resellers', false), responses: jsonResponses(200, z.object({ items: z.array(looseObject) }), 'the balances') }),
    async (c) => c.json({ items: await receivableBalances(sql, c.get('staff').resellerId) }, 200),
  );

  const exportCsv = (path: string, summary: string, build: typeof closedClientChargesReport, file: string) =>
    app.openapi(
      createRoute({ method: 'get', path, tags: ['Reports'], summary, ...guard('resellers', false), request: { query: reportQuery }, responses: csvResponse('CSV or Excel, one row per charge') }),
      async (c) => {
        const q = c.req.valid('query');
        const { header, rows } = await build(sql, c.get('staff').resellerId, q);
        const name = `${file}-${q.closedFrom}-${q.closedTo}`;
        if (q.format === 'xlsx') {
          const bytes = await xlsxDocument(file, header, rows);
          return c.body(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, 200, { 'content-type': xlsxType, 'content-disposition': `attachment; filename="${name}.xlsx"` });
        }
        return c.body(csvDocument(header, rows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
      },
    );
  exportCsv('/reports/closed-client-charges', 'Report 17.2: closed client charges of the caller\'s clients with their cost', closedClientChargesReport, 'closed-client-charges');
  exportCsv('/reports/closed-reseller-charges', 'Report 17.6: closed reseller charges owed to the caller, with every level\'s block', closedResellerChargesReport, 'closed-reseller-charges');

  return app;
}
