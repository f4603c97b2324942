import { describe, expect, it } from 'vitest';
import type { LifecycleState } from '../lifecycle';
import { balanceForecast, forecastCharges, type ChargeForecastEvent, type ChargeForecastSubject } from './charge-forecast';
import type { BillingType, ChargeView } from './types';

// Issue 19 point 5 with the seed-like numbers of the billing-types tests: financial day 1, 30.00 a month (3000
// minor units), bought on 1 Sep 2026.

function state(billingType: BillingType, overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    status: 'active',
    billingType,
    paymentModel: 'prepay',
    trial: false,
    trialRenewable: false,
    expirationDate: '2027-09-01',
    prolongedUntil: null,
    period: { duration: 1, unit: 'year' },
    autoRenew: true,
    autoRenewPointDays: 0,
    unpaidStopAfterDays: 3,
    blockingPeriodDays: 30,
    deleteMode: 'automatic',
    financialDay: 1,
    unpaidOrderCancelDays: 14,
    renewalAmount: 36_000,
    prolongationAmount: 3000,
    openOrder: null,
    ...overrides,
  };
}

let nextId = 100;
function charge(from: string, to: string, closeDate: string, amount: number, status: ChargeView['status'] = 'blocked'): ChargeView {
  return { id: nextId++, orderId: 1, kind: 'recurring', status, from, to, closeDate, amount, refund: false };
}

function subject(subscriptionId: number, s: LifecycleState, charges: ChargeView[]): ChargeForecastSubject {
  return { subscriptionId, state: s, renewalFee: 0, exchange: null, charges };
}

/** Events as "date action from..to status amount available/blocked" lines. */
const lines = (events: ChargeForecastEvent[]) => events.map((e) => `${e.date} ${e.action} ${e.from}..${e.to} ${e.status} ${e.amount} ${e.available}/${e.blocked}`);

const prepaidTerm = () =>
  subject(1, state('prepaid_term', { expirationDate: '2026-12-01', period: { duration: 3, unit: 'month' }, autoRenew: false }), [
    charge('2026-09-01', '2026-09-30', '2026-10-01', 3000),
    charge('2026-10-01', '2026-10-31', '2026-11-01', 3000),
    charge('2026-11-01', '2026-11-30', '2026-12-01', 3000),
  ]);
const monthlyFlexible = () => subject(2, state('monthly_flexible', { prolongedUntil: '2026-10-01' }), [charge('2026-09-01', '2026-09-30', '2026-10-01', 3000)]);
const stoppedCspMonthly = () => subject(3, state('csp_monthly', { status: 'stopped', prolongedUntil: '2026-10-01' }), [charge('2026-09-22', '2026-09-30', '2026-10-01', 900)]);
const stoppedCspAnnual = () =>
  subject(4, state('csp_annual', { status: 'stopped', expirationDate: '2027-09-01' }), [charge('2026-09-22', '2026-09-30', '2026-10-01', 900), charge('2026-10-01', '2026-10-31', '2026-11-01', 3000)]);

