// The pure charge book: one prepaid subscription of any billing type, its orders, charges and the client's
// available balance, driven by the same rules as the platform (billingTypeRules, applyChanges). The property
// tests run random sequences through it and check the invariants of spec 02 §4 after every step; the
// forecast can run it forward. It prices a purchase and its extensions the way the order operations do
// (domain/charges.ts orderCharges), one financial period at a time for `period` types.

import { addDays, addMonthsClamped, compareDates, type IsoDate } from '../dates';
import { orderCharges, recurringCharges, type PlannedCharge } from '../charges';
import { nextFinancialDay } from '../lifecycle';
import { billingTypeRules } from './index';
import { chargeChangesOf } from './postpay';
import { applyChanges, takenOf } from './movements';
import { freePeriodEnd } from './peak-monthly';
import { replacesCommitment } from './no-refund';
import type { BillingType, ChargeEvent, ChargeView } from './types';

export interface BookCharge extends ChargeView {
  superseded: boolean;
  splitOf: number | null;
  mergeOf?: number[];
}

/** One recurring charge per financial period of the span, prorated, as a prolongation orders them. */
function periodCharges(span: { from: IsoDate; to: IsoDate }, financialDay: number, monthlyFee: number): PlannedCharge[] {
  return recurringCharges(span.from, span.to, financialDay, monthlyFee).map((c) => ({ kind: 'recurring', from: c.from, to: c.to, closeDate: addDays(c.to, 1), amount: c.amount }));
}

export interface BookOptions {
  type: BillingType;
  financialDay: number;
  start: IsoDate;
  /** Term in months for `term` types (CSP annual and no refund are 12 whatever is asked). */
  months: number;
  monthlyFee: number;
  setupFee: number;
  deposit: number;
  /** The monthly price of one additional resource unit (resource increases and decreases; 0: none are sold). */
  unitFee?: number;
}

export type BookStatus = 'active' | 'delivered' | 'stopped' | 'deleted';

export class ChargeBook {
  charges: BookCharge[] = [];
  orders = new Map<number, { amount: number; paid: boolean }>();
  available: number;
  deposits: number;
  status: BookStatus = 'active';
  /** Additional resource units held (above the included ones), in charges of their own keyed `extra`. */
  extra = 0;
  /** The last day the book has seen (its purchase or billing run, or an event). */
  today: IsoDate;
  expiration: IsoDate | null;
  /** The day the current paid period (or term) ends, exclusive. */
  paidUntil: IsoDate;
  private nextId = 1;
  private nextOrder = 1;
  readonly rules;

  constructor(readonly o: BookOptions) {
    this.rules = billingTypeRules(o.type);
    this.available = o.deposit;
    this.deposits = o.deposit;
    const months = o.type === 'csp_annual' || o.type === 'no_refund' ? 12 : o.months;
    this.expiration = this.rules.payment === 'once' ? null : addMonthsClamped(o.start, months);
    this.paidUntil = o.start;
    this.today = o.start;
    this.buyFirst();
  }

  deposit(amount: number): void {
    this.available += amount;
    this.deposits += amount;
  }

  private buyFirst(): void {
    const { start, financialDay, monthlyFee, setupFee } = this.o;
    if (this.rules.payment === 'once') {
      this.order([{ kind: 'setup', from: start, to: start, closeDate: start, amount: setupFee }], start);
      return;
    }
    if (this.o.type === 'peak_monthly') {
      this.paidUntil = addDays(freePeriodEnd(start, financialDay), 1);
      return;
    }
    const until = this.rules.payment === 'period' ? nextFinancialDay(start, financialDay) : this.expiration!;
    const end = compareDates(until, this.expiration!) < 0 ? until : this.expiration!;
    const span = { from: start, to: addDays(end, -1) };
    const months = this.rules.payment === 'period' ? 1 : this.o.type === 'csp_annual' ? 12 : this.o.months;
    const oneOff = this.o.type === 'prepaid_term' && setupFee > 0 ? { kind: 'setup' as const, amount: setupFee } : undefined;
    const planned = this.rules.payment === 'period' ? periodCharges(span, financialDay, monthlyFee) : orderCharges({ span, financialDay, monthlyFee, oneOff, total: monthlyFee * months + (oneOff?.amount ?? 0) });
    this.order(planned, start);
    this.paidUntil = end;
    // No refund shows the rest of the year open (seed 8.3.4.6.4), in no order's amount.
    if (this.rules.commitsTerm) {
      for (const c of periodCharges({ from: end, to: addDays(this.expiration!, -1) }, financialDay, monthlyFee)) {
        this.charges.push({ id: this.nextId++, orderId: this.nextOrder - 1, kind: c.kind, status: 'open', from: c.from, to: c.to, closeDate: c.closeDate, amount: c.amount, refund: false, superseded: false, splitOf: null, commitment: true });
      }
    }
  }

