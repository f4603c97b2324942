import { createRoute, z } from '@hono/zod-openapi';
import { cancelOrderUpdate } from '../../contracts/messages';
import { orderScenarioId } from '../../contracts/scenarios';
import type { Db } from '../../db/client';
import { todayIn } from '../../domain/dates';
import { canCancelOrder, paymentModels } from '../../domain/statuses';
import { currentOrigin } from '../../infra/request-context';
import { placePurchaseOrder } from '../../operations/orders/place-purchase-order';
import { clientAccess } from '../client-access';
import { eventActor, guard, staffIdOf } from '../auth';
import { listViewer } from '../tenancy';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { AppError, notFound } from '../errors';
import { storeIdempotentAnswer } from '../idempotency';
import { idParam, isoDate, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { startOrderScenario } from '../scenario-starts/orders';
import { newestFirst } from '../../queries/lists/engine';
import { orderList, type OrderFilters } from '../../queries/lists/orders';

const orderInput = z
  .object({
    type: z.literal('purchase').default('purchase'),
    clientId: z.number().int().positive(),
    planPeriodId: z.number().int().positive(),
    subscriptionName: z.string().trim().min(1).max(200).optional(),
    paymentModel: z.enum(paymentModels).optional().describe("default: the client's service rule"),
    promoCode: z.string().trim().min(1).max(100).optional().describe('a promo code: the order and its charges are discounted (spec 02 §4.14), or the order is refused'),
  })
  .strict()
  .openapi('OrderInput');

const cancelInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('CancelOrderInput');

const orderStatuses = ['awaiting_payment', 'awaiting_provisioning', 'provisioning', 'activation_error', 'completed', 'cancelled'] as const;

export async function loadOrder(sql: Db, id: number) {
  const [order] = await sql<Array<Record<string, unknown> & { status: string; number: string; clientId: number }>>`
    select o.id, o.number, o.type, o.status, o.status_reason as "statusReason", o.client_id as "clientId",
           o.subscription_id as "subscriptionId", o.plan_id as "planId", o.plan_period_id as "planPeriodId",
           o.payment_model as "paymentModel", o.currency, o.amount, o.discount, o.end_date::text as "endDate",
           (select pc.code from discount_redemptions r join promo_codes pc on pc.id = r.promo_code_id where r.order_id = o.id) as "promoCode",
           o.provisioning_date::text as "provisioningDate", o.deferred, o.created_by as "createdBy",
           o.workflow_id as "scenarioId", o.created_at as "createdAt", o.updated_at as "updatedAt", o.closed_at as "closedAt"
    from orders o where o.id = ${id}`;
  if (!order) throw notFound('order', id);
  const items = await sql`
    select id, kind, price_type as "priceType", description, quantity, period_months as "periodMonths",
           unit_price::int8 as "unitPrice", discount::int8 as discount, amount::int8 as amount, status
    from order_items where order_id = ${id} order by id`;
  const payments = await sql`
    select id, number, type, status, amount::int8 as amount, currency, method, closed_at as "closedAt"
    from payments where order_id = ${id} order by id`;
  const scenarios = await sql`
    select id, type, status, current_step as "currentStep", started_at as "startedAt", finished_at as "finishedAt",
           duration_ms as "durationMs"
    from scenarios where subject_kind = 'order' and subject_id = ${String(id)} order by started_at`;
  const events = await sql`
    select id, created_at as "createdAt", actor_kind as "actorKind", actor_id as "actorId", via_api as "viaApi",
           action, reason, changes
    from event_log where entity_kind = 'order' and entity_id = ${String(id)} order by id`;
  const numeric = (rows: Array<Record<string, unknown>>, keys: string[]) =>
    rows.map((r) => ({ ...r, ...Object.fromEntries(keys.map((k) => [k, Number(r[k])])) }));
  return entities.order.parse({
    ...order,
    items: numeric(items, ['unitPrice', 'discount', 'amount']),
    payments: numeric(payments, ['amount']),
    scenarios,
    events,
  });
}

/**
 * The order routes: create, list, card, cancel. Long because it registers every order route; each handler
 * validates, calls its operation or query and shapes the answer.
 */
export function orderRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/orders',
      tags: ['Orders'],
      summary: 'Create a purchase order and start its scenario',
      ...guard('operations', true, clientAccess.newOrder(sql)),
      request: jsonBody(orderInput),
      responses: jsonResponses(201, entities.order, 'the order card'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const order = await placePurchaseOrder(
        sql,
        {
          ...input,
          today: todayIn(deps.timeZone, (deps.now ?? (() => new Date()))()),
          createdBy: staffIdOf(c),
          actor: eventActor(c),
          byClientUser: Boolean(c.get('clientUser')),
          customerIp: currentOrigin().address,
        },
        async (tx, orderId) => {
          const card = await loadOrder(tx, orderId);
          await storeIdempotentAnswer(tx, c, 201, card);
          return card;
        },
      );
      // The order and its answer are committed: a retry under the same Idempotency-Key gets this answer, not a
      // second order. A scenario whose start fails here (Temporal or the database unreachable) is started by
      // the sweep (startMissingOrderScenarios) instead, so the request does not fail for it.
      await startOrderScenario(deps, order.id).catch(() => {});
      return c.json(order, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/orders',
      tags: ['Orders'],
      ...guard('operations', false, clientAccess.clientQuery(sql, 'sign_in')),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(orderStatuses).optional(),
          type: z.enum(['purchase', 'renewal', 'prolongation', 'resource_change', 'plan_switch']).optional(),
          clientId: z.coerce.number().int().positive().optional(),
          subscriptionId: z.coerce.number().int().positive().optional(),
          createdFrom: isoDate.optional(),
          createdTo: isoDate.optional(),
          q: z.string().trim().max(200).optional().describe('order id, full order number or client name'),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of orders, newest first'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await newestFirst<OrderFilters, { id: number; amount: string }>(sql, listViewer(c), orderList, ['id', 'number', 'type', 'status', 'clientId', 'clientName', 'subscriptionId', 'amount', 'currency', 'createdAt', 'closedAt'], filters, limit);
      return c.json(page(rows.map((r) => ({ ...r, amount: Number(r.amount) })), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/orders/{id}',
      tags: ['Orders'],
      ...guard('operations', false, clientAccess.recordPath(sql, 'orders')),
      request: { params: idParam },
      responses: jsonResponses(200, entities.order, 'the order card with items, payments, scenarios and event log'),
    }),
    async (c) => c.json(await loadOrder(sql, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/orders/{id}/cancel',
      tags: ['Orders'],
      summary: 'Cancel an order awaiting payment or awaiting provisioning (its payment is cancelled or returned to the balance)',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(cancelInput) },
      responses: jsonResponses(200, entities.order, 'the cancelled order'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const order = await loadOrder(sql, id);
      // Spec 01 §16.9: awaiting payment, or a deferred order awaiting its provisioning date (paid money returns to the balance).
      if (!canCancelOrder(order)) {
        throw new AppError('order_not_cancellable', `order ${String(order.number)} is ${String(order.status)}; only an order awaiting payment or awaiting provisioning can be cancelled`);
      }
      await deps.temporal.workflow
        .getHandle(orderScenarioId(id))
        .executeUpdate(cancelOrderUpdate, { args: [{ reason, by: c.get('staff').id }] });
      return c.json(await loadOrder(sql, id), 200);
    },
  );

  return app;
}
