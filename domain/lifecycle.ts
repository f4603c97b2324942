// The daily lifecycle rules of a subscription (spec 01 §11-12, §16.3, §21; spec 02 §9, §16;
// decisions 5-8, 12, 25). Pure: the billing run decides what is due with these predicates, and the
// forecast endpoint plays the same predicates forward with their predicted effects, so the two cannot
// drift apart.
//
// OUR READING where the spec leaves room (also in the issue note):
// - "Paid through" is the last day the subscription is paid for: the expiration date for term billing;
//   for per-financial-period billing (`monthly_flexible`, the CSP-monthly analogue) the day before
//   "prolonged until", which is the first day of the first unpaid financial period.
// - Overdue, stop and deletion count from "paid through": `payment_overdue` for the unpaid-stop period
//   S (prepay only, decision 5), stopped from paid-through + S + 1, deleted from expiration + S + K + 1.
//   Postpay subscriptions that are not renewed are stopped and deleted on the same days.
// - Auto-payment is tried on the due date and again on each following run while the subscription is
//   still working (active or payment overdue), so a client who tops up during the grace days is renewed.
// - Renewal orders of `monthly_flexible` subscriptions created before the expiration date are deferred
//   (spec 01 §12.4): provisioned on the expiration date.

import { addDays, addMonthsClamped, compareDates, nextExpirationDate, type IsoDate, type PeriodLength } from './dates';
import { AppError } from './errors';
import { orderRefusal, type OrderSubject, type Refusal } from './order-effects';
import { billedPerPeriod } from './billing-types/payment';

export type { BillingType } from './billing-types/types';
import type { BillingType } from './billing-types/types';

export interface OpenOrder {
  id: number;
  type: 'purchase' | 'renewal' | 'prolongation' | 'resource_change' | 'plan_switch';
  status: 'awaiting_payment' | 'awaiting_provisioning' | 'provisioning' | 'activation_error';
  /** Created by the billing run (auto-renewal, prolongation) rather than by a person. */
  automatic: boolean;
  amount: number;
  /** The date the billing run pays it from the balance (automatic orders only). */
  autoPayDate: IsoDate | null;
  provisioningDate: IsoDate | null;
  endDate: IsoDate;
  /** For renewal and prolongation orders: the paid-through date the order starts after (dedupe key). */
  termKey: IsoDate | null;
}

/** What the rules need to know about a subscription on a business date. */
export interface LifecycleState {
  status: string;
  billingType: BillingType;
  paymentModel: 'prepay' | 'postpay';
  trial: boolean;
  /** Service-template capability (decision 17). */
  trialRenewable: boolean;
  /** Null for unlimited periods: they never renew or expire. */
  expirationDate: IsoDate | null;
  prolongedUntil: IsoDate | null;
  period: PeriodLength;
  autoRenew: boolean;
  autoRenewPointDays: number;
  unpaidStopAfterDays: number;
  blockingPeriodDays: number;
  deleteMode: 'automatic' | 'manual';
  financialDay: number;
  unpaidOrderCancelDays: number;
  renewalAmount: number;
  prolongationAmount: number;
  openOrder: OpenOrder | null;
}

export type LifecycleAction =
  | { kind: 'cancel_unpaid_order'; orderId: number }
  | { kind: 'create_renewal_order'; termKey: IsoDate; deferred: boolean; provisioningDate: IsoDate; autoPayDate: IsoDate; supersedes: number | null }
  | { kind: 'create_prolongation_order'; termKey: IsoDate; from: IsoDate; to: IsoDate; autoPayDate: IsoDate; supersedes: number | null }
  | { kind: 'blocked_by_open_order'; orderId: number }
  | { kind: 'auto_payment'; orderId: number }
  | { kind: 'provision_deferred'; orderId: number }
  | { kind: 'mark_payment_overdue' }
  | { kind: 'stop' }
  | { kind: 'delete'; manual: boolean };

export type LifecycleActionKind = LifecycleAction['kind'];

/** The order the billing run works through its duties; each duty sees the effects of the ones before. */
export const dutyOrder = [
  'cancel_unpaid_order',
  'create_order',
  'auto_payment',
  'provision_deferred',
  'mark_payment_overdue',
  'stop',
  'delete',
] as const;
export type Duty = (typeof dutyOrder)[number];

