// The vendor stop of CSP and ESET (seed 8.3.4.1.8-9, 8.3.4.2.7-8, 8.3.4.3.8): a stop closes the used part and
// keeps the rest of the period blocked (nothing goes back yet); an activation gives back the stopped days and
// keeps the rest blocked; past periods still blocked at activation go back too.

import { addDays, type IsoDate } from '../dates';
import type { ChargeChanges, ChargeView } from './types';
import type { EventRules } from './rules';
import { deleteDue } from './rules';
import { closeAll } from './manual-close';
import { chargesOn, chargesBefore, deleteAllLive, splitCharge, standardDeletion } from './splits';
import { noChanges } from './types';

export function vendorStop(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes = noChanges();
  for (const current of chargesOn(charges, date, ['blocked'])) splitCharge(changes, current, date, { status: 'closed', closeDate: date, name: 'used part' }, { status: 'blocked', name: 'remainder while stopped' });
  return changes;
}

export function vendorActivation(charges: readonly ChargeView[], date: IsoDate): ChargeChanges {
  const changes = noChanges();
  for (const past of chargesBefore(charges, date, ['blocked'])) changes.set.push({ id: past.id, status: 'deleted' });
  // Started on the stop day or the day after: nothing to give back (seed 8.3.4.3.8).
  for (const current of chargesOn(charges, date, ['blocked']).filter((c) => c.from < date)) splitCharge(changes, current, addDays(date, -1), { status: 'deleted', name: 'stopped days' }, { status: 'blocked', name: 'from the activation' });
  return changes;
}

/**
 * The events of the vendor types billed one financial period at a time (CSP monthly, ESET): the vendor's stop and
 * activation; a financial day while stopped gives the elapsed period back; deletion closes the used part and gives
 * the rest back, all of it when the subscription was already stopped (seed 8.3.4.1.13, 8.3.4.3.9).
 */
export const vendorMonthlyEvents: EventRules = {
  stop: (_s, charges, e) => vendorStop(charges, e.date),
  activate: (_s, charges, e) => vendorActivation(charges, e.date),
  financial_day_stopped: (_s, charges, e) => deleteDue(charges, e.date),
  delete: (s, charges, e) => (s.stopped ? deleteAllLive(charges) : standardDeletion(charges, e.date)),
  manual_close: (_s, charges, e) => closeAll(charges, e.date),
};
