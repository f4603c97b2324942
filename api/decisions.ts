import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decideUpdate } from '../contracts/messages';
import type { DecisionRequest } from '../contracts/scenario-records';
import { AppError } from './errors';

/**
 * Sends a retry / skip / cancel decision to a scenario and waits until it is taken in. The read model can
 * lag the workflow by a moment, so a scenario that has just ended answers 409, not 404.
 */
export async function decideStep(temporal: Client, scenarioId: string, request: DecisionRequest) {
  try {
    return await temporal.workflow.getHandle(scenarioId).executeUpdate(decideUpdate, { args: [request] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new AppError('scenario_finished', `scenario ${scenarioId} has finished`);
    throw err;
  }
}
