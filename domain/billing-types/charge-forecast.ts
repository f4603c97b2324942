// The charge forecast (issue 19 point 5): what the billing runs of the next N days will do to the charges of a
// client's subscriptions, by the rules the runs use. Each day plays, in the run's order, the lifecycle duties
// (domain/lifecycle.ts runDay: automatic orders, auto-payment, stop, deletion) with the charges they create, pay,
// cancel or split, then the charge duty (operations/charges + activities closeCharges): a stopped subscription's
// due charges go its billing type's way (deleted and given back, or held), due blocked charges close, and postpay
// charges whose period starts block (become debt). Every event carries the money it moves, computed from the
// statuses as the ledger does (types.ts moneyTaken), so Σ events = what the balance forecast shows.
//
// Assumptions, like the lifecycle forecast's: every scenario a run starts finishes before the next run; nobody
// pays, tops up, orders or operates in between. New orders are priced like the order operations price them
// (extensionCharges) and converted at the rate given (the one in force today).

import type { PlannedCharge } from '../charges';
import { extensionCharges } from './extension-charges';
import { addDays, compareDates, type IsoDate } from '../dates';
import { AppError } from '../errors';
import { convertCharges, type Exchange } from '../exchange';
import { runDay, type ForecastEntry, type LifecycleState } from '../lifecycle';
import { billingTypeRules } from './index';
import { applyChanges } from './movements';
import { chargeChangesOf } from './postpay';
import { replacesCommitment } from './no-refund';
import type { ChargeChanges, ChargeEvent, ChargeKind, ChargeStatus, ChargeView } from './types';
import { moneyTaken } from './types';

export const maxForecastDays = 366;

/** One subscription as the charge forecast needs it: its lifecycle state, prices and live charges. */
export interface ChargeForecastSubject {
  subscriptionId: number;
  state: LifecycleState;
  /** The plan period's renewal fee, in the plan's currency (extensionCharges needs it apart from the amount). */
  renewalFee: number;
  /** Plan currency → client currency at the rate in force; null when they are the same. */
  exchange: Exchange | null;
  /** Its new, open and blocked charges that are not superseded, in the client's currency. */
  charges: ChargeView[];
}

/** `grown`: a pay-as-you-go charge grows by the projected use of a day (usage-forecast.ts). */
export type ChargeForecastAction = 'created' | 'blocked' | 'closed' | 'held' | 'deleted' | 'split' | 'opened' | 'refunded' | 'grown';

export interface ChargeForecastEvent {
  date: IsoDate;
  subscriptionId: number;
  action: ChargeForecastAction;
  /** The charge's id; null for a charge the forecast expects to be created. */
  chargeId: number | null;
  kind: ChargeKind;
  from: IsoDate;
  to: IsoDate;
  amount: number;
  /** Its status after the event. */
  status: ChargeStatus;
  /** Change to the client's available balance (positive: given back; negative: taken). Prepaid charges only. */
  available: number;
  /** Change to the client's blocked funds (Σ blocked prepaid charges). */
  blocked: number;
  /** Change to the subscription's postpay debt (Σ blocked postpay charges). */
  debt: number;
  /** Why: the duty or rule that does it. */
  cause: string;
}

/** Ids the forecast gives the charges it expects to be created (never a real charge's). */
const predictedFrom = 2 ** 40;

interface Subject {
  s: ChargeForecastSubject;
  state: LifecycleState;
  charges: ChargeView[];
  /** The forecast order that waits for payment, for actions that name the lifecycle's placeholder id (−1). */
  pendingOrder: number | null;
  held: Set<number>;
  entries: ForecastEntry[];
}

export interface ChargeForecast {
  events: ChargeForecastEvent[];
  /** The lifecycle forecast of each subscription, played with the same balance. */
  lifecycle: Map<number, ForecastEntry[]>;
}

/**
 * What the next `days` billing runs from `from` do to the subscriptions' charges, the subscriptions sharing the
 * client's available `balance` (auto-payments spend it; give-backs refill it). Events are in date order, each
 * day in the run's order (lifecycle duties subscription by subscription, then the charge duty).
 */
export function forecastCharges(subjects: readonly ChargeForecastSubject[], balance: number, from: IsoDate, days: number): ChargeForecast {
  if (!Number.isInteger(days) || days < 1 || days > maxForecastDays) throw new AppError('invalid_days', `days must be 1-${maxForecastDays}, got ${days}`);
  const events: ChargeForecastEvent[] = [];
  const wallet = { balance };
  const ids = { next: predictedFrom, order: -2 };
  const subs: Subject[] = subjects.map((s) => ({ s, state: s.state, charges: s.charges.map((c) => ({ ...c })), pendingOrder: null, held: new Set(), entries: [] }));
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    for (const sub of subs) {
      if (sub.state.status === 'deleted') continue;
      const before = wallet.balance;
      const day = lifecycleDay(sub, date, wallet, ids);
      wallet.balance = before + day.reduce((sum, e) => sum + e.available, 0);
      events.push(...day);
    }
    for (const sub of subs) {
      const day = chargeDuty(sub, date, ids);
      wallet.balance += day.reduce((sum, e) => sum + e.available, 0);
      events.push(...day);
    }
  }
  return { events, lifecycle: new Map(subs.map((sub) => [sub.s.subscriptionId, sub.entries])) };
}

