import { createRoute, z } from '@hono/zod-openapi';
import { cancelOrderUpdate, confirmPaymentUpdate } from '../../contracts/messages';
import { orderScenarioId } from '../../contracts/scenarios';
import { cancelPayment } from '../../operations/payments/cancel-payment';
import { confirmPayment } from '../../operations/payments/confirm-payment';
import { mergePayments } from '../../operations/payments/merge-payments';
import { mergedOrderIds } from '../../operations/payments/merged-order-ids';
import { requestTopUp } from '../../operations/payments/request-top-up';
import { clientAccess } from '../client-access';
import { eventActor, guard } from '../auth';
import { listViewer } from '../tenancy';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { newestFirst } from '../../queries/lists/engine';
import { paymentList, type PaymentFilters } from '../../queries/lists/payments';
import { tellPaidOrders } from '../scenario-starts/orders';
import { tellExpiryChanged } from '../entitlement-workflow';
import { licensesRenewedByPayment } from '../../queries/licensing/paid-renewals';
import { startBlockScenarios } from '../scenario-starts/subscriptions';

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

/**
 * The payment routes: list, card, merge, waiting top-up, confirm, cancel. Long because it registers every payment
 * route; each handler validates, calls its operation and tells the scenarios what the operation answers.
 */
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
      const rows = await newestFirst<PaymentFilters, { id: number; amount: string }>(sql, listViewer(c), paymentList, ['id', 'number', 'clientId', 'orderId', 'type', 'status', 'amount', 'currency', 'method', 'createdAt', 'closedAt'], filters, limit);
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
      const { paymentId } = await requestTopUp(sql, { clientId, amount, comment, actor: eventActor(c) });
      return c.json(await loadPayment(sql, paymentId), 201);
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
      const by = c.get('staff').id;
      const confirmed = await confirmPayment(sql, { payment: await loadPayment(sql, id), method, by });
      if (confirmed.kind === 'ask_order_scenario') {
        // Confirming an order's payment is the order scenario's business: the API asks it and waits for the answer.
        await deps.temporal.workflow.getHandle(orderScenarioId(confirmed.orderId)).executeUpdate(confirmPaymentUpdate, { args: [{ method, by }] });
      } else {
        await tellPaidOrders(deps, confirmed.paidOrderIds);
        await startBlockScenarios(deps, confirmed.releasedSubscriptionIds.map((subscriptionId) => ({ subscriptionId, operation: 'unblock' as const, reason: 'overdue payment paid' })));
        // License renewals invoiced on this payment were applied with it: their workflows wait for the new valid-until.
        await tellExpiryChanged(deps, await licensesRenewedByPayment(sql, id), new Date());
      }
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
      const by = c.get('staff').id;
      await cancelPayment(sql, { payment: await loadPayment(sql, id), reason, by }, async (orderId) => {
        await deps.temporal.workflow.getHandle(orderScenarioId(orderId)).executeUpdate(cancelOrderUpdate, { args: [{ reason, by }] });
      });
      return c.json(await loadPayment(sql, id), 200);
    },
  );

  return app;
}