const working = ['active', 'payment_overdue'];

/** The first financial day strictly after `date` (financial days are 1-28, so every month has one). */
export function nextFinancialDay(date: IsoDate, financialDay: number): IsoDate {
  if (!Number.isInteger(financialDay) || financialDay < 1 || financialDay > 28) {
    throw new AppError('invalid_financial_day', `financial day must be 1-28, got ${financialDay}`);
  }
  const sameMonth = `${date.slice(0, 8)}${String(financialDay).padStart(2, '0')}`;
  return compareDates(sameMonth, date) > 0 ? sameMonth : addMonthsClamped(sameMonth, 1);
}

/** The last day the subscription is paid for (see the note at the top). */
export function paidThrough(s: Pick<LifecycleState, 'billingType' | 'expirationDate' | 'prolongedUntil'>): IsoDate | null {
  if (s.expirationDate === null) return null;
  if (billedPerPeriod(s.billingType) && s.prolongedUntil !== null) {
    const beforeProlonged = addDays(s.prolongedUntil, -1);
    return compareDates(beforeProlonged, s.expirationDate) < 0 ? beforeProlonged : s.expirationDate;
  }
  return s.expirationDate;
}

/** "Prolonged until" after paying the financial period that starts on `from` (capped at the term's end). */
export function prolongedUntilAfter(from: IsoDate, expirationDate: IsoDate, financialDay: number): IsoDate {
  const next = nextFinancialDay(from, financialDay);
  const afterTerm = addDays(expirationDate, 1);
  return compareDates(next, afterTerm) < 0 ? next : afterTerm;
}

function within(date: IsoDate, from: IsoDate, to: IsoDate): boolean {
  return compareDates(from, date) <= 0 && compareDates(date, to) <= 0;
}

/** A paid renewal or prolongation is on its way: the subscription is not overdue. */
function paidExtensionUnderWay(s: LifecycleState): boolean {
  const o = s.openOrder;
  return o !== null && (o.type === 'renewal' || o.type === 'prolongation') && (o.status === 'provisioning' || o.status === 'awaiting_provisioning');
}

/** Spec 01 §16.8, decision 8: an order awaiting payment after its end date is cancelled. */
export function unpaidOrderCancellation(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  const o = s.openOrder;
  if (!o || o.status !== 'awaiting_payment' || compareDates(o.endDate, date) >= 0) return null;
  return { kind: 'cancel_unpaid_order', orderId: o.id };
}

/** The open order may be cancelled to make way for an automatic order on its due date (spec 01 §16.3, §11.2). */
function supersedable(o: OpenOrder): boolean {
  return o.status === 'awaiting_payment' && (o.type === 'resource_change' || o.type === 'plan_switch' || o.type === 'prolongation');
}

/**
 * Spec 01 §12.2 and §11.2: the automatic order due today, if any. Renewal at the auto-renewal point
 * (auto-renew on, not stopped, not an unlimited or non-renewable trial); prolongation of per-period
 * billing before "prolonged until" (regardless of auto-renew). Another open order makes it wait, except
 * on the due date itself, where a change, switch or prolongation awaiting payment is superseded.
 */
export function automaticOrder(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  if (s.expirationDate === null || s.status !== 'active') return null;
  const exp = s.expirationDate;
  const point = s.autoRenewPointDays;
  const o = s.openOrder;

  // Spec 01 §11.1: prolongations while "prolonged until" is before the expiration date; on that date
  // only a renewal (which also pays the term's last day).
  if (billedPerPeriod(s.billingType) && s.prolongedUntil !== null && compareDates(s.prolongedUntil, exp) < 0) {
    const pu = s.prolongedUntil;
    if (!within(date, addDays(pu, -point), pu)) return null;
    if (o && o.type === 'prolongation' && o.termKey === pu) return null;
    if (o && !(date === pu && supersedable(o))) {
      // Spec 01 §11.2: an order being provisioned waits silently; anything else open is reported on the date.
      return date === pu && o.status !== 'provisioning' ? { kind: 'blocked_by_open_order', orderId: o.id } : null;
    }
    return {
      kind: 'create_prolongation_order',
      termKey: pu,
      from: pu,
      to: addDays(prolongedUntilAfter(pu, exp, s.financialDay), -1),
      autoPayDate: pu,
      supersedes: o?.id ?? null,
    };
  }

  if (!s.autoRenew || (s.trial && !s.trialRenewable)) return null;
  if (!within(date, addDays(exp, -point), exp)) return null;
  if (o && o.type === 'renewal' && o.termKey === exp) return null;
  if (o) {
    if (date === exp && supersedable(o)) return renewal(s, date, o.id);
    // Decision 7: an order in activation error blocks the renewal; the run reports it on the due date.
    return date === exp ? { kind: 'blocked_by_open_order', orderId: o.id } : null;
  }
  return renewal(s, date, null);
}

