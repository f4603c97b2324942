// The charge-splitting algorithms of spec 02 §4.9 and the seed manual (8.3.4), as building blocks the billing
// types combine. A split never loses money: the parts of a charge always add up to it (`splitAt`), and the
// ledger movement of a change is computed from the statuses afterwards (types.ts moneyTaken), not here.

import { addDays, compareDates, daysBetween, type IsoDate } from '../dates';
import type { ChargeChanges, ChargeStatus, ChargeView, NewCharge } from './types';

const isRecurring = (c: ChargeView) => c.kind === 'recurring' && !c.refund;
const isLive = (c: ChargeView) => c.status === 'new' || c.status === 'open' || c.status === 'blocked';

/**
 * The live recurring charges whose period contains `date`: the service's, and the additional resources' of each
 * order that bought them (a resource increase has its own charges for the same period).
 */
export function chargesOn(charges: readonly ChargeView[], date: IsoDate, statuses: readonly ChargeStatus[] = ['open', 'blocked']): ChargeView[] {
  return charges.filter((c) => isRecurring(c) && statuses.includes(c.status) && c.from <= date && date <= c.to);
}

/** Live recurring charges whose period starts after `date`. */
export function chargesAfter(charges: readonly ChargeView[], date: IsoDate): ChargeView[] {
  return charges.filter((c) => isRecurring(c) && isLive(c) && c.from > date);
}

/** Live recurring charges whose period ended before `date`. */
export function chargesBefore(charges: readonly ChargeView[], date: IsoDate, statuses: readonly ChargeStatus[] = ['open', 'blocked']): ChargeView[] {
  return charges.filter((c) => isRecurring(c) && statuses.includes(c.status) && c.to < date);
}

/**
 * Splits a charge after `lastDay` into [from, lastDay] and [lastDay + 1, to]. The first part costs the charge's
 * amount × its days / the charge's days, rounded half-up to a minor unit; the second part is the rest, so the
 * two always add up to the charge. (The seed prices a part as monthly fee × days / days in the month; for a
 * full-period charge that is the same figure, and for a charge that was itself prorated or discounted this
 * keeps the sum exact, which the seed's formula does not promise.) Either part is null when it is empty.
 */
export function splitAt(c: ChargeView, lastDay: IsoDate): { first: { from: IsoDate; to: IsoDate; amount: number } | null; second: { from: IsoDate; to: IsoDate; amount: number } | null } {
  if (compareDates(lastDay, c.from) < 0) return { first: null, second: { from: c.from, to: c.to, amount: c.amount } };
  if (compareDates(lastDay, c.to) >= 0) return { first: { from: c.from, to: c.to, amount: c.amount }, second: null };
  const days = daysBetween(c.from, c.to) + 1;
  const firstDays = daysBetween(c.from, lastDay) + 1;
  const firstAmount = Math.floor((c.amount * firstDays * 2 + days) / (days * 2));
  return { first: { from: c.from, to: lastDay, amount: firstAmount }, second: { from: addDays(lastDay, 1), to: c.to, amount: c.amount - firstAmount } };
}

function part(c: ChargeView, p: { from: IsoDate; to: IsoDate; amount: number }, status: ChargeStatus, name: string, closeDate = c.closeDate): NewCharge {
  return { kind: c.kind, status, from: p.from, to: p.to, closeDate, amount: p.amount, refund: false, splitOf: c.id, part: name, resourceKey: c.resourceKey ?? null, quantity: c.quantity ?? null };
}

/**
 * Replaces a charge by its two parts around `lastDay`, each in the status given (null: that part is not kept:
 * it becomes a `deleted` part, so the parts still add up and an auditor sees where the rest went). A charge the
 * cut does not divide is only moved to the status of the part it is.
 */
export function splitCharge(changes: ChargeChanges, c: ChargeView, lastDay: IsoDate, first: { status: ChargeStatus; closeDate?: IsoDate; name: string }, second: { status: ChargeStatus; name: string }): void {
  const { first: a, second: b } = splitAt(c, lastDay);
  if (!a || !b) {
    changes.set.push({ id: c.id, status: a ? first.status : second.status });
    return;
  }
  changes.set.push({ id: c.id, status: 'deleted', superseded: true });
  changes.add.push(part(c, a, first.status, first.name, first.closeDate), part(c, b, second.status, second.name));
}

/**
 * Activation (seed 8.3.4.4.7): an open remainder of the period now starts on the activation day and is blocked;
 * the stopped days are dropped. A remainder that starts after the activation day (activated the day it was
 * stopped) is blocked whole. Charges `changes` already moves are left to it; commitment months are not remainders.
 */
export function reblockFrom(changes: ChargeChanges, charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const moved = new Set(changes.set.map((s) => s.id));
  for (const remainder of charges.filter((c) => isRecurring(c) && !c.commitment && c.status === 'open' && c.to >= date && !moved.has(c.id))) {
    if (remainder.from < date) splitCharge(changes, remainder, addDays(date, -1), { status: 'deleted', name: 'stopped days' }, { status: 'blocked', name: 'from the activation' });
    else changes.set.push({ id: remainder.id, status: 'blocked' });
  }
  return changes;
}

/** Every live charge of the list moves to `status`. */
export function moveAll(changes: ChargeChanges, charges: readonly ChargeView[], status: ChargeStatus): void {
  for (const c of charges) changes.set.push({ id: c.id, status });
}

/**
 * Standard deletion split (spec 02 §4.9 "Deletion"; seed 8.3.4.3.9): the current-period charge is replaced by a
 * closed charge for the days used (the deletion day included) and a deleted one for the rest, whose money goes
 * back; future charges are deleted.
 */
export function standardDeletion(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes: ChargeChanges = { set: [], add: [] };
  for (const current of chargesOn(charges, date, ['blocked'])) splitCharge(changes, current, date, { status: 'closed', closeDate: date, name: 'used part' }, { status: 'deleted', name: 'unused part' });
  // An open remainder left by a stop, and any charge not yet consumed, goes.
  for (const openNow of chargesOn(charges, date, ['open', 'new'])) changes.set.push({ id: openNow.id, status: 'deleted' });
  moveAll(changes, chargesAfter(charges, date), 'deleted');
  return changes;
}

/** Deletion of a stopped subscription of the vendor types (seed 8.3.4.1.13, 8.3.4.2.10): all held money goes back. */
export function deleteAllLive(charges: readonly ChargeView[]): ChargeChanges {
  const changes: ChargeChanges = { set: [], add: [] };
  moveAll(changes, charges.filter((c) => isRecurring(c) && isLive(c)), 'deleted');
  return changes;
}
