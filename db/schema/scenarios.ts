import {
  bigserial,
  serial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { scenarioStatuses, stepStatuses } from '../../domain/statuses';


/**
 * The read model of scenario workflows. Written only by the workflow's own local activities, as
 * idempotent upserts guarded by `seq`, so a replayed or re-executed write never moves state backwards.
 */
export const scenarios = pgTable(
  'scenarios',
  {
    /** The Temporal workflow id, from a business key (`order-123`). */
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    type: text('type').notNull(),
    subjectKind: text('subject_kind', { enum: ['order', 'subscription', 'client', 'billing_run'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    status: text('status', { enum: scenarioStatuses }).notNull(),
    /** The step path the scenario is at (the failed or waiting step while `waiting`). */
    currentStep: text('current_step'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    seq: integer('seq').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('scenarios_subject_idx').on(t.subjectKind, t.subjectId),
    index('scenarios_status_idx').on(t.status, t.startedAt),
    index('scenarios_type_idx').on(t.type, t.startedAt),
  ],
);

export const scenarioSteps = pgTable(
  'scenario_steps',
  {
    /** A stable number for the step: task ids in the task list, keyset paging. */
    id: bigserial('id', { mode: 'number' }).notNull().unique(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id),
    /** The Temporal run the step belongs to; a new run of the same scenario id starts a fresh tree. */
    runId: text('run_id').notNull().default(''),
    /** Position in the tree: `3`, `2.1`. Stable across retries; part of the plugin idempotency key. */
    path: text('path').notNull(),
    parentPath: text('parent_path'),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['group', 'step', 'task', 'wait', 'manual', 'compensation'] }).notNull(),
    status: text('status', { enum: stepStatuses }).notNull(),
    plugin: text('plugin'),
    operation: text('operation'),
    idempotencyKey: text('idempotency_key'),
    input: jsonb('input'),
    output: jsonb('output'),
    errorClass: text('error_class'),
    errorMessage: text('error_message'),
    /** How many decision rounds (first run + retries) the step has had. */
    rounds: integer('rounds').notNull().default(1),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    seq: integer('seq').notNull(),
    /** When the step first appeared; never moves (a retry changes `started_at`, not this). */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scenarioId, t.path] }),
    index('scenario_steps_status_idx').on(t.status),
    // The task list: leaves that call plugins, newest first, by status.
    index('scenario_steps_tasks_idx').on(t.kind, t.status, t.id),
  ],
);

/** One row per activity attempt of a task step: what the task log shows. */
export const stepAttempts = pgTable(
  'step_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    scenarioId: text('scenario_id').notNull(),
    path: text('path').notNull(),
    /** Decision round (1 = first run, 2 = after the first retry decision, ...). */
    round: integer('round').notNull(),
    /** Temporal's attempt number within the round. */
    attempt: integer('attempt').notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed', 'abandoned'] }).notNull(),
    errorClass: text('error_class'),
    errorMessage: text('error_message'),
    responseExcerpt: text('response_excerpt'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
  },
  (t) => [uniqueIndex('step_attempts_unique').on(t.scenarioId, t.path, t.round, t.attempt)],
);

/** Retry / skip / cancel decisions on failed steps, with who and why. */
export const scenarioDecisions = pgTable(
  'scenario_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    scenarioId: text('scenario_id').notNull(),
    path: text('path').notNull(),
    decision: text('decision', { enum: ['retry', 'skip', 'cancel'] }).notNull(),
    reason: text('reason'),
    input: jsonb('input'),
    decidedBy: integer('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    /** `<scenarioId>/<path>/<round>`: a decision is recorded once even if its local activity re-runs. */
    dedupeKey: text('dedupe_key').notNull().unique(),
  },
  (t) => [index('scenario_decisions_scenario_idx').on(t.scenarioId)],
);

export const manualOperationTypes = [
  'allow_postpay',
  'stop_subscription',
  'delete_subscription',
  'install_application',
  'start_application',
  'stop_application',
  'update_application',
  'renew_application',
  'delete_application',
] as const;

/**
 * An operation that waits for a person (spec 01 §18): a `manual` step of a scenario. Created by the
 * scenario's activity (once per step and round), decided through the scenario, never behind its back.
 */
export const manualOperations = pgTable(
  'manual_operations',
  {
    id: serial('id').primaryKey(),
    type: text('type', { enum: manualOperationTypes }).notNull(),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull().default('pending'),
    scenarioId: text('scenario_id').notNull(),
    stepPath: text('step_path').notNull(),
    round: integer('round').notNull(),
    clientId: integer('client_id').notNull(),
    subscriptionId: integer('subscription_id'),
    orderId: integer('order_id'),
    description: text('description').notNull(),
    comment: text('comment'),
    output: jsonb('output'),
    decidedBy: integer('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('manual_operations_step_round').on(t.scenarioId, t.stepPath, t.round),
    index('manual_operations_status_idx').on(t.status, t.id),
    index('manual_operations_client_idx').on(t.clientId, t.id),
  ],
);
