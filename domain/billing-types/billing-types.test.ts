import { describe, expect, it } from 'vitest';
import { ChargeBook, type BookOptions } from './charge-book';
import { billingTypeRules } from './index';
import { paymentOf } from './payment';
import { billingTypes, sellableBillingTypes, type PlanShape } from './types';

// The seed's worked examples per billing type (seed manual 8.3.4, spec 02 §4.6-4.10), each with the seed's
// figures: 30.00 a month (3000 minor units), financial day 1 unless said.

const book = (o: Partial<BookOptions> & Pick<BookOptions, 'type'>) =>
  new ChargeBook({ financialDay: 1, start: '2017-11-10', months: 12, monthlyFee: 3000, setupFee: 0, deposit: 1_000_000, ...o });
const live = (b: ChargeBook) => b.charges.filter((c) => c.status !== 'deleted' && !c.superseded).sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0)).map((c) => `${c.from}..${c.to} ${c.status} ${c.amount}`);
const runTo = (b: ChargeBook, from: string, to: string) => {
  for (let d = from; d <= to; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) b.runDay(d);
};

describe('pre-order (seed 8.3.4.9, spec 02 §4.6)', () => {
  it('ordered 10 Nov for 2 months at 30.00: 21.00, 30.00 and 9 days of January, all blocked at payment', () => {
    const b = book({ type: 'prepaid_term', months: 2 });
    // 21 × 30 / 30, a full month, 9 × 30 / 31 = 8.71; the order is the price list's 2 × 30.00, so the 0.29 of
    // proration is corrected on one recurring charge (spec 02 §4.14: which one is the rounding rules' business).
    expect(live(b).map((c) => c.slice(0, 30))).toEqual(['2017-11-10..2017-11-30 blocked', '2017-12-01..2017-12-31 blocked', '2018-01-01..2018-01-09 blocked']);
    expect(b.charges.reduce((s, c) => s + c.amount, 0)).toBe(6000);
    expect(b.charges.map((c) => c.amount).sort()).toEqual([2100, 3000 + 29, 900 - 29].sort());
    expect(b.available).toBe(1_000_000 - 6000);
  });

  it('the financial day closes the past period; the money was taken at payment, so the balance does not move', () => {
    const b = book({ type: 'prepaid_term', months: 2 });
    runTo(b, '2017-11-11', '2017-12-01');
    expect(live(b)[0]).toBe('2017-11-10..2017-11-30 closed 2100');
    expect(b.available).toBe(1_000_000 - 6000);
  });

  it('deletion on 15 Dec: the used part of December closes, the rest and January go back', () => {
    const b = book({ type: 'prepaid_term', months: 2 });
    runTo(b, '2017-11-11', '2017-12-15');
    expect(b.event('delete', '2017-12-15')).toBeNull();
    const december = b.charges.find((c) => c.from === '2017-12-01' && c.superseded)!.amount;
    const used = Math.round((december * 15) / 31);
    expect(live(b)).toEqual(['2017-11-10..2017-11-30 closed 2100', `2017-12-01..2017-12-15 closed ${used}`]);
    expect(b.available).toBe(1_000_000 - 2100 - used);
  });
});

