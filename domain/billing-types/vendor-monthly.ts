// The vendor stop of CSP and ESET (seed 8.3.4.1.8-9, 8.3.4.2.7-8, 8.3.4.3.8): a stop closes the used part and
// keeps the rest of the period blocked (nothing goes back yet); an activation gives back the stopped days and
// keeps the rest blocked; past periods still blocked at activation go back too.

import { addDays, type IsoDate } from '../dates';
import { chargeOn, chargesBefore, splitCharge } from './splits';
import type { ChargeChanges, ChargeView } from './types';
import { noChanges } from './types';

export function vendorStop(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes = noChanges();
  const current = chargeOn(charges, date, ['blocked']);
  if (current) splitCharge(changes, current, date, { status: 'closed', closeDate: date, name: 'used part' }, { status: 'blocked', name: 'remainder while stopped' });
  return changes;
}

export function vendorActivation(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes = noChanges();
  for (const past of chargesBefore(charges, date, ['blocked'])) changes.set.push({ id: past.id, status: 'deleted' });
  const current = chargeOn(charges, date, ['blocked']);
  // Started on the stop day or the day after: nothing to give back (seed 8.3.4.3.8).
  if (current && current.from < date) splitCharge(changes, current, addDays(date, -1), { status: 'deleted', name: 'stopped days' }, { status: 'blocked', name: 'from the activation' });
  return changes;
}
