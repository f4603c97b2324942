import type { Context, MiddlewareHandler } from 'hono';
import { AppError, errorJson } from './errors';
import { licensingErrorResponse } from './licensing-common';

/**
 * Request bodies are limited before they are read (issue 17): a body larger than its route allows is refused
 * with 413 from its Content-Length, or, when it is streamed (chunked), as soon as the bytes read pass the limit,
 * so no route ever buffers or parses more than its limit. JSON nested deeper than `MAX_JSON_DEPTH` is refused
 * with 400 before anything parses it: deep nesting breaks `JSON.stringify`, the idempotency hash and Temporal's
 * payload converter (stack overflows), and no request of this platform needs more than a handful of levels.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/** What an API route takes by default: the largest ordinary request (a plan with 50 periods and 100 resources) is ~50 KiB. */
export const DEFAULT_BODY_LIMIT = 1 * MiB;
/** The unauthenticated routes (sign-in, the public licensing API) take what their largest caller sends (an offline request file, ~20 KiB). */
export const UNAUTHENTICATED_BODY_LIMIT = 64 * KiB;
/** Notification templates: two languages of subject, HTML and text of up to 100,000 characters each. */
export const TEMPLATE_BODY_LIMIT = 4 * MiB;
/** Usage record batches: 10,000 records of ~200 bytes each, with room (domain/usage.ts MAX_USAGE_RECORDS_PER_REQUEST). */
export const USAGE_BODY_LIMIT = 4 * MiB;
export const MAX_JSON_DEPTH = 64;

/** The limit of a route, by path: smaller where anyone may call, larger only where a route needs it. */
export function bodyLimitFor(path: string): number {
  if (path === '/login' || path.startsWith('/licensing/v1/')) return UNAUTHENTICATED_BODY_LIMIT;
  // The API's template routes and the operator UI's template form (it posts the same fields, form-encoded).
  if (/^(\/api\/v1)?\/notification-templates(\/|$)/.test(path)) return TEMPLATE_BODY_LIMIT;
  if (path === '/api/v1/usage-records') return USAGE_BODY_LIMIT;
  return DEFAULT_BODY_LIMIT;
}

export interface BodyRefusal {
  code: 'payload_too_large' | 'json_too_deep';
  message: string;
}

export interface BodyLimitOptions {
  limitFor?: (path: string) => number;
  maxJsonDepth?: number;
  /** The answer in the route's own error shape. */
  refuse: (c: Context, refusal: BodyRefusal) => Response | Promise<Response>;
}

/**
 * The middleware: reads the body once, up to the route's limit, checks JSON nesting, and hands the buffered
 * body on (every later reader, validators and handlers, reads that copy). Form posts are not JSON and are not
 * scanned for nesting; everything else may be parsed as JSON by some handler, so it is.
 */
export function limitRequestBodies({ limitFor = bodyLimitFor, maxJsonDepth = MAX_JSON_DEPTH, refuse }: BodyLimitOptions): MiddlewareHandler {
  return async function limitBody(c, next) {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const limit = limitFor(c.req.path);
    const tooLarge = (): BodyRefusal => ({ code: 'payload_too_large', message: `the request body is larger than this route takes (${limit} bytes)` });
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding') && Number(declared) > limit) return refuse(c, tooLarge());
    const body = await readUpTo(raw.body, limit);
    if (body === null) return refuse(c, tooLarge());
    if (!isFormPost(raw.headers.get('content-type')) && jsonDepthExceeds(body, maxJsonDepth)) {
      return refuse(c, { code: 'json_too_deep', message: `the JSON body is nested deeper than ${maxJsonDepth} levels` });
    }
    c.req.raw = new Request(raw, { body });
    return next();
  };
}

/**
 * The stream's bytes, or null as soon as they pass `limit`. The rest of an oversized body is left unread: the
 * node server drains a little after the answer and then closes the connection (@hono/node-server).
 */
async function readUpTo(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

const isFormPost = (contentType: string | null) => !!contentType && /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType);

/**
 * Whether JSON text nests objects and arrays deeper than `max`, counted without parsing: brackets inside
 * strings are skipped (UTF-8 continuation bytes never look like ASCII, so bytes can be scanned directly).
 * Text that is not JSON at all is left for the parser to refuse.
 */
export function jsonDepthExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i += 1; // backslash: the next byte is escaped
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (b === 0x7d || b === 0x5d) depth -= 1;
  }
  return false;
}

/** The refusal in the usual error shape of the path: the public licensing API has its own (`{ error: { code } }`). */
export function refuseInRouteShape(c: Context, { code, message }: BodyRefusal): Response {
  const error = new AppError(code, message);
  return c.req.path.startsWith('/licensing/v1/') ? licensingErrorResponse(error, c) : errorJson(c, error);
}
