import { describe, expect, it } from 'vitest';
import {
  autoPayment,
  automaticOrder,
  expiredDeletion,
  forecast,
  manualRenewalOpen,
  manualRenewalRefusal,
  nextFinancialDay,
  paidThrough,
  paymentOverdue,
  prolongedUntilAfter,
  runDay,
  runsAheadOfSchedule,
  unpaidOrderCancellation,
  unpaidStop,
  type ForecastEntry,
  type LifecycleAction,
  type LifecycleState,
  type ManualRenewalSubject,
  type OpenOrder,
} from './lifecycle';

const EXP = '2027-03-31';

function state(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    status: 'active',
    billingType: 'prepaid_term',
    paymentModel: 'prepay',
    trial: false,
    trialRenewable: false,
    expirationDate: EXP,
    prolongedUntil: null,
    period: { duration: 1, unit: 'month' },
    autoRenew: true,
    autoRenewPointDays: 5,
    unpaidStopAfterDays: 3,
    blockingPeriodDays: 10,
    deleteMode: 'automatic',
    financialDay: 1,
    unpaidOrderCancelDays: 14,
    renewalAmount: 1000,
    prolongationAmount: 300,
    openOrder: null,
    ...overrides,
  };
}

/** An automatic renewal order created at the auto-renewal point (2027-03-26), awaiting payment. */
function order(overrides: Partial<OpenOrder> = {}): OpenOrder {
  return {
    id: 42,
    type: 'renewal',
    status: 'awaiting_payment',
    automatic: true,
    amount: 1000,
    autoPayDate: EXP,
    provisioningDate: '2027-03-26',
    endDate: '2027-04-09',
    termKey: EXP,
    ...overrides,
  };
}

function renewal(date: string, extra: Partial<LifecycleAction> = {}): LifecycleAction {
  return { kind: 'create_renewal_order', termKey: EXP, deferred: false, provisioningDate: date, autoPayDate: EXP, supersedes: null, ...extra } as LifecycleAction;
}

/** Forecast entries as "date action" lines, with the expected payment outcome where there is one. */
function lines(entries: ForecastEntry[]): string[] {
  return entries.map((e) => `${e.date} ${e.action}${e.expectedPaid === undefined ? '' : ` paid=${e.expectedPaid}`}`);
}

describe('automaticOrder: renewal', () => {
  it('creates the renewal order from the auto-renewal point up to the expiration date, not before or after', () => {
    const s = state();
    expect(automaticOrder(s, '2027-03-25')).toBeNull();
    expect(automaticOrder(s, '2027-03-26')).toEqual(renewal('2027-03-26'));
    expect(automaticOrder(s, EXP)).toEqual(renewal(EXP));
    expect(automaticOrder(s, '2027-04-01')).toBeNull();
  });

  it('with point 0 creates it on the expiration date only', () => {
    const s = state({ autoRenewPointDays: 0 });
    expect(automaticOrder(s, '2027-03-30')).toBeNull();
    expect(automaticOrder(s, EXP)).toEqual(renewal(EXP));
    expect(automaticOrder(s, '2027-04-01')).toBeNull();
  });

  it('creates nothing with auto-renew off, when not active, or for an unlimited period (decision 6, §12.1)', () => {
    expect(automaticOrder(state({ autoRenew: false }), EXP)).toBeNull();
    expect(automaticOrder(state({ status: 'stopped' }), EXP)).toBeNull();
    expect(automaticOrder(state({ status: 'payment_overdue' }), EXP)).toBeNull();
    expect(automaticOrder(state({ expirationDate: null }), EXP)).toBeNull();
  });

  it('renews a trial only when the service template allows it (decision 17)', () => {
    expect(automaticOrder(state({ trial: true, trialRenewable: false }), EXP)).toBeNull();
    expect(automaticOrder(state({ trial: true, trialRenewable: true }), EXP)).toEqual(renewal(EXP));
  });

  it('does not create a second renewal order for the same term', () => {
    expect(automaticOrder(state({ openOrder: order() }), '2027-03-27')).toBeNull();
    expect(automaticOrder(state({ openOrder: order() }), EXP)).toBeNull();
    expect(automaticOrder(state({ openOrder: order({ status: 'awaiting_provisioning' }) }), EXP)).toBeNull();
  });

  it('waits for an open change order before the expiration date and supersedes it on the date (§16.3)', () => {
    const change = order({ id: 9, type: 'resource_change', automatic: false, autoPayDate: null, termKey: null });
    expect(automaticOrder(state({ openOrder: change }), '2027-03-28')).toBeNull();
    expect(automaticOrder(state({ openOrder: change }), EXP)).toEqual(renewal(EXP, { supersedes: 9 }));
    const paidChange = { ...change, status: 'provisioning' as const };
    expect(automaticOrder(state({ openOrder: paidChange }), EXP)).toEqual({ kind: 'blocked_by_open_order', orderId: 9 });
  });

  it('is blocked by an order in activation error and reports it on the expiration date only (decision 7)', () => {
    const failed = order({ id: 11, type: 'purchase', status: 'activation_error', termKey: null });
    expect(automaticOrder(state({ openOrder: failed }), '2027-03-27')).toBeNull();
    expect(automaticOrder(state({ openOrder: failed }), EXP)).toEqual({ kind: 'blocked_by_open_order', orderId: 11 });
  });

  it('defers monthly_flexible renewals created before the expiration date to that date (§12.4)', () => {
    const s = state({ billingType: 'monthly_flexible', prolongedUntil: '2027-04-01' });
    expect(automaticOrder(s, '2027-03-26')).toEqual(renewal('2027-03-26', { deferred: true, provisioningDate: EXP }));
    expect(automaticOrder(s, EXP)).toEqual(renewal(EXP));
    expect(automaticOrder(state(), '2027-03-26')).toMatchObject({ deferred: false, provisioningDate: '2027-03-26' });
  });
});

