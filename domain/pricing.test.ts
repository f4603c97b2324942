import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { periodUnits } from './dates';
import {
  describePeriod,
  extensionAmounts,
  proratedAmount,
  periodMonths,
  PricingError,
  purchaseOrderAmount,
  purchaseOrderLines,
  renewalOrderAmount,
  renewalOrderLines,
  type PlanPeriodPricing,
} from './pricing';

function period(overrides: Partial<PlanPeriodPricing>): PlanPeriodPricing {
  return { duration: 1, unit: 'month', trial: false, unlimited: false, setupFee: 0, recurringFee: 0, renewalFee: 0, ...overrides };
}

const sum = (lines: { amount: number }[]) => lines.reduce((total, line) => total + line.amount, 0);

describe('periodMonths (spec 01 §16.5: months with 3 decimals)', () => {
  it('month periods are their duration and year periods are duration × 12', () => {
    expect(periodMonths({ duration: 1, unit: 'month' })).toBe('1');
    expect(periodMonths({ duration: 3, unit: 'month' })).toBe('3');
    expect(periodMonths({ duration: 1, unit: 'year' })).toBe('12');
    expect(periodMonths({ duration: 2, unit: 'year' })).toBe('24');
  });

  it('day periods are days / 30 rounded half-up to 3 decimals (1 day = 0.033)', () => {
    expect(periodMonths({ duration: 1, unit: 'day' })).toBe('0.033');
    expect(periodMonths({ duration: 2, unit: 'day' })).toBe('0.067');
    expect(periodMonths({ duration: 10, unit: 'day' })).toBe('0.333');
    expect(periodMonths({ duration: 15, unit: 'day' })).toBe('0.500');
    expect(periodMonths({ duration: 20, unit: 'day' })).toBe('0.667');
    expect(periodMonths({ duration: 30, unit: 'day' })).toBe('1.000');
    expect(periodMonths({ duration: 45, unit: 'day' })).toBe('1.500');
    expect(periodMonths({ duration: 365, unit: 'day' })).toBe('12.167');
  });
});

describe('purchaseOrderAmount', () => {
  it('is setup fee + monthly recurring fee × months for month periods', () => {
    expect(purchaseOrderAmount(period({ duration: 1, setupFee: 500, recurringFee: 1000 }))).toBe(1500);
    expect(purchaseOrderAmount(period({ duration: 3, setupFee: 500, recurringFee: 1000 }))).toBe(3500);
  });

  it('counts a year as 12 months of the monthly recurring fee', () => {
    expect(purchaseOrderAmount(period({ duration: 1, unit: 'year', setupFee: 500, recurringFee: 1000 }))).toBe(12500);
    expect(purchaseOrderAmount(period({ duration: 2, unit: 'year', recurringFee: 1000 }))).toBe(24000);
  });

  it('takes the recurring fee of a day period as the price of the whole period', () => {
    expect(purchaseOrderAmount(period({ duration: 10, unit: 'day', setupFee: 500, recurringFee: 1000 }))).toBe(1500);
  });

  it('is 0 for a trial, whatever prices are stored', () => {
    expect(purchaseOrderAmount(period({ trial: true, setupFee: 500, recurringFee: 1000, renewalFee: 300 }))).toBe(0);
  });

  it('is the setup fee only for an unlimited period', () => {
    expect(purchaseOrderAmount(period({ unlimited: true, setupFee: 9900, recurringFee: 1000 }))).toBe(9900);
  });

  it('never includes the renewal fee', () => {
    expect(purchaseOrderAmount(period({ recurringFee: 1000, renewalFee: 300 }))).toBe(1000);
  });
});