function renewal(s: LifecycleState, date: IsoDate, supersedes: number | null): LifecycleAction {
  const exp = s.expirationDate!;
  const deferred = billedPerPeriod(s.billingType) && compareDates(date, exp) < 0;
  return { kind: 'create_renewal_order', termKey: exp, deferred, provisioningDate: deferred ? exp : date, autoPayDate: exp, supersedes };
}

/** Spec 01 §12.2 step 2, §11.2: pay an automatic order from the balance on (or after) its date. */
export function autoPayment(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  const o = s.openOrder;
  if (!o || !o.automatic || o.status !== 'awaiting_payment' || o.autoPayDate === null) return null;
  if (s.paymentModel !== 'prepay' || !working.includes(s.status) || compareDates(o.autoPayDate, date) > 0) return null;
  return { kind: 'auto_payment', orderId: o.id };
}

/** Spec 01 §12.4: a paid deferred renewal is provisioned once its date has come. */
export function deferredProvisioning(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  const o = s.openOrder;
  if (!o || o.status !== 'awaiting_provisioning' || o.provisioningDate === null || compareDates(o.provisioningDate, date) > 0) return null;
  return { kind: 'provision_deferred', orderId: o.id };
}

/** Decision 5: the grace days after the paid-through date (prepay only). */
export function paymentOverdue(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  const through = paidThrough(s);
  if (through === null || s.paymentModel !== 'prepay' || s.status !== 'active' || s.unpaidStopAfterDays === 0) return null;
  if (paidExtensionUnderWay(s)) return null;
  return within(date, addDays(through, 1), addDays(through, s.unpaidStopAfterDays)) ? { kind: 'mark_payment_overdue' } : null;
}

/** Spec 01 §12.5: stopped once the unpaid-stop period is over. */
export function unpaidStop(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  const through = paidThrough(s);
  if (through === null || !working.includes(s.status) || paidExtensionUnderWay(s)) return null;
  return compareDates(date, addDays(through, s.unpaidStopAfterDays)) > 0 ? { kind: 'stop' } : null;
}

/** Spec 01 §12.5: deleted after the blocking period (through a manual operation in manual delete mode). */
export function expiredDeletion(s: LifecycleState, date: IsoDate): LifecycleAction | null {
  if (s.expirationDate === null || s.status !== 'stopped' || paidExtensionUnderWay(s)) return null;
  const lastStoppedDay = addDays(s.expirationDate, s.unpaidStopAfterDays + s.blockingPeriodDays);
  return compareDates(date, lastStoppedDay) > 0 ? { kind: 'delete', manual: s.deleteMode === 'manual' } : null;
}

/** Which rule each duty of the billing run applies. */
export const dutyRules: Record<Duty, (s: LifecycleState, date: IsoDate) => LifecycleAction | null> = {
  cancel_unpaid_order: unpaidOrderCancellation,
  create_order: automaticOrder,
  auto_payment: autoPayment,
  provision_deferred: deferredProvisioning,
  mark_payment_overdue: paymentOverdue,
  stop: unpaidStop,
  delete: expiredDeletion,
};

// ---------------------------------------------------------------------------------------------
// Forecast: the same rules played forward with their expected effects.

export interface ForecastEntry {
  date: IsoDate;
  action: LifecycleActionKind;
  /** What the forecast expects to happen, for people ("pays 10.00 from a balance of 25.00"). */
  detail: string;
  /** For auto-payments: whether the balance is expected to cover it. */
  expectedPaid?: boolean;
}

