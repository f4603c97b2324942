import { z } from '@hono/zod-openapi';
import { isIsoCurrency } from '../domain/currencies';
import { isValidIsoDate } from '../domain/dates';

export const errorSchema = z
  .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
  .openapi('Error');

export const idParam = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }) });

/** Keyset paging: `after` is the last id of the previous page (lists are newest first). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.coerce.number().int().positive().optional(),
};

export const money = z.number().int().min(0).max(1e13).describe('integer minor units (cents)');
/** An ISO 4217 code of a currency in circulation (domain/currencies.ts): 'XYZ' has the right shape and is refused. */
export const currency = z
  .string()
  .refine(isIsoCurrency, 'an ISO 4217 code of a currency in circulation, such as EUR')
  .openapi({ example: 'EUR', description: 'ISO 4217 currency code (upper case)' });
export const key = z.string().regex(/^[a-z0-9_]{1,64}$/, 'lower-case letters, digits and _');
export const name = z.string().trim().min(1).max(200);
/** A calendar date `YYYY-MM-DD` that exists (2027-02-30 is refused here, not by the database). */
export const isoDate = z.string().refine(isValidIsoDate, 'a calendar date YYYY-MM-DD');

/** How many days a forecast looks ahead (domain/billing-types/charge-forecast.ts maxForecastDays); beyond is a 400. */
export const forecastDays = z.coerce.number().int().min(1).max(366).default(30).describe('days ahead, 1-366');

/** One charge event of a forecast (domain/billing-types/charge-forecast.ts). */
export const chargeForecastEvent = z
  .object({
    date: z.string(),
    subscriptionId: z.number(),
    action: z.enum(['created', 'blocked', 'closed', 'held', 'deleted', 'split', 'opened', 'refunded']),
    chargeId: z.number().nullable().describe('null: a charge the forecast expects to be created'),
    kind: z.string(),
    from: z.string(),
    to: z.string(),
    amount: z.number(),
    status: z.string().describe('the charge status after the event'),
    available: z.number().describe('change to the available balance: + given back, − taken (prepaid)'),
    blocked: z.number().describe('change to the blocked funds (prepaid)'),
    debt: z.number().describe('change to the postpay debt'),
    cause: z.string(),
  })
  .openapi('ChargeForecastEvent');

export const errorResponses = {
  400: { description: 'invalid request', content: { 'application/json': { schema: errorSchema } } },
  401: { description: 'no valid token', content: { 'application/json': { schema: errorSchema } } },
  403: { description: 'the role may not do this', content: { 'application/json': { schema: errorSchema } } },
  404: { description: 'not found', content: { 'application/json': { schema: errorSchema } } },
  409: { description: 'conflict', content: { 'application/json': { schema: errorSchema } } },
  422: { description: 'refused by a business rule', content: { 'application/json': { schema: errorSchema } } },
};

export function jsonResponses<T extends z.ZodType>(status: 200 | 201 | 202, schema: T, description: string) {
  return { [status]: { description, content: { 'application/json': { schema } } }, ...errorResponses } as {
    [K in typeof status]: { description: string; content: { 'application/json': { schema: T } } };
  } & typeof errorResponses;
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { 'application/json': { schema } } } };
}

/** Lists answer `{ items, nextCursor }`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.number().int().nullable() });
}

export function page<T extends { id: number }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export const looseObject = z.record(z.string(), z.unknown());
