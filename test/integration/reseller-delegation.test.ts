import { beforeAll, describe, expect, it } from 'vitest';
import { billingTypesPlatform } from '../support/billing-types-platform';
import { type TestPlatform } from '../support/platform';

// Issue 21 points 2-4 (spec 05 §3.3, §4, §5, §9): plans delegated down a three-level tree (operator → R1 → R2 →
// client), prices through each level's markup, and the reseller charges a closed client charge of R2's client
// creates at each level above, through the real API, Temporal billing run and PostgreSQL.

let today = '2026-09-16';
const env = billingTypesPlatform('reseller-delegation', () => today);
let p: TestPlatform;
let api: TestPlatform['api'];
beforeAll(() => {
  ({ p, api } = env);
});

let staffSeq = 0;
/** A system administrator of `resellerId` and its API token (the staff route makes operator staff; the row is moved). */
async function adminOf(resellerId: number): Promise<string> {
  staffSeq += 1;
  const staff = await api('POST', '/api/v1/staff', { name: `Admin ${resellerId}/${staffSeq}`, email: `admin${staffSeq}.${resellerId}@resellers.example`, role: 'admin' });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
  await p.sql`update staff set reseller_id = ${resellerId} where id = ${staff.body.id}`;
  return (await api('POST', `/api/v1/staff/${staff.body.id}/tokens`, { name: 't' })).body.token as string;
}