/** The lifecycle duties of one run for one subscription, and what each does to its charges. */
function lifecycleDay(sub: Subject, date: IsoDate, wallet: { balance: number }, ids: { next: number; order: number }): ChargeForecastEvent[] {
  const state = sub.state;
  const out: ChargeForecastEvent[] = [];
  let stopped = isStopped(state.status);
  const day = runDay(state, date, wallet);
  sub.entries.push(...day.steps.map((step) => step.entry));
  for (const { action, entry } of day.steps) {
    switch (action.kind) {
      case 'create_renewal_order':
      case 'create_prolongation_order': {
        const renewal = action.kind === 'create_renewal_order';
        const amount = renewal ? state.renewalAmount : state.prolongationAmount;
        if (amount === 0) break;
        const planned = extensionCharges({
          type: renewal ? 'renewal' : 'prolongation',
          billingType: state.billingType,
          expirationDate: renewal ? action.termKey : state.expirationDate!,
          period: state.period,
          financialDay: state.financialDay,
          renewalFee: sub.s.renewalFee,
          amount,
          ...(renewal ? {} : { prolonged: { from: action.from, to: action.to } }),
        });
        const orderId = ids.order--;
        const postpay = state.paymentModel === 'postpay';
        if (!postpay) sub.pendingOrder = orderId;
        for (const c of convert(planned, amount, sub.s.exchange)) {
          const status: ChargeStatus = !postpay ? 'new' : c.kind !== 'recurring' || c.from <= date ? 'blocked' : 'open';
          const charge: ChargeView = { id: ids.next++, orderId, kind: c.kind, status, from: c.from, to: c.to, closeDate: c.closeDate, amount: c.amount, refund: false };
          sub.charges.push(charge);
          out.push(event(sub, date, 'created', charge, { ...charge, status: 'deleted' }, `${renewal ? 'renewal' : 'prolongation'} order`));
        }
        out.push(...replaceCommitments(sub, planned, date));
        break;
      }
      case 'auto_payment': {
        if (!entry.expectedPaid) break;
        const orderId = action.orderId === -1 ? sub.pendingOrder : action.orderId;
        const rules = billingTypeRules(state.billingType);
        for (const c of sub.charges.filter((c) => c.orderId === orderId && c.status === 'new')) {
          const before = { ...c };
          c.status = rules.paidStatus(c, date);
          out.push(event(sub, date, c.status === 'closed' ? 'closed' : 'blocked', c, before, 'auto-payment from the balance'));
        }
        break;
      }
      case 'cancel_unpaid_order': {
        const orderId = action.orderId === -1 ? sub.pendingOrder : action.orderId;
        for (const c of sub.charges.filter((c) => c.orderId === orderId && c.status === 'new')) {
          const before = { ...c };
          c.status = 'deleted';
          out.push(event(sub, date, 'deleted', c, before, 'unpaid order cancelled'));
        }
        break;
      }
      case 'stop':
        out.push(...applyRule(sub, { kind: 'stop', date }, false, ids, 'stopped: not paid'));
        stopped = true;
        break;
      case 'delete':
        if (!action.manual) out.push(...applyRule(sub, { kind: 'delete', date }, stopped, ids, 'deleted after the blocking period'));
        break;
      default:
        break;
    }
  }
  sub.state = day.state;
  return out;
}

/** The run's charge duty for one subscription (activities/billing-runs.ts closeCharges, operations/billing-runs/due-work.ts). */
function chargeDuty(sub: Subject, date: IsoDate, ids: { next: number }): ChargeForecastEvent[] {
  const out: ChargeForecastEvent[] = [];
  const rules = billingTypeRules(sub.state.billingType);
  const prepay = sub.state.paymentModel === 'prepay';
  const stopped = isStopped(sub.state.status);
  if (stopped && rules.whileStopped === 'delete') out.push(...applyRule(sub, { kind: 'financial_day_stopped', date }, true, ids, 'financial day while stopped'));
  const hold = prepay && stopped && rules.whileStopped === 'hold';
  for (const c of sub.charges) {
    if (c.status !== 'blocked' || compareDates(c.closeDate, date) > 0) continue;
    if (hold) {
      if (!sub.held.has(c.id)) out.push(event(sub, date, 'held', c, c, 'held while stopped until an activation or deletion decides'));
      sub.held.add(c.id);
      continue;
    }
    const before = { ...c };
    c.status = 'closed';
    out.push(event(sub, date, 'closed', c, before, 'its period has passed'));
  }
  // Postpay (spec 02 §4.11): an open charge blocks (becomes debt) when its period starts, unless the subscription
  // is stopped (a stopped period is not used, so not owed).
  if (!prepay && !stopped) {
    for (const c of sub.charges.filter((c) => c.status === 'open' && compareDates(c.from, date) <= 0)) {
      const before = { ...c };
      c.status = 'blocked';
      out.push(event(sub, date, 'blocked', c, before, 'its period starts (postpay debt)'));
    }
  }
  return out;
}

