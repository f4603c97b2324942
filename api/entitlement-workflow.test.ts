import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors';
import { entitlementOperationError } from './entitlement-workflow';

// What a failed `operate` update answers (api/entitlement-workflow.ts). The failures are built as the client hands
// them over: the workflow fails the update with the activity's last failure (workflows/entitlement-lifecycle.ts
// `refusalOf` unwraps the ActivityFailure), and a validator's refusal is an ApplicationFailure of its own.
const failedUpdate = (cause: Error) => new WorkflowUpdateFailedError('update failed', cause);

describe('a failed license operation', () => {
  it('a business refusal answers its own code, message and details', () => {
    const err = entitlementOperationError(failedUpdate(ApplicationFailure.create({ type: 'CONFIGURATION_OUT_OF_LIMITS', message: 'too many users', nonRetryable: true, details: [[{ feature: 'users' }]] })));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'CONFIGURATION_OUT_OF_LIMITS', message: 'too many users', details: [{ feature: 'users' }] });
  });

  it('a step that gave up after its retries (a database that did not answer) is 503 operation_unavailable, not a refusal of the request', () => {
    const err = entitlementOperationError(failedUpdate(ApplicationFailure.create({ type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432' })));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('operation_unavailable');
    expect((err as AppError).message).not.toContain('ECONNREFUSED');
  });

  it('a refusal still wrapped in its activity failure is found as well', () => {
    const wrapped = new ActivityFailure('activity failed', 'runEntitlementOperation', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', ApplicationFailure.create({ type: 'OPERATION_IN_PROGRESS', message: 'busy', nonRetryable: true }));
    expect(entitlementOperationError(failedUpdate(wrapped))).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
  });

  it('anything else is passed on as it is', () => {
    const other = new Error('connection to Temporal lost');
    expect(entitlementOperationError(other)).toBe(other);
  });
});
