import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ScenarioType, ScenarioWorkflows } from './scenarios';

export interface ScenarioStart<K extends ScenarioType> {
  workflowId: string;
  taskQueue: string;
  input: Parameters<ScenarioWorkflows[K]>[0];
}

/**
 * Starts a scenario by its workflow type's name with the input its contract (scenarios.ts) declares, so callers
 * outside the worker (the API, the platform's dispatchers, tests) never import workflow code. Not for workflows:
 * they start children with `startChild`.
 */
export function startScenario<K extends ScenarioType>(temporal: Client, type: K, { workflowId, taskQueue, input }: ScenarioStart<K>): Promise<WorkflowHandle<ScenarioWorkflows[K]>> {
  return temporal.workflow.start(type, { workflowId, taskQueue, args: [input] }) as Promise<WorkflowHandle<ScenarioWorkflows[K]>>;
}

/**
 * Awaits a scenario start whose workflow id may already be taken by an earlier start (a retry, a sweep, a second
 * request): for scenarios with business ids that means "already running or done", not an error.
 */
export async function startOnce(start: Promise<unknown>): Promise<void> {
  try {
    await start;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
