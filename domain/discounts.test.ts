import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currentPeriodIndex, discountedOrderCharges, firstTermChargeSpan, orderCharges } from './charges';
import { extensionCharges } from './billing-types/extension-charges';
import { firstExpirationDate } from './dates';
import {
  applyCorrection,
  chargeBase,
  checkPromoCodeUse,
  type PromoCodeUse,
  chargeKinds,
  discountCharges,
  formatPercent,
  parsePercent,
  periodMilliMonths,
  referenceCharge,
  referenceOrder,
  spreadDiscount,
  type ChargeKind,
  type DiscountTerms,
} from './discounts';

const pct = (text: string): DiscountTerms => ({ kind: 'percent', basisPoints: parsePercent(text) });
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

// The seed manual's 8.3.5 example: a 3-month purchase ordered 17.06.2018 (financial day 1) of 7 units of a resource
// at $8.00 a month, with a 34.3 % discount.
const seedCharges = [
  { kind: 'recurring' as const, milliMonths: 467, base: chargeBase(467, 7, 800) },
  { kind: 'recurring' as const, milliMonths: 1000, base: chargeBase(1000, 7, 800) },
  { kind: 'recurring' as const, milliMonths: 1000, base: chargeBase(1000, 7, 800) },
  { kind: 'recurring' as const, milliMonths: 533, base: chargeBase(533, 7, 800) },
];

