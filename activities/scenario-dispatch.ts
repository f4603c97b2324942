import { Context, getClient } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Sql } from '../db/client';

/** One scenario to start: its workflow type, its id (which makes a second start a no-op) and its arguments. */
export interface ScenarioStart {
  workflowType: string;
  workflowId: string;
  args: unknown[];
  /** A financial or administrative block period whose block or unblock scenario this is, marked started after. */
  blockPeriod?: { id: number; scenario: 'block' | 'unblock' };
}

/** One signal to send to a running scenario. */
export interface ScenarioSignal {
  workflowId: string;
  args: unknown[];
}

/** How many starts or signals are in flight at once. */
const concurrency = 25;

/**
 * Runs `each` over the items, `concurrency` at a time, from where an earlier attempt of this activity got to (its
 * heartbeat), heartbeating the progress. Each item's effect is idempotent (a start by workflow id; a signal whose
 * handler sets a state once), so an item repeated after a crash does nothing twice.
 */
async function inFlight<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  const context = Context.current();
  const resumeAt = typeof context.info.heartbeatDetails === 'number' ? context.info.heartbeatDetails : 0;
  for (let i = resumeAt; i < items.length; i += concurrency) {
    await Promise.all(items.slice(i, i + concurrency).map(each));
    context.heartbeat(Math.min(i + concurrency, items.length));
  }
}

/**
 * Starting and telling scenarios in bulk, for the billing run. Done from an activity with the worker's Temporal
 * client instead of from the run's workflow: a start or a signal from a workflow is a command with events in the
 * run's history, and a date with a few thousand of them would pass Temporal's history limit (BENCHMARKS.md).
 */
export function createScenarioDispatchActivities({ sql }: { sql: Sql }) {
  return {
    /** Starts each scenario unless its id already exists; returns how many this call started. */
    async startScenarios({ starts }: { starts: ScenarioStart[] }): Promise<{ started: number }> {
      const client = getClient();
      const taskQueue = Context.current().info.taskQueue;
      let started = 0;
      await inFlight(starts, async (s) => {
        try {
          await client.workflow.start(s.workflowType, { taskQueue, workflowId: s.workflowId, args: s.args, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
          started += 1;
        } catch (error) {
          // Started before (an earlier run of the date, or an attempt of this activity): the scenario exists.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
        if (s.blockPeriod) {
          const column = sql(s.blockPeriod.scenario === 'block' ? 'block_scenario_started_at' : 'unblock_scenario_started_at');
          await sql`update client_blocks set ${column} = coalesce(${column}, now()) where id = ${s.blockPeriod.id}`;
        }
      });
      return { started };
    },

    /** Sends the signal to each scenario still running; returns how many were told (an ended one is skipped). */
    async signalScenarios({ signal, signals }: { signal: string; signals: ScenarioSignal[] }): Promise<{ told: number }> {
      const client = getClient();
      let told = 0;
      await inFlight(signals, async (s) => {
        try {
          await client.workflow.getHandle(s.workflowId).signal(signal, ...s.args);
          told += 1;
        } catch (error) {
          // The scenario ended in the meantime (or never existed): nothing is due any more.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      });
      return { told };
    },
  };
}

export type ScenarioDispatchActivities = ReturnType<typeof createScenarioDispatchActivities>;
