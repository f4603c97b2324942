import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { ALPHABET, checkCharacters, COUPON_LENGTH, formatCoupon, formatLicenseKey, isValidPrefix, KEY_LENGTH, LicensingCodeError, canonicalKeyCode, normalizeCode, parseCode, parseCoupon, parseLicenseKey, type CouponType } from './codes';
import { generateCoupon, generateLicenseKey } from '../../operations/licensing/keys/new-codes';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const COUPON_TYPES: [CouponType, string][] = [
  ['add_product', 'A'],
  ['extend_trial', 'T'],
  ['change_composition', 'C'],
];

/** The value v (0–1020) that two check characters encode. */
const checkValue = (check: string) => ALPHABET.indexOf(check.charAt(0)) * 32 + ALPHABET.indexOf(check.charAt(1));

/** The code and reason of the LicensingCodeError that `fn` throws. */
function errorOf(fn: () => unknown): { code: string; reason: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LicensingCodeError);
    const { code, reason, message } = error as LicensingCodeError;
    return { code, reason, message };
  }
  throw new Error('expected a LicensingCodeError, nothing was thrown');
}

/** Replaces the character at `i`. */
const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

const VALID_KEY = 'MIKO-7K3QX-M2H9D-RT4WB-8NEB8';
const CANONICAL_KEY = 'MIKO7K3QXM2H9DRT4WB8NEB8';

describe('test vectors (spec 04 §2)', () => {
  it('accepts the valid key (v = 360 → B8)', () => {
    expect(parseCode(VALID_KEY)).toEqual({ kind: 'key', code: CANONICAL_KEY, prefix: 'MIKO' });
    expect(checkCharacters(CANONICAL_KEY.slice(0, -2))).toBe('B8');
    expect(checkValue('B8')).toBe(360);
  });

  it('reads the lower-case, space-separated form as the same key', () => {
    expect(normalizeCode('miko 7k3qx m2h9d rt4wb 8neb8')).toBe(CANONICAL_KEY);
    expect(parseCode('miko 7k3qx m2h9d rt4wb 8neb8')).toEqual(parseCode(VALID_KEY));
  });

  it('refuses the key with one substituted character and names the expected check BY (§8 scenario 1)', () => {
    const error = errorOf(() => parseCode('MIKO-7K3QX-M2H9D-RT4WB-8NFB8'));
    expect(error).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_checksum' });
    expect(error.message).toContain('expected BY');
    expect(checkCharacters('MIKO7K3QXM2H9DRT4WB8NF')).toBe('BY');
  });

  it.each([
    ['MIKOUPD-A4F7R-Z2KD9-M3P47', 'add_product', 135],
    ['MIKOUPD-TQ8WJ-5N1CX-H6VRF', 'extend_trial', 783],
    ['MIKOUPD-C9R2X-K7M4T-ZQBY5', 'change_composition', 965],
  ] as const)('accepts the valid coupon %s (%s, v = %i)', (input, couponType, v) => {
    const code = input.replace(/-/g, '');
    expect(parseCode(input)).toEqual({ kind: 'coupon', code, prefix: 'MIKO', couponType });
    expect(checkValue(checkCharacters(code.slice(0, -2)))).toBe(v);
    expect(formatCoupon(code)).toBe(input);
  });
});

describe('normalizeCode', () => {
  it('uppercases, drops spaces and hyphens, reads O as 0 and I, L as 1 after the prefix', () => {
    expect(normalizeCode(' mIKO-oil 7k3 ')).toBe('MIKO0117K3');
    expect(normalizeCode('loil-UPD-a')).toBe('LOILUPDA');
  });

  it('uppercases ASCII letters only, so other scripts cannot turn into valid characters', () => {
    expect(normalizeCode('MIKO ı')).toBe('MIKOı');
  });
});

