import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { todayIn, type IsoDate } from '../../domain/dates';
import { currentOrigin } from '../../infra/request-context';
import { subscriptionChargeForecast } from '../../operations/charges/charge-forecast';
import { currentDebt } from '../../operations/charges/charges';
import { placeSubscriptionOrder } from '../../operations/subscription-orders/place-subscription-order';
import { draftPlanSwitchOrder } from '../../operations/subscription-orders/plan-switch-order';
import { draftProlongationOrder } from '../../operations/subscription-orders/prolongation-order';
import { draftRenewalOrder } from '../../operations/subscription-orders/renewal-order';
import { draftResourceChangeOrder } from '../../operations/subscription-orders/resource-change-order';
import type { SubscriptionOrderDraft } from '../../operations/subscription-orders/subscription-for-order';
import { setCreditLimit } from '../../operations/subscriptions/set-credit-limit';
import { setExpirationDate } from '../../operations/subscriptions/set-expiration-date';
import { clientAccess } from '../client-access';
import { guard, staffIdOf, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { notFound } from '../errors';
import { storeIdempotentAnswer } from '../idempotency';
import { startOrderScenario } from '../scenario-starts/orders';
import { applyCreditLimits } from '../scenario-starts/subscriptions';
import { chargeForecastEvent, forecastDays, idParam, isoDate, jsonBody, jsonResponses } from '../schemas';
import { loadOrder } from './orders';

// As on POST /orders: the same field, the same refusals (promo_code_unknown, _expired, _not_applicable, _inactive, _exhausted).
const promoCode = z.string().trim().min(1).max(100).optional().describe('a promo code: the order and its charges are discounted (spec 02 §4.14), or the order is refused and nothing is written');
const renewInput = z
  .object({ planPeriodId: z.number().int().positive().optional().describe('a period of the same plan; default: the current one'), promoCode })
  .strict()
  .openapi('RenewSubscriptionInput');
const prolongInput = z.object({ promoCode }).strict().openapi('ProlongSubscriptionInput');
const changeResourcesInput = z
  .object({
    resources: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.number().int().min(0).max(1_000_000)).refine((r) => Object.keys(r).length > 0, 'name at least one resource'),
    promoCode,
  })
  .strict()
  .openapi('ChangeResourcesInput');
const switchPlanInput = z.object({ planPeriodId: z.number().int().positive(), promoCode }).strict().openapi('SwitchPlanInput');
const creditLimitInput = z
  .object({ creditLimit: z.number().int().min(0).max(1e13).nullable().describe('minor units; null = inherit') })
  .strict()
  .openapi('CreditLimitInput');
const expirationInput = z
  .object({ expirationDate: isoDate, comment: z.string().trim().min(1).max(2000) })
  .strict()
  .openapi('ChangeExpirationDateInput');

/**
 * Orders on a subscription and its service operations. Long because it registers one route per operation; each
 * handler only validates, calls its operation and shapes the answer.
 */
