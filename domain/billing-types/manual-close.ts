// Manual close-all (spec 02 §4.9 "Manual close-all"; seed 8.3.4 "Ручное закрытие всех списаний"): every open and
// blocked recurring charge of the subscription is replaced by one closed charge per order covering the whole
// remaining term, its amount the sum of the replaced ones; the open ones are debited now.

import type { IsoDate } from '../dates';
import type { ChargeChanges, ChargeView } from './types';

export function closeAll(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes: ChargeChanges = { set: [], add: [] };
  const byOrder = new Map<number, ChargeView[]>();
  for (const c of charges) {
    if (c.kind !== 'recurring' || c.refund || (c.status !== 'open' && c.status !== 'blocked')) continue;
    byOrder.set(c.orderId, [...(byOrder.get(c.orderId) ?? []), c]);
  }
  for (const group of byOrder.values()) {
    const sorted = [...group].sort((a, b) => (a.from < b.from ? -1 : 1));
    for (const c of sorted) changes.set.push({ id: c.id, status: 'deleted', superseded: true });
    changes.add.push({
      kind: 'recurring',
      status: 'closed',
      from: sorted[0]!.from,
      to: sorted[sorted.length - 1]!.to,
      closeDate: date,
      amount: sorted.reduce((s, c) => s + c.amount, 0),
      refund: false,
      splitOf: sorted[0]!.id,
      mergeOf: sorted.map((c) => c.id),
      part: 'closed by hand for the remaining term',
    });
  }
  return changes;
}
