// License keys and coupons (spec 04 §2): generation, normalization, check characters, parsing and display.
//
// Canonical forms (uppercase, no separators):
//   key     PPPP + 18 random + 2 check                    24 chars   display PPPP-XXXXX-XXXXX-XXXXX-XXXXX
//   coupon  PPPP + UPD + type char + 12 random + 2 check  22 chars   display PPPPUPD-TXXXX-XXXXX-XXXXX
// Coupon type chars: A = add_product, T = extend_trial, C = change_composition.
// PPPP is the vendor prefix (4 letters A–Z); the random and check characters come from Crockford base32.
//
// Errors. A LicensingCodeError carries two machine-readable values:
// - `code`, the API error code of §7.4, so an API handler can pass it on unchanged;
// - `reason`, which says precisely what is wrong (§7.4 uses one code for all format and check failures).
//
//   reason          key                  coupon                  when
//   code_format     INVALID_KEY_FORMAT   COUPON_INVALID_FORMAT   wrong length, illegal character, unknown coupon type char
//   code_checksum   INVALID_KEY_FORMAT   COUPON_INVALID_FORMAT   check characters do not match (§8 scenario 1)
//   code_prefix     INVALID_KEY_FORMAT   COUPON_INVALID_FORMAT   prefix is not 4 letters A–Z
//   code_prefix     INVALID_KEY_FORMAT   COUPON_VENDOR_MISMATCH  a valid code of another vendor than the expected one (§3.3 step 3)
//
// §7.4 has no code for a key of another vendor. That check is made offline, before any database access,
// like the other format checks (§3.3), so it answers INVALID_KEY_FORMAT too.
// When parseCode cannot read the input at all, it is treated as a coupon if `UPD` follows the prefix, and
// as a key otherwise; parseLicenseKey and parseCoupon fix the expected kind instead.

import { AppError } from '../errors';

/** Crockford base32: digits and letters without I, L, O and U. A character's value is its index. */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const KEY_LENGTH = 24;
export const COUPON_LENGTH = 22;
export const COUPON_MARKER = 'UPD';
export const KEY_RANDOM_LENGTH = 18;
export const COUPON_RANDOM_LENGTH = 12;

export type CouponType = 'add_product' | 'extend_trial' | 'change_composition';

export const COUPON_TYPE_CHARS: Record<CouponType, string> = { add_product: 'A', extend_trial: 'T', change_composition: 'C' };
const COUPON_TYPES_BY_CHAR = new Map(Object.entries(COUPON_TYPE_CHARS).map(([type, char]) => [char, type as CouponType]));

export type ParsedCode =
  | { kind: 'key'; code: string; prefix: string }
  | { kind: 'coupon'; code: string; prefix: string; couponType: CouponType };

export type LicensingCodeErrorCode = 'INVALID_KEY_FORMAT' | 'COUPON_INVALID_FORMAT' | 'COUPON_VENDOR_MISMATCH';
export type LicensingCodeErrorReason = 'code_format' | 'code_checksum' | 'code_prefix';

/** A key or coupon that fails the offline checks of §2 (see the table at the top of this file). */
export class LicensingCodeError extends AppError {
  constructor(
    override readonly code: LicensingCodeErrorCode,
    readonly reason: LicensingCodeErrorReason,
    message: string,
  ) {
    super(code, message);
  }
}

/** True for a vendor prefix: exactly 4 ASCII letters A–Z (uppercase, as stored). */
export function isValidPrefix(prefix: string): boolean {
  return /^[A-Z]{4}$/.test(prefix);
}

/**
 * The two check characters of `s`, the canonical code without its check characters (prefix and `UPD`
 * included): v = Σ (i+1)·ascii(s[i]) mod 1021, written as ALPHABET[v >> 5] + ALPHABET[v & 31].
 * 1021 is a prime larger than every position weight and every difference of two character codes, so a
 * substituted character or a swap of two adjacent different characters always changes v.
 */
export function checkCharacters(s: string): string {
  let v = 0;
  for (let i = 0; i < s.length; i++) v = (v + (i + 1) * s.charCodeAt(i)) % 1021;
  return ALPHABET.charAt(v >> 5) + ALPHABET.charAt(v & 31);
}

/**
 * What a person typed, in canonical form: ASCII letters uppercased; spaces and hyphens removed; the
 * first four characters (the prefix) kept as they are; in the rest, O read as 0 and I and L as 1.
 * `UPD` is unaffected by that mapping. Only ASCII letters are uppercased, so that no other character
 * can turn into a valid one (e.g. the Turkish dotless ı into I). The result is not validated.
 */
