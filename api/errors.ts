import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { DrizzleQueryError } from 'drizzle-orm';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { isConnectionLoss } from '../db/client';
import { DomainValidationError } from '../domain/errors';

/** The one error type handlers throw; `onError` turns it into `{ code, message, details }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string | number) => new ApiError(404, 'not_found', `${what} ${id} does not exist`);

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export function zodDetails(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
}

/** Maps every failure to a JSON answer; unknown errors are logged and answered as 500 without internals. */
export function toErrorResponse(err: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (err instanceof ApiError) return { status: err.status, body: { code: err.code, message: err.message, details: err.details } };
  if (err instanceof ZodError) {
    return { status: 400, body: { code: 'validation_failed', message: 'the request is invalid', details: zodDetails(err) } };
  }
  if (err instanceof DomainValidationError) {
    return { status: 422, body: { code: err.code, message: err.message } };
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { message?: string } | undefined;
    return { status: 422, body: { code: 'rejected_by_scenario', message: cause?.message ?? err.message } };
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return { status: 409, body: { code: 'scenario_already_started', message: err.message } };
  }
  if (err instanceof WorkflowNotFoundError) {
    return { status: 404, body: { code: 'not_found', message: 'the scenario does not exist' } };
  }
  if (err instanceof HTTPException) {
    return { status: err.status, body: { code: err.status === 400 ? 'bad_request' : 'http_error', message: err.message } };
  }
  // Drizzle wraps the driver's error in a DrizzleQueryError; the Postgres code is on its cause.
  const pgError = (err instanceof DrizzleQueryError ? err.cause : err) as { code?: string; detail?: string } | undefined;
  const pgCode = pgError?.code;
  if (pgCode === '23505') return { status: 409, body: uniqueConflict(pgError?.detail) };
  if (pgCode === '23503') return { status: 422, body: { code: 'invalid_reference', message: 'a referenced record does not exist' } };
  if (pgCode === '23514' || pgCode === '22P02' || pgCode === '22003' || pgCode === '22021' || pgCode === '22P05') {
    return { status: 422, body: { code: 'invalid_value', message: 'a value is out of range or not allowed' } };
  }
  // The statement timeout of the API's connections (db/client.ts): the work was cancelled, nothing was changed.
  if (pgCode === '57014') {
    return { status: 503, body: { code: 'query_timeout', message: 'the query took longer than the API allows; narrow the filters or try again' } };
  }
  // The database went away under the request (restarted, connection terminated): its transaction was rolled back.
  if (isConnectionLoss(pgCode)) {
    return { status: 503, body: { code: 'database_unavailable', message: 'the database connection was lost; nothing was changed, try again' } };
  }
  return { status: 500, body: { code: 'internal_error', message: 'an internal error occurred' } };
}

/**
 * A unique value already taken: `details` names the request fields that clashed (`[{ path, code: 'unique' }]`, the
 * shape of validation details), read from PostgreSQL's "Key (col, ...)=(...) already exists." and camel-cased
 * as the API spells them.
 */
function uniqueConflict(detail: string | undefined): ErrorBody {
  const columns = /^Key \((.+?)\)=\(/.exec(detail ?? '')?.[1]?.split(', ') ?? [];
  const fields = columns.filter((c) => /^[a-z_][a-z0-9_]*$/.test(c)).map((c) => c.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()));
  if (fields.length === 0) return { code: 'conflict', message: 'a record with these values already exists' };
  const message = `another record already has this ${fields.join(' and ')}`;
  return { code: 'conflict', message, details: fields.map((path) => ({ path, code: 'unique', message })) };
}

export function errorJson(c: Context, err: unknown) {
  const { status, body } = toErrorResponse(err);
  return c.json(body, status);
}