describe('check characters detect every single typing error (property)', () => {
  const chars = (alphabet: string, length: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });
  const prefixes = chars(LETTERS, 4);
  const withCheck = (body: string) => body + checkCharacters(body);
  const keys = fc.tuple(prefixes, chars(ALPHABET, 18)).map(([prefix, random]) => withCheck(prefix + random));
  const coupons = fc
    .tuple(prefixes, fc.constantFrom('A', 'T', 'C'), chars(ALPHABET, 12))
    .map(([prefix, type, random]) => withCheck(`${prefix}UPD${type}${random}`));

  /** Every code one substituted character or one swap of adjacent different characters away from `code`. */
  function typos(code: string): string[] {
    const result: string[] = [];
    for (let i = 0; i < code.length; i++) {
      for (const c of `0123456789${LETTERS}`) result.push(replaceAt(code, i, c));
      if (i + 1 < code.length) result.push(code.slice(0, i) + code.charAt(i + 1) + code.charAt(i) + code.slice(i + 2));
    }
    // Typing O for 0 (or I, L for 1) is not a typo: normalization reads it as intended.
    return result.filter((typo) => normalizeCode(typo) !== code);
  }

  /** True when `input` is refused with a LicensingCodeError. */
  function refused(input: string): boolean {
    try {
      parseCode(input);
      return false;
    } catch (error) {
      if (error instanceof LicensingCodeError) return true;
      throw error;
    }
  }

  const rejectsAllTypos = (code: string) => {
    expect(parseCode(code).code).toBe(code);
    expect(typos(code).filter((typo) => !refused(typo))).toEqual([]);
  };

  it('in license keys', () => {
    fc.assert(fc.property(keys, rejectsAllTypos), { numRuns: 200 });
  });

  it('in coupons', () => {
    fc.assert(fc.property(coupons, rejectsAllTypos), { numRuns: 200 });
  });

  it('in codes from the generators', () => {
    for (let i = 0; i < 50; i++) {
      rejectsAllTypos(generateLicenseKey('MIKO'));
      rejectsAllTypos(generateCoupon('MIKO', 'extend_trial'));
    }
  });

  it('a key never reads as a coupon and a coupon never as a key', () => {
    fc.assert(
      fc.property(keys, coupons, (key, coupon) => {
        expect(parseCode(key).kind).toBe('key');
        expect(parseCode(coupon).kind).toBe('coupon');
        expect(errorOf(() => parseCoupon(key))).toMatchObject({ code: 'COUPON_INVALID_FORMAT', reason: 'code_format' });
        expect(errorOf(() => parseLicenseKey(coupon))).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_format' });
      }),
      { numRuns: 500 },
    );
  });
});

describe('generateLicenseKey', () => {
  it('gives 10,000 distinct keys that parse back, 24 characters each, using the whole alphabet', () => {
    const generated = Array.from({ length: 10_000 }, () => generateLicenseKey('MIKO'));
    expect(new Set(generated).size).toBe(10_000);
    for (const key of generated) {
      expect(key).toHaveLength(KEY_LENGTH);
      expect(parseLicenseKey(key, 'MIKO')).toEqual({ kind: 'key', code: key, prefix: 'MIKO' });
    }
    expect(new Set(generated.map((key) => key.slice(4, -2)).join(''))).toEqual(new Set(ALPHABET));
  });

  it('refuses a prefix that is not 4 letters A-Z', () => {
    for (const prefix of ['MIK', 'MIKOS', 'miko', 'M1KO', 'ÄBCD', '']) {
      expect(errorOf(() => generateLicenseKey(prefix)), prefix).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_prefix' });
    }
  });
});

describe('generateCoupon', () => {
  it.each(COUPON_TYPES)('gives distinct %s coupons with type char %s that parse back', (type, typeChar) => {
    const generated = Array.from({ length: 1000 }, () => generateCoupon('ABCD', type));
    expect(new Set(generated).size).toBe(1000);
    for (const coupon of generated) {
      expect(coupon).toHaveLength(COUPON_LENGTH);
      expect(coupon.slice(0, 8)).toBe(`ABCDUPD${typeChar}`);
      expect(parseCoupon(coupon, 'ABCD')).toEqual({ kind: 'coupon', code: coupon, prefix: 'ABCD', couponType: type });
    }
  });

  it('refuses a prefix that is not 4 letters A-Z', () => {
    expect(errorOf(() => generateCoupon('AB1D', 'add_product'))).toMatchObject({ code: 'COUPON_INVALID_FORMAT', reason: 'code_prefix' });
  });
});

