import { describe, expect, it } from 'vitest';
import { formatAmount, formatMoney, MoneyError, multiplyByQuantity, parseMoney, roundUpToMultiple, sumMoney } from './money';

function moneyErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error.code;
    throw error;
  }
  return undefined;
}

describe('formatMoney', () => {
  it('prints minor units with exactly 2 decimals followed by the currency code', () => {
    expect(formatMoney(123450, 'EUR')).toBe('1234.50 EUR');
    expect(formatMoney(5, 'RUB')).toBe('0.05 RUB');
    expect(formatMoney(0, 'USD')).toBe('0.00 USD');
    expect(formatMoney(100, 'JPY')).toBe('1.00 JPY'); // 2 decimals for every currency
  });

  it('prints negative amounts with a leading minus', () => {
    expect(formatMoney(-123450, 'EUR')).toBe('-1234.50 EUR');
    expect(formatAmount(-5)).toBe('-0.05');
  });

  it('is exact for the largest safe amounts (no floating point)', () => {
    expect(formatAmount(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });

  it('rejects fractional minor units and malformed currency codes', () => {
    expect(moneyErrorCode(() => formatMoney(12.5, 'EUR'))).toBe('invalid_argument');
    expect(moneyErrorCode(() => formatMoney(100, 'eur'))).toBe('invalid_currency');
  });
});

describe('parseMoney', () => {
  it('reads decimal text with up to 2 decimals into minor units', () => {
    expect(parseMoney('1234.50')).toBe(123450);
    expect(parseMoney('1234.5')).toBe(123450);
    expect(parseMoney('1234')).toBe(123400);
    expect(parseMoney('0.01')).toBe(1);
    expect(parseMoney('007.10')).toBe(710);
    expect(parseMoney('  19.99 ')).toBe(1999);
  });

  it('is exact where floating point is not (0.29 × 100 = 28.999… in floats)', () => {
    expect(parseMoney('0.29')).toBe(29);
    expect(parseMoney('1.15')).toBe(115);
    expect(parseMoney('90071992547409.91')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects more than 2 decimals instead of rounding ("1.234")', () => {
    expect(moneyErrorCode(() => parseMoney('1.234'))).toBe('too_many_decimals');
    expect(moneyErrorCode(() => parseMoney('1.000'))).toBe('too_many_decimals');
  });

  it('rejects exponents, separators, signs other than "-" and incomplete numbers', () => {
    for (const bad of ['1e3', '1,50', '1 000', '+1', '.5', '5.', '', '-', 'abc', '0x10', 'Infinity', 'NaN', '1.2.3', '--1']) {
      expect(moneyErrorCode(() => parseMoney(bad)), bad).toBe('invalid_format');
    }
  });

  it('rejects negative amounts unless allowNegative is set explicitly', () => {
    expect(moneyErrorCode(() => parseMoney('-1.50'))).toBe('negative_not_allowed');
    expect(parseMoney('-1.50', { allowNegative: true })).toBe(-150);
    expect(parseMoney('-0.05', { allowNegative: true })).toBe(-5);
  });

  it('reads "-0" as plain zero, never −0', () => {
    expect(Object.is(parseMoney('-0'), 0)).toBe(true);
    expect(Object.is(parseMoney('-0.00', { allowNegative: true }), 0)).toBe(true);
  });

  it('rejects amounts beyond the safe integer range', () => {
    expect(moneyErrorCode(() => parseMoney('90071992547409.92'))).toBe('out_of_range');
    expect(moneyErrorCode(() => parseMoney('1'.repeat(30)))).toBe('out_of_range');
  });

  it('round-trips with formatAmount', () => {
    for (const minor of [0, 1, 9, 10, 99, 100, 101, 123450, 999999999]) {
      expect(parseMoney(formatAmount(minor))).toBe(minor);
      if (minor > 0) expect(parseMoney(formatAmount(-minor), { allowNegative: true })).toBe(-minor);
    }
  });
});

describe('roundUpToMultiple (payment rounding, spec 02 §13.3)', () => {
  it('rounds a payment amount up to the next multiple of the rounding value', () => {
    expect(roundUpToMultiple(123401, 100)).toBe(123500);
    expect(roundUpToMultiple(123499, 100)).toBe(123500);
    expect(roundUpToMultiple(101, 50)).toBe(150);
    expect(roundUpToMultiple(1, 1000)).toBe(1000);
  });

  it('leaves exact multiples and zero unchanged', () => {
    expect(roundUpToMultiple(123500, 100)).toBe(123500);
    expect(roundUpToMultiple(0, 100)).toBe(0);
  });

  it('treats a rounding value of 0 (or 1 cent) as no rounding', () => {
    expect(roundUpToMultiple(12345, 0)).toBe(12345);
    expect(roundUpToMultiple(12345, 1)).toBe(12345);
  });

  it('rejects negative amounts, negative rounding values and fractions', () => {
    expect(moneyErrorCode(() => roundUpToMultiple(-1, 100))).toBe('invalid_argument');
    expect(moneyErrorCode(() => roundUpToMultiple(100, -100))).toBe('invalid_argument');
    expect(moneyErrorCode(() => roundUpToMultiple(100.5, 100))).toBe('invalid_argument');
  });
});

describe('multiplyByQuantity and sumMoney', () => {
  it('multiplies a unit price by a whole quantity', () => {
    expect(multiplyByQuantity(1999, 3)).toBe(5997);
    expect(multiplyByQuantity(1999, 0)).toBe(0);
  });

  it('rejects fractional or negative quantities and overflow', () => {
    expect(moneyErrorCode(() => multiplyByQuantity(1999, 1.5))).toBe('invalid_argument');
    expect(moneyErrorCode(() => multiplyByQuantity(1999, -1))).toBe('invalid_argument');
    expect(moneyErrorCode(() => multiplyByQuantity(Number.MAX_SAFE_INTEGER, 2))).toBe('out_of_range');
  });

  it('sums amounts exactly and detects overflow', () => {
    expect(sumMoney([10, 20, -5])).toBe(25);
    expect(sumMoney([])).toBe(0);
    expect(moneyErrorCode(() => sumMoney([Number.MAX_SAFE_INTEGER, 1]))).toBe('out_of_range');
  });
});