/** Completes an extension order as its scenario would: the term or the paid period moves on. */
function completeExtension(s: LifecycleState): LifecycleState {
  const o = s.openOrder!;
  if (o.type === 'prolongation' && s.prolongedUntil !== null && s.expirationDate !== null) {
    return { ...s, status: 'active', prolongedUntil: prolongedUntilAfter(s.prolongedUntil, s.expirationDate, s.financialDay), openOrder: null };
  }
  const exp = s.expirationDate!;
  const next = nextExpirationDate(exp, s.period);
  const prolongedUntil = billedPerPeriod(s.billingType) ? prolongedUntilAfter(addDays(exp, 1), next, s.financialDay) : s.prolongedUntil;
  return { ...s, status: 'active', expirationDate: next, prolongedUntil, openOrder: null };
}

function applyAction(s: LifecycleState, a: LifecycleAction, date: IsoDate, wallet: { balance: number }): { state: LifecycleState; entry: ForecastEntry } {
  const entry = (detail: string, extra: Partial<ForecastEntry> = {}): ForecastEntry => ({ date, action: a.kind, detail, ...extra });
  switch (a.kind) {
    case 'cancel_unpaid_order':
      return { state: { ...s, openOrder: null }, entry: entry(`order #${a.orderId} is cancelled: not paid by its end date`) };
    case 'blocked_by_open_order':
      return { state: s, entry: entry(`the automatic order waits: order #${a.orderId} is open`) };
    case 'create_renewal_order':
    case 'create_prolongation_order': {
      const renewalOrder = a.kind === 'create_renewal_order';
      const amount = renewalOrder ? s.renewalAmount : s.prolongationAmount;
      const free = amount === 0 || s.paymentModel === 'postpay';
      const order: OpenOrder = {
        id: -1,
        type: renewalOrder ? 'renewal' : 'prolongation',
        status: free ? (renewalOrder && a.deferred ? 'awaiting_provisioning' : 'provisioning') : 'awaiting_payment',
        automatic: true,
        amount,
        autoPayDate: a.autoPayDate,
        provisioningDate: renewalOrder ? a.provisioningDate : date,
        endDate: addDays(date, s.unpaidOrderCancelDays),
        termKey: a.termKey,
      };
      const what = renewalOrder ? `renewal order${a.deferred ? ` (deferred to ${a.provisioningDate})` : ''}` : `prolongation order for ${a.from} – ${a.to}`;
      const detail = `${what} of ${amount} is created${a.supersedes ? `, superseding order #${a.supersedes}` : ''}`;
      const next = { ...s, openOrder: order };
      return { state: order.status === 'provisioning' ? completeExtension(next) : next, entry: entry(detail) };
    }
    case 'auto_payment': {
      const o = s.openOrder!;
      if (wallet.balance < o.amount) {
        return { state: s, entry: entry(`the balance (${wallet.balance}) does not cover ${o.amount}`, { expectedPaid: false }) };
      }
      wallet.balance -= o.amount;
      const paid = { ...s, openOrder: { ...o, status: o.provisioningDate !== null && compareDates(o.provisioningDate, date) > 0 ? ('awaiting_provisioning' as const) : ('provisioning' as const) } };
      const detail = `${o.amount} is paid from the balance, leaving ${wallet.balance}`;
      return { state: paid.openOrder.status === 'provisioning' ? completeExtension(paid) : paid, entry: entry(detail, { expectedPaid: true }) };
    }
    case 'provision_deferred':
      return { state: completeExtension(s), entry: entry(`deferred order #${s.openOrder!.id} is provisioned`) };
    case 'mark_payment_overdue':
      return { state: { ...s, status: 'payment_overdue' }, entry: entry('the subscription becomes payment overdue') };
    case 'stop':
      return { state: { ...s, status: 'stopped' }, entry: entry('the subscription is stopped: not paid') };
    case 'delete':
      return a.manual
        ? { state: { ...s, status: 'awaiting_manual_confirmation' }, entry: entry('a delete manual operation is created') }
        : { state: { ...s, status: 'deleted' }, entry: entry('the subscription is deleted') };
  }
}

/**
 * What consecutive billing runs from `from` for `days` days will do to this subscription, assuming each
 * scenario they start finishes before the next run and nobody else acts. `balance` is the client's
 * balance now (other subscriptions' payments are not foreseen).
 */
