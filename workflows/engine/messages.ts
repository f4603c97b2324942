import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionRequest, ManualDecisionRequest, ScenarioTree } from './types';

/** Every scenario answers this: the live step tree. */
export const scenarioTreeQuery = defineQuery<ScenarioTree>('scenarioTree');

/** A decision on a failed step. The validator rejects it before it enters history when it does not apply. */
export const decideUpdate = defineUpdate<{ accepted: true; step: string; decision: string }, [DecisionRequest]>(
  'decide',
);

/** Approve or reject a pending manual operation of this scenario. Answers once the decision is recorded. */
export const manualDecisionUpdate = defineUpdate<{ operationId: number; status: 'approved' | 'rejected' }, [ManualDecisionRequest]>(
  'decideManualOperation',
);

/** Cancel a queued task (one not yet executing, or backing off between attempts): the scenario runs its cancel path. */
export const cancelTaskUpdate = defineUpdate<{ accepted: true; step: string }, [{ step: string; reason: string; by: number | null }]>(
  'cancelTask',
);

/**
 * The same decision sent by another scenario (workflows cannot send updates): e.g. leaving a financial
 * block rejects the pending stop operations. Ignored when the operation is no longer awaited or decided.
 */
export const manualDecisionSignal = defineSignal<[ManualDecisionRequest]>('decideManualOperationBySystem');