describe('renewalOrderAmount', () => {
  it('is monthly recurring fee × months + renewal fee, without the setup fee', () => {
    expect(renewalOrderAmount(period({ duration: 3, setupFee: 500, recurringFee: 1000, renewalFee: 300 }))).toBe(3300);
    expect(renewalOrderAmount(period({ duration: 1, unit: 'year', recurringFee: 1000, renewalFee: 300 }))).toBe(12300);
  });

  it('is recurring fee + renewal fee for a day period', () => {
    expect(renewalOrderAmount(period({ duration: 10, unit: 'day', setupFee: 500, recurringFee: 1000, renewalFee: 300 }))).toBe(1300);
  });

  it('is 0 for a trial period', () => {
    expect(renewalOrderAmount(period({ trial: true, recurringFee: 1000, renewalFee: 300 }))).toBe(0);
  });

  it('refuses to renew an unlimited period', () => {
    expect(() => renewalOrderAmount(period({ unlimited: true, setupFee: 100 }))).toThrow(PricingError);
    expect(() => renewalOrderLines(period({ unlimited: true }), 'Plan')).toThrow(/never renewed/);
  });
});

describe('period validation', () => {
  it('rejects a period that is both trial and unlimited (spec 02 §8.2)', () => {
    expect(() => purchaseOrderAmount(period({ trial: true, unlimited: true }))).toThrow(PricingError);
  });

  it('rejects negative or fractional fees', () => {
    expect(() => purchaseOrderAmount(period({ setupFee: -1 }))).toThrow(PricingError);
    expect(() => purchaseOrderAmount(period({ recurringFee: 10.5 }))).toThrow(PricingError);
    expect(() => renewalOrderAmount(period({ renewalFee: Number.NaN }))).toThrow(PricingError);
  });

  it('rejects an invalid duration for limited periods with a domain validation error', () => {
    expect(() => purchaseOrderAmount(period({ duration: 0 }))).toThrow(AppError);
    expect(() => purchaseOrderAmount(period({ duration: 1.5, unit: 'day' }))).toThrow(AppError);
  });
});

describe('order lines', () => {
  it('a purchase lists the setup fee and the recurring fee with its period in months', () => {
    const lines = purchaseOrderLines(period({ duration: 1, unit: 'year', setupFee: 500, recurringFee: 1000 }), 'Hosting S');
    expect(lines).toEqual([
      { kind: 'setup_fee', description: 'Hosting S: setup fee', quantity: 1, periodMonths: null, unitPrice: 500, amount: 500 },
      { kind: 'recurring_fee', description: 'Hosting S, 1 year (recurring fee)', quantity: 1, periodMonths: '12', unitPrice: 1000, amount: 12000 },
    ]);
  });

  it('a day period shows months to 3 decimals and the whole-period price as unit price', () => {
    const [line] = purchaseOrderLines(period({ duration: 1, unit: 'day', recurringFee: 250 }), 'VPN');
    expect(line).toMatchObject({ description: 'VPN, 1 day (recurring fee)', periodMonths: '0.033', unitPrice: 250, amount: 250 });
  });

  it('a trial purchase has one zero-amount line and no setup fee', () => {
    expect(purchaseOrderLines(period({ duration: 14, unit: 'day', trial: true, setupFee: 500, recurringFee: 900 }), 'CRM')).toEqual([
      { kind: 'recurring_fee', description: 'CRM, 14 days (trial)', quantity: 1, periodMonths: '0.467', unitPrice: 0, amount: 0 },
    ]);
  });

  it('an unlimited purchase has the setup-fee line only, even when it is 0', () => {
    expect(purchaseOrderLines(period({ unlimited: true, setupFee: 0 }), 'License')).toEqual([
      { kind: 'setup_fee', description: 'License: setup fee', quantity: 1, periodMonths: null, unitPrice: 0, amount: 0 },
    ]);
  });

  it('a renewal lists the recurring fee and, when due, the renewal fee', () => {
    const lines = renewalOrderLines(period({ duration: 6, setupFee: 500, recurringFee: 1000, renewalFee: 300 }), 'Hosting S');
    expect(lines.map((l) => [l.kind, l.periodMonths, l.amount])).toEqual([
      ['recurring_fee', '6', 6000],
      ['renewal_fee', null, 300],
    ]);
    expect(renewalOrderLines(period({ recurringFee: 1000 }), 'Hosting S')).toHaveLength(1);
  });

  it('describePeriod names the period in the singular or plural', () => {
    expect(describePeriod({ duration: 1, unit: 'month' })).toBe('1 month');
    expect(describePeriod({ duration: 2, unit: 'year' })).toBe('2 years');
    expect(describePeriod({ duration: 1, unit: 'day', unlimited: true })).toBe('unlimited');
  });
});

