import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DecisionRequest, ScenarioTree } from './types';

/** Every scenario answers this: the live step tree. */
export const scenarioTreeQuery = defineQuery<ScenarioTree>('scenarioTree');

/** A decision on a failed step. The validator rejects it before it enters history when it does not apply. */
export const decideUpdate = defineUpdate<{ accepted: true; step: string; decision: string }, [DecisionRequest]>(
  'decide',
);