describe('the seed manual 8.3.5: rounding of discounted order and charge amounts', () => {
  it('8.3.5.2 example: 3 months × 7 × $8.00 at 34.3 % gives the reference order amount $110.38 and discount $57.62', () => {
    // 168.00 × 0.343 = 57.624; 168.00 − 57.624 = 110.376 → 110.38; 168.00 − 110.38 = 57.62.
    expect(referenceOrder(16800, pct('34.3'))).toEqual({ amount: 11038, discount: 5762 });
  });

  it('8.3.5.3 example: the four charges 0.467 / 1 / 1 / 0.533 months: bases $26.15, $56.00, $56.00, $29.85', () => {
    // 0.467 × 7 × 8 = 26.152; 0.533 × 7 × 8 = 29.848.
    expect(seedCharges.map((c) => c.base)).toEqual([2615, 5600, 5600, 2985]);
    // 14 of 30 days (17-30 June) and 16 of 30 days (1-16 September), to 0.001 month.
    expect([periodMilliMonths(14, 30), periodMilliMonths(16, 30)]).toEqual([467, 533]);
  });

  it('8.3.5.3 example: reference charge amounts $17.18, $36.79, $36.79, $19.61 and discounts $8.97, $19.21, $19.21, $10.24', () => {
    const refs = seedCharges.map((c) => referenceOrder(c.base, pct('34.3')));
    expect(refs.map((r) => r.amount)).toEqual([1718, 3679, 3679, 1961]);
    expect(refs.map((r) => r.discount)).toEqual([897, 1921, 1921, 1024]);
  });

  it('8.3.5.4 example: the amount correction is +$0.01 ($110.38 − $110.37), the discount correction −$0.01 ($57.62 − $57.63)', () => {
    expect(11038 - (1718 + 3679 + 3679 + 1961)).toBe(1);
    expect(5762 - (897 + 1921 + 1921 + 1024)).toBe(-1);
  });

  it('8.3.5 end to end: the corrections go to charge 4 (0.533 > 0.467): $19.62 with a $10.23 discount; the sums are the order', () => {
    const { order, charges } = discountCharges({ orderAmount: 16800, charges: seedCharges, terms: pct('34.3') });
    expect(order).toEqual({ amount: 11038, discount: 5762 });
    expect(charges).toEqual([
      { amount: 1718, discount: 897 },
      { amount: 3679, discount: 1921 },
      { amount: 3679, discount: 1921 },
      { amount: 1962, discount: 1023 },
    ]);
  });

  it('8.3.5 end to end from the order: ordered 17.06.2018, financial day 1, 3 months of 7 × $8.00 at 34.3 %', () => {
    const span = firstTermChargeSpan('2018-06-17', firstExpirationDate('2018-06-17', { duration: 3, unit: 'month' }));
    const placed = discountedOrderCharges({ span, financialDay: 1, monthlyFee: 7 * 800, total: 16800, discount: pct('34.3') });
    expect(placed.amount).toBe(11038);
    expect(placed.discount).toBe(5762);
    expect(placed.charges.map((c) => [c.from, c.to, c.amount, c.discount])).toEqual([
      ['2018-06-17', '2018-06-30', 1718, 897],
      ['2018-07-01', '2018-07-31', 3679, 1921],
      ['2018-08-01', '2018-08-31', 3679, 1921],
      ['2018-09-01', '2018-09-16', 1962, 1023],
    ]);
  });

  it('8.3.5.3 rounds to zero: a $0.01 charge at 70 % ($0.003) is $0.01, not $0.00', () => {
    expect(referenceCharge(1, pct('70'))).toEqual({ amount: 1, discount: 0 });
    expect(referenceCharge(2, pct('70'))).toEqual({ amount: 1, discount: 1 });
    // The order itself rounds to 0.00 (0.003): the charge's 0.01 is then corrected back to it.
    const many = discountCharges({ orderAmount: 2, charges: [{ kind: 'recurring', milliMonths: 500, base: 1 }, { kind: 'recurring', milliMonths: 500, base: 1 }], terms: pct('70') });
    expect(many.order).toEqual({ amount: 1, discount: 1 });
    expect(sum(many.charges.map((c) => c.amount))).toBe(1);
  });

  it('8.3.5.3 the exception: a 100 % discount gives a $0.01 charge amount $0.00 and discount $0.01', () => {
    const { order, charges } = discountCharges({ orderAmount: 1, charges: [{ kind: 'recurring', milliMonths: 1000, base: 1 }], terms: pct('100') });
    expect(order).toEqual({ amount: 0, discount: 1 });
    expect(charges).toEqual([{ amount: 0, discount: 1 }]);
    // Our reading of spec 02 §17 Q13: a larger charge is discounted whole.
    expect(discountCharges({ orderAmount: 5600, charges: [{ kind: 'recurring', milliMonths: 1000, base: 5600 }], terms: pct('100') }).charges).toEqual([{ amount: 0, discount: 5600 }]);
  });

  it('8.3.5.5.1 example: a −$0.06 correction on six charges takes charge 6 (0.6 > 0.4) to $0.00 and charge 5 to $0.02', () => {
    const amounts = [2, 5, 5, 5, 5, 3];
    const months = [400, 1000, 1000, 1000, 1000, 600];
    expect(19 - sum(amounts)).toBe(-6);
    expect(applyCorrection(amounts, months, [0, 1, 2, 3, 4, 5], -6)).toBe(0);
    expect(amounts).toEqual([2, 5, 5, 5, 2, 0]);
    expect(sum(amounts)).toBe(19);
  });

  it('8.3.5.5.2 example: a +$0.06 discount correction goes to charge 1 (0.667 > 0.333): $0.16', () => {
    const discounts = [10, 15, 15, 15, 15, 5];
    const months = [667, 1000, 1000, 1000, 1000, 333];
    expect(81 - sum(discounts)).toBe(6);
    applyCorrection(discounts, months, [0, 1, 2, 3, 4, 5], 6);
    expect(discounts).toEqual([16, 15, 15, 15, 15, 5]);
  });

  it('the target rule: equal periods take the last; a change order takes the current-period charge instead of the first', () => {
    const values = [5, 5, 5];
    applyCorrection(values, [1000, 1000, 1000], [0, 1, 2], 1);
    expect(values).toEqual([5, 5, 6]);
    const changed = discountCharges({
      orderAmount: 1000,
      charges: [{ kind: 'recurring', milliMonths: 900, base: 400 }, { kind: 'recurring', milliMonths: 800, base: 300 }, { kind: 'recurring', milliMonths: 500, base: 300 }],
      terms: null,
      head: 1,
    });
    // Nothing to correct without a discount when the bases add up; a correction goes to 0.8 (head) over 0.5.
    expect(changed.charges.map((c) => c.amount)).toEqual([400, 300, 300]);
    const corrected = discountCharges({
      orderAmount: 1001,
      charges: [{ kind: 'recurring', milliMonths: 900, base: 400 }, { kind: 'recurring', milliMonths: 800, base: 300 }, { kind: 'recurring', milliMonths: 500, base: 300 }],
      terms: null,
      head: 1,
    });
    expect(corrected.charges.map((c) => c.amount)).toEqual([400, 301, 300]);
  });

  it('spec 02 §4.6 example under a discount: ordered 10 Nov, financial day 1, 30.00 a month, 10 %: the charges add up to 81.00', () => {
    const span = firstTermChargeSpan('2026-11-10', firstExpirationDate('2026-11-10', { duration: 3, unit: 'month' }));
    const placed = discountedOrderCharges({ span, financialDay: 1, monthlyFee: 3000, total: 9000, discount: pct('10') });
    expect([placed.amount, placed.discount]).toEqual([8100, 900]);
    // 0.7 (21/30), 1, 1, 0.321 (9/28): bases 21.00, 30.00, 30.00, 9.63 (90.63 for 90.00 of three months);
    // references 18.90 + 27.00 + 27.00 + 8.67 = 81.57 and 2.10 + 3.00 + 3.00 + 0.96 = 9.06: the corrections −0.57
    // and −0.06 go to the first charge (0.7 > 0.321).
    expect(placed.charges.map((c) => [c.amount, c.discount])).toEqual([[1833, 204], [2700, 300], [2700, 300], [867, 96]]);
  });
});

