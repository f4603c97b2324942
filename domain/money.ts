// Money as integer minor units (cents, kopecks): 1234.50 EUR is 123450.
//
// Amounts are JS numbers holding safe integers; every operation checks that the result stays a
// safe integer. No floating-point arithmetic touches money: decimal text is parsed digit-wise and
// formatted by string slicing, so "0.1 + 0.2" problems cannot occur. Two decimals for every
// currency (spec 02 §0: amounts are stored and displayed with 2 decimals).

import { AppError } from './errors';

/** Integer number of minor units (hundredths of the currency). */
export type MinorUnits = number;

export type MoneyErrorCode =
  | 'invalid_format'
  | 'too_many_decimals'
  | 'negative_not_allowed'
  | 'out_of_range'
  | 'invalid_currency'
  | 'invalid_argument';

export class MoneyError extends AppError {
  constructor(
    override readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

function requireMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyError('invalid_argument', `${what} must be an integer number of minor units, got ${value}`);
  }
}

function requireSafeResult(value: number): MinorUnits {
  if (!Number.isSafeInteger(value)) throw new MoneyError('out_of_range', 'Amount is too large');
  return value;
}

/** ISO 4217-style code: three capital Latin letters. */
export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/** Decimal text with exactly 2 decimals and no grouping: 123450 → "1234.50", −5 → "-0.05". */
export function formatAmount(minor: MinorUnits): string {
  requireMinor(minor, 'Amount');
  const digits = String(Math.abs(minor)).padStart(3, '0');
  const sign = minor < 0 ? '-' : '';
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Display form used in documents and notifications: 123450, "EUR" → "1234.50 EUR". */
export function formatMoney(minor: MinorUnits, currency: string): string {
  if (!isCurrencyCode(currency)) {
    throw new MoneyError('invalid_currency', `Not a currency code: "${currency}"`);
  }
  return `${formatAmount(minor)} ${currency}`;
}

export interface ParseMoneyOptions {
  /** A leading "-" is rejected unless this is true (most inputs are amounts to pay). */
  allowNegative?: boolean;
}

const MONEY_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Minor units from decimal text: "1234.5" → 123450, "-0.05" → −5 (with `allowNegative`).
 * Surrounding whitespace is ignored. Rejected with a MoneyError: more than 2 decimals ("1.234"),
 * exponents, grouping separators, a comma decimal mark, "+", ".5", "5.", and negative amounts
 * unless allowed.
 */
export function parseMoney(text: string, options: ParseMoneyOptions = {}): MinorUnits {
  const match = MONEY_TEXT.exec(text.trim());
  if (!match) {
    throw new MoneyError('invalid_format', `Not a decimal amount: "${text}"`);
  }
  const [, minus, whole = '', fraction = ''] = match;
  if (fraction.length > 2) {
    throw new MoneyError('too_many_decimals', `At most 2 decimals are allowed: "${text}"`);
  }
  // Concatenate the digit strings; Number() of an integer digit string is exact up to 2^53.
  const magnitude = Number(whole + fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(magnitude)) {
    throw new MoneyError('out_of_range', `Amount is too large: "${text}"`);
  }
  if (minus && magnitude !== 0) {
    if (!options.allowNegative) {
      throw new MoneyError('negative_not_allowed', `Negative amounts are not allowed: "${text}"`);
    }
    return -magnitude;
  }
  return magnitude; // "-0" and "-0.00" give 0, never −0
}

/**
 * Payment rounding (spec 02 §13.3): round a non-negative amount UP to a multiple of the
 * system's rounding value. A rounding value of 0 means "no rounding". Per decision 26 this
 * applies to generated payment amounts only, never to order totals; the over-payment it causes
 * goes to the client's balance.
 */
export function roundUpToMultiple(minor: MinorUnits, multipleMinor: MinorUnits): MinorUnits {
  requireMinor(minor, 'Amount');
  requireMinor(multipleMinor, 'Rounding value');
  if (minor < 0) throw new MoneyError('invalid_argument', 'Only non-negative amounts are rounded up');
  if (multipleMinor < 0) throw new MoneyError('invalid_argument', 'Rounding value must not be negative');
  if (multipleMinor === 0) return minor;
  const remainder = minor % multipleMinor;
  return remainder === 0 ? minor : requireSafeResult(minor + (multipleMinor - remainder));
}

/** Unit price × a whole, non-negative quantity. */
export function multiplyByQuantity(unitMinor: MinorUnits, quantity: number): MinorUnits {
  requireMinor(unitMinor, 'Unit price');
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new MoneyError('invalid_argument', `Quantity must be a non-negative integer, got ${quantity}`);
  }
  return requireSafeResult(unitMinor * quantity);
}

/** Sum of amounts, checked for overflow at every step. */
export function sumMoney(amounts: readonly MinorUnits[]): MinorUnits {
  let total = 0;
  for (const amount of amounts) {
    requireMinor(amount, 'Amount');
    total = requireSafeResult(total + amount);
  }
  return total;
}
