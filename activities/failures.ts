import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { AppError } from '../domain/errors';

/**
 * A business refusal (an AppError from an operation or a rule) is final: retrying the same input cannot change the
 * answer, so the activity fails at once, non-retryable, with the refusal's code as the failure's type, and the
 * scenario's step shows that code (`subscription_busy`-style transient conditions are thrown as plain errors, or as
 * retryable ApplicationFailures, and are retried). Registered once on the worker (platform/temporal.ts), so no
 * activity converts errors by hand.
 */
export const businessRefusalsAreFinal: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (err instanceof AppError) {
          throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: err.details === undefined ? [] : [err.details], cause: err });
        }
        throw err;
      }
    },
  },
});