describe('property: line amounts always sum to the order total', () => {
  // Deterministic pseudo-random generator (MINSTD, products stay below 2^53) so a failure is reproducible.
  let seed = 20240229;
  const next = (max: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % max;
  };

  it('holds for purchase and renewal orders over 5000 generated periods', () => {
    for (let i = 0; i < 5000; i++) {
      const kind = next(10);
      const p = period({
        unit: periodUnits[next(periodUnits.length)],
        duration: 1 + next(400),
        trial: kind === 0,
        unlimited: kind === 1,
        setupFee: next(3) === 0 ? 0 : next(10_000_000),
        recurringFee: next(10_000_000),
        renewalFee: next(3) === 0 ? 0 : next(1_000_000),
      });
      const context = JSON.stringify(p);
      const purchase = purchaseOrderLines(p, 'Plan');
      expect(sum(purchase), context).toBe(purchaseOrderAmount(p));
      expect(purchase.length, context).toBeGreaterThan(0);
      for (const line of purchase) {
        expect(Number.isSafeInteger(line.amount) && line.amount >= 0, context).toBe(true);
      }
      if (!p.unlimited) {
        expect(sum(renewalOrderLines(p, 'Plan')), context).toBe(renewalOrderAmount(p));
      }
    }
  });
});

describe('extension amounts and proration', () => {
  const monthly: PlanPeriodPricing = { duration: 1, unit: 'month', trial: false, unlimited: false, setupFee: 500, recurringFee: 1000, renewalFee: 50 };
  const yearly: PlanPeriodPricing = { ...monthly, duration: 1, unit: 'year', recurringFee: 900, renewalFee: 0 };

  it('a term renewal pays the period with its additional resources; per-period billing pays one month', () => {
    expect(extensionAmounts('prepaid_term', yearly, 100)).toEqual({ renewal: 900 * 12 + 100 * 12, prolongation: 1000 });
    expect(extensionAmounts('prepaid_term', monthly, 0)).toEqual({ renewal: 1050, prolongation: 1000 });
    expect(extensionAmounts('monthly_flexible', yearly, 100)).toEqual({ renewal: 1000, prolongation: 1000 });
    expect(extensionAmounts('monthly_flexible', monthly, 0)).toEqual({ renewal: 1050, prolongation: 1000 });
    // Every per-period type renews one month, not the year its plan's period names (CSP monthly, ESET, no refund).
    for (const type of ['csp_monthly', 'eset_monthly', 'no_refund'] as const) expect(extensionAmounts(type, yearly, 100), type).toEqual({ renewal: 1000, prolongation: 1000 });
    expect(extensionAmounts('prepaid_term', { ...monthly, trial: true }, 100)).toEqual({ renewal: 0, prolongation: 0 });
  });

  it('prorates half-up to a minor unit and never beyond the whole term', () => {
    expect(proratedAmount(1000, 15, 30)).toBe(500);
    expect(proratedAmount(1000, 1, 3)).toBe(333);
    expect(proratedAmount(1000, 2, 3)).toBe(667);
    expect(proratedAmount(1000, 40, 30)).toBe(1000);
    expect(proratedAmount(1000, 0, 30)).toBe(0);
    expect(() => proratedAmount(1000, 1, 0)).toThrow(PricingError);
    expect(() => proratedAmount(-1, 1, 3)).toThrow(PricingError);
  });
});