describe('the target rule of resource-change and switch orders: the current-period charge, not the first (spec 02 §4.14, 8.3.5.5.1)', () => {
  // 10 % on 17 Mar – 16 Jun 2027 at 10.00 a month (financial day 1): bases 4.84 (15/31 = 0.484), 10.00, 10.00, 5.33
  // (16/30 = 0.533); references 4.36, 9.00, 9.00, 4.80 (27.16) and 0.48, 1.00, 1.00, 0.53 (3.01) for an order of
  // 27.00 and 3.00: corrections −0.16 and −0.01.
  const span = { from: '2027-03-17', to: '2027-06-16' };
  const priced = (currentPeriod?: string) =>
    discountedOrderCharges({ span, financialDay: 1, monthlyFee: 1000, total: 3000, discount: pct('10'), ...(currentPeriod ? { currentPeriod } : {}) });

  it('the charge whose period holds the day is the current one; before every period the first, after every period the last', () => {
    const periods = priced().charges;
    expect(['2027-03-17', '2027-03-31', '2027-04-01', '2027-05-20', '2027-06-16'].map((d) => currentPeriodIndex(periods, d))).toEqual([0, 0, 1, 2, 3]);
    expect([currentPeriodIndex(periods, '2027-01-01'), currentPeriodIndex(periods, '2027-12-01'), currentPeriodIndex([], '2027-01-01')]).toEqual([0, 3, 0]);
  });

  it('a purchase (or renewal) compares the first charge (0.484) with the last (0.533): the corrections go to the last', () => {
    expect(priced().charges.map((c) => [c.amount, c.discount])).toEqual([[436, 48], [900, 100], [900, 100], [464, 52]]);
  });

  it('current period April: April (1 month) is compared with the last (0.533) and takes the corrections; March is not a candidate', () => {
    const placed = priced('2027-04-10');
    expect([placed.amount, placed.discount]).toEqual([2700, 300]);
    expect(placed.charges.map((c) => [c.amount, c.discount])).toEqual([[436, 48], [884, 99], [900, 100], [480, 53]]);
    expect([sum(placed.charges.map((c) => c.amount)), sum(placed.charges.map((c) => c.discount ?? 0))]).toEqual([2700, 300]);
  });

  it('a change ordered on its first day: the current-period charge is the order\'s first, compared with the last as for a purchase', () => {
    // A 20.00 a month increase from 17 Mar to 16 May at 10 %: 17-31 Mar (0.484), April, 1-16 May (0.516); today is in March.
    const change = discountedOrderCharges({ span: { from: '2027-03-17', to: '2027-05-16' }, financialDay: 1, monthlyFee: 2000, total: 4000, discount: pct('10'), currentPeriod: '2027-03-17' });
    const plain = discountedOrderCharges({ span: { from: '2027-03-17', to: '2027-05-16' }, financialDay: 1, monthlyFee: 2000, total: 4000, discount: pct('10') });
    expect(change).toEqual(plain);
    expect([change.amount, change.discount, sum(change.charges.map((c) => c.amount)), sum(change.charges.map((c) => c.discount ?? 0))]).toEqual([3600, 400, 3600, 400]);
  });

  it('a negative correction that takes the current-period charge below 0 carries to the next extreme pair, never to an earlier charge', () => {
    // Current period = charge 1 (0.9); candidates 1..3: 1 (0.9) vs 3 (0.5) → 1 to 0, the rest −1 → 2 (0.8) vs 3 → 2.
    const corrected = discountCharges({
      orderAmount: 400 + 0 + 299 + 300,
      charges: [{ kind: 'recurring', milliMonths: 1000, base: 400 }, { kind: 'recurring', milliMonths: 900, base: 1 }, { kind: 'recurring', milliMonths: 800, base: 300 }, { kind: 'recurring', milliMonths: 500, base: 300 }],
      terms: null,
      head: 1,
    });
    expect(corrected.charges.map((c) => c.amount)).toEqual([400, 0, 299, 300]);
  });
});

