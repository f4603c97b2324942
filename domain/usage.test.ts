import { describe, expect, it } from 'vitest';
import { usageDelta, usagePeriodClosed, usagePeriodOf } from './usage';

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
