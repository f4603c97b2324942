import { describe, expect, it } from 'vitest';
import { applyChanges, takenOf } from './movements';
import { chargeChangesOf } from './postpay';
import type { BillingType, ChargeEvent, ChargeView } from './types';

// Spec 02 §4.9 "Resource decrease" (seed 8.3.3.4.4): 3 additional disks at 10.00 a month each (3000 a month),
// bought for November and December and paid (blocked); the service's own charge is never touched.

const charge = (id: number, orderId: number, from: string, to: string, amount: number, quantity: number | null, resourceKey: string | null = 'disk'): ChargeView => ({
  id, orderId, kind: 'recurring', status: 'blocked', from, to, closeDate: to === '2017-11-30' ? '2017-12-01' : '2018-01-01', amount, refund: false, resourceKey, quantity,
});
const service = charge(1, 1, '2017-11-01', '2017-11-30', 5000, null, null);
const november = charge(2, 2, '2017-11-01', '2017-11-30', 3000, 3);
const december = charge(3, 2, '2017-12-01', '2017-12-31', 3000, 3);

function decrease(charges: ChargeView[], removed: number, date = '2017-11-10', type: BillingType = 'prepaid_term') {
  const event: ChargeEvent = { kind: 'decrease', date, resource: 'disk', removed };
  const changes = chargeChangesOf({ billingType: type, financialDay: 1, prepay: true, expirationDate: '2018-01-01', stopped: false }, charges, event);
  const applied = applyChanges(charges, changes, 100);
  // The charges that count (a superseded one lives on in its parts), service first, then the new ones in order.
  const rows = applied.charges.filter((c) => !('superseded' in c && c.superseded)).map((c) => `${c.from}..${c.to} ${c.status} ${c.amount} ×${c.quantity}${c.refund ? ' refund' : ''}`);
  return { rows, back: applied.movement, taken: takenOf(applied.charges) };
}

describe('resource decrease (spec 02 §4.9)', () => {
  it('3 → 1 disks on 10 Nov: 1-10 Nov closed for 3 (10.00), 1 kept to the end of November (6.67), 2 given up and refunded (13.33); December lowered to 1 (10.00), 20.00 back', () => {
    const { rows, back } = decrease([service, november, december], 2);
    expect(rows).toEqual([
      '2017-11-01..2017-11-30 blocked 5000 ×null',
      '2017-11-01..2017-11-10 closed 1000 ×3',
      '2017-11-11..2017-11-30 blocked 667 ×1',
      '2017-11-11..2017-11-30 deleted 1333 ×2',
      '2017-11-11..2017-11-30 refunded 1333 ×2 refund',
      '2017-12-01..2017-12-31 blocked 1000 ×1',
      '2017-12-01..2017-12-31 deleted 2000 ×2',
    ]);
    expect(back).toBe(1333 + 2000);
  });

  it('to zero: the used part closes, the rest of November is refunded whole, December is deleted', () => {
    const { rows, back } = decrease([service, november, december], 3);
    expect(rows).toEqual([
      '2017-11-01..2017-11-30 blocked 5000 ×null',
      '2017-12-01..2017-12-31 deleted 3000 ×3',
      '2017-11-01..2017-11-10 closed 1000 ×3',
      '2017-11-11..2017-11-30 deleted 2000 ×3',
      '2017-11-11..2017-11-30 refunded 2000 ×3 refund',
    ]);
    expect(back).toBe(2000 + 3000);
  });

  it('the newest order gives its units up first (seed 8.3.4.8.6 point 2)', () => {
    const older = charge(2, 2, '2017-11-01', '2017-11-30', 2000, 2);
    const newer = charge(3, 3, '2017-11-01', '2017-11-30', 1000, 1);
    const { rows } = decrease([older, newer], 2);
    // The newer order's one disk goes whole; the older order's two lose one.
    expect(rows.filter((r) => r.includes('refund')).sort()).toEqual(['2017-11-11..2017-11-30 refunded 666 ×1 refund', '2017-11-11..2017-11-30 refunded 667 ×1 refund']);
    expect(rows).toContain('2017-11-11..2017-11-30 blocked 667 ×1');
  });

  it('on the last day of the period every unit was used: nothing changes in November', () => {
    const { rows, back } = decrease([november, december], 2, '2017-11-30');
    expect(rows.slice(0, 1)).toEqual(['2017-11-01..2017-11-30 blocked 3000 ×3']);
    expect(back).toBe(2000);
  });

  it('payment in full (seed 8.3.4.8.6): the current month does not change, later months are lowered', () => {
    const { rows, back } = decrease([november, december], 2, '2017-11-10', 'peak_monthly');
    expect(rows).toEqual(['2017-11-01..2017-11-30 blocked 3000 ×3', '2017-12-01..2017-12-31 blocked 1000 ×1', '2017-12-01..2017-12-31 deleted 2000 ×2']);
    expect(back).toBe(2000);
  });

  it('a plan switch refunds the unused additional resources, not the service (spec 02 §4.9 "Plan switch")', () => {
    const changes = chargeChangesOf({ billingType: 'prepaid_term', financialDay: 1, prepay: true, expirationDate: '2018-01-01', stopped: false }, [service, november, december], { kind: 'switch', date: '2017-11-10' });
    const refunds = changes.add.filter((a) => a.refund).map((a) => `${a.from}..${a.to} ${a.amount} ${a.resourceKey}`);
    expect(refunds).toEqual(['2017-11-11..2017-11-30 2000 disk', '2017-12-01..2017-12-31 3000 disk']);
  });
});
