import { Hono } from 'hono';
import type { Sql } from '../db/client';
import { licensingErrorResponse, type RateLimiter } from './licensing-common';

/** Public floating-licence routes (spec 04 §5.1, §7.1 leases). */
export function licensingLeasesPublic(_deps: { sql: Sql; now: () => Date; limiter: RateLimiter }) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  return app;
}