describe('CSP annual (seed 8.3.4.2.3)', () => {
  it('13 charges when ordered between financial days, 12 when ordered on one, all blocked at payment', () => {
    expect(book({ type: 'csp_annual' }).charges.filter((c) => c.status === 'blocked')).toHaveLength(13);
    expect(book({ type: 'csp_annual', start: '2017-11-01' }).charges.filter((c) => c.status === 'blocked')).toHaveLength(12);
    expect(book({ type: 'csp_annual' }).charges.reduce((s, c) => s + c.amount, 0)).toBe(12 * 3000);
  });

  it('a stop on 21 Sep closes 1-21 Sep and keeps the rest blocked; the activation gives back the stopped days', () => {
    const b = book({ type: 'csp_annual', start: '2018-09-01' });
    expect(b.event('stop', '2018-09-21')).toBeNull();
    expect(live(b).slice(0, 2)).toEqual(['2018-09-01..2018-09-21 closed 2100', '2018-09-22..2018-09-30 blocked 900']);
    const before = b.available;
    expect(b.event('activate', '2018-09-25')).toBeNull();
    expect(live(b).slice(0, 2)).toEqual(['2018-09-01..2018-09-21 closed 2100', '2018-09-25..2018-09-30 blocked 600']);
    expect(b.available - before).toBe(300);
  });

  it('while stopped a financial day holds the charges; the activation gives back the past periods still blocked', () => {
    const b = book({ type: 'csp_annual', start: '2018-09-01' });
    b.event('stop', '2018-09-21');
    runTo(b, '2018-09-22', '2018-10-05');
    expect(live(b)[1]).toBe('2018-09-22..2018-09-30 blocked 900');
    const before = b.available;
    b.event('activate', '2018-10-05');
    expect(b.available - before).toBe(900 + 387); // September's remainder, and 4 of October's 31 days
  });

  it('manual close-all replaces the open and blocked charges by one closed charge for the remaining term', () => {
    const b = book({ type: 'csp_annual' });
    runTo(b, '2017-11-11', '2017-12-01');
    expect(b.event('manual_close', '2017-12-02')).toBeNull();
    const closed = b.charges.filter((c) => c.status === 'closed' && !c.superseded);
    expect(closed.map((c) => `${c.from}..${c.to} ${c.amount}`)).toEqual(['2017-11-10..2017-11-30 2100', '2017-12-01..2018-11-09 33900']);
    expect(b.charges.some((c) => c.status === 'blocked' || c.status === 'open')).toBe(false);
  });
});

describe('G Suite, monthly flexible (spec 02 §4.9 standard stop, seed 8.3.4.4.7)', () => {
  it('a stop on 21 Sep: 1-21 closed, 22-30 open and its money back; an activation on 25 Sep blocks 25-30 again', () => {
    const b = book({ type: 'monthly_flexible', start: '2018-09-01' });
    expect(live(b)).toEqual(['2018-09-01..2018-09-30 blocked 3000']);
    b.event('stop', '2018-09-21');
    expect(live(b)).toEqual(['2018-09-01..2018-09-21 closed 2100', '2018-09-22..2018-09-30 open 900']);
    expect(b.available).toBe(1_000_000 - 2100);
    b.event('activate', '2018-09-25');
    expect(live(b)).toEqual(['2018-09-01..2018-09-21 closed 2100', '2018-09-25..2018-09-30 blocked 600']);
    expect(b.available).toBe(1_000_000 - 2700);
  });

  it('the next financial day deletes the remainder of a subscription still stopped', () => {
    const b = book({ type: 'monthly_flexible', start: '2018-09-01' });
    b.event('stop', '2018-09-21');
    runTo(b, '2018-09-22', '2018-10-01');
    expect(live(b)).toEqual(['2018-09-01..2018-09-21 closed 2100']);
    expect(b.available).toBe(1_000_000 - 2100);
  });
});

describe('CSP monthly and ESET (seed 8.3.4.1.8, 8.3.4.3.8-9)', () => {
  for (const type of ['csp_monthly', 'eset_monthly'] as const) {
    it(`${type}: a stop gives nothing back; the next financial day deletes the period and gives it back`, () => {
      const b = book({ type, start: '2018-09-01' });
      b.event('stop', '2018-09-21');
      expect(live(b)).toEqual(['2018-09-01..2018-09-21 closed 2100', '2018-09-22..2018-09-30 blocked 900']);
      expect(b.available).toBe(1_000_000 - 3000);
      runTo(b, '2018-09-22', '2018-10-01');
      expect(b.available).toBe(1_000_000 - 2100);
    });

    it(`${type}: deletion on 10 Sep closes 1-10 (the day included) and gives back 11-30`, () => {
      const b = book({ type, start: '2018-09-01' });
      b.event('delete', '2018-09-10');
      expect(live(b)).toEqual(['2018-09-01..2018-09-10 closed 1000']);
      expect(b.available).toBe(1_000_000 - 1000);
    });
  }

  it('ESET: an activation on the day after the stop re-splits nothing', () => {
    const b = book({ type: 'eset_monthly', start: '2018-09-01' });
    b.event('stop', '2018-09-21');
    b.event('activate', '2018-09-22');
    expect(live(b)).toEqual(['2018-09-01..2018-09-21 closed 2100', '2018-09-22..2018-09-30 blocked 900']);
  });
});