export function subscriptionOrderRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const today = (): IsoDate => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  /** Places the order with its idempotent answer and starts its scenario. */
  async function place(c: Context<AppEnv>, order: SubscriptionOrderDraft) {
    const card = await placeSubscriptionOrder(
      sql,
      { ...order, today: today(), createdBy: staffIdOf(c), clientUserId: c.get('clientUser')?.id, customerIp: currentOrigin().address },
      async (tx, orderId) => {
        const answer = await loadOrder(tx, orderId);
        // The answer to the Idempotency-Key commits with the order (as POST /orders): a retry gets it, not a 409.
        await storeIdempotentAnswer(tx, c, 201, answer);
        return answer;
      },
    );
    // A scenario whose start fails here (Temporal unreachable) is started by the sweep (startMissingOrderScenarios).
    await startOrderScenario(deps, card.id, order.type).catch(() => {});
    return c.json(card, 201);
  }

  const orderRoute = (path: string, summary: string, body: Parameters<typeof jsonBody>[0]) =>
    createRoute({
      method: 'post',
      path: `/subscriptions/{id}/${path}`,
      tags: ['Subscriptions'],
      summary,
      ...guard('operations', true, clientAccess.subscriptionPath(sql, 'manage')),
      request: { params: idParam, ...jsonBody(body) },
      responses: jsonResponses(201, entities.order, 'the new order; its scenario has started'),
    });

  app.openapi(orderRoute('renew', 'Renew a subscription by hand, inside its manual-renewal window (spec 01 §12.3)', renewInput), async (c) => {
    const { planPeriodId, promoCode } = c.req.valid('json') as z.infer<typeof renewInput>;
    return place(c, await draftRenewalOrder(sql, { subscriptionId: c.req.valid('param').id, planPeriodId, today: today(), promoCode }));
  });

  app.openapi(orderRoute('prolong', 'Prolong a stopped per-period subscription by hand to the end of the current financial period (spec 01 §11.3)', prolongInput), async (c) => {
    const { promoCode } = c.req.valid('json') as z.infer<typeof prolongInput>;
    return place(c, await draftProlongationOrder(sql, { subscriptionId: c.req.valid('param').id, today: today(), promoCode }));
  });

  app.openapi(orderRoute('change-resources', 'Order new resource quantities (spec 01 §9); increases are charged for the rest of the paid period', changeResourcesInput), async (c) => {
    const { resources, promoCode } = c.req.valid('json') as z.infer<typeof changeResourcesInput>;
    return place(c, await draftResourceChangeOrder(sql, { subscriptionId: c.req.valid('param').id, resources, today: today(), promoCode }));
  });

  app.openapi(orderRoute('switch-plan', 'Switch to another plan of the same service (spec 01 §10); the unused part of the paid term counts towards the new plan', switchPlanInput), async (c) => {
    const { planPeriodId, promoCode } = c.req.valid('json') as z.infer<typeof switchPlanInput>;
    return place(c, await draftPlanSwitchOrder(sql, { subscriptionId: c.req.valid('param').id, planPeriodId, today: today(), promoCode }));
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/expiration-date',
      tags: ['Subscriptions'],
      summary: 'Service operation: set the expiration date by hand (spec 01 §13.3). Creates no charges and may break the billing of the subscription.',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(expirationInput) },
      responses: jsonResponses(200, z.object({ subscriptionId: z.number(), expirationDate: z.string(), previous: z.string().nullable(), warning: z.string() }), 'the new expiration date'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { expirationDate, comment } = c.req.valid('json') as z.infer<typeof expirationInput>;
      const previous = await setExpirationDate(sql, { subscriptionId: id, expirationDate, comment, by: c.get('staff').id });
      return c.json({ subscriptionId: id, expirationDate, previous, warning: 'no charges were created or changed; check the subscription billing' }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/credit-limit',
      tags: ['Subscriptions'],
      summary: "Set a postpay subscription's credit limit (null: inherit the client's, else the service rule's); the subscription is blocked or unblocked at once when its debt says so",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(creditLimitInput) },
      responses: jsonResponses(200, z.object({ subscriptionId: z.number(), creditLimit: z.number().nullable(), currentDebt: z.number(), action: z.enum(['block', 'unblock']).nullable() }), 'the limit and what follows from it'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { creditLimit } = c.req.valid('json') as z.infer<typeof creditLimitInput>;
      await setCreditLimit(sql, { subscriptionId: id, creditLimit, by: c.get('staff').id });
      const [action] = await applyCreditLimits(deps, { subscriptionIds: [id] });
      return c.json({ subscriptionId: id, creditLimit, currentDebt: await currentDebt(sql, id), action: action?.operation ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscriptions/{id}/forecast',
      tags: ['Subscriptions'],
      summary: 'What the billing runs of the next N days will do to this subscription, by the rules the runs use: the lifecycle actions, and the charges its billing type will create, block, close, hold, delete or split with the money each moves',
      ...guard('operations', false),
      request: { params: idParam, query: z.object({ days: forecastDays }) },
      responses: jsonResponses(
        200,
        z.object({
          subscriptionId: z.number(),
          from: z.string(),
          days: z.number(),
          balance: z.number(),
          assumptions: z.string(),
          entries: z.array(z.object({ date: z.string(), action: z.string(), detail: z.string(), expectedPaid: z.boolean().optional() })),
          charges: z.array(chargeForecastEvent).describe('charge events in date order, each day in the run\'s order'),
          availableChange: z.number().describe('Σ charges[].available: what the subscription takes from (−) or gives back to (+) the available balance'),
          blockedChange: z.number().describe('Σ charges[].blocked'),
        }),
        'the forecast, in date order',
      ),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { days } = c.req.valid('query');
      const [exists] = await sql`select 1 from subscriptions where id = ${id}`;
      if (!exists) throw notFound('subscription', id);
      const from = today();
      const predicted = await subscriptionChargeForecast(sql, { subscriptionId: id, today: from, days });
      const charges = predicted?.events ?? [];
      return c.json(
        {
          subscriptionId: id,
          from,
          days,
          balance: predicted?.balance ?? 0,
          assumptions: 'each scenario a run starts finishes before the next run; no payments, top-ups or other orders of the client in between; new orders priced and converted at today\'s prices and rate',
          entries: predicted?.lifecycle.get(id) ?? [],
          charges,
          availableChange: charges.reduce((s, e) => s + e.available, 0),
          blockedChange: charges.reduce((s, e) => s + e.blocked, 0),
        },
        200,
      );
    },
  );

  return app;
}