describe('renewal charges under a discount (the seed manual 13.1.1 "apply to")', () => {
  const renewal = (discount: DiscountTerms | null) =>
    extensionCharges({ type: 'renewal', billingType: 'prepaid_term', expirationDate: '2027-06-17', period: { duration: 3, unit: 'month' }, financialDay: 1, renewalFee: 500, amount: 3500, discount });

  it('10 % on the renewal fee only: 5.00 costs 4.50, the term\'s recurring charges are not discounted', () => {
    expect(renewal({ ...pct('10'), appliesTo: ['renewal'] }).map((c) => [c.kind, c.amount, c.discount])).toEqual([
      ['renewal', 450, 50], ['recurring', 467, 0], ['recurring', 1000, 0], ['recurring', 1000, 0], ['recurring', 533, 0],
    ]);
  });

  it('10 % on every fee: 35.00 costs 31.50; without a discount the charges are what they were', () => {
    const all = renewal(pct('10'));
    expect([sum(all.map((c) => c.amount)), sum(all.map((c) => c.discount ?? 0))]).toEqual([3150, 350]);
    expect(renewal(null).map((c) => c.amount)).toEqual([500, 467, 1000, 1000, 533]);
    expect(renewal(null).every((c) => c.discount === undefined)).toBe(true);
  });
});

describe('an order\'s discount shared among its lines', () => {
  it('in proportion, exactly, largest remainders first', () => {
    expect(spreadDiscount([600, 300], 90)).toEqual([60, 30]);
    expect(spreadDiscount([100, 100, 100], 100)).toEqual([34, 33, 33]);
    expect(spreadDiscount([0, 500, 0], 7)).toEqual([0, 7, 0]);
    expect(spreadDiscount([250, 750], 1000)).toEqual([250, 750]);
    expect(spreadDiscount([], 0)).toEqual([]);
    expect(() => spreadDiscount([100], 101)).toThrow(expect.objectContaining({ code: 'invalid_price' }));
  });

  it('property: Σ = the discount, each share between 0 and its line', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (amounts, f) => {
        const discount = Math.floor(sum(amounts) * f);
        const shares = spreadDiscount(amounts, discount);
        expect(sum(shares)).toBe(discount);
        shares.forEach((s, i) => expect(s >= 0 && s <= amounts[i]!).toBe(true));
      }),
      { numRuns: 500 },
    );
  });
});