describe('parse errors carry precise codes', () => {
  it('are LicensingCodeErrors, hence DomainValidationErrors', () => {
    expect(() => parseCode('')).toThrow(AppError);
  });

  it('bad prefix → code_prefix', () => {
    expect(errorOf(() => parseCode('M1KO-7K3QX-M2H9D-RT4WB-8NEB8'))).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_prefix' });
    expect(errorOf(() => parseCode('MI*O-7K3QX-M2H9D-RT4WB-8NEB8'))).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_prefix' });
    expect(errorOf(() => parseCode('M1KOUPD-A4F7R-Z2KD9-M3P47'))).toMatchObject({ code: 'COUPON_INVALID_FORMAT', reason: 'code_prefix' });
  });

  it('another vendor’s prefix → code_prefix; COUPON_VENDOR_MISMATCH for a coupon (§8 scenario 2)', () => {
    expect(errorOf(() => parseCode(VALID_KEY, 'ABCD'))).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_prefix' });
    const coupon = generateCoupon('ABCD', 'add_product');
    expect(errorOf(() => parseCode(coupon, 'MIKO'))).toMatchObject({ code: 'COUPON_VENDOR_MISMATCH', reason: 'code_prefix' });
    expect(parseCode(VALID_KEY, 'miko').prefix).toBe('MIKO');
    // Format and check characters come first (§3.3): a mistyped coupon of another vendor is a format error.
    const mistyped = replaceAt(coupon, 10, coupon.charAt(10) === '7' ? '8' : '7');
    expect(errorOf(() => parseCode(mistyped, 'MIKO'))).toMatchObject({ code: 'COUPON_INVALID_FORMAT', reason: 'code_checksum' });
  });

  it('wrong length → code_format', () => {
    for (const input of ['', 'MIKO', VALID_KEY.slice(0, -1), `${VALID_KEY}8`, 'MIKOUPD-A4F7R-Z2KD9-M3P477']) {
      expect(errorOf(() => parseCode(input)), input).toMatchObject({ reason: 'code_format' });
    }
    expect(errorOf(() => parseCode(VALID_KEY.slice(0, -1)))).toMatchObject({ code: 'INVALID_KEY_FORMAT' });
    expect(errorOf(() => parseCode('MIKOUPD-A4F7R-Z2KD9-M3P4'))).toMatchObject({ code: 'COUPON_INVALID_FORMAT' });
  });

  it('illegal characters → code_format', () => {
    for (const input of ['MIKO-UK3QX-M2H9D-RT4WB-8NEB8', 'MIKO-7K3QX-M2H9D-RT4WB-8NE*8', 'MIKO-7K3QX-M2H9D-RT4WB-8NEı8']) {
      expect(errorOf(() => parseCode(input)), input).toMatchObject({ code: 'INVALID_KEY_FORMAT', reason: 'code_format' });
    }
    // X is not a coupon type; U is not in the alphabet.
    for (const input of ['MIKOUPD-X4F7R-Z2KD9-M3P47', 'MIKOUPD-A4F7R-Z2KD9-M3PU7']) {
      expect(errorOf(() => parseCode(input)), input).toMatchObject({ code: 'COUPON_INVALID_FORMAT', reason: 'code_format' });
    }
  });
});

describe('isValidPrefix', () => {
  it('accepts exactly 4 ASCII letters A-Z', () => {
    expect(['MIKO', 'ABCD', 'ZZZZ'].map(isValidPrefix)).toEqual([true, true, true]);
    expect(['MIK', 'MIKOS', 'miko', 'MIK0', 'MI-O', 'ÄBCD', 'МІКО', ''].map(isValidPrefix)).toEqual(Array(8).fill(false));
  });
});

describe('display forms', () => {
  it('groups a key as PPPP-XXXXX-XXXXX-XXXXX-XXXXX, from any typed form', () => {
    expect(formatLicenseKey(CANONICAL_KEY)).toBe(VALID_KEY);
    expect(formatLicenseKey('miko 7k3qx m2h9d rt4wb 8neb8')).toBe(VALID_KEY);
    const key = generateLicenseKey('ABCD');
    expect(formatLicenseKey(key)).toMatch(/^ABCD(-[0-9A-Z]{5}){4}$/);
    expect(normalizeCode(formatLicenseKey(key))).toBe(key);
  });

  it('groups a coupon as PPPPUPD-TXXXX-XXXXX-XXXXX', () => {
    const coupon = generateCoupon('ABCD', 'change_composition');
    expect(formatCoupon(coupon)).toMatch(/^ABCDUPD-C[0-9A-Z]{4}(-[0-9A-Z]{5}){2}$/);
    expect(normalizeCode(formatCoupon(coupon))).toBe(coupon);
  });

  it('refuses to display a coupon as a key and the other way round', () => {
    expect(errorOf(() => formatLicenseKey('MIKOUPD-A4F7R-Z2KD9-M3P47'))).toMatchObject({ code: 'INVALID_KEY_FORMAT' });
    expect(errorOf(() => formatCoupon(VALID_KEY))).toMatchObject({ code: 'COUPON_INVALID_FORMAT' });
  });
});

describe('canonicalKeyCode (staff look-ups)', () => {
  it('drops spaces and hyphens and upper-cases, but maps no look-alike characters and checks nothing', () => {
    expect(canonicalKeyCode('miko-7k3qx m2h9d')).toBe('MIKO7K3QXM2H9D');
    expect(canonicalKeyCode('MIKO-OIL')).toBe('MIKOOIL');
  });
});
