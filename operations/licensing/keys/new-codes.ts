import { randomBytes } from 'node:crypto';
import {
  ALPHABET,
  assertPrefix,
  COUPON_MARKER,
  COUPON_RANDOM_LENGTH,
  COUPON_TYPE_CHARS,
  KEY_RANDOM_LENGTH,
  withCheck,
  type CouponType,
} from '../../../domain/licensing/codes';

/*
 * New license keys and coupons: the format and its checks are rules (domain/licensing/codes.ts); drawing the random
 * part is not, so it lives here, out of the workflow-safe domain.
 */

/** `count` characters of ALPHABET from the CSPRNG. */
function randomCharacters(count: number): string {
  // 256 is a multiple of 32, so the low five bits of a uniform random byte are uniform over the
  // 32 characters: no bias, nothing to reject.
  return Array.from(randomBytes(count), (byte) => ALPHABET.charAt(byte & 31)).join('');
}

/** A new license key for the vendor `prefix`, in canonical form (90 random bits). */
export function generateLicenseKey(prefix: string): string {
  assertPrefix(prefix, 'INVALID_KEY_FORMAT');
  return withCheck(prefix + randomCharacters(KEY_RANDOM_LENGTH));
}

/** A new coupon of `type` for the vendor `prefix`, in canonical form (60 random bits). */
export function generateCoupon(prefix: string, type: CouponType): string {
  assertPrefix(prefix, 'COUPON_INVALID_FORMAT');
  return withCheck(prefix + COUPON_MARKER + COUPON_TYPE_CHARS[type] + randomCharacters(COUPON_RANDOM_LENGTH));
}