describe('other worked figures of the seed manual', () => {
  it('6.1.1 order page: $325.00 at 3 % is $315.25 to pay with a $9.75 discount', () => {
    expect(referenceOrder(32500, pct('3'))).toEqual({ amount: 31525, discount: 975 });
  });

  it('8.3 charge attributes: a period of 1 day is 0.033 month, a full period 1 month', () => {
    expect(periodMilliMonths(1, 30)).toBe(33);
    expect(periodMilliMonths(30, 30)).toBe(1000);
  });

  it('spec 02 §4.6 vs 8.3.5: 9 days of a 28-day month at 30.00 is 9.64 by days but 0.321 month × 30.00 = 9.63 under a discount', () => {
    expect(periodMilliMonths(9, 28)).toBe(321);
    expect(chargeBase(321, 1, 3000)).toBe(963);
  });
});

describe('discount terms', () => {
  it('percentages are exact basis points with at most 2 decimals, more than 0 and at most 100', () => {
    expect(parsePercent('34.3')).toBe(3430);
    expect(parsePercent('12.25')).toBe(1225);
    expect(parsePercent('100')).toBe(10_000);
    expect(formatPercent(3430)).toBe('34.30');
    for (const bad of ['0', '100.01', '1.234', '-5', 'ten', '']) expect(() => parsePercent(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_value' }));
  });

  it('a fixed amount is spread proportionally and never discounts more than the order', () => {
    const { order, charges } = discountCharges({
      orderAmount: 10000,
      charges: [{ kind: 'setup', milliMonths: 0, base: 1000 }, { kind: 'recurring', milliMonths: 1000, base: 6000 }, { kind: 'recurring', milliMonths: 500, base: 3000 }],
      terms: { kind: 'amount', amount: 1000 },
    });
    expect(order).toEqual({ amount: 9000, discount: 1000 });
    expect(charges).toEqual([{ amount: 900, discount: 100 }, { amount: 5400, discount: 600 }, { amount: 2700, discount: 300 }]);
    expect(referenceOrder(500, { kind: 'amount', amount: 900 })).toEqual({ amount: 0, discount: 500 });
  });

  it('a discount on recurring fees only leaves the setup fee whole', () => {
    const { order, charges } = discountCharges({
      orderAmount: 4000,
      charges: [{ kind: 'setup', milliMonths: 0, base: 1000 }, { kind: 'recurring', milliMonths: 1000, base: 3000 }],
      terms: { ...pct('50'), appliesTo: ['recurring'] },
    });
    expect(order).toEqual({ amount: 2500, discount: 1500 });
    expect(charges).toEqual([{ amount: 1000, discount: 0 }, { amount: 1500, discount: 1500 }]);
  });

  it('without a discount, orderCharges prices exactly as before (no discount field, same amounts)', () => {
    const span = { from: '2026-11-23', to: '2026-12-22' };
    const plain = orderCharges({ span, financialDay: 1, monthlyFee: 1000, oneOff: { kind: 'setup', amount: 500 }, total: 1500 });
    expect(orderCharges({ span, financialDay: 1, monthlyFee: 1000, oneOff: { kind: 'setup', amount: 500 }, total: 1500, discount: null })).toEqual(plain);
    expect(plain.map((c) => c.amount)).toEqual([500, 267, 733]);
  });
});

const termsArb: fc.Arbitrary<DiscountTerms> = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 1, max: 10_000 }).map((basisPoints) => ({ kind: 'percent' as const, basisPoints })),
      fc.integer({ min: 1, max: 5_000_000 }).map((amount) => ({ kind: 'amount' as const, amount })),
    ),
    fc.option(fc.subarray([...chargeKinds], { minLength: 1 }), { nil: undefined }),
  )
  .map(([t, appliesTo]) => ({ ...t, appliesTo: appliesTo as ChargeKind[] | undefined }));

function checkInvariants(order: { amount: number; discount: number }, charges: Array<{ amount: number; discount?: number }>, total: number) {
  expect(order.amount + order.discount).toBe(total);
  expect(order.amount).toBeGreaterThanOrEqual(0);
  expect(sum(charges.map((c) => c.amount))).toBe(order.amount);
  expect(sum(charges.map((c) => c.discount ?? 0))).toBe(order.discount);
  for (const c of charges) {
    expect(c.amount).toBeGreaterThanOrEqual(0);
    expect(c.discount ?? 0).toBeGreaterThanOrEqual(0);
  }
}