async function reseller(name: string, currency: string, parentId?: number): Promise<number> {
  const r = await api('POST', '/api/v1/resellers', { name, currency, ...(parentId ? { parentId } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

/** An operator plan: one monthly period at `recurringFee`, setup `setupFee`, and a resource. */
async function operatorPlan(name: string, recurringFee: number, setupFee = 0) {
  const created = await api('POST', '/api/v1/plans', {
    productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
    name, currency: 'EUR', periods: [{ duration: 1, unit: 'month', setupFee, recurringFee }],
    resources: [{ key: 'seats', name: 'Seats', included: 1, minimum: 1, maximum: 50, recurringPrice: 100 }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const delegate = (planId: number, body: Record<string, unknown>, token?: string) =>
  api('POST', `/api/v1/plans/${planId}/delegations`, body, token === undefined ? {} : { token });

const prices = (plan: any) => [plan.periods[0].recurringFee, plan.resources[0].recurringPrice];

describe('plan delegation and the price chain (spec 05 §3.3, §4, §13.1)', () => {
  let r1: number;
  let r2: number;
  let r1Token: string;
  beforeAll(async () => {
    today = '2026-09-16';
    r1 = await reseller('R1', 'EUR');
    r2 = await reseller('R2', 'EUR', r1);
    r1Token = await adminOf(r1);
  });

  it('1 → ×2 → ×3 prices 1, 2, 6 at the three levels; markup not set at R1 gives 1, 1, 3', async () => {
    const plan = await operatorPlan('Chain plan', 100);
    const atR1 = await delegate(plan.id, { resellerId: r1, markup: '2' });
    expect(atR1.status, JSON.stringify(atR1.body)).toBe(201);
    expect(atR1.body).toMatchObject({ resellerId: r1, sourcePlanId: plan.id, delegated: true, markup: '2.00', status: 'active' });
    const atR2 = await delegate(atR1.body.id, { resellerId: r2, markup: '3' }, r1Token);
    expect(atR2.status, JSON.stringify(atR2.body)).toBe(201);
    expect([prices(plan), prices(atR1.body), prices(atR2.body)]).toEqual([[100, 100], [200, 200], [600, 600]]);
    expect(atR2.body.periods[0].sourcePeriodId).toBe(atR1.body.periods[0].id);

    const other = await operatorPlan('Unset plan', 100);
    const unset = await delegate(other.id, { resellerId: r1 });
    expect(unset.body.markup).toBeNull();
    const below = await delegate(unset.body.id, { resellerId: r2, markup: '3' }, r1Token);
    expect([prices(unset.body), prices(below.body)]).toEqual([[100, 100], [300, 300]]);
  });

  it('upstream edits reach every level: synced fields unconditionally, prices through markups; a manual price switches markup off', async () => {
    const plan = await operatorPlan('Synced plan', 100);
    const atR1 = (await delegate(plan.id, { resellerId: r1, markup: '2' })).body;
    const atR2 = (await delegate(atR1.id, { resellerId: r2, markup: '3' }, r1Token)).body;
    const edited = await api('PATCH', `/api/v1/plans/${plan.id}`, { name: 'Synced plan v2', sku: 'SYN-2' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const priced = await api('PATCH', `/api/v1/plans/${plan.id}/periods/${plan.periods[0].id}`, { recurringFee: 150 });
    expect(priced.status, JSON.stringify(priced.body)).toBe(200);
    let r1Plan = (await api('GET', `/api/v1/plans/${atR1.id}`)).body;
    let r2Plan = (await api('GET', `/api/v1/plans/${atR2.id}`)).body;
    expect([r1Plan.name, r1Plan.sku, r2Plan.name, r2Plan.sku]).toEqual(['Synced plan v2', 'SYN-2', 'Synced plan v2', 'SYN-2']);
    expect([r1Plan.periods[0].recurringFee, r2Plan.periods[0].recurringFee]).toEqual([300, 900]);

    // R1 prices by hand: its markup is off, its price no longer follows the operator's; R2 follows R1's.
    const manual = await api('PATCH', `/api/v1/plans/${atR1.id}/periods/${atR1.periods[0].id}`, { recurringFee: 250 }, { token: r1Token });
    expect(manual.status, JSON.stringify(manual.body)).toBe(200);
    expect(manual.body.markup).toBeNull();
    await api('PATCH', `/api/v1/plans/${plan.id}/periods/${plan.periods[0].id}`, { recurringFee: 1000 });
    r1Plan = (await api('GET', `/api/v1/plans/${atR1.id}`)).body;
    r2Plan = (await api('GET', `/api/v1/plans/${atR2.id}`)).body;
    expect([r1Plan.periods[0].recurringFee, r2Plan.periods[0].recurringFee]).toEqual([250, 750]);

    // A period added upstream reaches every level through the markups (R1's is off: passed through).
    const added = await api('POST', `/api/v1/plans/${plan.id}/periods`, { duration: 1, unit: 'year', recurringFee: 80 });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    r2Plan = (await api('GET', `/api/v1/plans/${atR2.id}`)).body;
    expect(r2Plan.periods.map((x: any) => [x.unit, x.recurringFee])).toEqual([['month', 750], ['year', 240]]);

    // A copy's synced fields and structure are not edited below.
    const refused = [
      await api('PATCH', `/api/v1/plans/${atR1.id}`, { name: 'Mine now' }, { token: r1Token }),
      await api('POST', `/api/v1/plans/${atR1.id}/periods`, { duration: 2, unit: 'month', recurringFee: 1 }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([[409, 'plan_field_synced'], [409, 'plan_field_synced']]);
  });

  it('bad delegations are refused with a code and write nothing', async () => {
    const plan = await operatorPlan('Refused plan', 100);
    await delegate(plan.id, { resellerId: r1 });
    const inactive = await operatorPlan('Inactive plan', 100);
    await api('PATCH', `/api/v1/plans/${inactive.id}`, { status: 'inactive' });
    const [before] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from plans`;
    const refused = [
      await delegate(plan.id, { resellerId: r2 }), // a grandchild, not a child
      await delegate(plan.id, { resellerId: r1 }), // again
      await delegate(inactive.id, { resellerId: r1 }),
      await delegate(plan.id, { resellerId: 999_999 }),
      await delegate(plan.id, { resellerId: r1, markup: '0' }),
      await delegate(plan.id, { resellerId: r1, markup: '1.234' }),
      await delegate(plan.id, { resellerId: r2 }, r1Token), // not R1's plan
      await delegate(999_999, { resellerId: r1 }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'delegation_not_to_child'],
      [409, 'plan_already_delegated'],
      [422, 'plan_inactive'],
      [422, 'delegation_not_to_child'],
      [422, 'invalid_markup'],
      [400, 'validation_failed'],
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    const [after] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from plans`;
    expect(after!.n).toBe(before!.n);
  });
});