describe('automaticOrder: prolongation of monthly_flexible (§11.2)', () => {
  const flexible = (overrides: Partial<LifecycleState> = {}) =>
    state({ billingType: 'monthly_flexible', period: { duration: 1, unit: 'year' }, prolongedUntil: '2027-02-01', ...overrides });
  const prolongation = { kind: 'create_prolongation_order', termKey: '2027-02-01', from: '2027-02-01', to: '2027-02-28', autoPayDate: '2027-02-01', supersedes: null };

  it('creates the order for the next financial period from point days before "prolonged until" up to that date', () => {
    expect(automaticOrder(flexible(), '2027-01-26')).toBeNull();
    expect(automaticOrder(flexible(), '2027-01-27')).toEqual(prolongation);
    expect(automaticOrder(flexible(), '2027-02-01')).toEqual(prolongation);
    expect(automaticOrder(flexible(), '2027-02-02')).toBeNull();
    expect(automaticOrder(flexible({ autoRenewPointDays: 0 }), '2027-01-31')).toBeNull();
    expect(automaticOrder(flexible({ autoRenewPointDays: 0 }), '2027-02-01')).toEqual(prolongation);
  });

  it('does not depend on auto-renew but never prolongs a stopped subscription (decision 6, §11.3)', () => {
    expect(automaticOrder(flexible({ autoRenew: false }), '2027-02-01')).toEqual(prolongation);
    expect(automaticOrder(flexible({ status: 'stopped' }), '2027-02-01')).toBeNull();
  });

  it('ends the period on the expiration date when that comes before the next financial day', () => {
    const s = flexible({ financialDay: 15, prolongedUntil: '2027-03-15' });
    expect(automaticOrder(s, '2027-03-15')).toMatchObject({ kind: 'create_prolongation_order', from: '2027-03-15', to: EXP });
  });

  it('creates one prolongation order per financial period', () => {
    const open = order({ type: 'prolongation', termKey: '2027-02-01', autoPayDate: '2027-02-01' });
    expect(automaticOrder(flexible({ openOrder: open }), '2027-02-01')).toBeNull();
  });

  it('supersedes a switch or an older prolongation awaiting payment on "prolonged until" only', () => {
    const change = order({ id: 9, type: 'plan_switch', automatic: false, termKey: null });
    expect(automaticOrder(flexible({ openOrder: change }), '2027-01-30')).toBeNull();
    expect(automaticOrder(flexible({ openOrder: change }), '2027-02-01')).toEqual({ ...prolongation, supersedes: 9 });
    const lastPeriod = order({ id: 8, type: 'prolongation', termKey: '2027-01-01', autoPayDate: '2027-01-01' });
    expect(automaticOrder(flexible({ openOrder: lastPeriod }), '2027-02-01')).toEqual({ ...prolongation, supersedes: 8 });
  });

  it('switches to the renewal rules once the last period of the term is paid', () => {
    const s = flexible({ prolongedUntil: '2027-04-01' });
    expect(automaticOrder(s, '2027-03-26')).toMatchObject({ kind: 'create_renewal_order', deferred: true, termKey: EXP });
    expect(automaticOrder(s, '2027-03-25')).toBeNull();
  });
});

