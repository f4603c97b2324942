import { describe, expect, it } from 'vitest';
import { normaliseUsageRecord, usageDecimal, usageDelta, usagePeriodClosed, usagePeriodOf } from './usage';

describe('usage Δ (seed 8.3.4.7.4)', () => {
  it('the seed formula: monthly price × periodicity (days) × quantity / 30; 30.00 a month, 2 units a day = 2.00 a day', () => {
    expect(usageDelta({ monthlyPrice: 3000, periodDays: 1, quantity: 2 })).toBe(200);
    // Ten daily records, 21-30 Nov: the charge of the period is 20.00.
    expect(Array.from({ length: 10 }, () => usageDelta({ monthlyPrice: 3000, periodDays: 1, quantity: 2 })).reduce((a, b) => a + b)).toBe(2000);
    // A weekly record is seven days' worth.
    expect(usageDelta({ monthlyPrice: 3000, periodDays: 7, quantity: 2 })).toBe(1400);
  });

  it('external prices: the provider price × markup', () => {
    expect(usageDelta({ monthlyPrice: 3000, markup: 1.2, periodDays: 1, quantity: 1 })).toBeCloseTo(120, 10);
  });

  it('Δ keeps fractions of a minor unit (the charge rounds the sum, not each record)', () => {
    expect(usageDelta({ monthlyPrice: 1000, periodDays: 1, quantity: 1 })).toBeCloseTo(33.3333, 3);
  });
});

describe('usage periods', () => {
  it('a day belongs to the financial period around it; the period closes on the financial day after it', () => {
    expect(usagePeriodOf('2026-11-21', 1)).toEqual({ from: '2026-11-01', to: '2026-11-30', closeDate: '2026-12-01' });
    expect(usagePeriodOf('2026-11-10', 15)).toEqual({ from: '2026-10-15', to: '2026-11-14', closeDate: '2026-11-15' });
  });

  it('the last day’s record may still arrive on the financial day; after it the period is closed', () => {
    expect(usagePeriodClosed('2026-11-30', 1, '2026-12-01')).toBe(false);
    expect(usagePeriodClosed('2026-11-30', 1, '2026-12-02')).toBe(true);
  });
});

describe('a record checked on its own', () => {
  const at = { now: new Date('2026-11-25T12:00:00Z'), dayOf: (d: Date) => d.toISOString().slice(0, 10) };
  const good = { recordId: 'r-1', subscriptionId: 7, resource: 'cpu', quantity: 2, usedAt: '2026-11-24' };
  const code = (raw: unknown) => {
    const r = normaliseUsageRecord(raw, at);
    return 'code' in r ? r.code : 'ok';
  };

  it('takes numbers and decimal text exactly; refuses negative, non-numeric and over-precise quantities', () => {
    expect(usageDecimal(1.5)).toBe('1.5');
    expect(usageDecimal('0.000001')).toBe('0.000001');
    for (const q of [-1, '-1', 'many', '1e3', '1.0000001', Number.NaN, Infinity, null, '']) expect(code({ ...good, quantity: q }), String(q)).toBe('invalid_quantity');
    expect(normaliseUsageRecord(good, at)).toMatchObject({ quantity: '2', usedOn: '2026-11-24', periodDays: 1, unitPrice: null });
  });

  it('days and instants: after now (5 minutes of skew allowed) is future_timestamp; a day is counted in the platform time zone', () => {
    expect(code({ ...good, usedAt: '2026-11-26' })).toBe('future_timestamp');
    expect(code({ ...good, usedAt: '2026-11-25T12:04:00Z' })).toBe('ok');
    expect(code({ ...good, usedAt: '2026-11-25T12:06:00Z' })).toBe('future_timestamp');
    expect(code({ ...good, usedAt: '2026-02-30' })).toBe('validation_failed');
    expect(code({ ...good, usedAt: 'yesterday' })).toBe('validation_failed');
  });

  it('shape: ids, resource, period days and price', () => {
    expect(code({ ...good, recordId: '' })).toBe('validation_failed');
    expect(code({ ...good, subscriptionId: 0 })).toBe('validation_failed');
    expect(code({ ...good, resource: 'x'.repeat(101) })).toBe('validation_failed');
    expect(code({ ...good, periodDays: 32 })).toBe('validation_failed');
    expect(code({ ...good, unitPrice: 'free' })).toBe('validation_failed');
    expect(code([good])).toBe('validation_failed');
  });
});