describe('no refund (seed 8.3.4.6.4)', () => {
  it('ordered 10 Nov (seed 8.3.4.6.4): 13 charges, the first debited at once (closed), 2-13 open; each financial day debits the next', () => {
    const b = book({ type: 'no_refund' });
    expect(live(b)).toHaveLength(13);
    expect(live(b).slice(0, 3)).toEqual(['2017-11-10..2017-11-30 closed 2100', '2017-12-01..2017-12-31 open 3000', '2018-01-01..2018-01-31 open 3000']);
    expect(live(b).at(-1)).toBe('2018-11-01..2018-11-09 open 900');
    // Open months hold nothing: only the first is taken.
    expect(b.available).toBe(1_000_000 - 2100);
    runTo(b, '2017-11-11', '2017-12-01');
    expect(live(b).slice(0, 3)).toEqual(['2017-11-10..2017-11-30 closed 2100', '2017-12-01..2017-12-31 closed 3000', '2018-01-01..2018-01-31 open 3000']);
    expect(live(b)).toHaveLength(13);
    expect(b.available).toBe(1_000_000 - 5100);
  });

  it('12 charges when ordered on the financial day', () => {
    expect(live(book({ type: 'no_refund', start: '2017-11-01' }))).toHaveLength(12);
  });

  it('refuses stop, deletion, plan switch, decrease, renewal and close-all with billing_type_forbids', () => {
    const rules = billingTypeRules('no_refund');
    for (const op of ['stop', 'delete', 'switch', 'decrease', 'renew', 'manual_close'] as const) expect(rules.refuses(op, { date: '2017-11-10', startDate: '2017-11-10', financialDay: 1 })?.code).toBe('billing_type_forbids');
    expect(rules.refuses('increase', { date: '2017-11-10', startDate: '2017-11-10', financialDay: 1 })).toBeNull();
  });
});

describe('payment in full (seed 8.3.4.8)', () => {
  it('free until the first financial day, then the full month is blocked whatever the day', () => {
    const b = book({ type: 'peak_monthly' });
    expect(b.charges).toHaveLength(0);
    runTo(b, '2017-11-11', '2017-12-01');
    expect(live(b)).toEqual(['2017-12-01..2017-12-31 blocked 3000']);
  });

  it('a stop on the first day releases the month; on another day it stays blocked; deletion on another day closes it', () => {
    const first = book({ type: 'peak_monthly' });
    runTo(first, '2017-11-11', '2017-12-01');
    first.event('stop', '2017-12-01');
    expect(live(first)).toEqual(['2017-12-01..2017-12-31 open 3000']);
    const later = book({ type: 'peak_monthly' });
    runTo(later, '2017-11-11', '2017-12-05');
    later.event('stop', '2017-12-05');
    expect(live(later)).toEqual(['2017-12-01..2017-12-31 blocked 3000']);
    later.event('delete', '2017-12-06');
    expect(live(later)).toEqual(['2017-12-01..2017-12-31 closed 3000']);
  });

  it('a plan switch gives the month back as a refunded copy; changes in the free period are refused', () => {
    const b = book({ type: 'peak_monthly' });
    expect(b.event('switch', '2017-11-20')).toBe('billing_type_forbids');
    runTo(b, '2017-11-11', '2017-12-03');
    const before = b.available;
    expect(b.event('switch', '2017-12-03')).toBeNull();
    expect(b.charges.filter((c) => c.refund).map((c) => `${c.status} ${c.amount}`)).toEqual(['refunded 3000']);
    expect(b.available - before).toBe(3000);
  });
});

