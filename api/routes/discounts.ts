import { createRoute, z } from '@hono/zod-openapi';
import { chargeKinds, parsePercent, type DiscountTerms } from '../../domain/discounts';
import { createDiscount } from '../../operations/discounts/create-discount';
import { deactivateDiscount } from '../../operations/discounts/deactivate-discount';
import { discountCard, discountPage } from '../../queries/discounts';
import { eventActor, guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { currency, idParam, isoDate, jsonBody, jsonResponses, money, name, page, pageOf, pageQuery } from '../schemas';

const discountInput = z
  .object({
    name,
    percent: z.string().regex(/^\d{1,3}(\.\d{1,2})?$/).optional().describe('more than 0 and at most 100, 2 decimals at most, as text ("34.3"): exact, no floats'),
    amount: money.optional().describe('a fixed discount in minor units, spread over the charges in proportion'),
    currency: currency.optional().describe('the currency of a fixed amount (required with amount)'),
    validFrom: isoDate.optional(),
    validTo: isoDate.optional().describe('the last day the codes may be used, inclusive'),
    plans: z
      .array(z.object({ planId: z.number().int().positive(), planPeriodIds: z.array(z.number().int().positive()).max(50).optional() }).strict())
      .max(200)
      .default([])
      .describe('empty: every plan; a plan without periods: all its periods'),
    maxClients: z.number().int().min(1).max(1_000_000_000).optional().describe('how many clients may use it; absent: unlimited'),
    maxSubscriptions: z.number().int().min(1).max(1_000_000_000).optional().describe('how many orders (subscriptions) may use it; absent: unlimited'),
    appliesTo: z.array(z.enum(['setup', 'renewal', 'recurring', 'transfer'])).min(1).default([...chargeKinds]).describe('the kinds of fee it discounts'),
    codes: z
      .array(z.object({ code: z.string().regex(/^[\w-]{1,100}$/, 'letters, digits, _ and -'), reusable: z.boolean().default(false) }).strict())
      .max(1000)
      .default([]),
  })
  .strict()
  .refine((d) => (d.percent === undefined) !== (d.amount === undefined), { message: 'give either percent or amount', path: ['percent'] })
  .refine((d) => d.amount === undefined || d.currency !== undefined, { message: 'a fixed amount needs its currency', path: ['currency'] })
  .openapi('DiscountInput');

const deactivateInput = z.object({ reason: z.string().trim().min(1).max(2000).optional() }).strict().openapi('DiscountDeactivateInput');

const discount = z
  .object({
    id: z.number(),
    name: z.string(),
    kind: z.enum(['percent', 'amount']),
    percent: z.string().nullable(),
    amount: z.number().nullable(),
    currency: z.string().nullable(),
    validFrom: z.string().nullable(),
    validTo: z.string().nullable(),
    allPlans: z.boolean(),
    maxClients: z.number().nullable(),
    maxSubscriptions: z.number().nullable(),
    appliesTo: z.array(z.string()),
    status: z.enum(['active', 'inactive']),
    uses: z.number(),
    createdAt: z.coerce.string(),
  })
  .openapi('Discount');

const discountWithCodes = discount
  .extend({
    plans: z.array(z.object({ planId: z.number(), planPeriodId: z.number().nullable() })),
    codes: z.array(z.object({ id: z.number(), code: z.string(), reusable: z.boolean(), status: z.string(), activations: z.number() })),
  })
  .openapi('DiscountCard');

/**
 * Discounts of type promo code (the seed manual's 13.1, spec 02 §4.14): list, create with codes and plans, card,
 * deactivate. Guarded like the catalogue (spec 02 §14.1: discounts & promo codes are part of Products).
 */
export function discountRoutes({ sql }: ApiDeps) {
  const app = router();
  const load = async (id: number) => {
    const card = await discountCard(sql, id);
    if (!card) throw notFound('discount', id);
    return discountWithCodes.parse(card);
  };

  app.openapi(
    createRoute({ method: 'get', path: '/discounts', tags: ['Discounts'], ...guard('catalog', false), request: { query: z.object(pageQuery) }, responses: jsonResponses(200, pageOf(discount), 'a page of discounts, newest first') }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await discountPage(sql, q);
      return c.json(page(rows.map((r) => discount.parse(r)), q.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/discounts',
      tags: ['Discounts'],
      summary: 'Create a promo-code discount with its codes and plan restrictions',
      ...guard('catalog', true),
      request: jsonBody(discountInput),
      responses: jsonResponses(201, discountWithCodes, 'the discount with its codes'),
    }),
    async (c) => {
      const d = c.req.valid('json');
      const terms: DiscountTerms = d.percent !== undefined ? { kind: 'percent', basisPoints: parsePercent(d.percent) } : { kind: 'amount', amount: d.amount! };
      const id = await createDiscount(sql, { ...d, terms, actor: eventActor(c) });
      return c.json(await load(id), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/discounts/{id}', tags: ['Discounts'], ...guard('catalog', false), request: { params: idParam }, responses: jsonResponses(200, discountWithCodes, 'the discount with its plans and codes') }),
    async (c) => c.json(await load(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/discounts/{id}/deactivate',
      tags: ['Discounts'],
      summary: 'Deactivate a discount: its codes give no discount any more',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(deactivateInput) },
      responses: jsonResponses(200, discountWithCodes, 'the deactivated discount'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await deactivateDiscount(sql, { discountId: id, reason: c.req.valid('json').reason, actor: eventActor(c) });
      return c.json(await load(id), 200);
    },
  );

  return app;
}
