// Applying a rule's changes to a subscription's charges, and the ledger movement that follows. Shared by the
// operation that persists the changes and by the pure charge book of the property tests: the money of a
// change is always Σ money taken before − Σ money taken after (types.ts moneyTaken), positive when money goes
// back to the client's available balance.

import type { ChargeChanges, ChargeView } from './types';
import { moneyTaken } from './types';

export interface AppliedCharges<C extends ChargeView> {
  charges: Array<C | (ChargeView & { splitOf: number; superseded: boolean })>;
  /** Money back to the available balance (negative: taken from it). Prepaid subscriptions only. */
  movement: number;
}

/** The charges after the changes, new ones numbered from `nextId`. */
export function applyChanges<C extends ChargeView & { superseded?: boolean }>(charges: readonly C[], changes: ChargeChanges, nextId: number): AppliedCharges<C> {
  const byId = new Map(charges.map((c) => [c.id, c] as const));
  const after = charges.map((c) => ({ ...c }));
  const index = new Map(after.map((c, i) => [c.id, i] as const));
  for (const s of changes.set) {
    const i = index.get(s.id);
    if (i === undefined) throw new Error(`charge ${s.id} is not one of the subscription's`);
    after[i] = { ...after[i]!, status: s.status, ...(s.superseded ? { superseded: true } : {}), ...(s.to ? { to: s.to } : {}), ...(s.closeDate ? { closeDate: s.closeDate } : {}) };
  }
  let id = nextId;
  const added = changes.add.map(({ part: _part, mergeOf: _merge, ...c }) => ({ ...c, id: id++, orderId: byId.get(c.splitOf)!.orderId, superseded: false }));
  const all = [...after, ...added];
  return { charges: all, movement: takenOf(charges) - takenOf(all) };
}

export const takenOf = (charges: readonly ChargeView[]): number => charges.reduce((s, c) => s + moneyTaken(c), 0);