  /** Places an order with its planned charges and pays it from the balance when it can. */
  private order(planned: PlannedCharge[], date: IsoDate): boolean {
    const id = this.nextOrder++;
    const amount = planned.reduce((s, c) => s + c.amount, 0);
    this.orders.set(id, { amount, paid: false });
    const created: BookCharge[] = planned.map((c) => ({
      id: this.nextId++, orderId: id, kind: c.kind, status: 'new', from: c.from, to: c.to, closeDate: c.closeDate, amount: c.amount, refund: false, superseded: false, splitOf: null,
      resourceKey: c.resourceKey ?? null, quantity: c.quantity ?? null,
    }));
    this.charges.push(...created);
    if (this.available < amount) return false;
    // Paying takes the order's amount; its charges take the statuses the type gives them.
    const before = takenOf(this.charges);
    for (const c of created) c.status = this.rules.paidStatus(c, date);
    this.available -= takenOf(this.charges) - before;
    this.orders.get(id)!.paid = true;
    return true;
  }

  /** An event through the type's rules; returns the refusal code when the type forbids it. */
  event(kind: 'stop' | 'activate' | 'delete' | 'switch' | 'manual_close', date: IsoDate): string | null {
    const operation = kind;
    const refusal = this.rules.refuses(operation, { date, startDate: this.o.start, financialDay: this.o.financialDay });
    if (refusal) return refusal.code;
    const stopped = this.status === 'stopped';
    this.today = date;
    this.apply({ kind, date } as ChargeEvent, stopped);
    if (kind === 'stop') this.status = 'stopped';
    if (kind === 'activate') this.status = 'active';
    if (kind === 'delete' || kind === 'switch') this.status = 'deleted';
    return null;
  }

  private apply(event: ChargeEvent, stopped: boolean): void {
    const changes = chargeChangesOf({ billingType: this.o.type, financialDay: this.o.financialDay, prepay: true, expirationDate: this.expiration, stopped }, this.charges, event, this.rules);
    const applied = applyChanges(this.charges, changes, this.nextId);
    this.nextId += changes.add.length;
    const added = new Map(changes.add.map((a, i) => [applied.charges.length - changes.add.length + i, a] as const));
    this.charges = applied.charges.map((c, i) => ({ ...c, splitOf: 'splitOf' in c ? c.splitOf : null, mergeOf: added.get(i)?.mergeOf ?? (c as Partial<BookCharge>).mergeOf }) as BookCharge);
    for (const a of changes.add) for (const m of a.mergeOf ?? []) this.charges.find((c) => c.id === m)!.superseded = true;
    this.available += applied.movement;
  }

  /**
   * The billing run of `date`: a stopped subscription's due charges go the type's way; due blocked charges close;
   * `period` types are prolonged into the period that starts, `term` types renewed when their term ends.
   */
  runDay(date: IsoDate): void {
    this.today = date;
    if (this.status === 'deleted') return;
    if (this.status === 'stopped' && this.rules.whileStopped !== 'close') this.apply({ kind: 'financial_day_stopped', date }, true);
    const hold = this.status === 'stopped' && this.rules.whileStopped === 'hold';
    for (const c of this.charges) if (!hold && c.status === 'blocked' && compareDates(c.closeDate, date) <= 0) c.status = 'closed';
    if (this.status !== 'active' || this.expiration === null || compareDates(date, this.paidUntil) !== 0) return;
    if (compareDates(date, this.expiration) >= 0) {
      if (this.rules.refuses('renew', { date, startDate: this.o.start, financialDay: this.o.financialDay }) || this.rules.payment === 'period') {
        this.status = 'deleted';
        return;
      }
      this.expiration = addMonthsClamped(this.expiration, this.o.type === 'csp_annual' ? 12 : this.o.type === 'peak_monthly' ? 1 : this.o.months);
    }
    this.extend(date);
  }

  private extend(date: IsoDate): void {
    const until = this.rules.payment === 'period' || this.o.type === 'peak_monthly' ? nextFinancialDay(date, this.o.financialDay) : this.expiration!;
    const end = compareDates(until, this.expiration!) < 0 ? until : this.expiration!;
    const span = { from: date, to: addDays(end, -1) };
    const planned = [...periodCharges(span, this.o.financialDay, this.o.monthlyFee), ...this.resourceCharges(span, this.extra)];
    // The prolongation bills its month: the commitment charge that showed it open is replaced (charges.ts replaceCommitments).
    for (const c of this.charges) if (replacesCommitment(c, planned)) Object.assign(c, { status: 'deleted', superseded: true });
    if (this.order(planned, date)) this.paidUntil = end;
    else this.status = 'stopped';
  }

