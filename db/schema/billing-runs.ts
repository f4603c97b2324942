import { date, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One billing run per business date (`billing-day-<date>`), with what each duty found and did. Written by
 * the run's own activities; re-running a date updates the same row.
 */
export const billingRuns = pgTable('billing_runs', {
  businessDate: date('business_date', { mode: 'string' }).primaryKey(),
  status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull(),
  scenarioId: text('scenario_id').notNull(),
  /** The Temporal run of the latest execution: a re-run of the date has a new one. */
  runId: text('run_id').notNull(),
  /** `{ duty: { found, done } }` */
  duties: jsonb('duties').$type<Record<string, { found: number; done: number }>>().notNull().default({}),
  runs: integer('runs').notNull().default(1),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/**
 * What a billing run did to each subscription: one row per date, subscription and action (the forecast's
 * vocabulary), so "what did the run of D do to #42" has an answer and a re-run cannot count twice.
 */
export const billingRunActions = pgTable(
  'billing_run_actions',
  {
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    subscriptionId: integer('subscription_id').notNull(),
    action: text('action').notNull(),
    orderId: integer('order_id'),
    /** E.g. `{ paid: false }` for an auto-payment the balance did not cover. */
    outcome: jsonb('outcome').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.businessDate, t.subscriptionId, t.action] })],
);
