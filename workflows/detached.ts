import { startChild, type Workflow } from '@temporalio/workflow';
import type { ScenarioStart } from '../activities/scenario-dispatch';

/**
 * Starts a scenario the caller owns no further: it outlives the caller, and a second start of its id (a
 * re-run, a retry) is a no-op. Returns whether this call started it.
 */
export function startDetached<W extends Workflow>(type: W, workflowId: string, args: Parameters<W>): Promise<boolean> {
  return startDetachedScenario({ workflowType: type.name, workflowId, args });
}

/** The same, by the workflow type's name, as the billing run's dispatch activity takes it. */
export async function startDetachedScenario({ workflowType, workflowId, args }: Pick<ScenarioStart, 'workflowType' | 'workflowId' | 'args'>): Promise<boolean> {
  try {
    await startChild(workflowType, { workflowId, args, parentClosePolicy: 'ABANDON', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    return true;
  } catch {
    // Already started (an earlier run, or a retry): the scenario exists.
    return false;
  }
}
