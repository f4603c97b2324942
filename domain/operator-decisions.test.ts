import { describe, expect, it } from 'vitest';
import { canCancelTask, canDecideManualOperation, canRunTask, scenarioTakesDecisions } from './operator-decisions';

const taskStatuses = ['queued', 'running', 'failed', 'completed', 'cancelled'];

describe('operator decisions by status', () => {
  it('runs again only a failed task', () => {
    expect(taskStatuses.filter(canRunTask)).toEqual(['failed']);
  });

  it('cancels a queued or failed task, never a running or finished one', () => {
    expect(taskStatuses.filter(canCancelTask)).toEqual(['queued', 'failed']);
  });

  it('decides a manual operation only while it is pending', () => {
    expect(['pending', 'approved', 'rejected'].filter(canDecideManualOperation)).toEqual(['pending']);
  });

  it('takes step decisions only while the scenario has not finished', () => {
    expect(['running', 'waiting', 'completed', 'failed', 'cancelled'].filter(scenarioTakesDecisions)).toEqual(['running', 'waiting']);
  });
});
