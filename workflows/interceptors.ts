import { defaultPayloadConverter } from '@temporalio/workflow';
import type { Headers, WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from '../contracts/scenarios';

/**
 * Registered in the workflow bundle (platform/temporal.ts). The factory runs once per workflow execution, so
 * the request id lives in this closure: read from the start headers, copied onto every activity, local
 * activity, child workflow and continue-as-new, and added to the workflow logger's attributes.
 *
 * Deterministic: the id comes from the start event in history, and headers are not part of the commands a
 * replay compares, so histories recorded without it replay unchanged.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let header: Headers[string] | undefined;
  let requestId: string | undefined;
  const carry = (headers: Headers): Headers => (header && !headers[REQUEST_ID_HEADER] ? { ...headers, [REQUEST_ID_HEADER]: header } : headers);
  return {
    inbound: [
      {
        execute(input, next) {
          header = input.headers[REQUEST_ID_HEADER];
          if (header) {
            const value: unknown = defaultPayloadConverter.fromPayload(header);
            requestId = typeof value === 'string' ? value : undefined;
          }
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next({ ...input, headers: carry(input.headers) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: carry(input.headers) }),
        startChildWorkflowExecution: (input, next) => next({ ...input, headers: carry(input.headers) }),
        continueAsNew: (input, next) => next({ ...input, headers: carry(input.headers) }),
        getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
      },
    ],
  };
};
