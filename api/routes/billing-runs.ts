import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { billingDay, billingDayWorkflowId } from '../../workflows/billing-day';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { ApiError, notFound } from '../errors';
import { isoDate, jsonBody, jsonResponses, looseObject, pageOf } from '../schemas';

const runInput = z.object({ date: isoDate }).strict().openapi('BillingRunInput');
const dateParam = z.object({ date: isoDate.openapi({ param: { name: 'date', in: 'path' }, example: '2027-01-31' }) });

/**
 * Billing runs: one per business date. Running a date starts `billing-day-<date>`; while it runs, asking
 * again answers 409; once it has finished, the date may be run again (its duties find only what is still due).
 */
export function billingRunRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  async function loadRun(date: string) {
    const [run] = await sql`
      select business_date::text as "date", status, scenario_id as "scenarioId", duties, runs,
             started_at as "startedAt", finished_at as "finishedAt"
      from billing_runs where business_date = ${date}`;
    return run;
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/billing/runs',
      tags: ['Billing runs'],
      summary: 'Run the billing day for a business date (safe to repeat)',
      ...guard('finance', true),
      request: jsonBody(runInput),
      responses: jsonResponses(202, looseObject, 'the run has started'),
    }),
    async (c) => {
      const { date } = c.req.valid('json');
      const scenarioId = billingDayWorkflowId(date);
      try {
        await deps.temporal.workflow.start(billingDay, { workflowId: scenarioId, taskQueue: deps.taskQueue, args: [{ businessDate: date, policy: deps.pluginRetryPolicy }] });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError(409, 'run_in_progress', `the billing run for ${date} is still running`);
        throw err;
      }
      return c.json({ date, scenarioId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/billing/runs',
      tags: ['Billing runs'],
      ...guard('finance', false),
      request: {
        query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: isoDate.optional() }),
      },
      responses: jsonResponses(200, pageOf(looseObject).extend({ nextCursor: z.string().nullable() }), 'runs, latest date first'),
    }),
    async (c) => {
      const { limit, before } = c.req.valid('query');
      const rows = await sql<Array<{ date: string }>>`
        select business_date::text as "date", status, scenario_id as "scenarioId", duties, runs,
               started_at as "startedAt", finished_at as "finishedAt"
        from billing_runs where (${before ?? null}::date is null or business_date < ${before ?? null}::date)
        order by business_date desc limit ${limit + 1}`;
      const items = rows.slice(0, limit);
      return c.json({ items, nextCursor: rows.length > limit ? items[items.length - 1]!.date : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/billing/runs/{date}',
      tags: ['Billing runs'],
      ...guard('finance', false),
      request: { params: dateParam },
      responses: jsonResponses(200, looseObject, 'the run of that date'),
    }),
    async (c) => {
      const { date } = c.req.valid('param');
      const run = await loadRun(date);
      if (!run) throw notFound('billing run', date);
      return c.json(run, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/billing/runs/{date}/actions',
      tags: ['Billing runs'],
      summary: 'What the run of that date did to each subscription (the forecast names the same actions)',
      ...guard('finance', false),
      request: { params: dateParam, query: z.object({ subscriptionId: z.coerce.number().int().positive().optional() }) },
      responses: jsonResponses(
        200,
        z.object({ items: z.array(z.object({ subscriptionId: z.number(), action: z.string(), orderId: z.number().nullable(), outcome: looseObject, createdAt: z.string() })) }),
        'actions of the run, by subscription',
      ),
    }),
    async (c) => {
      const { date } = c.req.valid('param');
      const { subscriptionId } = c.req.valid('query');
      if (!(await loadRun(date))) throw notFound('billing run', date);
      const items = await sql<Array<{ subscriptionId: number; action: string; orderId: number | null; outcome: Record<string, unknown>; createdAt: string }>>`
        select subscription_id as "subscriptionId", action, order_id as "orderId", outcome, created_at as "createdAt"
        from billing_run_actions
        where business_date = ${date} and (${subscriptionId ?? null}::int is null or subscription_id = ${subscriptionId ?? null})
        order by subscription_id, created_at
        limit 10000`;
      return c.json({ items }, 200);
    },
  );

  return app;
}