describe('financial periods and paid-through', () => {
  it('nextFinancialDay is strictly after the date', () => {
    expect(nextFinancialDay('2027-03-01', 1)).toBe('2027-04-01');
    expect(nextFinancialDay('2027-02-28', 1)).toBe('2027-03-01');
    expect(nextFinancialDay('2027-01-10', 15)).toBe('2027-01-15');
    expect(nextFinancialDay('2027-01-15', 15)).toBe('2027-02-15');
    expect(nextFinancialDay('2027-12-20', 15)).toBe('2028-01-15');
    expect(nextFinancialDay('2027-01-31', 28)).toBe('2027-02-28');
    expect(nextFinancialDay('2027-02-28', 28)).toBe('2027-03-28');
  });

  it('nextFinancialDay refuses a financial day outside 1-28', () => {
    for (const day of [0, 29, 31, 1.5]) {
      expect(() => nextFinancialDay('2027-03-01', day), String(day)).toThrow(expect.objectContaining({ code: 'invalid_financial_day' }));
    }
  });

  it('prolongedUntilAfter is the next financial day, capped at the day after the term', () => {
    expect(prolongedUntilAfter('2027-02-01', EXP, 1)).toBe('2027-03-01');
    expect(prolongedUntilAfter('2027-03-01', EXP, 1)).toBe('2027-04-01');
    expect(prolongedUntilAfter('2027-03-15', EXP, 15)).toBe('2027-04-01');
    expect(prolongedUntilAfter('2027-01-20', EXP, 15)).toBe('2027-02-15');
  });

  it('paidThrough is the expiration date for term billing, whatever "prolonged until" says', () => {
    expect(paidThrough(state())).toBe(EXP);
    expect(paidThrough(state({ prolongedUntil: '2027-02-01' }))).toBe(EXP);
    expect(paidThrough(state({ expirationDate: null }))).toBeNull();
  });

  it('paidThrough is the day before "prolonged until" for monthly_flexible, at most the expiration date', () => {
    const flexible = (prolongedUntil: string | null) => state({ billingType: 'monthly_flexible', prolongedUntil });
    expect(paidThrough(flexible('2027-03-01'))).toBe('2027-02-28');
    expect(paidThrough(flexible('2027-04-01'))).toBe(EXP);
    expect(paidThrough(flexible('2027-05-01'))).toBe(EXP);
    expect(paidThrough(flexible(null))).toBe(EXP);
  });
});

describe('autoPayment', () => {
  it('pays an automatic order awaiting payment on and after its auto-pay date', () => {
    const s = state({ openOrder: order() });
    expect(autoPayment(s, '2027-03-30')).toBeNull();
    expect(autoPayment(s, EXP)).toEqual({ kind: 'auto_payment', orderId: 42 });
    expect(autoPayment({ ...s, status: 'payment_overdue' }, '2027-04-02')).toEqual({ kind: 'auto_payment', orderId: 42 });
  });

  it('does not pay manual orders, orders past payment, postpay, or stopped subscriptions (§11.3)', () => {
    expect(autoPayment(state({ openOrder: order({ automatic: false }) }), EXP)).toBeNull();
    expect(autoPayment(state({ openOrder: order({ status: 'awaiting_provisioning' }) }), EXP)).toBeNull();
    expect(autoPayment(state({ openOrder: order({ autoPayDate: null }) }), EXP)).toBeNull();
    expect(autoPayment(state({ openOrder: order(), paymentModel: 'postpay' }), EXP)).toBeNull();
    expect(autoPayment(state({ openOrder: order(), status: 'stopped' }), '2027-04-05')).toBeNull();
    expect(autoPayment(state(), EXP)).toBeNull();
  });
});

