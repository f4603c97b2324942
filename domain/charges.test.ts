import { describe, expect, it } from 'vitest';
import { financialPeriodOf, firstFinancialPeriod, firstTermChargeSpan, orderCharges, proratedFee, recurringCharges } from './charges';
import { firstExpirationDate } from './dates';

describe('recurring charges of a term (spec 02 §4.6)', () => {
  it('the worked example: ordered 10 Nov, financial day 1, 30.00 a month', () => {
    const exp = firstExpirationDate('2026-11-10', { duration: 3, unit: 'month' });
    expect(exp).toBe('2027-02-10');
    const span = firstTermChargeSpan('2026-11-10', exp);
    const charges = recurringCharges(span.from, span.to, 1, 3000);
    expect(charges.map((c) => [c.from, c.to, c.days, c.amount])).toEqual([
      ['2026-11-10', '2026-11-30', 21, 2100],
      ['2026-12-01', '2026-12-31', 31, 3000],
      ['2027-01-01', '2027-01-31', 31, 3000],
      // 9 × 30 / 28 = 9.642…
      ['2027-02-01', '2027-02-09', 9, 964],
    ]);
  });

  it('N + 1 charges for a term started between financial days, N when started on one', () => {
    for (const months of [1, 3, 12]) {
      const between = firstTermChargeSpan('2026-11-10', firstExpirationDate('2026-11-10', { duration: months, unit: 'month' }));
      expect(recurringCharges(between.from, between.to, 1, 3000), `${months} months from 10 Nov`).toHaveLength(months + 1);
      const onDay = firstTermChargeSpan('2026-11-01', firstExpirationDate('2026-11-01', { duration: months, unit: 'month' }));
      expect(recurringCharges(onDay.from, onDay.to, 1, 3000), `${months} months from 1 Nov`).toHaveLength(months);
    }
  });

  it('the charges of N months cost N monthly fees plus at most one fee of rounding, whatever the start', () => {
    for (let day = 1; day <= 28; day++) {
      const start = `2027-01-${String(day).padStart(2, '0')}`;
      const span = firstTermChargeSpan(start, firstExpirationDate(start, { duration: 12, unit: 'month' }));
      const total = recurringCharges(span.from, span.to, 5, 3000).reduce((sum, c) => sum + c.amount, 0);
      expect(Math.abs(total - 12 * 3000), start).toBeLessThanOrEqual(3000);
    }
  });

  it('financial periods run from the financial day to the day before the next one', () => {
    expect(financialPeriodOf('2027-02-10', 15)).toEqual({ from: '2027-01-15', to: '2027-02-14' });
    expect(financialPeriodOf('2027-02-15', 15)).toEqual({ from: '2027-02-15', to: '2027-03-14' });
    expect(financialPeriodOf('2027-12-31', 1)).toEqual({ from: '2027-12-01', to: '2027-12-31' });
    // A span from 14 Feb to 14 Mar with financial day 15: one day of the 15 Jan – 14 Feb period, then a full one.
    const renewed = recurringCharges('2027-02-14', '2027-03-14', 15, 3100);
    expect(renewed.map((c) => [c.days, c.periodDays, c.full, c.amount])).toEqual([
      [1, 31, false, 100],
      [28, 28, true, 3100],
    ]);
  });

  it('prorates half-up and refuses impossible inputs', () => {
    expect(proratedFee(3000, 21, 30)).toBe(2100);
    expect(proratedFee(1000, 1, 3)).toBe(333);
    expect(proratedFee(1000, 2, 3)).toBe(667);
    expect(() => proratedFee(1000, 4, 3)).toThrow(expect.objectContaining({ code: 'invalid_period' }));
    expect(() => proratedFee(-1, 1, 3)).toThrow(expect.objectContaining({ code: 'invalid_price' }));
    expect(() => recurringCharges('2027-02-10', '2027-02-09', 1, 1000)).toThrow(expect.objectContaining({ code: 'invalid_period' }));
  });
});

describe('charges of an order add up to its total (spec 02 §4.14)', () => {
  it('the rounding difference goes to the recurring charge with the longest period', () => {
    // One month bought on 23 Nov, financial day 1: 8 days of November and 22 of December for 10.00.
    const charges = orderCharges({ span: { from: '2026-11-23', to: '2026-12-22' }, financialDay: 1, monthlyFee: 1000, oneOff: { kind: 'setup', amount: 500 }, total: 1500 });
    expect(charges.map((c) => [c.kind, c.from, c.to, c.closeDate, c.amount])).toEqual([
      ['setup', '2026-11-23', '2026-12-22', '2026-11-23', 500],
      ['recurring', '2026-11-23', '2026-11-30', '2026-12-01', 267],
      // 22 × 1000 / 31 = 710, corrected by 1000 − 267 − 710 = 23.
      ['recurring', '2026-12-01', '2026-12-22', '2026-12-23', 733],
    ]);
    expect(charges.reduce((s, c) => s + c.amount, 0)).toBe(1500);
  });

  it('adds up for every start day and term, and carries a correction below zero to the next charge', () => {
    for (let day = 1; day <= 28; day++) {
      const start = `2027-03-${String(day).padStart(2, '0')}`;
      for (const months of [1, 3, 12]) {
        const span = firstTermChargeSpan(start, firstExpirationDate(start, { duration: months, unit: 'month' }));
        const charges = orderCharges({ span, financialDay: 10, monthlyFee: 999, total: 999 * months });
        expect(charges.reduce((s, c) => s + c.amount, 0), `${start} ${months}`).toBe(999 * months);
        expect(charges.every((c) => c.amount >= 0)).toBe(true);
      }
    }
    const carried = orderCharges({ span: { from: '2027-03-01', to: '2027-03-31' }, financialDay: 15, monthlyFee: 1000, total: 100 });
    // 14 days (500) and 17 days (548): the longer one goes to 0, the rest of the correction to the other.
    expect(carried.map((c) => c.amount)).toEqual([100, 0]);
  });
});

describe('the first financial period of per-period billing (seed 8.3.4.1.3, spec 02 §4.10)', () => {
  it('ordered 10 Nov with financial day 1 at 30.00 a month: 10-30 Nov, 21 of 30 days, 21.00', () => {
    expect(firstFinancialPeriod('2017-11-10', '2018-11-10', 1, 3000)).toMatchObject({ from: '2017-11-10', to: '2017-11-30', days: 21, periodDays: 30, amount: 2100 });
  });
  it('ordered on the financial day: the whole month; a term ending sooner stops it there', () => {
    expect(firstFinancialPeriod('2017-11-01', '2018-11-01', 1, 3000)).toMatchObject({ to: '2017-11-30', full: true, amount: 3000 });
    expect(firstFinancialPeriod('2017-11-10', '2017-11-20', 1, 3000)).toMatchObject({ to: '2017-11-19', days: 10, amount: 1000 });
  });
});
