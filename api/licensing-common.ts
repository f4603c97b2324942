import type { Context } from 'hono';
import { z } from 'zod';
import { LicensingCodeError, parseLicenseKey } from '../domain/licensing/codes';
import { isStorableText, storableTextMessage } from '../domain/text';
import { currentOrigin } from '../infra/request-context';
import { AppError, toAppError } from './errors';

/** Shared pieces of the public licensing API: its error, rate limiting and request admission. */

/** A fixed-window counter per bucket (source address, key): enough to make guessing keys pointless. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a request; false when the bucket is over its limit in the current window. */
  take(bucket: string): boolean {
    const now = this.now();
    const w = this.windows.get(bucket);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 100_000) this.prune(now);
      this.windows.set(bucket, { start: now, count: 1 });
      return true;
    }
    w.count += 1;
    return w.count <= this.limit;
  }

  private prune(now: number) {
    for (const [bucket, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(bucket);
  }
}

/** `{ error: { code, message, details } }` for every failure of the public licensing API (spec 04 §7.1). */
export function licensingErrorResponse(err: Error, c: Context) {
  const error = toAppError(err);
  if (error.status === 500) {
    console.error('licensing api error', err);
    return c.json({ error: { code: 'INTERNAL', message: 'the licensing service failed; try again', details: null } }, 500);
  }
  const details = error instanceof LicensingCodeError ? { reason: error.reason } : (error.details ?? null);
  return c.json({ error: { code: error.code.toUpperCase(), message: error.message, details } }, error.status);
}

/**
 * The caller's address, as the request log worked it out (infra/client-address.ts): X-Forwarded-For counts
 * only from a proxy named in TRUST_PROXY, so a caller cannot step out of its limit by writing the header.
 */
export const sourceOf = () => currentOrigin().address ?? 'unknown';

/** Counts a call against its source address. */
export function countSource(limiter: RateLimiter) {
  if (!limiter.take(`ip:${sourceOf()}`)) throw new AppError('RATE_LIMITED', 'too many requests from this address; wait a minute');
}

/** A string a caller sends, storable as sent (domain/text.ts): NUL or broken Unicode is a 400, not a failed query. */
export const storable = (schema: z.ZodString) => schema.refine(isStorableText, storableTextMessage);
export const text = (max: number) => storable(z.string().max(max));

export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the body is not JSON');
  }
}

/**
 * Admission of a call authenticated by a license key: counted per source address, the body parsed, counted
 * per key, and the key's format checked (before any database access).
 */
export function admitter(limiter: RateLimiter) {
  return async function admit<T extends { key: string }>(c: Context, schema: z.ZodType<T>): Promise<T & { code: string }> {
    countSource(limiter);
    const body = schema.parse(await readJson(c));
    if (!limiter.take(`key:${body.key.toUpperCase()}`)) throw new AppError('RATE_LIMITED', 'too many requests for this key; wait a minute');
    const { code } = parseLicenseKey(body.key);
    return { ...body, code };
  };
}