  /** Charges for `units` additional units over the span, one per financial period, as their own series (extension-charges.ts). */
  private resourceCharges(span: { from: IsoDate; to: IsoDate }, units: number): PlannedCharge[] {
    const monthly = (this.o.unitFee ?? 0) * units;
    if (monthly === 0 || compareDates(span.to, span.from) < 0) return [];
    return periodCharges(span, this.o.financialDay, monthly).map((c) => ({ ...c, resourceKey: 'extra', quantity: units }));
  }

  /**
   * A resource change on `date`: an increase buys the units for the rest of the paid period (applied only when
   * paid; an unpaid order is cancelled, its charges deleted), a decrease splits their charges by the type's rule.
   * Returns the refusal code when the type forbids it.
   */
  changeResources(units: number, date: IsoDate): string | null {
    const operation = units > 0 ? 'increase' : 'decrease';
    const refusal = this.rules.refuses(operation, { date, startDate: this.o.start, financialDay: this.o.financialDay });
    if (refusal) return refusal.code;
    this.today = date;
    if (units > 0) {
      const planned = this.resourceCharges({ from: date, to: addDays(this.paidUntil, -1) }, units);
      const paid = planned.length === 0 || this.order(planned, date);
      if (paid) this.extra += units;
      else for (const c of this.charges) if (c.orderId === this.nextOrder - 1) c.status = 'deleted';
      return null;
    }
    const removed = Math.min(-units, this.extra);
    if (removed === 0) return null;
    this.apply({ kind: 'decrease', date, resource: 'extra', removed }, this.status === 'stopped');
    this.extra -= removed;
    return null;
  }

  /** The invariants of spec 02 §4 that must hold after every step; returns what is violated. */
  violations(): string[] {
    const out: string[] = [];
    for (const [id, o] of this.orders) {
      const sum = this.charges.filter((c) => c.orderId === id && !c.superseded && !c.refund && !c.commitment).reduce((s, c) => s + c.amount, 0);
      if (sum !== o.amount) out.push(`order ${id}: Σ charges ${sum} ≠ amount ${o.amount}`);
    }
    for (const child of this.charges.filter((c) => c.mergeOf)) {
      const sum = this.charges.filter((c) => child.mergeOf!.includes(c.id)).reduce((s, c) => s + c.amount, 0);
      if (sum !== child.amount) out.push(`charge ${child.id}: replaces ${sum}, holds ${child.amount}`);
    }
    for (const parent of this.charges.filter((c) => c.superseded)) {
      const parts = this.charges.filter((c) => c.splitOf === parent.id && !c.refund && !c.mergeOf);
      const sum = parts.reduce((s, c) => s + c.amount, 0);
      if (parts.length > 0 && sum !== parent.amount) out.push(`charge ${parent.id}: parts add up to ${sum}, not ${parent.amount}`);
    }
    if (this.available + takenOf(this.charges) !== this.deposits) out.push(`money: available ${this.available} + taken ${takenOf(this.charges)} ≠ deposits ${this.deposits}`);
    if (this.charges.some((c) => c.amount < 0)) out.push('a negative charge');
    if (new Set(this.charges.map((c) => c.id)).size !== this.charges.length) out.push('a charge twice');
    if (this.charges.some((c) => c.status === 'blocked' && c.refund)) out.push('a refund charge holding money');
    // No day ahead holds live resource charges for more units than the subscription has (payment in full keeps the
    // current month's as they are: seed 8.3.4.8.6).
    const ahead = (c: BookCharge) => compareDates(this.o.type === 'peak_monthly' ? c.from : c.to, this.today) > 0;
    const live = this.charges.filter((c) => c.resourceKey && !c.refund && (c.status === 'blocked' || c.status === 'open') && ahead(c));
    for (const day of new Set(live.map((c) => (compareDates(c.from, this.today) > 0 ? c.from : addDays(this.today, 1))))) {
      const units = live.filter((c) => compareDates(c.from, day) <= 0 && compareDates(day, c.to) <= 0).reduce((s, c) => s + (c.quantity ?? 0), 0);
      if (units > this.extra) out.push(`${day}: resource charges for ${units} units, ${this.extra} held`);
    }
    if (this.charges.some((c) => c.refund && !c.resourceKey && this.o.type !== 'peak_monthly')) out.push('a refund charge for the service (only additional resources are refunded)');
    return out;
  }

}
