// The standard resource decrease (spec 02 §4.9; seed 8.3.4 "Уменьшение ресурсов"), shared by every type that
// allows one (pay-as-you-go, payment in full, no refund and non-recurring refuse it). Only charges for
// additional resources are touched (the service's charges pay for the included units), and the units taken
// away come off the newest orders first, so what was bought last is given back first.

import type { IsoDate } from '../dates';
import { splitAt } from './splits';
import type { ChargeChanges, ChargeView, NewCharge } from './types';
import { noChanges } from './types';

/**
 * `removed` additional units of `resource` leave on `date` (the order's day, which is used: its units are paid):
 * - the current period's charge is replaced by a closed charge for the used part (its whole quantity), a blocked
 *   charge for the units kept for the rest of the period (none when none are kept), and a deleted part for the
 *   units given up, recorded by a refund charge of the same amount: that money goes back to the balance;
 * - each later period's charge keeps its kept units (a charge for them in its status) and its given-up units
 *   become a deleted part: their money goes back, without a refund charge (nothing of them was used).
 * The parts of a charge add up to it (types.ts: a refund charge is a record beside the part, not a part).
 */
export function standardResourceDecrease(charges: readonly ChargeView[], e: { date: IsoDate; resource: string; removed: number }): ChargeChanges {
  const changes = noChanges();
  const own = charges.filter((c) => c.resourceKey === e.resource && !c.refund && c.kind === 'recurring' && (c.status === 'blocked' || c.status === 'open') && c.to >= e.date);
  // Per period, newest order first: each period gives up `removed` units in all.
  const periods = new Map<IsoDate, ChargeView[]>();
  for (const c of own) periods.set(c.from, [...(periods.get(c.from) ?? []), c]);
  for (const list of periods.values()) {
    let left = e.removed;
    for (const c of [...list].sort((a, b) => b.orderId - a.orderId || b.id - a.id)) {
      if (left <= 0) break;
      const quantity = c.quantity ?? 0;
      const taken = Math.min(left, quantity);
      if (taken <= 0) continue;
      left -= taken;
      if (c.from <= e.date) decreaseCurrent(changes, c, e.date, quantity - taken);
      else decreaseLater(changes, c, quantity - taken);
    }
  }
  return changes;
}

function piece(c: ChargeView, p: { from: IsoDate; to: IsoDate; amount: number }, status: NewCharge['status'], quantity: number, part: string, closeDate = c.closeDate): NewCharge {
  return { kind: c.kind, status, from: p.from, to: p.to, closeDate, amount: p.amount, refund: false, splitOf: c.id, part, resourceKey: c.resourceKey ?? null, quantity };
}

/** The units' share of an amount, half-up; the rest stays with the other units, so the two add up. */
const shareOf = (amount: number, units: number, of: number) => (of === 0 ? 0 : Math.floor((amount * units * 2 + of) / (of * 2)));

function decreaseCurrent(changes: ChargeChanges, c: ChargeView, date: IsoDate, kept: number): void {
  const quantity = c.quantity ?? 0;
  const { first: used, second: rest } = splitAt(c, date);
  if (!rest) return; // the last day of the period: every unit was used, nothing is given back
  changes.set.push({ id: c.id, status: 'deleted', superseded: true });
  if (used) changes.add.push(piece(c, used, c.status === 'open' ? 'open' : 'closed', quantity, 'used part', c.status === 'open' ? c.closeDate : date));
  const keptAmount = shareOf(rest.amount, kept, quantity);
  const given = { ...rest, amount: rest.amount - keptAmount };
  if (kept > 0) changes.add.push(piece(c, { ...rest, amount: keptAmount }, c.status, kept, `${kept} kept`));
  changes.add.push(piece(c, given, 'deleted', quantity - kept, `${quantity - kept} given up`));
  // The refund charge (spec 02 §4.9 "Refund"): only money that was taken is refunded.
  if (c.status === 'blocked' && given.amount > 0) changes.add.push({ ...piece(c, given, 'refunded', quantity - kept, 'refund of the units given up'), refund: true });
}

function decreaseLater(changes: ChargeChanges, c: ChargeView, kept: number): void {
  const quantity = c.quantity ?? 0;
  if (kept === 0) {
    changes.set.push({ id: c.id, status: 'deleted' });
    return;
  }
  changes.set.push({ id: c.id, status: 'deleted', superseded: true });
  const keptAmount = shareOf(c.amount, kept, quantity);
  changes.add.push(piece(c, { from: c.from, to: c.to, amount: keptAmount }, c.status, kept, `${kept} kept`));
  changes.add.push(piece(c, { from: c.from, to: c.to, amount: c.amount - keptAmount }, 'deleted', quantity - kept, `${quantity - kept} given up`));
}

/**
 * A plan switch refunds unused additional resources (spec 02 §4.9 "Refund", "Plan switch"): every part of a
 * resource charge whose held money the switch gives back gets its refund charge; the service's unused money goes
 * back without one.
 */
export function withResourceRefunds(changes: ChargeChanges, charges: readonly ChargeView[]): ChargeChanges {
  const byId = new Map(charges.map((c) => [c.id, c] as const));
  const held = (c: ChargeView | undefined): c is ChargeView => !!c && !!c.resourceKey && !c.refund && c.status === 'blocked';
  const refunds: NewCharge[] = [];
  for (const a of changes.add) {
    const parent = byId.get(a.splitOf);
    if (held(parent) && a.status === 'deleted' && a.amount > 0) refunds.push({ ...a, status: 'refunded', refund: true, part: 'refund of unused resources' });
  }
  const refundedAlready = new Set(changes.add.filter((a) => a.refund).map((a) => a.splitOf));
  for (const s of changes.set) {
    const c = byId.get(s.id);
    if (!held(c) || s.status !== 'deleted' || s.superseded || c.amount === 0 || refundedAlready.has(c.id)) continue;
    refunds.push({ kind: c.kind, status: 'refunded', from: c.from, to: c.to, closeDate: c.closeDate, amount: c.amount, refund: true, splitOf: c.id, part: 'refund of unused resources', resourceKey: c.resourceKey ?? null, quantity: c.quantity ?? null });
  }
  return refunds.length === 0 ? changes : { set: changes.set, add: [...changes.add, ...refunds] };
}
