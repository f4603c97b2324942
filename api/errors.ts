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
import { AppError, type ErrorCode } from '../domain/errors';

export { AppError };

export const notFound = (what: string, id: string | number) => new AppError('not_found', `${what} ${id} does not exist`);

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export function zodDetails(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
}

/** HTTP exceptions Hono raises itself (a body that is not JSON, ...), by the code of their status. */
const httpExceptionCodes: Partial<Record<number, ErrorCode>> = { 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large' };

/**
 * Every failure as an AppError of the catalogue (domain/errors.ts): the platform's own refusals as they are, and
 * what libraries raise (validation, Temporal, Hono, PostgreSQL) under the code that says what happened. Unknown
 * errors are `internal_error`, without internals.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new AppError('validation_failed', 'the request is invalid', zodDetails(err));
  if (err instanceof WorkflowUpdateFailedError) return new AppError('rejected_by_scenario', (err.cause as { message?: string } | undefined)?.message ?? err.message);
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new AppError('scenario_already_started', err.message);
  if (err instanceof WorkflowNotFoundError) return new AppError('not_found', 'the scenario does not exist');
  if (err instanceof HTTPException) return new AppError(httpExceptionCodes[err.status] ?? 'bad_request', err.message);
  return fromDatabaseError(err) ?? new AppError('internal_error', 'an internal error occurred');
}

/** What a PostgreSQL error means for the caller; null when it is not one the API answers for. */
function fromDatabaseError(err: unknown): AppError | null {
  // Drizzle wraps the driver's error in a DrizzleQueryError; the Postgres code is on its cause.
  const pgError = (err instanceof DrizzleQueryError ? err.cause : err) as { code?: string; detail?: string } | undefined;
  const pgCode = pgError?.code;
  if (pgCode === '23505') return uniqueConflict(pgError?.detail);
  if (pgCode === '23503') return new AppError('invalid_reference', 'a referenced record does not exist');
  if (pgCode === '23514' || pgCode === '22P02' || pgCode === '22003' || pgCode === '22021' || pgCode === '22P05') {
    return new AppError('invalid_value', 'a value is out of range or not allowed');
  }
  // The statement timeout of the API's connections (db/client.ts): the work was cancelled, nothing was changed.
  if (pgCode === '57014') return new AppError('query_timeout', 'the query took longer than the API allows; narrow the filters or try again');
  // The database went away under the request (restarted, connection terminated): its transaction was rolled back.
  if (isConnectionLoss(pgCode)) return new AppError('database_unavailable', 'the database connection was lost; nothing was changed, try again');
  return null;
}

/** Maps every failure to a JSON answer `{ code, message, details }` with the status its code has in the catalogue. */
export function toErrorResponse(err: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  const error = toAppError(err);
  return { status: error.status, body: { code: error.code, message: error.message, details: error.details } };
}

/**
 * A unique value already taken: `details` names the request fields that clashed (`[{ path, code: 'unique' }]`, the
 * shape of validation details), read from PostgreSQL's "Key (col, ...)=(...) already exists." and camel-cased
 * as the API spells them.
 */
function uniqueConflict(detail: string | undefined): AppError {
  const columns = /^Key \((.+?)\)=\(/.exec(detail ?? '')?.[1]?.split(', ') ?? [];
  // The owning reseller is part of many unique keys (a key is unique per reseller) but never a field of the request.
  const fields = columns.filter((c) => /^[a-z_][a-z0-9_]*$/.test(c) && c !== 'reseller_id').map((c) => c.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()));
  if (fields.length === 0) return new AppError('conflict', 'a record with these values already exists');
  const message = `another record already has this ${fields.join(' and ')}`;
  return new AppError('conflict', message, fields.map((path) => ({ path, code: 'unique', message })));
}

export function errorJson(c: Context, err: unknown) {
  const { status, body } = toErrorResponse(err);
  return c.json(body, status);
}
