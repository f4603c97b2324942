import { createRoute, z } from '@hono/zod-openapi';
import { overdueUnblockCandidates } from '../../operations/documents/acts';
import { logEvent } from '../../operations/event-log/event-log';
import { postLedgerEntry } from '../../operations/ledger/ledger';
import { mergedOrderIds, mergePayments, payMergedPayment } from '../../operations/payments/payment-merges';
import { receiveTopUp } from '../../operations/payments/top-ups';
import { todayIn } from '../../domain/dates';
import { nextDocumentNumber } from '../../operations/documents/next-document-number';
import { startBlockScenarios } from '../credit-limits';
import { cancelOrderUpdate, confirmPaymentUpdate, orderPaidSignal } from '../../contracts/messages';
import { orderScenarioId } from '../../contracts/scenarios';
import { clientAccess } from '../client-access';
import { eventActor, guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { AppError, notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { listRows } from '../../queries/lists/engine';
import { paymentList, type PaymentFilters } from '../../queries/lists/payments';

const paymentStatuses = ['waiting_for_payment', 'completed', 'overdue', 'invoice_preparing', 'invoice_sent', 'cancelled', 'paid_from_balance'] as const;

const confirmInput = z
  .object({ method: z.enum(['bank_transfer', 'cash', 'card', 'other']), comment: z.string().max(2000).optional() })
  .strict()
  .openapi('ConfirmPaymentInput');
const cancelInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('CancelPaymentInput');

async function loadPayment(sql: ApiDeps['sql'], id: number) {
  const [p] = await sql<Array<Record<string, unknown> & { status: string; type: string; orderId: number | null; number: string; merged: boolean }>>`
    select id, number, client_id as "clientId", order_id as "orderId", type, status, amount::int8 as amount, currency, method,
           comment, balance_after::int8 as "balanceAfter", confirmed_by as "confirmedBy", created_at as "createdAt",
           closed_at as "closedAt", merged, merged_into_id as "mergedIntoId"
    from payments where id = ${id}`;
  if (!p) throw notFound('payment', id);
  return entities.payment.parse({ ...p, mergedOrderIds: p.merged ? await mergedOrderIds(sql, id) : [] });
}

const mergeInput = z
  .object({ paymentIds: z.array(z.number().int().positive()).min(2).max(100) })
  .strict()
  .openapi('MergePaymentsInput');

const waitingTopUpInput = z
  .object({ amount: z.number().int().min(1).max(1e13), comment: z.string().trim().max(2000).optional() })
  .strict()
  .openapi('WaitingTopUpInput');

export function paymentRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/payments',
      tags: ['Payments'],
      ...guard('finance', false, clientAccess.clientQuery(sql, 'view_balance')),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(paymentStatuses).optional(),
          type: z.enum(['order', 'manual_topup', 'postpay_services']).optional(),
          clientId: z.coerce.number().int().positive().optional(),
          orderId: z.coerce.number().int().positive().optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of payments, newest first'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await listRows<PaymentFilters, { id: number; amount: string }>(sql, paymentList, {
        columns: ['id', 'number', 'clientId', 'orderId', 'type', 'status', 'amount', 'currency', 'method', 'createdAt', 'closedAt'],
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
      path: '/payments/{id}',
      tags: ['Payments'],
      ...guard('finance', false, clientAccess.recordPath(sql, 'payments')),
      request: { params: idParam },
      responses: jsonResponses(200, entities.payment, 'the payment'),
    }),
    async (c) => c.json(await loadPayment(sql, c.req.valid('param').id), 200),
  );

  // Confirming an order's payment is the order scenario's business: the API asks it and waits for the answer.
  /** Spec 02 §2.5-2.6: a waiting top-up is confirmed: the balance is credited and promised payments are covered first. */
  async function confirmTopUp(id: number, method: string, by: number) {
    await sql.begin(async (tx) => {
      const [p] = await tx<Array<{ client_id: number; amount: string; currency: string; status: string; number: string }>>`
        select client_id, amount::text, currency, status, number from payments where id = ${id} for update`;
      if (!p || p.status !== 'waiting_for_payment') throw new AppError('payment_not_confirmable', `payment ${p?.number ?? id} is ${p?.status}`);
      await receiveTopUp(tx, { paymentId: id, number: p.number, clientId: p.client_id, amount: Number(p.amount), currency: p.currency, method, by });
      await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'payment', entityId: id, action: 'confirmed', changes: { status: ['waiting_for_payment', 'completed'], method } });
    });
  }

  /**
   * Spec 01 §15.4: a payment for rendered services arrived. The money comes in and pays the act at once
   * (two ledger rows, the balance unchanged); subscriptions blocked for that overdue payment come back
   * unless another blocking condition holds.
   */
  async function confirmPostpayPayment(id: number, method: string, by: number) {
    await sql.begin(async (tx) => {
      const [p] = await tx<Array<{ client_id: number; amount: string; currency: string; status: string; number: string }>>`
        select client_id, amount::text, currency, status, number from payments where id = ${id} for update`;
      if (!p || (p.status !== 'waiting_for_payment' && p.status !== 'overdue')) throw new AppError('payment_not_confirmable', `payment ${p?.number ?? id} is ${p?.status}`);
      const amount = Number(p.amount);
      await postLedgerEntry(tx, { clientId: p.client_id, kind: 'payment_received', amount, currency: p.currency, description: `Payment ${p.number} received (${method})`, idempotencyKey: `payment-received/${id}`, paymentId: id });
      const { balanceAfter } = await postLedgerEntry(tx, { clientId: p.client_id, kind: 'charge_closed', amount: -amount, currency: p.currency, description: `Payment for postpay services ${p.number}`, idempotencyKey: `postpay-paid/${id}`, paymentId: id });
      await tx`update payments set status = 'completed', method = ${method}, confirmed_by = ${by}, balance_after = ${balanceAfter}, closed_at = now(), updated_at = now() where id = ${id}`;
      await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'payment', entityId: id, action: 'confirmed', changes: { status: [p.status, 'completed'], method } });
    });
    const released = await overdueUnblockCandidates(sql);
    await startBlockScenarios(deps, released.map((subscriptionId) => ({ subscriptionId, operation: 'unblock' as const, reason: 'overdue payment paid' })));
  }

  /**
   * Spec 02 §2.11: the merged payment's money arrives; every order in it is paid in the same transaction,
   * then each order's scenario is told (a lost signal is sent again by the platform's sweep).
   */
  async function confirmMergedPayment(id: number, method: string, by: number) {
    const result = await sql.begin(async (tx) => {
      const [p] = await tx<Array<{ status: string; number: string }>>`select status, number from payments where id = ${id} for update`;
      if (p!.status !== 'waiting_for_payment') throw new AppError('payment_not_confirmable', `payment ${p!.number} is ${p!.status}`);
      return payMergedPayment(tx, { paymentId: id, via: { kind: 'confirmed', method, by } });
    });
    await tellPaidOrders(deps, result.orderIds);
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/payments/merge',
      tags: ['Payments'],
      summary: "Merge a client's waiting payments into one payment for their sum (spec 02 §2.11)",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(mergeInput) },
      responses: jsonResponses(201, entities.payment, 'the merged payment, waiting for payment'),
    }),
    async (c) => {
      const { id: clientId } = c.req.valid('param');
      const { paymentIds } = c.req.valid('json');
      const [client] = await sql<Array<{ id: number }>>`select id from clients where id = ${clientId}`;
      if (!client) throw notFound('client', clientId);
      const merged = await sql.begin((tx) => mergePayments(tx, { clientId, paymentIds, by: c.get('staff').id, automatic: false }));
      return c.json(await loadPayment(sql, merged.paymentId), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/payments',
      tags: ['Payments'],
      summary: 'Create a top-up payment that waits for the money (spec 02 §2.5); confirm it when the money arrives',
      ...guard('finance', true, clientAccess.clientPath(sql, 'top_up')),
      request: { params: idParam, ...jsonBody(waitingTopUpInput) },
      responses: jsonResponses(201, entities.payment, 'the waiting payment'),
    }),
    async (c) => {
      const { id: clientId } = c.req.valid('param');
      const { amount, comment } = c.req.valid('json') as z.infer<typeof waitingTopUpInput>;
      const [client] = await sql<Array<{ status: string; currency: string }>>`select status, currency from clients where id = ${clientId}`;
      if (!client) throw notFound('client', clientId);
      if (client.status === 'deleted') throw new AppError('client_deleted', `client ${clientId} is deleted`);
      const number = await nextDocumentNumber(sql, 'payment');
      const [row] = await sql<Array<{ id: number }>>`
        insert into payments (number, client_id, type, status, amount, currency, comment)
        values (${number}, ${clientId}, 'manual_topup', 'waiting_for_payment', ${amount}, ${client.currency}, ${comment ?? null}) returning id`;
      await logEvent(sql, { ...eventActor(c), viaApi: true, entityKind: 'payment', entityId: row!.id, action: 'created', changes: { number, amount } });
      return c.json(await loadPayment(sql, row!.id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payments/{id}/confirm',
      tags: ['Payments'],
      summary: 'Confirm a payment received by cash or bank transfer',
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(confirmInput) },
      responses: jsonResponses(200, entities.payment, 'the payment after confirmation'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { method } = c.req.valid('json');
      const payment = await loadPayment(sql, id);
      // An overdue payment for rendered services can still be paid (and releases its subscriptions).
      if (payment.type === 'postpay_services') {
        await confirmPostpayPayment(id, method, c.get('staff').id);
        return c.json(await loadPayment(sql, id), 200);
      }
      if (payment.type === 'manual_topup') {
        await confirmTopUp(id, method, c.get('staff').id);
        return c.json(await loadPayment(sql, id), 200);
      }
      if (payment.status !== 'waiting_for_payment' && payment.status !== 'invoice_sent' && payment.status !== 'invoice_preparing') {
        throw new AppError('payment_not_confirmable', `payment ${payment.number} is ${payment.status}`);
      }
      if (payment.merged) {
        await confirmMergedPayment(id, method, c.get('staff').id);
        return c.json(await loadPayment(sql, id), 200);
      }
      if (payment.type !== 'order' || payment.orderId === null) {
        throw new AppError('payment_type_not_confirmable', `payments of type ${payment.type} are confirmed on creation`);
      }
      // An order on a subscription deleted in the meantime (expired and not renewed) can no longer be provided.
      const [gone] = await sql`
        select 1 from orders o join subscriptions s on s.id = o.subscription_id where o.id = ${payment.orderId} and s.status in ('deleting', 'deleted')`;
      if (gone) throw new AppError('subscription_deleted', `the subscription of this order is deleted; cancel payment ${payment.number} instead`);
      await deps.temporal.workflow
        .getHandle(orderScenarioId(payment.orderId))
        .executeUpdate(confirmPaymentUpdate, { args: [{ method, by: c.get('staff').id }] });
      return c.json(await loadPayment(sql, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payments/{id}/cancel',
      tags: ['Payments'],
      summary: 'Cancel a waiting payment (an order payment cancels its order)',
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(cancelInput) },
      responses: jsonResponses(200, entities.payment, 'the cancelled payment'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const staff = c.get('staff');
      const payment = await loadPayment(sql, id);
      if (payment.status !== 'waiting_for_payment') {
        throw new AppError('payment_not_cancellable', `payment ${payment.number} is ${payment.status}`);
      }
      if (payment.type === 'postpay_services') {
        throw new AppError('payment_type_not_cancellable', 'a payment for rendered services cannot be cancelled');
      }
      if (payment.orderId !== null) {
        await deps.temporal.workflow
          .getHandle(orderScenarioId(payment.orderId))
          .executeUpdate(cancelOrderUpdate, { args: [{ reason, by: staff.id }] });
      } else if (payment.merged) {
        // Cancelling a merged payment cancels its orders (spec 02 §2.10); the last one cancels the payment.
        for (const orderId of payment.mergedOrderIds) {
          const [order] = await sql<Array<{ status: string }>>`select status from orders where id = ${orderId}`;
          if (order?.status !== 'awaiting_payment') continue;
          await deps.temporal.workflow.getHandle(orderScenarioId(orderId)).executeUpdate(cancelOrderUpdate, { args: [{ reason, by: staff.id }] });
        }
        await sql.begin(async (tx) => {
          await tx`update payments set status = 'cancelled', closed_at = now(), updated_at = now() where id = ${id} and status = 'waiting_for_payment'`;
          await logEvent(tx, { actorId: staff.id, viaApi: true, entityKind: 'payment', entityId: id, action: 'cancelled', reason });
        });
      } else {
        await sql.begin(async (tx) => {
          await tx`update payments set status = 'cancelled', closed_at = now(), updated_at = now() where id = ${id} and status = 'waiting_for_payment'`;
          await logEvent(tx, { actorId: staff.id, viaApi: true, entityKind: 'payment', entityId: id, action: 'cancelled', reason });
        });
      }
      return c.json(await loadPayment(sql, id), 200);
    },
  );

  return app;
}

/**
 * Tells the scenarios of orders paid outside them (a merged payment) that they are paid. The signal is
 * idempotent; an order whose scenario missed it is found again by `resendPaidSignals`.
 */
export async function tellPaidOrders(deps: Pick<ApiDeps, 'temporal' | 'timeZone' | 'now'>, orderIds: number[]) {
  const businessDate = todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
  for (const orderId of orderIds) {
    await deps.temporal.workflow.getHandle(orderScenarioId(orderId)).signal(orderPaidSignal, { businessDate });
  }
}

/**
 * The sweep's half of `tellPaidOrders`: orders paid by a merged payment whose scenario still waits for
 * payment (the API stopped between the payment and the signal) are told again.
 */
export async function resendPaidSignals(deps: Pick<ApiDeps, 'sql' | 'temporal' | 'timeZone' | 'now'>): Promise<number> {
  const rows = await deps.sql<Array<{ id: number }>>`
    select o.id from orders o
      join payments s on s.order_id = o.id and s.merged_into_id is not null
      join payments m on m.id = s.merged_into_id and m.status in ('completed', 'paid_from_balance')
      join scenario_steps st on st.scenario_id = o.workflow_id and st.kind = 'wait' and st.status = 'waiting' and st.name like 'Wait for payment%'
    where o.status in ('provisioning', 'awaiting_provisioning') and m.updated_at < now() - interval '30 seconds'
    order by o.id limit 500`;
  await tellPaidOrders(deps, rows.map((r) => r.id));
  return rows.length;
}
