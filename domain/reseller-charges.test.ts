import { describe, expect, it } from 'vitest';
import { priceChain } from './plan-delegation';
import { applicableDiscount, chargeMilliMonths, formatMilliMonths, resellerChargeAmounts } from './reseller-charges';

const same = { rate: '1', nominal: 1 };

describe('reseller charge amounts (spec 05 §5.2, §5.3)', () => {
  it('§13.3: 55.00 × 2.0 × 0.032 = 3.52 and 45.00 × 3.0 × 0.032 = 4.32 (one day of a 31-day month)', () => {
    const m = chargeMilliMonths('recurring', '2020-07-02', '2020-07-02', 1);
    expect(formatMilliMonths(m)).toBe('0.032');
    expect(resellerChargeAmounts({ unitPrice: 5500, milliMonths: m, quantity: 2, discountBp: 0, exchange: same }).amount).toBe(352);
    expect(resellerChargeAmounts({ unitPrice: 4500, milliMonths: m, quantity: 3, discountBp: 0, exchange: same }).amount).toBe(432);
  });

  it('§13.2 by the rules of 9.3.2 (Q5): distributor 1 × 5 = 5, R1 × 10 = 50, R2 × 4 = 200; R1 gives R2 50 %', () => {
    const [, distributor, r1, r2] = priceChain(100, ['5', '10', '4']);
    expect([distributor, r1, r2]).toEqual([500, 5000, 20000]);
    // R2 owes R1: R1's sale price 50 less R1's 50 % discount = 25 (the manual's figure).
    expect(resellerChargeAmounts({ unitPrice: r1!, milliMonths: 1000, quantity: 1, discountBp: 5000, exchange: same })).toEqual({ gross: 5000, discountAmount: 2500, originalAmount: 2500, amount: 2500 });
    // R1 owes the distributor 5: R1's discount to R2 is ignored at this level.
    expect(resellerChargeAmounts({ unitPrice: distributor!, milliMonths: 1000, quantity: 1, discountBp: 0, exchange: same }).amount).toBe(500);
  });

  it('converts the discounted plan-currency amount at the level rate, half-up', () => {
    const a = resellerChargeAmounts({ unitPrice: 1000, milliMonths: 1000, quantity: 3, discountBp: 1000, exchange: { rate: '92.5', nominal: 1 } });
    expect(a).toEqual({ gross: 3000, discountAmount: 300, originalAmount: 2700, amount: 249750 });
  });

  it('one-off fees have period 1; a recurring charge over a whole financial period is 1.000', () => {
    expect(chargeMilliMonths('setup', '2026-09-15', '2026-09-15', 1)).toBe(1000);
    // A usage charge's days are inside its cost (05 §4.7): its factor is 1 however long its period.
    expect(chargeMilliMonths('usage', '2026-11-21', '2026-11-30', 1)).toBe(1000);
    expect(chargeMilliMonths('recurring', '2026-10-01', '2026-10-31', 1)).toBe(1000);
    expect(formatMilliMonths(chargeMilliMonths('recurring', '2026-09-16', '2026-09-30', 1))).toBe('0.500');
  });
});

describe('which reseller discount applies (spec 05 §4.5)', () => {
  const period = { from: '2026-09-16', to: '2026-09-30' };
  it('the largest whose validity covers the whole period', () => {
    const ds = [
      { id: 1, percentBp: 1000, validFrom: null, validTo: null },
      { id: 2, percentBp: 5000, validFrom: '2026-09-20', validTo: null },
      { id: 3, percentBp: 2000, validFrom: '2026-09-01', validTo: '2026-09-30' },
    ];
    expect(applicableDiscount(ds, period)?.id).toBe(3);
    expect(applicableDiscount([], period)).toBeNull();
  });
});
