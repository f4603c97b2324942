import { Hono } from 'hono';
import type { Sql } from '../db/client';
import { licensingErrorResponse, type RateLimiter } from './licensing-common';

/** Public coupon routes of the licensing API (spec 04 §3, §7.1 POST /v1/coupons/apply). */
export function licensingCouponsPublic(_deps: { sql: Sql; now: () => Date; limiter: RateLimiter }) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  return app;
}
