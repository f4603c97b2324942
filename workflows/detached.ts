import { startChild, type Workflow } from '@temporalio/workflow';

/**
 * Starts a scenario the caller owns no further: it outlives the caller, and a second start of its id (a
 * re-run, a retry) is a no-op. Returns whether this call started it.
 */
export async function startDetached<W extends Workflow>(type: W, workflowId: string, args: Parameters<W>): Promise<boolean> {
  try {
    await startChild(type.name, { workflowId, args: args as unknown[], parentClosePolicy: 'ABANDON', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    return true;
  } catch {
    // Already started (an earlier run, or a retry): the scenario exists.
    return false;
  }
}