export function forecast(state: LifecycleState, balance: number, from: IsoDate, days: number): ForecastEntry[] {
  if (!Number.isInteger(days) || days < 1 || days > 1000) throw new AppError('invalid_days', `days must be 1-1000, got ${days}`);
  const entries: ForecastEntry[] = [];
  const wallet = { balance };
  let s = state;
  for (let i = 0; i < days; i++) {
    const day = runDay(s, addDays(from, i), wallet);
    s = day.state;
    entries.push(...day.steps.map((step) => step.entry));
    if (s.status === 'deleted') break;
  }
  return entries;
}

export interface RunDayStep {
  duty: Duty;
  action: LifecycleAction;
  entry: ForecastEntry;
}

/**
 * One billing run's duties on `date` for one subscription, in the run's order, each seeing the expected effect
 * of the ones before: a step of the forecast, and what the dry run of a billing run reports. `wallet` is the
 * client's balance, spent by the auto-payments it expects (share it between a client's subscriptions). Like the
 * forecast it assumes the scenarios a duty starts finish before the next duty looks: a subscription the run
 * stops long after its expiration is deleted by the same run when its stop scenario is that quick, which is
 * the worst case the dry run should show.
 */
export function runDay(state: LifecycleState, date: IsoDate, wallet: { balance: number }): { state: LifecycleState; steps: RunDayStep[] } {
  const steps: RunDayStep[] = [];
  let s = state;
  for (const duty of dutyOrder) {
    const action = dutyRules[duty](s, date);
    if (!action) continue;
    const applied = applyAction(s, action, date, wallet);
    s = applied.state;
    steps.push({ duty, action, entry: applied.entry });
  }
  return { state: s, steps };
}

/**
 * The daily billing schedule (platform/billing-schedule.ts) runs each business date on that day in the
 * platform time zone, so the next business date it is due to run is today's (still to come before the run
 * hour, just done after it). Running that date or an earlier one by hand repeats or catches up the schedule's
 * work, and its duties find only what is still due; a later date acts ahead of the calendar: it stops, deletes
 * and cancels what is not due yet, which POST /billing/runs does only when the date is confirmed.
 */
export function runsAheadOfSchedule(date: IsoDate, nextDueDate: IsoDate): boolean {
  return compareDates(date, nextDueDate) > 0;
}

/**
 * Spec 01 §12.3: whether a person may renew on `today`: −1 always, 0 never, N from N days before the
 * expiration date (and after it, while the subscription is overdue or stopped).
 */
export function manualRenewalOpen(manualRenewPointDays: number, expirationDate: IsoDate | null, today: IsoDate): boolean {
  if (expirationDate === null || manualRenewPointDays === 0) return false;
  if (manualRenewPointDays === -1) return true;
  return compareDates(today, addDays(expirationDate, -manualRenewPointDays)) >= 0;
}

export interface ManualRenewalSubject extends OrderSubject {
  expirationDate: IsoDate | null;
  /** The current period is unlimited: never renewed. */
  unlimited: boolean;
  trial: boolean;
  /** Service-template capability (decision 17). */
  trialRenewable: boolean;
  manualRenewPointDays: number;
}

/**
 * Spec 01 §12.3, §16: why a person may not renew the subscription on `today`, or null when they may. The API
 * refuses a renewal with this answer, and the operator UI offers "Renew" only when it is null.
 */
export function manualRenewalRefusal(s: ManualRenewalSubject, today: IsoDate): Refusal | null {
  const refused = orderRefusal('renewal', s, 'renewed');
  if (refused) return refused;
  if (s.unlimited || s.expirationDate === null) return { code: 'not_renewable', message: 'unlimited subscriptions are never renewed' };
  if (s.trial && !s.trialRenewable) return { code: 'not_renewable', message: 'this service does not renew trials; switch to a paid plan instead' };
  if (!manualRenewalOpen(s.manualRenewPointDays, s.expirationDate, today)) {
    const window = s.manualRenewPointDays === 0 ? 'manual renewal is not available for this subscription' : `manual renewal opens on ${addDays(s.expirationDate, -s.manualRenewPointDays)}`;
    return { code: 'renewal_window_closed', message: `subscription ${s.id} cannot be renewed on ${today}: ${window}` };
  }
  return null;
}