describe('non-recurring (seed 8.3.4.5)', () => {
  it('one setup charge, closed at payment; the subscription is delivered; nothing to renew, change or switch', () => {
    const b = book({ type: 'non_recurring', setupFee: 15_000 });
    expect(live(b)).toEqual(['2017-11-10..2017-11-10 closed 15000']);
    const rules = billingTypeRules('non_recurring');
    expect(rules.activeStatus).toBe('delivered');
    for (const op of ['renew', 'switch', 'increase', 'decrease'] as const) expect(rules.refuses(op, { date: '2017-11-10', startDate: '2017-11-10', financialDay: 1 })?.code).toBe('billing_type_forbids');
    b.event('stop', '2017-11-20');
    b.event('delete', '2017-11-21');
    expect(live(b)).toEqual(['2017-11-10..2017-11-10 closed 15000']);
  });
});

describe('what a plan of each type may be (spec 02 §4.10)', () => {
  const plan = (p: Partial<PlanShape['periods'][number]>, financialDay = 1): PlanShape => ({
    financialDay,
    periods: [{ duration: 1, unit: 'year', unlimited: false, trial: false, setupFee: 0, renewalFee: 0, recurringFee: 3000, ...p }],
  });
  it('vendor types take no setup or renewal fee', () => {
    for (const type of ['csp_monthly', 'csp_annual', 'eset_monthly', 'no_refund', 'peak_monthly'] as const) {
      expect(billingTypeRules(type).planRefusal(plan({ setupFee: 100, unit: type === 'peak_monthly' ? 'month' : 'year' }))?.code, type).toBe('plan_billing_type');
    }
    expect(billingTypeRules('prepaid_term').planRefusal(plan({ setupFee: 100 }))).toBeNull();
  });
  it('periods and financial day each type needs', () => {
    expect(billingTypeRules('no_refund').planRefusal(plan({ unit: 'month' }))?.code).toBe('plan_billing_type');
    expect(billingTypeRules('csp_annual').planRefusal(plan({}))).toBeNull();
    expect(billingTypeRules('peak_monthly').planRefusal(plan({ unit: 'month' }, 2))?.code).toBe('plan_billing_type');
    expect(billingTypeRules('peak_monthly').planRefusal(plan({ unit: 'month' }, 1))).toBeNull();
    expect(billingTypeRules('non_recurring').planRefusal(plan({ unlimited: true, recurringFee: 0, setupFee: 5000 }))).toBeNull();
    expect(billingTypeRules('non_recurring').planRefusal(plan({}))?.code).toBe('plan_billing_type');
  });
  it('every type says how it pays in one place', () => {
    for (const type of billingTypes) expect(billingTypeRules(type).payment, type).toBe(paymentOf[type]);
  });
  it('every type is sellable; the usage types take one unlimited period without fees (issue 20)', () => {
    expect(sellableBillingTypes).toHaveLength(10);
    for (const type of ['usage_internal', 'usage_external'] as const) {
      expect(billingTypeRules(type).planRefusal(plan({}))?.code).toBe('plan_billing_type');
      expect(billingTypeRules(type).planRefusal(plan({ unlimited: true, recurringFee: 0, setupFee: 0 }))).toBeNull();
      expect(billingTypeRules(type).planRefusal(plan({ unlimited: true, recurringFee: 0, setupFee: 500 }))?.code).toBe('plan_billing_type');
    }
  });
  it('usage: deletion closes the growing charge at the deletion day (seed 8.3.4.7.6); a stop changes nothing', () => {
    const usage = { id: 7, orderId: 1, kind: 'usage' as const, status: 'blocked' as const, from: '2026-11-21', to: '2026-11-30', closeDate: '2026-12-01', amount: 1800, refund: false };
    const terms = { billingType: 'usage_internal' as const, financialDay: 1, prepay: true, expirationDate: null, stopped: false };
    expect(billingTypeRules('usage_internal').onEvent(terms, [usage], { kind: 'delete', date: '2026-11-25' })).toEqual({
      set: [{ id: 7, status: 'closed', to: '2026-11-25', closeDate: '2026-11-25' }],
      add: [],
    });
    expect(billingTypeRules('usage_external').onEvent(terms, [usage], { kind: 'stop', date: '2026-11-25' })).toEqual({ set: [], add: [] });
  });
});
