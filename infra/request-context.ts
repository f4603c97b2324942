import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ClientInterceptors, WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { REQUEST_ID_HEADER } from '../contracts/scenarios';
import type { RequestOrigin } from './client-address';
import type { Logger } from './logger';

/**
 * The request id travels implicitly: the API's request middleware runs the rest of the request inside
 * `requestContext`, the Temporal client interceptor below puts the id into the start headers of any workflow
 * started meanwhile, the workflow interceptors (workflows/interceptors.ts) copy it to activities and child
 * workflows, and the activity interceptor runs the activity inside `requestContext` again. No route or
 * activity passes it by hand.
 */
export interface RequestContext {
  requestId: string;
  /** Where the HTTP request came from (client-address.ts); in-process calls of the API inherit it. */
  origin?: RequestOrigin;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

/** The origin of the request being served: its client address and whether it came over HTTPS. */
export const currentOrigin = (): RequestOrigin => requestContext.getStore()?.origin ?? { address: null, https: false };

/** An incoming `x-request-id` is kept when it is short and plain (it lands in logs and headers as is). */
export const isValidRequestId = (value: string): boolean => /^[A-Za-z0-9._:-]{1,128}$/.test(value);

export const newRequestId = (): string => randomUUID();

function withRequestId(headers: Headers): Headers {
  const requestId = currentRequestId();
  if (!requestId || headers[REQUEST_ID_HEADER]) return headers;
  return { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

function readRequestId(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

const workflowStarts: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  startUpdateWithStart: (input, next) => next({ ...input, workflowStartHeaders: withRequestId(input.workflowStartHeaders) }),
};

/** For every Temporal Client of a process that serves requests (the API, tests). */
export const clientInterceptors = (): ClientInterceptors => ({ workflow: [workflowStarts] });

/**
 * For the worker: each activity runs inside `requestContext` with the request id of the workflow that
 * scheduled it; the SDK's activity log lines (`Context.current().log`, "Activity failed") get `requestId`
 * next to their workflowId. With a logger, one debug line per finished activity (request id, workflow id,
 * activity type, attempt, duration, outcome) goes to the process log.
 */
export function activityInterceptors(logger?: Logger): ActivityInterceptorsFactory {
  return (ctx) => {
    let requestId: string | undefined;
    return {
      inbound: {
        async execute(input, next) {
          requestId = readRequestId(input.headers);
          const started = performance.now();
          const line = (outcome: 'completed' | 'failed', err?: unknown) =>
            logger?.debug(
              {
                requestId,
                workflowId: ctx.info.workflowExecution?.workflowId,
                runId: ctx.info.workflowExecution?.runId,
                activityType: ctx.info.activityType,
                attempt: ctx.info.attempt,
                local: ctx.info.isLocal,
                durationMs: Math.round(performance.now() - started),
                outcome,
                ...(err instanceof Error ? { error: err.message } : {}),
              },
              `activity ${outcome}`,
            );
          try {
            const result = requestId ? await requestContext.run({ requestId }, () => next(input)) : await next(input);
            line('completed');
            return result;
          } catch (err) {
            line('failed', err);
            throw err;
          }
        },
      },
      outbound: {
        getLogAttributes: (attributes, next) => next(requestId ? { ...attributes, requestId } : attributes),
      },
    };
  };
}
