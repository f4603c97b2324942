import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

/**
 * Awaits a workflow start whose id may already be taken by an earlier start (a retry, a sweep, a second
 * request): for scenarios with business ids that means "already running or done", not an error.
 */
export async function startOnce(start: Promise<unknown>): Promise<void> {
  try {
    await start;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