export function normalizeCode(input: string): string {
  const code = input.replace(/[\s-]/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
  return code.slice(0, 4) + code.slice(4).replace(/O/g, '0').replace(/[IL]/g, '1');
}

/**
 * A license key as the staff API takes it in a path or filter: upper case, spaces and hyphens dropped, nothing
 * else mapped or checked (staff look up stored codes; a mistyped code simply finds nothing).
 */
export const canonicalKeyCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

/** The code with its check characters appended. */
export function withCheck(body: string): string {
  return body + checkCharacters(body);
}

/** Refuses a vendor prefix that is not 4 letters A-Z, with the code the caller's refusal uses. */
export function assertPrefix(prefix: string, code: LicensingCodeErrorCode): void {
  if (!isValidPrefix(prefix)) {
    throw new LicensingCodeError(code, 'code_prefix', `A vendor prefix is 4 letters A-Z, got "${prefix}"`);
  }
}

/**
 * Reads a key or a coupon as typed (any case, with or without spaces and hyphens) and checks it
 * offline: length, characters, prefix, check characters and, when `expectedPrefix` is given, that it
 * belongs to that vendor. Returns the canonical code; throws a LicensingCodeError otherwise.
 */
export function parseCode(input: string, expectedPrefix?: string): ParsedCode {
  return parse(input, expectedPrefix);
}

/** Like parseCode, but the input must be a license key: anything else is INVALID_KEY_FORMAT. */
export function parseLicenseKey(input: string, expectedPrefix?: string): Extract<ParsedCode, { kind: 'key' }> {
  return parse(input, expectedPrefix, 'key') as Extract<ParsedCode, { kind: 'key' }>;
}

/** Like parseCode, but the input must be a coupon: anything else is COUPON_INVALID_FORMAT. */
export function parseCoupon(input: string, expectedPrefix?: string): Extract<ParsedCode, { kind: 'coupon' }> {
  return parse(input, expectedPrefix, 'coupon') as Extract<ParsedCode, { kind: 'coupon' }>;
}

function parse(input: string, expectedPrefix?: string, expectedKind?: ParsedCode['kind']): ParsedCode {
  const code = normalizeCode(input);
  const looksLikeCoupon = code.slice(4, 7) === COUPON_MARKER;
  const kind = expectedKind ?? (looksLikeCoupon ? 'coupon' : 'key');
  const what = kind === 'key' ? 'license key' : 'coupon';
  const fail = (reason: LicensingCodeErrorReason, message: string, errorCode?: LicensingCodeErrorCode) =>
    new LicensingCodeError(errorCode ?? (kind === 'key' ? 'INVALID_KEY_FORMAT' : 'COUPON_INVALID_FORMAT'), reason, message);

  if (looksLikeCoupon !== (kind === 'coupon')) {
    throw fail('code_format', kind === 'key' ? 'This is a coupon, not a license key' : 'A coupon has UPD after the vendor prefix');
  }
  const length = kind === 'key' ? KEY_LENGTH : COUPON_LENGTH;
  if (code.length !== length) {
    throw fail('code_format', `A ${what} has ${length} characters without spaces and hyphens, got ${code.length}`);
  }
  const prefix = code.slice(0, 4);
  if (!isValidPrefix(prefix)) throw fail('code_prefix', `A ${what} starts with a vendor prefix of 4 letters A-Z, got "${prefix}"`);

  const couponType = kind === 'coupon' ? COUPON_TYPES_BY_CHAR.get(code.charAt(7)) : undefined;
  if (kind === 'coupon' && !couponType) throw fail('code_format', `Unknown coupon type "${code.charAt(7)}" (expected A, T or C)`);

  const illegal = [...code.slice(kind === 'key' ? 4 : 8)].find((c) => !ALPHABET.includes(c));
  if (illegal !== undefined) throw fail('code_format', `"${illegal}" cannot appear in a ${what}`);

  const expectedCheck = checkCharacters(code.slice(0, -2));
  if (code.slice(-2) !== expectedCheck) {
    throw fail('code_checksum', `The ${what} is mistyped: its check characters are ${code.slice(-2)}, expected ${expectedCheck}`);
  }
  if (expectedPrefix !== undefined && prefix !== expectedPrefix.toUpperCase()) {
    throw fail(
      'code_prefix',
      `The ${what} belongs to vendor prefix ${prefix}, not ${expectedPrefix.toUpperCase()}`,
      kind === 'coupon' ? 'COUPON_VENDOR_MISMATCH' : undefined,
    );
  }
  return couponType ? { kind: 'coupon', code, prefix, couponType } : { kind: 'key', code, prefix };
}

function display(code: string, head: number): string {
  return [code.slice(0, head), ...(code.slice(head).match(/.{5}/g) ?? [])].join('-');
}

/** The display form PPPP-XXXXX-XXXXX-XXXXX-XXXXX of a license key (validated first, any typed form accepted). */
export function formatLicenseKey(code: string): string {
  return display(parseLicenseKey(code).code, 4);
}

/** The display form PPPPUPD-TXXXX-XXXXX-XXXXX of a coupon (validated first, any typed form accepted). */
export function formatCoupon(code: string): string {
  return display(parseCoupon(code).code, 7);
}