describe('charge forecast by billing type (issue 19 point 5)', () => {
  it('pre-order: each financial day closes one blocked month and moves no money', () => {
    const { events } = forecastCharges([prepaidTerm()], 10_000, '2026-09-15', 60);
    expect(lines(events)).toEqual(['2026-10-01 closed 2026-09-01..2026-09-30 closed 3000 0/-3000', '2026-11-01 closed 2026-10-01..2026-10-31 closed 3000 0/-3000']);
    expect(events.every((e) => e.chargeId !== null)).toBe(true);
  });

  it('monthly flexible: each financial day creates and blocks the next month (30.00 taken) and closes the past one', () => {
    const { events, lifecycle } = forecastCharges([monthlyFlexible()], 10_000, '2026-09-15', 50);
    expect(lines(events)).toEqual([
      '2026-10-01 created 2026-10-01..2026-10-31 new 3000 0/0',
      '2026-10-01 blocked 2026-10-01..2026-10-31 blocked 3000 -3000/3000',
      '2026-10-01 closed 2026-09-01..2026-09-30 closed 3000 0/-3000',
      '2026-11-01 created 2026-11-01..2026-11-30 new 3000 0/0',
      '2026-11-01 blocked 2026-11-01..2026-11-30 blocked 3000 -3000/3000',
      '2026-11-01 closed 2026-10-01..2026-10-31 closed 3000 0/-3000',
    ]);
    expect(events.filter((e) => e.action === 'created').map((e) => e.chargeId)).toEqual([null, null]);
    expect(lifecycle.get(2)!.map((e) => `${e.date} ${e.action}`)).toEqual([
      '2026-10-01 create_prolongation_order',
      '2026-10-01 auto_payment',
      '2026-11-01 create_prolongation_order',
      '2026-11-01 auto_payment',
    ]);
  });

  it('monthly flexible without the money: the prolongation waits unpaid (nothing blocked), the subscription stops, and the cancelled order deletes its charge', () => {
    const { events, lifecycle } = forecastCharges([monthlyFlexible()], 1000, '2026-09-15', 35);
    expect(lines(events)).toEqual([
      '2026-10-01 created 2026-10-01..2026-10-31 new 3000 0/0',
      '2026-10-01 closed 2026-09-01..2026-09-30 closed 3000 0/-3000',
      '2026-10-16 deleted 2026-10-01..2026-10-31 deleted 3000 0/0',
    ]);
    expect(lifecycle.get(2)!.map((e) => `${e.date} ${e.action}`)).toEqual([
      '2026-10-01 create_prolongation_order',
      '2026-10-01 auto_payment',
      '2026-10-01 mark_payment_overdue',
      '2026-10-02 auto_payment',
      '2026-10-03 auto_payment',
      '2026-10-04 auto_payment',
      '2026-10-04 stop',
      '2026-10-16 cancel_unpaid_order',
    ]);
  });

  it('stopped CSP monthly: the financial day deletes the stopped remainder and gives it back', () => {
    const { events } = forecastCharges([stoppedCspMonthly()], 0, '2026-09-25', 10);
    expect(lines(events)).toEqual(['2026-10-01 deleted 2026-09-22..2026-09-30 deleted 900 900/-900']);
  });

  it('stopped CSP annual: financial days hold the charges (no money moves) until an activation or deletion decides', () => {
    const { events } = forecastCharges([stoppedCspAnnual()], 0, '2026-09-25', 40);
    expect(lines(events)).toEqual(['2026-10-01 held 2026-09-22..2026-09-30 blocked 900 0/0', '2026-11-01 held 2026-10-01..2026-10-31 blocked 3000 0/0']);
  });

  it("the client's balance forecast sums every subscription's movements day by day", () => {
    const subjects = [prepaidTerm(), monthlyFlexible(), stoppedCspMonthly(), stoppedCspAnnual()];
    const funds = { available: 10_000, blocked: 3000 * 3 + 3000 + 900 + 3900 };
    const { events } = forecastCharges(subjects, funds.available, '2026-09-25', 10);
    const days = balanceForecast(events, funds, '2026-09-25', 10);
    expect(days).toHaveLength(10);
    expect(days[0]).toEqual({ date: '2026-09-25', availableChange: 0, blockedChange: 0, available: 10_000, blocked: funds.blocked });
    // 1 Oct: the monthly flexible takes 30.00 for October, the stopped CSP monthly gives 9.00 back; the pre-order
    // and the monthly flexible each close September (blocked −30.00 each) and the October block adds 30.00.
    expect(days[6]).toEqual({ date: '2026-10-01', availableChange: -3000 + 900, blockedChange: 3000 - 3000 - 3000 - 900, available: 7900, blocked: funds.blocked - 3900 });
    expect(days.at(-1)).toMatchObject({ available: 7900, blocked: funds.blocked - 3900 });
  });

  it('takes 1 to 366 days', () => {
    for (const days of [0, 367, 1.5]) expect(() => forecastCharges([], 0, '2026-09-01', days), String(days)).toThrow(expect.objectContaining({ code: 'invalid_days' }));
    expect(forecastCharges([prepaidTerm()], 0, '2026-09-01', 366).events).toHaveLength(3);
  });
});
