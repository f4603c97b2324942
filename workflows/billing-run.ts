import { getExternalWorkflowHandle, patched, type SignalDefinition, type Workflow } from '@temporalio/workflow';
import type { DueItem } from '../activities/billing-runs';
import type { ScenarioStart } from '../activities/scenario-dispatch';
import type { Duty } from '../domain/lifecycle';
import type { BillingDayInput } from '../contracts/scenarios';
import { billingRunActivities, scenarioDispatchActivities } from './activities';
import { startDetachedScenario } from './detached';
import type { Scenario } from './engine/scenario';

/** How many items one duty handles per run; the rest are found by the next run. */
export const dutyBatch = 5_000;
/** How many scenarios a run started before the dispatch activity starts or tells at once from the workflow. */
const concurrency = 20;

/**
 * How a run recorded before the dispatch activity started its scenarios from the workflow: `batched` starts
 * `concurrency` at a time, `one by one` waits for each start (and marks a block period's scenario started after it).
 * Replays of those runs must issue the same commands in the same order.
 */
export type WorkflowStarts = 'batched' | 'one by one';

/**
 * One billing run as its duties (workflows/billing-duties.ts) see it: its scenario, business date and retry
 * policy, what each duty did, and the ways a duty finds what is due, records what it did, and starts or tells
 * the scenarios that do the work.
 */
export class BillingRun {
  readonly businessDate: string;
  /** The plugin retry policy of the scenarios the run starts. */
  readonly policy: BillingDayInput['policy'];
  /** What each duty did, by name: the run's result. */
  readonly duties: Record<string, number> = {};
  /**
   * Runs from this version on start and tell their scenarios from an activity (scenario-dispatch.ts), in bulk: a
   * start or a signal sent from here is a command with events in this run's history, which a date with thousands
   * of them would take past Temporal's limit. Runs recorded before keep the old commands when they are replayed.
   */
  private readonly dispatch: boolean;

  constructor(
    readonly s: Scenario,
    { businessDate, policy }: BillingDayInput,
  ) {
    this.businessDate = businessDate;
    this.policy = policy;
    this.dispatch = patched('scenario-dispatch-activity');
  }

  /** The step that finds what a duty of `domain/lifecycle.ts` has to do today. */
  find(duty: Duty): Promise<DueItem[]> {
    const { businessDate } = this;
    return this.s.step(`Find due: ${duty.replaceAll('_', ' ')}`, () => billingRunActivities.findDue({ businessDate, duty, limit: dutyBatch }), {
      skippable: false,
    }) as Promise<DueItem[]>;
  }

  /** Records how much of what a duty found it did. */
  record(duty: string, found: number, done: number): Promise<unknown> {
    this.duties[duty] = done;
    const { businessDate } = this;
    return this.s.step('Record duty', () => billingRunActivities.recordDuty({ businessDate, duty, found, done }));
  }

  /** Starts the scenarios; returns how many it started (the others existed). */
  async start(starts: ScenarioStart[], legacy: WorkflowStarts): Promise<number> {
    if (this.dispatch) return starts.length === 0 ? 0 : (await scenarioDispatchActivities.startScenarios({ starts })).started;
    let started = 0;
    const startOne = async (start: ScenarioStart) => {
      if (await startDetachedScenario(start)) started += 1;
    };
    if (legacy === 'batched') {
      await inBatches(starts, startOne);
      return started;
    }
    for (const start of starts) {
      await startOne(start);
      if (start.blockPeriod) await billingRunActivities.markBlockScenarioStarted(start.blockPeriod);
    }
    return started;
  }

  /** Tells each scenario the signal with its arguments; returns how many were still running to be told. */
  async tell<A extends unknown[]>(workflowIds: readonly string[], signal: SignalDefinition<A>, argsFor: (id: string) => A): Promise<number> {
    if (this.dispatch) {
      if (workflowIds.length === 0) return 0;
      const signals = workflowIds.map((workflowId) => ({ workflowId, args: argsFor(workflowId) }));
      return (await scenarioDispatchActivities.signalScenarios({ signal: signal.name, signals })).told;
    }
    let told = 0;
    await inBatches(workflowIds, async (id) => {
      try {
        await getExternalWorkflowHandle(id).signal(signal, ...argsFor(id));
        told += 1;
      } catch {
        // The scenario ended in the meantime: nothing is due any more.
      }
    });
    return told;
  }
}

/** A scenario to start: its workflow, business-key id and arguments, and the block period it acts for. */
export function scenarioStart<W extends Workflow>(type: W, workflowId: string, args: Parameters<W>, blockPeriod?: ScenarioStart['blockPeriod']): ScenarioStart {
  return { workflowType: type.name, workflowId, args, ...(blockPeriod ? { blockPeriod } : {}) };
}

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += concurrency) await Promise.all(items.slice(i, i + concurrency).map(each));
}