describe('expiry without a paid renewal (decision 5, §12.5)', () => {
  it('is payment overdue from the day after expiry through the grace days', () => {
    const s = state();
    expect(paymentOverdue(s, EXP)).toBeNull();
    expect(paymentOverdue(s, '2027-04-01')).toEqual({ kind: 'mark_payment_overdue' });
    expect(paymentOverdue(s, '2027-04-03')).toEqual({ kind: 'mark_payment_overdue' });
    expect(paymentOverdue(s, '2027-04-04')).toBeNull();
    expect(paymentOverdue({ ...s, status: 'payment_overdue' }, '2027-04-02')).toBeNull();
  });

  it('is stopped the day after the grace days, from active or payment overdue', () => {
    expect(unpaidStop(state({ status: 'payment_overdue' }), '2027-04-03')).toBeNull();
    expect(unpaidStop(state({ status: 'payment_overdue' }), '2027-04-04')).toEqual({ kind: 'stop' });
    expect(unpaidStop(state(), '2027-04-04')).toEqual({ kind: 'stop' });
    expect(unpaidStop(state({ status: 'stopped' }), '2027-04-04')).toBeNull();
  });

  it('with grace 0 is never overdue and is stopped the day after expiry', () => {
    const s = state({ unpaidStopAfterDays: 0 });
    expect(paymentOverdue(s, '2027-04-01')).toBeNull();
    expect(unpaidStop(s, EXP)).toBeNull();
    expect(unpaidStop(s, '2027-04-01')).toEqual({ kind: 'stop' });
  });

  it('counts from paid-through for monthly_flexible', () => {
    const s = state({ billingType: 'monthly_flexible', prolongedUntil: '2027-03-01' });
    expect(paymentOverdue(s, '2027-03-01')).toEqual({ kind: 'mark_payment_overdue' });
    expect(unpaidStop(s, '2027-03-03')).toBeNull();
    expect(unpaidStop(s, '2027-03-04')).toEqual({ kind: 'stop' });
  });

  it('is neither overdue nor stopped while a paid renewal is under way', () => {
    for (const status of ['provisioning', 'awaiting_provisioning'] as const) {
      const s = state({ openOrder: order({ status }) });
      expect(paymentOverdue(s, '2027-04-01'), status).toBeNull();
      expect(unpaidStop(s, '2027-04-04'), status).toBeNull();
    }
    expect(paymentOverdue(state({ openOrder: order() }), '2027-04-01')).toEqual({ kind: 'mark_payment_overdue' });
  });

  it('never marks postpay overdue, but stops it on the same day', () => {
    const s = state({ paymentModel: 'postpay' });
    expect(paymentOverdue(s, '2027-04-01')).toBeNull();
    expect(unpaidStop(s, '2027-04-04')).toEqual({ kind: 'stop' });
  });

  it('deletes a stopped subscription after grace plus blocking period, by manual operation in manual mode', () => {
    const stopped = state({ status: 'stopped' });
    expect(expiredDeletion(stopped, '2027-04-13')).toBeNull();
    expect(expiredDeletion(stopped, '2027-04-14')).toEqual({ kind: 'delete', manual: false });
    expect(expiredDeletion({ ...stopped, deleteMode: 'manual' }, '2027-04-14')).toEqual({ kind: 'delete', manual: true });
    expect(expiredDeletion(state(), '2027-04-20')).toBeNull();
    expect(expiredDeletion({ ...stopped, openOrder: order({ status: 'provisioning' }) }, '2027-04-20')).toBeNull();
  });
});

describe('unpaidOrderCancellation (decision 8)', () => {
  it('cancels an order awaiting payment the day after its end date', () => {
    const s = state({ openOrder: order() });
    expect(unpaidOrderCancellation(s, '2027-04-09')).toBeNull();
    expect(unpaidOrderCancellation(s, '2027-04-10')).toEqual({ kind: 'cancel_unpaid_order', orderId: 42 });
    expect(unpaidOrderCancellation(state({ openOrder: order({ status: 'awaiting_provisioning' }) }), '2027-04-10')).toBeNull();
    expect(unpaidOrderCancellation(state(), '2027-04-10')).toBeNull();
  });
});

