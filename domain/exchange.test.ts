import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { checkExchangeRate, convertAmount, convertCharges, convertLines, identityExchange, normalizeRate, parseRate, rateInForce, type Exchange } from './exchange';

const usdToRub: Exchange = { planCurrency: 'USD', clientCurrency: 'RUB', rate: '92.5', nominal: 1 };
const jpyToRub: Exchange = { planCurrency: 'JPY', clientCurrency: 'RUB', rate: '61.2', nominal: 100 };

const codeOf = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
};

describe('convertAmount (spec 02 §4.13: amount × rate / nominal)', () => {
  it('a plan at 30.00 USD, 92.5 RUB per 1 USD: 2775.00 RUB', () => {
    expect(convertAmount(3000, usdToRub)).toBe(277500);
  });

  it('a plan at 1500.00 JPY, 61.2 RUB per 100 JPY: 918.00 RUB', () => {
    expect(convertAmount(150000, jpyToRub)).toBe(91800);
  });

  it('rounds half-up to a minor unit, exactly (no float: 0.1 + 0.2 never happens)', () => {
    // 0.01 USD × 92.5 = 0.925 RUB → 0.93; 0.03 JPY × 61.2 / 100 = 0.01836 RUB → 0.02.
    expect(convertAmount(1, usdToRub)).toBe(93);
    expect(convertAmount(3, jpyToRub)).toBe(2);
    // Exactly half a minor unit rounds up: 1 × 0.5 = 0.5 minor unit → 1.
    expect(convertAmount(1, { rate: '0.5', nominal: 1 })).toBe(1);
    expect(convertAmount(1, { rate: '0.4999', nominal: 1 })).toBe(0);
    // A rate with 4 decimals, on a large amount: 12 345 678.91 × 1.0001 = 12 346 913.4778... → 12 346 913.48.
    expect(convertAmount(1234567891, { rate: '1.0001', nominal: 1 })).toBe(1234691348);
  });

  it('converts a negative amount (a credit line) symmetrically', () => {
    expect(convertAmount(-1, usdToRub)).toBe(-93);
    expect(convertAmount(0, usdToRub)).toBe(0);
  });

  it('refuses an amount whose conversion is not a safe integer', () => {
    expect(codeOf(() => convertAmount(Number.MAX_SAFE_INTEGER, { rate: '100', nominal: 1 }))).toBe('out_of_range');
  });

  it('is exact for rate 1 nominal 1, and monotonic in the amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (amount) => {
        expect(convertAmount(amount, identityExchange('EUR'))).toBe(amount);
      }),
      { numRuns: 2000 },
    );
    const rate = fc
      .tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 9999 }))
      .filter(([w, f]) => w + f > 0)
      .map(([w, f]) => `${w}.${String(f).padStart(4, '0')}`);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), rate, fc.integer({ min: 1, max: 10000 }), (a, b, r, nominal) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(convertAmount(lo, { rate: r, nominal })).toBeLessThanOrEqual(convertAmount(hi, { rate: r, nominal }));
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotonic in the rate, and rate N with nominal N is the identity (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e8 }), fc.integer({ min: 1, max: 1e8 }), fc.integer({ min: 1, max: 1000 }), (amount, r1, r2, nominal) => {
        const text = (units: number) => `${Math.floor(units / 10000)}.${String(units % 10000).padStart(4, '0')}`;
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(convertAmount(amount, { rate: text(lo), nominal })).toBeLessThanOrEqual(convertAmount(amount, { rate: text(hi), nominal }));
        expect(convertAmount(amount, { rate: String(nominal), nominal })).toBe(amount);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseRate, checkExchangeRate (the operator\'s input)', () => {
  it('takes plain decimals with at most 4 decimals and normalizes them to 4', () => {
    expect(parseRate('92.5')).toBe(925000n);
    expect(normalizeRate('92.5')).toBe('92.5000');
    expect(normalizeRate('0.0001')).toBe('0.0001');
    expect(normalizeRate('000061.2')).toBe('61.2000');
  });

  it('refuses 0, negatives, non-numbers, exponents, commas, too many digits with invalid_exchange_rate', () => {
    for (const bad of ['0', '0.0000', '-1', '+1', 'abc', '1e3', '1,5', '.5', '5.', '1.23456', '1234567890123', '', ' 1', 'NaN', 'Infinity']) {
      expect(codeOf(() => parseRate(bad)), bad).toBe('invalid_exchange_rate');
    }
  });

  it('refuses unknown or equal currencies and a nominal out of 1..1 000 000', () => {
    expect(codeOf(() => checkExchangeRate({ ...usdToRub, planCurrency: 'XYZ' }))).toBe('invalid_currency');
    expect(codeOf(() => checkExchangeRate({ ...usdToRub, clientCurrency: 'rub' }))).toBe('invalid_currency');
    expect(codeOf(() => checkExchangeRate({ ...usdToRub, planCurrency: 'RUB' }))).toBe('invalid_exchange_rate');
    for (const nominal of [0, -1, 1.5, 1_000_001, Number.NaN]) expect(codeOf(() => checkExchangeRate({ ...usdToRub, nominal })), String(nominal)).toBe('invalid_exchange_rate');
    expect(checkExchangeRate(jpyToRub)).toEqual({ ...jpyToRub, rate: '61.2000' });
  });
});

describe('rateInForce (a rate history)', () => {
  const history = [
    { id: 1, validFrom: '2027-01-01', rate: '90' },
    { id: 2, validFrom: '2027-03-01', rate: '95' },
    { id: 3, validFrom: '2027-02-01', rate: '92' },
    { id: 4, validFrom: '2027-03-01', rate: '96' },
  ];

  it('is the latest rate started on or before the date; a later entry of the same day supersedes', () => {
    expect(rateInForce(history, '2026-12-31')).toBeNull();
    expect(rateInForce(history, '2027-01-01')?.rate).toBe('90');
    expect(rateInForce(history, '2027-02-28')?.rate).toBe('92');
    expect(rateInForce(history, '2027-03-01')?.rate).toBe('96');
  });
});

describe('convertCharges (Σ charges = order amount in the client currency)', () => {
  it('a 3-month order of 30.00 USD a month bought on 10 Nov: N + 1 charges, each with its original amount', () => {
    const planned = [
      { kind: 'recurring' as const, from: '2027-11-10', to: '2027-11-30', amount: 2100 },
      { kind: 'recurring' as const, from: '2027-12-01', to: '2027-12-31', amount: 3000 },
      { kind: 'recurring' as const, from: '2028-01-01', to: '2028-01-31', amount: 3000 },
      { kind: 'recurring' as const, from: '2028-02-01', to: '2028-02-09', amount: 900 },
    ];
    const converted = convertCharges(planned, 9000, usdToRub);
    expect(converted.map((c) => c.amount)).toEqual([194250, 277500, 277500, 83250]);
    expect(converted.map((c) => c.originalAmount)).toEqual([2100, 3000, 3000, 900]);
    expect(converted.reduce((s, c) => s + c.amount, 0)).toBe(convertAmount(9000, usdToRub));
  });

  it('puts the rounding difference on the longest recurring charge (the later of equals)', () => {
    // 0.01 + 0.01 + 0.01 USD at 0.5: each 0.005 → 0.01, total 0.03 × 0.5 = 0.015 → 0.02: one cent too many.
    const planned = [
      { kind: 'setup' as const, from: '2027-01-01', to: '2027-01-31', amount: 1 },
      { kind: 'recurring' as const, from: '2027-01-01', to: '2027-01-31', amount: 1 },
      { kind: 'recurring' as const, from: '2027-02-01', to: '2027-02-10', amount: 1 },
    ];
    const converted = convertCharges(planned, 3, { ...usdToRub, rate: '0.5' });
    expect(converted.map((c) => c.amount)).toEqual([1, 0, 1]);
  });

  it('keeps Σ = the converted total for any charges and rate (property)', () => {
    const charge = fc.record({
      kind: fc.constantFrom('setup' as const, 'renewal' as const, 'recurring' as const),
      from: fc.constant('2027-01-01'),
      to: fc.constantFrom('2027-01-05', '2027-01-31', '2027-01-20'),
      amount: fc.integer({ min: 0, max: 1e7 }),
    });
    fc.assert(
      fc.property(fc.array(charge, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 5e6 }), fc.integer({ min: 1, max: 100 }), (charges, units, nominal) => {
        const e: Exchange = { planCurrency: 'USD', clientCurrency: 'RUB', rate: `${Math.floor(units / 10000)}.${String(units % 10000).padStart(4, '0')}`, nominal };
        const total = charges.reduce((s, c) => s + c.amount, 0);
        const converted = convertCharges(charges, total, e);
        expect(converted.reduce((s, c) => s + c.amount, 0)).toBe(convertAmount(total, e));
        for (const c of converted) expect(c.amount).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('convertLines', () => {
  it('converts unit prices and amounts and keeps Σ lines = the converted total', () => {
    const lines = [
      { unitPrice: 1, amount: 1 },
      { unitPrice: 1, amount: 1 },
      { unitPrice: 1, amount: 1 },
    ];
    const converted = convertLines(lines, 3, { ...usdToRub, rate: '0.5' });
    expect(converted.reduce((s, l) => s + l.amount, 0)).toBe(2);
    expect(convertLines([{ unitPrice: 3000, amount: 3000 }], 3000, usdToRub)).toEqual([{ unitPrice: 277500, amount: 277500 }]);
  });
});
