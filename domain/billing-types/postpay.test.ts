import { describe, expect, it } from 'vitest';
import { applyChanges } from './movements';
import { chargeChangesOf } from './postpay';
import type { BillingType, ChargeEvent, ChargeView } from './types';

// Spec 02 §4.11 (seed 8.3.6): postpay charges are split by the same rules as prepaid ones, but the used part is
// debt: blocked, closed on the financial day after its period, never closed at once; what is not used goes.
// November at 30.00 (3000), financial day 1: the current month's charge is blocked (debt), December's open.

const november: ChargeView = { id: 1, orderId: 1, kind: 'recurring', status: 'blocked', from: '2017-11-01', to: '2017-11-30', closeDate: '2017-12-01', amount: 3000, refund: false };
const december: ChargeView = { id: 2, orderId: 1, kind: 'recurring', status: 'open', from: '2017-12-01', to: '2017-12-31', closeDate: '2018-01-01', amount: 3000, refund: false };

function split(type: BillingType, event: ChargeEvent, charges: ChargeView[], stopped = false) {
  const terms = { billingType: type, financialDay: 1, prepay: false, expirationDate: '2018-11-01', stopped };
  const changes = chargeChangesOf(terms, charges, event);
  const after = applyChanges(charges, changes, 100).charges.filter((c) => !('superseded' in c && c.superseded));
  return after.map((c) => `${c.from}..${c.to} ${c.status} ${c.amount} closes ${c.closeDate}`);
}

describe('postpay splits (spec 02 §4.11)', () => {
  it('a monthly flexible stop on 21 Nov: 1-21 Nov stays debt (blocked, closes 1 Dec), the rest is open, December unchanged', () => {
    expect(split('monthly_flexible', { kind: 'stop', date: '2017-11-21' }, [november, december])).toEqual([
      '2017-12-01..2017-12-31 open 3000 closes 2018-01-01',
      '2017-11-01..2017-11-21 blocked 2100 closes 2017-12-01',
      '2017-11-22..2017-11-30 open 900 closes 2017-12-01',
    ]);
  });

  it('a pre-order deletion on 15 Nov: 1-15 Nov stays debt until the financial day, the rest of November and December go', () => {
    expect(split('prepaid_term', { kind: 'delete', date: '2017-11-15' }, [november, december])).toEqual([
      '2017-12-01..2017-12-31 deleted 3000 closes 2018-01-01',
      '2017-11-01..2017-11-15 blocked 1500 closes 2017-12-01',
      '2017-11-16..2017-11-30 deleted 1500 closes 2017-12-01',
    ]);
  });

  it('the financial day while stopped deletes the open remainder but never the debt of the days used', () => {
    const used: ChargeView = { ...november, id: 3, to: '2017-11-21', amount: 2100 };
    const remainder: ChargeView = { ...november, id: 4, status: 'open', from: '2017-11-22', amount: 900 };
    expect(split('monthly_flexible', { kind: 'financial_day_stopped', date: '2017-12-01' }, [used, remainder], true)).toEqual([
      '2017-11-01..2017-11-21 blocked 2100 closes 2017-12-01',
      '2017-11-22..2017-11-30 deleted 900 closes 2017-12-01',
    ]);
  });

  it('CSP monthly postpay (vendor stop): 1-21 Nov stays debt, the rest is not owed while stopped; the financial day drops it, the debt closes', () => {
    expect(split('csp_monthly', { kind: 'stop', date: '2017-11-21' }, [november])).toEqual([
      '2017-11-01..2017-11-21 blocked 2100 closes 2017-12-01',
      '2017-11-22..2017-11-30 open 900 closes 2017-12-01',
    ]);
    const used: ChargeView = { ...november, id: 3, to: '2017-11-21', amount: 2100 };
    const remainder: ChargeView = { ...november, id: 4, status: 'open', from: '2017-11-22', amount: 900 };
    expect(split('csp_monthly', { kind: 'financial_day_stopped', date: '2017-12-01' }, [used, remainder], true)).toEqual([
      '2017-11-01..2017-11-21 blocked 2100 closes 2017-12-01',
      '2017-11-22..2017-11-30 deleted 900 closes 2017-12-01',
    ]);
    // Activated on 25 Nov instead: 22-24 Nov are not owed, 25-30 Nov are again.
    expect(split('csp_monthly', { kind: 'activate', date: '2017-11-25' }, [used, remainder], true)).toEqual([
      '2017-11-01..2017-11-21 blocked 2100 closes 2017-12-01',
      '2017-11-22..2017-11-24 deleted 300 closes 2017-12-01',
      '2017-11-25..2017-11-30 blocked 600 closes 2017-12-01',
    ]);
  });

  it('the same stop prepaid closes the used part at once (the contrast the postpay rule makes)', () => {
    const terms = { billingType: 'monthly_flexible' as const, financialDay: 1, prepay: true, expirationDate: '2018-11-01', stopped: false };
    const changes = chargeChangesOf(terms, [november, december], { kind: 'stop', date: '2017-11-21' });
    expect(changes.add.map((a) => `${a.status} ${a.amount} closes ${a.closeDate}`)).toEqual(['closed 2100 closes 2017-11-21', 'open 900 closes 2017-12-01']);
  });
});
