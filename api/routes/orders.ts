import { oneRow, type Db } from '../../db/client';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { TransactionSql } from 'postgres';
import { insertOrderCharges, postpayChargeStatus, purchaseCharges } from '../../operations/charges/charges';
import { logEvent } from '../../operations/event-log/event-log';
import { requirePayableCurrency } from '../../domain/currencies';
import { orderEndDate, todayIn } from '../../domain/dates';
import { nextFinancialDay } from '../../domain/lifecycle';
import { checkPurchaseCreditLimit, postpayAdmission, type PostpayMode, type PostpayPermission } from '../../domain/postpay';
import { purchaseOrderAmount, purchaseOrderLines } from '../../domain/pricing';
import { canCancelOrder, paymentModels } from '../../domain/statuses';
import { cancelOrderUpdate } from '../../contracts/messages';
import { startScenario } from '../../contracts/scenario-client';
import { orderScenarioId, orderScenarioType } from '../../contracts/scenarios';
import { clientAccess } from '../client-access';
import { eventActor, guard, staffIdOf, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { AppError, notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { nextDocumentNumber } from '../../operations/documents/next-document-number';
import { startOnce } from '../start-once';
import { storeIdempotentAnswer } from '../idempotency';
import { listRows } from '../../queries/lists/engine';
import { orderList, type OrderFilters } from '../../queries/lists/orders';
import { currentOrigin } from '../../infra/request-context';

const orderInput = z
  .object({
    type: z.literal('purchase').default('purchase'),
    clientId: z.number().int().positive(),
    planPeriodId: z.number().int().positive(),
    subscriptionName: z.string().trim().min(1).max(200).optional(),
    paymentModel: z.enum(paymentModels).optional().describe("default: the client's service rule"),
  })
  .strict()
  .openapi('OrderInput');

const cancelInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('CancelOrderInput');

const orderStatuses = ['awaiting_payment', 'awaiting_provisioning', 'provisioning', 'activation_error', 'completed', 'cancelled'] as const;

/** Starts the order's scenario; a start that was already done (retry, sweep) is not an error. */
export async function startOrderScenario(deps: ApiDeps, orderId: number, type = 'purchase'): Promise<void> {
  await startOnce(startScenario(deps.temporal, orderScenarioType(type), { workflowId: orderScenarioId(orderId), taskQueue: deps.taskQueue, input: { orderId, policy: deps.pluginRetryPolicy } }));
  await deps.sql`update orders set scenario_started_at = coalesce(scenario_started_at, now()) where id = ${orderId}`;
}

/**
 * Orders whose scenario start was lost (the process died between the insert and the start) are started
 * here; run at API start and then every minute. Nothing else writes orders without a scenario.
 */
export async function startMissingOrderScenarios(deps: ApiDeps): Promise<number> {
  const rows = await deps.sql<Array<{ id: number; type: string }>>`
    select id, type from orders where scenario_started_at is null and created_at < now() - interval '30 seconds' order by id limit 500`;
  for (const { id, type } of rows) await startOrderScenario(deps, id, type);
  return rows.length;
}

export async function loadOrder(sql: Db, id: number) {
  const [order] = await sql<Array<Record<string, unknown> & { status: string; number: string; clientId: number }>>`
    select o.id, o.number, o.type, o.status, o.status_reason as "statusReason", o.client_id as "clientId",
           o.subscription_id as "subscriptionId", o.plan_id as "planId", o.plan_period_id as "planPeriodId",
           o.payment_model as "paymentModel", o.currency, o.amount, o.discount, o.end_date::text as "endDate",
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

/** A waiting top-up for what the client owes, unless one is already waiting for it. */
async function debtTopUp(tx: TransactionSql, clientId: number, currency: string, c: Context<AppEnv>) {
  const [client] = await tx<Array<{ balance: string }>>`select balance::text from clients where id = ${clientId} for no key update`;
  const debt = -Number(client!.balance);
  if (debt <= 0) return;
  const comment = 'the debt to pay to leave the financial block';
  const [waiting] = await tx`select 1 from payments where client_id = ${clientId} and type = 'manual_topup' and status = 'waiting_for_payment' and comment = ${comment}`;
  if (waiting) return;
  const number = await nextDocumentNumber(tx, 'payment');
  const [row] = await tx<Array<{ id: number }>>`
    insert into payments (number, client_id, type, status, amount, currency, comment)
    values (${number}, ${clientId}, 'manual_topup', 'waiting_for_payment', ${debt}, ${currency}, ${comment}) returning id`;
  await logEvent(tx, { ...eventActor(c), viaApi: true, entityKind: 'payment', entityId: row!.id, action: 'created', changes: { number, amount: debt } });
}

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
      const [found] = await sql<
        Array<{
          client_status: string; client_currency: string; cancel_days: number; plan_id: number; plan_name: string; plan_status: string;
          currency: string; duration: number; unit: 'day' | 'month' | 'year'; trial: boolean; unlimited: boolean;
          setup_fee: string; recurring_fee: string; renewal_fee: string; single: boolean; billing_type: string; financial_day: number;
          default_payment_model: 'prepay' | 'postpay'; credit_limit: string; postpay_permission: PostpayPermission; postpay_mode: unknown;
        }>
      >`
        select c.status as client_status, c.currency as client_currency, r.unpaid_order_cancel_days as cancel_days, p.id as plan_id, p.name as plan_name,
               p.status as plan_status, p.currency, pp.duration, pp.unit, pp.trial, pp.unlimited, pp.setup_fee,
               pp.recurring_fee, pp.renewal_fee, p.single, p.billing_type, (select financial_day from provisioning_rules where id = p.provisioning_rule_id) as financial_day, r.default_payment_model,
               coalesce(c.subscription_credit_limit_override, r.subscription_credit_limit) as credit_limit,
               c.postpay_permission, (select value from settings where key = 'postpay_mode') as postpay_mode
        from clients c join service_rules r on r.id = c.service_rule_id, plan_periods pp join plans p on p.id = pp.plan_id
        where c.id = ${input.clientId} and pp.id = ${input.planPeriodId}`;
      if (!found) {
        const [client] = await sql`select 1 from clients where id = ${input.clientId}`;
        throw client
          ? new AppError('invalid_reference', `plan period ${input.planPeriodId} does not exist`)
          : new AppError('invalid_reference', `client ${input.clientId} does not exist`);
      }
      if (found.client_status === 'deleted') throw new AppError('client_deleted', 'the client is deleted');
      if (found.client_status === 'administratively_blocked') {
        throw new AppError('client_blocked', 'the client is administratively blocked and cannot order');
      }
      // Decision 27: a financially blocked client may order paid subscriptions, not trials.
      if (found.client_status === 'financially_blocked' && found.trial) {
        throw new AppError('client_financially_blocked', 'the client is financially blocked and cannot order trials');
      }
      if (found.plan_status !== 'active') throw new AppError('plan_inactive', `plan "${found.plan_name}" is not active`);
      requirePayableCurrency(found.client_currency, found.currency);
      const period = {
        duration: found.duration,
        unit: found.unit,
        trial: found.trial,
        unlimited: found.unlimited,
        setupFee: Number(found.setup_fee),
        recurringFee: Number(found.recurring_fee),
        renewalFee: Number(found.renewal_fee),
      };
      // Per-financial-period billing pays the current period at purchase; prolongations pay the next ones (spec 01 §11).
      const billedPeriod = found.billing_type === 'monthly_flexible' && !period.unlimited ? { ...period, duration: 1, unit: 'month' as const } : period;
      const amount = purchaseOrderAmount(billedPeriod);
      const paymentModel = input.paymentModel ?? found.default_payment_model;
      if (paymentModel === 'postpay') {
        const mode: PostpayMode = found.postpay_mode === 'manual' ? 'manual' : 'automatic';
        postpayAdmission(mode, found.postpay_permission, found.trial);
        // A day period's recurring fee is the price of the whole period; otherwise it is per month.
        if (!found.trial) checkPurchaseCreditLimit(Number(found.credit_limit), amount, period.recurringFee);
      }
      const lines = purchaseOrderLines(billedPeriod, found.plan_name);
      const today = todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
      const number = await nextDocumentNumber(sql, 'purchase_order');
      // Postpay orders are provisioned at once and billed with the act; only prepaid ones get a payment.
      const paymentNumber = amount > 0 && paymentModel === 'prepay' ? await nextDocumentNumber(sql, 'payment') : null;

      const order = await sql.begin(async (tx) => {
        if (found.single) {
          const [held] = await tx`select 1 from subscriptions where client_id = ${input.clientId} and plan_id = ${found.plan_id} and status <> 'deleted' limit 1`;
          if (held) throw new AppError('single_plan_held', `the client already holds a subscription on plan "${found.plan_name}"`);
        }
        const { id } = await oneRow(tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('orders', 'id'))::int as id`);
        await tx`
          insert into orders (id, number, type, status, client_id, plan_id, plan_period_id, payment_model, currency, amount,
                              end_date, provisioning_date, subscription_name, customer_ip, created_by, workflow_id)
          values (${id}, ${number}, 'purchase', ${paymentModel === 'postpay' ? 'provisioning' : 'awaiting_payment'}, ${input.clientId},
                  ${found.plan_id}, ${input.planPeriodId}, ${paymentModel}, ${found.currency}, ${amount}, ${orderEndDate(today, found.cancel_days)}, ${today},
                  ${input.subscriptionName ?? null}, ${currentOrigin().address}, ${staffIdOf(c)},
                  ${orderScenarioId(id)})`;
        for (const line of lines) {
          await tx`
            insert into order_items (order_id, kind, price_type, description, quantity, period_months, unit_price, amount)
            values (${id}, 'subscription', ${line.kind.replace('_fee', '')}, ${line.description}, ${line.quantity},
                    ${line.periodMonths ?? '0'}, ${line.unitPrice}, ${line.amount})`;
        }
        if (paymentNumber) {
          await tx`
            insert into payments (number, client_id, order_id, type, status, amount, currency)
            values (${paymentNumber}, ${input.clientId}, ${id}, 'order', 'waiting_for_payment', ${amount}, ${found.currency})`;
        }
        // What the order's money pays for, period by period (spec 02 §4.6); postpay charges are the debt (§4.11).
        if (amount > 0) {
          const charged = purchaseCharges({ today, billingType: found.billing_type, period, financialDay: found.financial_day, setupFee: period.setupFee, recurringFee: period.recurringFee, total: amount });
          // Postpay one-off fees are debt until the nearest financial day, when they close into the act (spec 02 §4.11).
          const planned = paymentModel === 'postpay' ? charged.map((ch) => (ch.kind === 'recurring' ? ch : { ...ch, closeDate: nextFinancialDay(today, found.financial_day) })) : charged;
          await insertOrderCharges(tx, {
            orderId: id,
            clientId: input.clientId,
            subscriptionId: null,
            currency: found.currency,
            label: `${found.plan_name}, order ${number}`,
            planned,
            statusOf: paymentModel === 'postpay' ? postpayChargeStatus(today) : undefined,
          });
        }
        await logEvent(tx, { ...eventActor(c), viaApi: true, entityKind: 'order', entityId: id, action: 'created', changes: { number, amount } });
        // Spec 02 §2.13, 01 §4.5.3: a financially blocked client ordering in the client panel also gets a top-up for the debt.
        if (c.get('clientUser') && found.client_status === 'financially_blocked' && paymentNumber) await debtTopUp(tx, input.clientId, found.currency, c);
        const card = await loadOrder(tx, id);
        await storeIdempotentAnswer(tx, c, 201, card);
        return card;
      });
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
      const rows = await listRows<OrderFilters, { id: number; amount: string }>(sql, orderList, {
        columns: ['id', 'number', 'type', 'status', 'clientId', 'clientName', 'subscriptionId', 'amount', 'currency', 'createdAt', 'closedAt'],
        filters,
        sort: { column: 'id', dir: 'desc' },
        limit: limit + 1,
      });
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