describe('forecast', () => {
  it('with enough balance: the renewal order at the point, paid on the expiration date, nothing else', () => {
    const entries = forecast(state(), 5000, '2027-03-21', 35);
    expect(lines(entries)).toEqual(['2027-03-26 create_renewal_order', '2027-03-31 auto_payment paid=true']);
    expect(entries[1]!.detail).toBe('1000 is paid from the balance, leaving 4000');
    // The renewed term ends on 30 April, so day 36 (25 April) opens its renewal window.
    expect(lines(forecast(state(), 5000, '2027-03-21', 40)).at(-1)).toBe('2027-04-25 create_renewal_order');
  });

  it('keeps the clamped day of a 31 January expiration: 28 February, then 28 March (decision 12)', () => {
    const entries = forecast(state({ expirationDate: '2027-01-31' }), 5000, '2027-01-21', 70);
    expect(lines(entries)).toEqual([
      '2027-01-26 create_renewal_order',
      '2027-01-31 auto_payment paid=true',
      '2027-02-23 create_renewal_order',
      '2027-02-28 auto_payment paid=true',
      '2027-03-23 create_renewal_order',
      '2027-03-28 auto_payment paid=true',
    ]);
  });

  it('without enough balance: retries during the grace days, then overdue, stopped and deleted', () => {
    const entries = forecast(state(), 500, '2027-03-21', 40);
    expect(lines(entries)).toEqual([
      '2027-03-26 create_renewal_order',
      '2027-03-31 auto_payment paid=false',
      '2027-04-01 auto_payment paid=false',
      '2027-04-01 mark_payment_overdue',
      '2027-04-02 auto_payment paid=false',
      '2027-04-03 auto_payment paid=false',
      '2027-04-04 auto_payment paid=false',
      '2027-04-04 stop',
      '2027-04-10 cancel_unpaid_order',
      '2027-04-14 delete',
    ]);
  });

  it('ends at deletion even when an unpaid order would be cancelled later', () => {
    const entries = forecast(state({ unpaidOrderCancelDays: 30 }), 0, '2027-03-21', 60);
    expect(lines(entries).slice(-2)).toEqual(['2027-04-04 stop', '2027-04-14 delete']);
  });

  it('in manual delete mode ends with a delete manual operation', () => {
    const entries = forecast(state({ deleteMode: 'manual' }), 0, '2027-03-21', 60);
    expect(entries.at(-1)).toMatchObject({ date: '2027-04-14', action: 'delete', detail: 'a delete manual operation is created' });
    expect(entries.filter((e) => e.action === 'delete')).toHaveLength(1);
  });

  it('provisions a postpay monthly_flexible deferred renewal on the expiration date', () => {
    const s = state({ billingType: 'monthly_flexible', paymentModel: 'postpay', prolongedUntil: '2027-04-01' });
    const entries = forecast(s, 0, '2027-03-21', 20);
    expect(lines(entries)).toEqual(['2027-03-26 create_renewal_order', '2027-03-31 provision_deferred']);
    expect(entries[0]!.detail).toContain('deferred to 2027-03-31');
  });

  it('moves "prolonged until" on after a paid prolongation, opening the next window', () => {
    const s = state({ billingType: 'monthly_flexible', period: { duration: 1, unit: 'year' }, prolongedUntil: '2027-02-01' });
    expect(lines(forecast(s, 5000, '2027-01-25', 35))).toEqual([
      '2027-01-27 create_prolongation_order',
      '2027-02-01 auto_payment paid=true',
      '2027-02-24 create_prolongation_order',
    ]);
  });

  // When the expiration date is itself a financial day, "prolonged until" reaches it: from there only a
  // renewal is created (spec 01 §11.1), which auto-pays on the expiration date.
  it('renews a monthly_flexible subscription whose expiration date is a financial day', () => {
    const s = state({ billingType: 'monthly_flexible', expirationDate: '2027-04-01', prolongedUntil: '2027-04-01' });
    const entries = forecast(s, 10_000, '2027-03-25', 25);
    expect(entries.map((e) => `${e.date} ${e.action}`)).toEqual(['2027-03-27 create_renewal_order', '2027-04-01 auto_payment']);
    expect(entries[1]!.expectedPaid).toBe(true);
  });

  it('refuses a day count outside 1-1000', () => {
    for (const days of [0, 1001, 1.5]) {
      expect(() => forecast(state(), 0, '2027-03-21', days), String(days)).toThrow(expect.objectContaining({ code: 'invalid_days' }));
    }
    expect(forecast(state(), 0, '2027-03-21', 1)).toEqual([]);
  });
});

