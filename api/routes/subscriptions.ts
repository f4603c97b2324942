import { createRoute, z } from '@hono/zod-openapi';
import { canStartOperation, subscriptionOperations } from '../../domain/subscription-operations';
import { subscriptionStatuses } from '../../domain/statuses';
import { billingTypeRules, type BillingType } from '../../domain/billing-types';
import { todayIn } from '../../domain/dates';
import { refuse } from '../../domain/errors';
import { clientAccess } from '../client-access';
import { listViewer } from '../tenancy';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { AppError, notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';
import { newestFirst } from '../../queries/lists/engine';
import { subscriptionList, type SubscriptionFilters } from '../../queries/lists/subscriptions';
import { startSubscriptionOperation } from '../scenario-starts/subscriptions';

const operationInput = z
  .object({ reason: z.string().trim().min(1).max(500), comment: z.string().trim().max(2000).optional() })
  .strict()
  .openapi('SubscriptionOperationInput');

/**
 * The subscription routes: list, card, and the stop, delete and activate scenarios. Long because it registers
 * every subscription route; each handler validates, checks the status rule and starts the scenario.
 */
export function subscriptionRoutes(deps: ApiDeps) {
  const today = () => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
  const { sql } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscriptions',
      tags: ['Subscriptions'],
      ...guard('operations', false, clientAccess.clientQuery(sql, 'sign_in')),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(subscriptionStatuses).optional(),
          clientId: z.coerce.number().int().positive().optional(),
          planId: z.coerce.number().int().positive().optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of subscriptions, newest first'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await newestFirst<SubscriptionFilters, { id: number }>(sql, listViewer(c), subscriptionList, ['id', 'name', 'clientId', 'planId', 'status', 'paymentModel', 'startDate', 'expirationDate', 'createdAt'], filters, limit);
      return c.json(page(rows, limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscriptions/{id}',
      tags: ['Subscriptions'],
      ...guard('operations', false, clientAccess.subscriptionPath(sql, 'view')),
      request: { params: idParam },
      responses: jsonResponses(200, entities.subscription, 'the subscription card with its orders and event log'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [sub] = await sql<Array<Record<string, unknown>>>`
        select s.id, s.name, s.client_id as "clientId", s.plan_id as "planId", s.plan_period_id as "planPeriodId",
               s.status, s.saved_status as "savedStatus", s.status_reason as "statusReason", s.billing_type as "billingType",
               s.payment_model as "paymentModel", s.trial, s.currency, s.start_date::text as "startDate",
               s.expiration_date::text as "expirationDate", s.prolonged_until::text as "prolongedUntil",
               s.auto_renew as "autoRenew", s.auto_renew_point_days as "autoRenewPointDays",
               s.manual_renew_point_days as "manualRenewPointDays", s.vendor_reference as "vendorReference",
               s.created_at as "createdAt", s.updated_at as "updatedAt"
        from subscriptions s where s.id = ${id}`;
      if (!sub) throw notFound('subscription', id);
      const orders = await sql`
        select id, number, type, status, amount::int8 as amount, created_at as "createdAt"
        from orders where subscription_id = ${id} order by id`;
      const events = await sql`
        select id, created_at as "createdAt", actor_kind as "actorKind", actor_id as "actorId", action, reason, changes
        from event_log where entity_kind = 'subscription' and entity_id = ${String(id)} order by id`;
      return c.json(entities.subscription.parse({ ...sub, orders, events }), 200);
    },
  );

  const summaries: Record<'stop' | 'delete' | 'activate', string> = {
    stop: "Stop a subscription (through a manual operation when the client's service rule says so)",
    delete: "Delete a subscription (through a manual operation when the client's service rule says so)",
    activate: 'Activate a stopped subscription',
  };

  for (const operation of ['stop', 'delete', 'activate'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/subscriptions/{id}/${operation}`,
        tags: ['Subscriptions'],
        summary: summaries[operation],
        ...guard('operations', true),
        request: { params: idParam, ...jsonBody(operationInput) },
        responses: jsonResponses(202, looseObject, 'the scenario has started'),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const { reason, comment } = c.req.valid('json');
        const [sub] = await sql<Array<{ status: string; billing_type: BillingType; start_date: string | null; financial_day: number }>>`
          select s.status, s.billing_type, s.start_date::text, pr.financial_day
          from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id where s.id = ${id}`;
        if (!sub) throw notFound('subscription', id);
        if (!canStartOperation(operation, sub.status)) {
          throw new AppError(subscriptionOperations[operation].refusal, `subscription ${id} is ${sub.status}; it cannot be ${operation === 'stop' ? 'stopped' : `${operation}d`} now`);
        }
        // Spec 02 §4.10: the billing type may forbid it (no refund cannot be stopped or deleted), before any scenario.
        const forbidden = billingTypeRules(sub.billing_type).refuses(operation, { date: today(), startDate: sub.start_date, financialDay: sub.financial_day });
        if (forbidden) throw refuse(forbidden);
        const scenarioId = await startSubscriptionOperation(deps, operation, { subscriptionId: id, reason, comment, by: c.get('staff').id });
        return c.json({ subscriptionId: id, scenarioId }, 202);
      },
    );
  }

  return app;
}
