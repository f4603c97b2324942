import { createRoute, z } from '@hono/zod-openapi';
import { canonicalKeyCode, formatLicenseKey } from '../../domain/licensing/codes';
import { csvDocument } from '../../infra/csv';
import { activationLogRows, upgradeLogRows, type ActivationLogFilters } from '../../queries/licensing/license-logs';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { errorResponses, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';

const MAX_ID = 2_147_483_647;
/** The most rows one export holds; a longer period is exported in parts (by `from` / `to`). */
export const LOG_EXPORT_LIMIT = 10_000;

const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time');
const logFilters = {
  key: z.string().max(64).optional().describe('a license key, in any of its written forms'),
  entitlementId: z.coerce.number().int().positive().max(MAX_ID).optional(),
  from: instant.optional().describe('at or after'),
  to: instant.optional().describe('before'),
};
const activationFilters = {
  ...logFilters,
  machineId: z.string().max(128).optional().describe('the machine id (SHA-256 of its signatures)'),
  action: z.enum(['Activated', 'Replaced', 'Customized', 'Deactivated', 'Refused', 'Revoked']).optional(),
};

type LogQuery = { key?: string | undefined; entitlementId?: number | undefined; from?: string | undefined; to?: string | undefined; machineId?: string | undefined; action?: string | undefined };

/** The query's filters in the query layer's terms (a key in its canonical form). */
function filtersOf(q: LogQuery): ActivationLogFilters {
  const key = q.key === undefined ? undefined : canonicalKeyCode(q.key);
  return { key, entitlementId: q.entitlementId, machineId: q.machineId, action: q.action, from: q.from === undefined ? undefined : new Date(q.from), to: q.to === undefined ? undefined : new Date(q.to) };
}

const ACTIVATION_CSV_HEADER = ['id', 'at', 'action', 'errorCode', 'cause', 'entitlementId', 'product', 'key', 'accountSlot', 'bindingId', 'machineId', 'hostname'];

/**
 * The activation and upgrade logs (spec 04 §6.7, §7.1 "activation and upgrade logs"): per key, license and machine,
 * by action and time, newest first, as pages or as one CSV export. Every row's key belongs to the caller's reseller
 * (queries/licensing/key-scope.ts).
 */
export function licensingLogRoutes({ sql }: ApiDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/activation-logs',
      tags: ['Licensing'],
      summary: 'Activation log: Activated, Replaced, Customized, Deactivated, Refused (with its code), Revoked (with its cause), by key, license, machine, action and time',
      ...guard('catalog', false),
      request: { query: z.object({ ...pageQuery, ...activationFilters }) },
      responses: jsonResponses(200, pageOf(looseObject), 'log rows, newest first'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await activationLogRows(sql, { resellerId: c.get('staff').resellerId, filters: filtersOf(q), limit: q.limit + 1, after: q.after });
      return c.json(page(rows.map((r) => ({ ...r, keyCode: formatLicenseKey(r.keyCode) })), q.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/activation-logs/export',
      tags: ['Licensing'],
      summary: `The activation log as CSV, with the same filters (at most ${LOG_EXPORT_LIMIT} rows, newest first)`,
      ...guard('catalog', false),
      request: { query: z.object(activationFilters) },
      responses: { 200: { description: 'text/csv', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      const rows = await activationLogRows(sql, { resellerId: c.get('staff').resellerId, filters: filtersOf(c.req.valid('query')), limit: LOG_EXPORT_LIMIT });
      const body = csvDocument(
        ACTIVATION_CSV_HEADER,
        rows.map((r) => [r.id, new Date(r.at).toISOString(), r.action, r.errorCode, r.cause, r.entitlementId, r.product, formatLicenseKey(r.keyCode), r.accountSlot, r.bindingId, r.machineId, r.hostname]),
      );
      return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="activation-log.csv"' });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/upgrade-logs',
      tags: ['Licensing'],
      summary: 'Upgrade log (spec 04 §6.5-6.6): every upgrade applied to an activation account with the custom license it produced',
      ...guard('catalog', false),
      request: { query: z.object({ ...pageQuery, ...logFilters }) },
      responses: jsonResponses(200, pageOf(looseObject), 'log rows, newest first'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await upgradeLogRows(sql, { resellerId: c.get('staff').resellerId, filters: filtersOf(q), limit: q.limit + 1, after: q.after });
      return c.json(page(rows.map((r) => ({ ...r, keyCode: formatLicenseKey(r.keyCode) })), q.limit), 200);
    },
  );

  return app;
}