describe('runDay: one billing run for one subscription (the forecast step and the dry run)', () => {
  it('works the duties in order, each seeing the ones before: the order created on the expiration date is paid the same day', () => {
    const wallet = { balance: 1500 };
    const day = runDay(state(), EXP, wallet);
    expect(day.steps.map((s) => [s.duty, s.action.kind])).toEqual([
      ['create_order', 'create_renewal_order'],
      ['auto_payment', 'auto_payment'],
    ]);
    expect(day.steps[1]!.entry.expectedPaid).toBe(true);
    expect(day.state.expirationDate).toBe('2027-04-30');
    // The wallet is the client's: a second subscription of the same client finds what the first one left.
    expect(wallet.balance).toBe(500);
    expect(runDay(state(), EXP, wallet).steps[1]!.entry.expectedPaid).toBe(false);
  });

  it('assumes what a duty starts is done before the next duty: long after expiration, stopped and deleted in one run', () => {
    const day = runDay(state({ expirationDate: '2027-01-31' }), '2027-06-01', { balance: 0 });
    expect(day.steps.map((s) => s.action.kind)).toEqual(['stop', 'delete']);
    expect(day.state.status).toBe('deleted');
  });

  it('changes nothing it is given', () => {
    const s = state({ openOrder: order() });
    const before = structuredClone(s);
    runDay(s, '2027-04-20', { balance: 0 });
    expect(s).toEqual(before);
  });
});

describe('runsAheadOfSchedule: a billing date after the next due one (today by the platform clock)', () => {
  it('today and earlier dates are due; tomorrow and later are ahead', () => {
    expect(runsAheadOfSchedule('2026-12-07', '2026-12-07')).toBe(false);
    expect(runsAheadOfSchedule('2026-01-15', '2026-12-07')).toBe(false);
    expect(runsAheadOfSchedule('2026-12-08', '2026-12-07')).toBe(true);
    expect(runsAheadOfSchedule('2030-01-01', '2026-12-07')).toBe(true);
  });
});

describe('manualRenewalOpen (§12.3)', () => {
  it('−1 is always open, 0 never', () => {
    expect(manualRenewalOpen(-1, EXP, '2020-01-01')).toBe(true);
    expect(manualRenewalOpen(0, EXP, '2027-03-01')).toBe(false);
    expect(manualRenewalOpen(0, EXP, EXP)).toBe(false);
    expect(manualRenewalOpen(0, EXP, '2027-04-10')).toBe(false);
  });

  it('N opens N days before expiry and stays open after it', () => {
    expect(manualRenewalOpen(10, EXP, '2027-03-20')).toBe(false);
    expect(manualRenewalOpen(10, EXP, '2027-03-21')).toBe(true);
    expect(manualRenewalOpen(10, EXP, '2027-04-10')).toBe(true);
  });

  it('is closed for unlimited periods', () => {
    expect(manualRenewalOpen(-1, null, EXP)).toBe(false);
    expect(manualRenewalOpen(5, null, EXP)).toBe(false);
  });
});

describe('manualRenewalRefusal (§12.3, §16): one rule for the API and the UI', () => {
  const sub: ManualRenewalSubject = { id: 7, status: 'active', clientStatus: 'active', paymentModel: 'prepay', expirationDate: EXP, unlimited: false, trial: false, trialRenewable: false, manualRenewPointDays: -1 };
  it('allows an active subscription of an active client inside the window', () => {
    expect(manualRenewalRefusal(sub, '2027-03-01')).toBeNull();
    expect(manualRenewalRefusal({ ...sub, status: 'stopped' }, '2027-03-01')).toBeNull();
  });

  it('refuses by status, client, period, trial and window, with the code the API answers', () => {
    const code = (over: Partial<ManualRenewalSubject>, today = '2027-03-01') => manualRenewalRefusal({ ...sub, ...over }, today)?.code;
    expect(code({ status: 'deleting' })).toBe('subscription_status');
    expect(code({ clientStatus: 'administratively_blocked' })).toBe('client_blocked');
    expect(code({ clientStatus: 'financially_blocked', paymentModel: 'postpay' })).toBeUndefined();
    expect(code({ unlimited: true })).toBe('not_renewable');
    expect(code({ trial: true })).toBe('not_renewable');
    expect(code({ trial: true, trialRenewable: true })).toBeUndefined();
    expect(code({ manualRenewPointDays: 10 }, '2027-03-20')).toBe('renewal_window_closed');
    expect(code({ manualRenewPointDays: 0 })).toBe('renewal_window_closed');
  });
});