describe('property: the §4.14 invariants hold for random terms, prices and discounts', () => {
  it('orders of 1-36 months from any day, any financial day, fee, setup fee and discount', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 36 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        termsArb,
        (date, months, financialDay, monthlyFee, setupFee, terms) => {
          const start = date.toISOString().slice(0, 10);
          const span = firstTermChargeSpan(start, firstExpirationDate(start, { duration: months, unit: 'month' }));
          const total = months * monthlyFee + setupFee;
          const placed = discountedOrderCharges({ span, financialDay, monthlyFee, oneOff: { kind: 'setup', amount: setupFee }, total, discount: terms });
          checkInvariants(placed, placed.charges, total);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any charges (kinds, periods, bases, an order amount off their sum) with any head', () => {
    const chargeArb = fc.record({
      kind: fc.constantFrom<ChargeKind>('setup', 'renewal', 'recurring', 'transfer', 'recurring', 'recurring'),
      milliMonths: fc.integer({ min: 0, max: 1000 }),
      base: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(chargeArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: -50, max: 50 }), fc.option(termsArb, { nil: null }), fc.nat(5), (charges, off, terms, head) => {
        const orderAmount = Math.max(0, sum(charges.map((c) => c.base)) + off);
        const result = discountCharges({ orderAmount, charges, terms, head: Math.min(head, charges.length - 1) });
        checkInvariants(result.order, result.charges, orderAmount);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('whether a promo code may discount an order (the seed manual 13.1)', () => {
  const usable: PromoCodeUse = {
    code: { status: 'active', reusable: false, activations: 0 },
    discount: { status: 'active', validFrom: '2027-03-01', validTo: '2027-03-31', currency: null, maxSubscriptions: 2, maxClients: 1, uses: 0, clientsUsing: 0, clientHasUsed: false, planAllowed: true },
    order: { today: '2027-03-17', currency: 'EUR', amount: 3000 },
  };
  const refusal = (u: PromoCodeUse) => {
    try {
      checkPromoCodeUse(u);
      return null;
    } catch (err) {
      return (err as { code: string }).code;
    }
  };

  it('accepts a usable code, the validity window inclusive at both ends', () => {
    expect(refusal(usable)).toBeNull();
    expect(refusal({ ...usable, order: { ...usable.order, today: '2027-03-01' } })).toBeNull();
    expect(refusal({ ...usable, order: { ...usable.order, today: '2027-03-31' } })).toBeNull();
  });

  it('refuses each case with its code', () => {
    const d = usable.discount;
    expect(refusal({ ...usable, code: { ...usable.code, status: 'inactive' } })).toBe('promo_code_inactive');
    expect(refusal({ ...usable, discount: { ...d, status: 'inactive' } })).toBe('promo_code_inactive');
    expect(refusal({ ...usable, order: { ...usable.order, today: '2027-04-01' } })).toBe('promo_code_expired');
    expect(refusal({ ...usable, order: { ...usable.order, today: '2027-02-28' } })).toBe('promo_code_not_applicable');
    expect(refusal({ ...usable, discount: { ...d, planAllowed: false } })).toBe('promo_code_not_applicable');
    expect(refusal({ ...usable, discount: { ...d, currency: 'USD' } })).toBe('promo_code_not_applicable');
    expect(refusal({ ...usable, order: { ...usable.order, amount: 0 } })).toBe('promo_code_not_applicable');
    expect(refusal({ ...usable, code: { ...usable.code, activations: 1 } })).toBe('promo_code_exhausted');
    expect(refusal({ ...usable, code: { ...usable.code, reusable: true, activations: 5 } })).toBeNull();
    expect(refusal({ ...usable, discount: { ...d, uses: 2 } })).toBe('promo_code_exhausted');
    // The client limit counts clients: one that used it already may use it again.
    expect(refusal({ ...usable, discount: { ...d, uses: 1, clientsUsing: 1 } })).toBe('promo_code_exhausted');
    expect(refusal({ ...usable, discount: { ...d, uses: 1, clientsUsing: 1, clientHasUsed: true } })).toBeNull();
  });
});