/** The open commitment months an order now bills are replaced by its charges (operations/charges/charges.ts replaceCommitments). */
function replaceCommitments(sub: Subject, planned: readonly PlannedCharge[], date: IsoDate): ChargeForecastEvent[] {
  const out: ChargeForecastEvent[] = [];
  for (const c of sub.charges) {
    if (!replacesCommitment(c, planned)) continue;
    const before = { ...c };
    c.status = 'deleted';
    out.push(event(sub, date, 'deleted', c, before, 'the commitment month is billed by its prolongation order'));
  }
  return out;
}

/** A billing type's rule for an event, applied to the forecast's charges, one forecast event per change. */
function applyRule(sub: Subject, e: ChargeEvent, stopped: boolean, ids: { next: number }, cause: string): ChargeForecastEvent[] {
  const state = sub.state;
  const terms = { billingType: state.billingType, financialDay: state.financialDay, prepay: state.paymentModel === 'prepay', expirationDate: state.expirationDate, stopped };
  const live = sub.charges.filter((c) => c.status === 'new' || c.status === 'open' || c.status === 'blocked');
  const changes: ChargeChanges = chargeChangesOf(terms, live, e);
  if (changes.set.length === 0 && changes.add.length === 0) return [];
  const applied = applyChanges(live, changes, ids.next);
  ids.next += changes.add.length;
  const out: ChargeForecastEvent[] = [];
  const byId = new Map(live.map((c) => [c.id, c] as const));
  for (const set of changes.set) {
    const before = byId.get(set.id)!;
    const after = { ...before, status: set.status };
    out.push(event(sub, e.date, set.superseded ? 'split' : actionOf(set.status), after, before, `${cause} (${billingTypeRules(state.billingType).label} ${e.kind.replaceAll('_', ' ')})`));
  }
  const added = applied.charges.slice(live.length);
  changes.add.forEach((a, i) => {
    const c = added[i]!;
    out.push(event(sub, e.date, 'created', c, { ...c, status: 'deleted' }, `${cause}: ${a.part}`));
  });
  const after = new Map(applied.charges.map((c) => [c.id, c] as const));
  sub.charges = [...sub.charges.filter((c) => !after.has(c.id)), ...applied.charges.map((c) => ({ id: c.id, orderId: c.orderId, kind: c.kind, status: c.status, from: c.from, to: c.to, closeDate: c.closeDate, amount: c.amount, refund: c.refund }))];
  return out;
}

const actions: Record<ChargeStatus, ChargeForecastAction> = { new: 'created', open: 'opened', blocked: 'blocked', closed: 'closed', deleted: 'deleted', awaiting_refund: 'refunded', refunded: 'refunded' };
const actionOf = (status: ChargeStatus): ChargeForecastAction => actions[status];

const isStopped = (status: string) => status === 'stopped' || status === 'blocked';

const blockedOf = (c: Pick<ChargeView, 'status' | 'amount' | 'refund'>) => (!c.refund && c.status === 'blocked' ? c.amount : 0);

/** One event: the charge after it, and the money the change from `before` moves. */
function event(sub: Subject, date: IsoDate, action: ChargeForecastAction, c: ChargeView, before: ChargeView, cause: string): ChargeForecastEvent {
  const prepay = sub.state.paymentModel === 'prepay';
  const held = blockedOf(c) - blockedOf(before);
  return {
    date,
    subscriptionId: sub.s.subscriptionId,
    action,
    chargeId: c.id >= predictedFrom ? null : c.id,
    kind: c.kind,
    from: c.from,
    to: c.to,
    amount: c.amount,
    status: c.status,
    available: prepay ? moneyTaken(before) - moneyTaken(c) : 0,
    blocked: prepay ? held : 0,
    debt: prepay ? 0 : held,
    cause,
  };
}

function convert(planned: PlannedCharge[], amount: number, exchange: Exchange | null): PlannedCharge[] {
  return exchange ? convertCharges(planned, amount, exchange) : planned;
}

export interface BalanceForecastDay {
  date: IsoDate;
  /** Σ of the day's events. */
  availableChange: number;
  blockedChange: number;
  /** The projected figures at the end of the day's run. */
  available: number;
  blocked: number;
}

/** The client's balance forecast: its funds now plus the day's money movements of every subscription, day by day. */
export function balanceForecast(events: readonly ChargeForecastEvent[], funds: { available: number; blocked: number }, from: IsoDate, days: number): BalanceForecastDay[] {
  const out: BalanceForecastDay[] = [];
  let { available, blocked } = funds;
  const byDate = new Map<IsoDate, ChargeForecastEvent[]>();
  for (const e of events) byDate.set(e.date, [...(byDate.get(e.date) ?? []), e]);
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    const today = byDate.get(date) ?? [];
    const availableChange = today.reduce((s, e) => s + e.available, 0);
    const blockedChange = today.reduce((s, e) => s + e.blocked, 0);
    available += availableChange;
    blocked += blockedChange;
    out.push({ date, availableChange, blockedChange, available, blocked });
  }
  return out;
}
