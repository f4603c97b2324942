import { Hono } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client';
import { parseLicenseKey } from '../domain/licensing/codes';
import { CouponError } from '../domain/licensing/coupons';
import { applyCoupon } from '../operations/licensing/coupons/apply-coupon';
import { countSource, licensingErrorResponse, readJson, sourceOf, text, type RateLimiter } from './licensing-common';
import { AppError } from './errors';

/**
 * The public coupon route of the licensing API (spec 04 §3, §7.1 `POST /v1/coupons/apply`) that protected
 * applications and the customer portal call, with its count of failed attempts per key. Applying a coupon is
 * operations/licensing/coupons/apply-coupon.ts, shared with the staff routes (api/routes/licensing-coupons.ts).
 */

/**
 * Failed coupon attempts per key (§3.3: more than 10 within an hour answer RATE_LIMITED). Kept in memory
 * per API process, a sliding window of attempt times per canonical key code. An attempt is counted when it
 * starts (`take`), in the same synchronous step that checks the limit, and handed back when it succeeds, so
 * forty attempts sent at once are judged ten at most; once a key has 10 failures in the last hour, every further
 * attempt with it is refused with 429 until the oldest is an hour old. A success does not clear earlier
 * failures (so guesses cannot be interleaved with a known coupon). Several API processes would each keep their
 * own count; a shared limit would need a table.
 */
export class FailedCouponAttempts {
  private readonly attempts = new Map<string, number[]>();
  constructor(
    private readonly clock: () => number,
    private readonly limit = 10,
    private readonly windowMs = 3_600_000,
  ) {}

  /** Counts an attempt with the key, as a failure until it is handed back; null when the key has none left. */
  take(keyCode: string): number | null {
    const times = this.recent(keyCode);
    if (times.length >= this.limit) return null;
    const at = this.clock();
    times.push(at);
    this.attempts.set(keyCode, times);
    if (this.attempts.size > 100_000) for (const key of [...this.attempts.keys()]) if (this.recent(key).length === 0) this.attempts.delete(key);
    return at;
  }

  /** The attempt taken at `at` did not fail (it succeeded, or the service failed): it no longer counts. */
  giveBack(keyCode: string, at: number): void {
    const times = this.attempts.get(keyCode) ?? [];
    const i = times.lastIndexOf(at);
    if (i >= 0) times.splice(i, 1);
  }

  private recent(keyCode: string): number[] {
    const since = this.clock() - this.windowMs;
    return (this.attempts.get(keyCode) ?? []).filter((t) => t > since);
  }
}

const applyInput = z
  .object({ key: text(64), coupon: text(64), channel: z.enum(['in_app', 'customer_portal']) })
  .strict();

/** The canonical key code, or null when the key is not well formed (then failures cannot be counted per key). */
function keyCodeOrNull(input: string): string | null {
  try {
    return parseLicenseKey(input).code;
  } catch {
    return null;
  }
}

/** Public coupon routes of the licensing API (spec 04 §3, §7.1 POST /v1/coupons/apply). */
export function licensingCouponsPublic({ sql, now, limiter, expiryChanged }: { sql: Sql; now: () => Date; limiter: RateLimiter; expiryChanged: (entitlementIds: number[], at: Date) => void }) {
  const app = new Hono();
  app.onError(licensingErrorResponse);
  const failed = new FailedCouponAttempts(() => now().getTime());

  /**
   * An end user applies a coupon with the key (channels in_app and customer_portal, §3.4): 200 with the
   * activation and the key's entitlements, or a §7.4 refusal in the §3.3 order. Counted per source address
   * and per key like every call; failed attempts are also counted per key (§3.3 rate limit).
   */
  app.post('/coupons/apply', async (c) => {
    countSource(limiter);
    const input = applyInput.parse(await readJson(c));
    if (!limiter.take(`key:${input.key.toUpperCase()}`)) throw new AppError('RATE_LIMITED', 'too many requests for this key; wait a minute');
    const keyCode = keyCodeOrNull(input.key);
    const attempt = keyCode === null ? null : failed.take(keyCode);
    if (keyCode !== null && attempt === null) {
      throw new AppError('RATE_LIMITED', 'too many failed coupon attempts with this key; try again within the hour');
    }
    const notFailed = () => {
      if (keyCode !== null && attempt !== null) failed.giveBack(keyCode, attempt);
    };
    try {
      const at = now();
      const applied = await applyCoupon(sql, { key: input.key, coupon: input.coupon, channel: input.channel, actor: `end_user@${sourceOf()}`, now: at });
      notFailed();
      expiryChanged(applied.entitlements.map((e) => e.id), at);
      return c.json(applied, 200);
    } catch (err) {
      // Only a refused coupon counts as a failed attempt (§3.3); anything else gives the attempt back.
      if (!(err instanceof CouponError)) notFailed();
      throw err;
    }
  });

  return app;
}
