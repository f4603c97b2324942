import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { previewBillingRun } from '../../operations/billing-runs/billing-run-preview';
import { todayIn } from '../../domain/dates';
import { runsAheadOfSchedule } from '../../domain/lifecycle';
import { startScenario } from '../../contracts/scenario-client';
import { billingDayScenarioId } from '../../contracts/scenarios';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { isoDate, jsonBody, jsonResponses, looseObject, pageOf } from '../schemas';

/** The field that confirms a run ahead of the schedule: the date typed again. */
export const CONFIRM_FIELD = 'confirmDate';

const runInput = z
  .object({
    date: isoDate,
    dryRun: z.boolean().optional().describe('true: answer what the run would do, change nothing and start nothing'),
    [CONFIRM_FIELD]: isoDate.optional().describe('the date again; required for a date after the next due business date (today in PLATFORM_TIME_ZONE)'),
  })
  .strict()
  .openapi('BillingRunInput');
const dateParam = z.object({ date: isoDate.openapi({ param: { name: 'date', in: 'path' }, example: '2027-01-31' }) });

const dutyPreview = z.object({ count: z.number().int(), subscriptionIds: z.array(z.number()), orderIds: z.array(z.number()), clientIds: z.array(z.number()) });
const runPreview = z
  .object({
    date: z.string(),
    dryRun: z.literal(true),
    nextDueDate: z.string().describe("the latest date the daily schedule has run or runs today: today's business date"),
    aheadOfSchedule: z.boolean().describe(`a real run of this date needs ${CONFIRM_FIELD}`),
    duties: z.record(z.string(), dutyPreview).describe('per duty (the names GET /billing/runs/{date} records): how many, and the records concerned'),
    actions: z.array(
      z.object({
        subscriptionId: z.number(),
        clientId: z.number(),
        duty: z.string(),
        action: z.string(),
        orderId: z.number().nullable(),
        detail: z.string(),
        expectedPaid: z.boolean().optional(),
      }),
    ),
  })
  .openapi('BillingRunPreview');

/**
 * Billing runs: one per business date. Running a date starts `billing-day-<date>`; while it runs, asking
 * again answers 409; once it has finished, the date may be run again (its duties find only what is still due).
 * A date after the next due one (domain/lifecycle.ts `runsAheadOfSchedule`) runs only with `confirmDate`, and
 * `dryRun` answers what a run would do without doing it. Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function billingRunRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const today = () => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  async function loadRun(date: string) {
    const [run] = await sql`
      select business_date::text as "date", status, scenario_id as "scenarioId", duties, runs,
             started_at as "startedAt", finished_at as "finishedAt"
      from billing_runs where business_date = ${date}`;
    return run;
  }

  /** A run ahead of the schedule acts on what is not due yet: it needs the date confirmed. */
  function requireConfirmation(date: string, confirmDate: string | undefined, nextDueDate: string) {
    if (confirmDate !== undefined && confirmDate !== date) {
      throw new AppError('confirmation_required', `${CONFIRM_FIELD} ${confirmDate} does not repeat the date ${date}`, { field: CONFIRM_FIELD, nextDueDate });
    }
    if (runsAheadOfSchedule(date, nextDueDate) && confirmDate === undefined) {
      throw new AppError('confirmation_required', `${date} is after the next due business date ${nextDueDate}: the run would stop, delete and cancel what is not due yet. Send "${CONFIRM_FIELD}": "${date}" to run it ahead of the schedule (or "dryRun": true to see what it would do)`,
        { field: CONFIRM_FIELD, nextDueDate },
      );
    }
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/billing/runs',
      tags: ['Billing runs'],
      summary: 'Run the billing day for a business date (safe to repeat), or see what it would do (dryRun)',
      description: `A date after the next due business date (today in the platform time zone) runs only with \`${CONFIRM_FIELD}\` repeating it: otherwise 409 \`confirmation_required\`. \`dryRun: true\` changes nothing and starts nothing.`,
      ...guard('finance', true),
      request: jsonBody(runInput),
      responses: {
        ...jsonResponses(202, looseObject, 'the run has started'),
        200: { description: 'dryRun: what the run would do; nothing was changed', content: { 'application/json': { schema: runPreview } } },
      },
    }),
    async (c) => {
      const { date, dryRun, [CONFIRM_FIELD]: confirmDate } = c.req.valid('json');
      const nextDueDate = today();
      if (dryRun) {
        const preview = await previewBillingRun(sql, date);
        return c.json(runPreview.parse({ date, dryRun: true, nextDueDate, aheadOfSchedule: runsAheadOfSchedule(date, nextDueDate), ...preview }), 200);
      }
      requireConfirmation(date, confirmDate, nextDueDate);
      const scenarioId = billingDayScenarioId(date);
      try {
        await startScenario(deps.temporal, 'billingDay', { workflowId: scenarioId, taskQueue: deps.taskQueue, input: { businessDate: date, policy: deps.pluginRetryPolicy } });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new AppError('run_in_progress', `the billing run for ${date} is still running`);
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
