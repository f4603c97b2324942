import { beforeAll, describe, expect, it } from 'vitest';
import { syncChildren } from '../../operations/catalog/plan-copies';
import { createResellerCharges } from '../../operations/reseller-charges/create-reseller-charges';
import { reverseResellerCharges } from '../../operations/reseller-charges/reverse-reseller-charges';
import { billingTypesPlatform } from '../support/billing-types-platform';
import { eventually, flattenTree, runBillingDay, type TestPlatform } from '../support/platform';
import { createReseller, resellerAdminToken, resellerClient } from '../support/reseller-tree';

// Issue 21 (spec 05 §4.8, §5.1 rule 2, §4.6, Q3): a reseller's own plans, the cost snapshots of fixed-price plans,
// and the reversal of reseller charges whose closed client charge was taken back, through the real API, Temporal
// billing run and PostgreSQL, acting for each reseller with its own staff's token.

let today = '2026-10-01';
const env = billingTypesPlatform('reseller-own-plans', () => today);
let p: TestPlatform;
let api: TestPlatform['api'];
beforeAll(() => {
  ({ p, api } = env);
});

/** A plan body on the catalogue's product, template and rule: one month at `recurringFee`, and a resource. */
const planBody = (name: string, recurringFee: number, extra: Record<string, unknown> = {}) => ({
  productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
  name, periods: [{ duration: 1, unit: 'month', recurringFee }],
  resources: [{ key: 'seats', name: 'Seats', included: 1, minimum: 1, maximum: 50, recurringPrice: 100 }],
  ...extra,
});

async function createPlan(body: Record<string, unknown>, token?: string) {
  const created = await api('POST', '/api/v1/plans', body, token === undefined ? {} : { token });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const delegate = async (planId: number, resellerId: number, markup: string, token?: string) => {
  const copy = await api('POST', `/api/v1/plans/${planId}/delegations`, { resellerId, markup }, token === undefined ? {} : { token });
  expect(copy.status, JSON.stringify(copy.body)).toBe(201);
  return copy.body;
};

/** Waits for the order (seen by its reseller's staff: the operator sees no reseller's order) to reach `status`. */
const orderStatus = (token: string, orderId: number, status: string) =>
  eventually(async () => {
    const o = (await api('GET', `/api/v1/orders/${orderId}`, undefined, { token })).body;
    return o.status === status ? o : null;
  }, { what: `order ${orderId} to be ${status}` });

/** The scenario, as its client's reseller's staff sees it, once it reaches `status`. */
const scenarioStatus = (token: string, id: string, status: string) =>
  eventually(async () => {
    const s = (await api('GET', `/api/v1/scenarios/${id}`, undefined, { token })).body;
    return s?.status === status ? s : null;
  }, { what: `scenario ${id} to be ${status}` });

/** The client buys `periodId` today, placed by its reseller's staff; answers once the order has completed. */
async function buy(token: string, clientId: number, planPeriodId: number): Promise<{ orderId: number; subscriptionId: number }> {
  const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId }, { token });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  const done = await orderStatus(token, order.body.id, 'completed');
  return { orderId: order.body.id as number, subscriptionId: done.subscriptionId as number };
}

interface LevelCharge { level: number; creditor: number; debtor: number; unit: number; amount: number; orderType: string; kind: string; resource: string | null; reverses: number | null }

/** A subscription's reseller charges, with the type of the order whose client charge each one is for. */
const resellerChargesOf = (subscriptionId: number) => p.sql<LevelCharge[]>`
  select rc.level, rc.creditor_reseller_id as creditor, rc.debtor_reseller_id as debtor, rc.unit_price::int as unit, rc.amount::int as amount,
         o.type as "orderType", rc.kind, rc.resource_key as resource, rc.reverses_id as reverses
  from reseller_charges rc join charges c on c.id = rc.client_charge_id join orders o on o.id = c.order_id
  where rc.subscription_id = ${subscriptionId} order by rc.id`;

describe("a reseller's own plans (spec 05 §4.8, §5.1 rule 2)", () => {
  let r1: number;
  let sibling: number;
  let child: number;
  let r1Token: string;
  let siblingToken: string;
  let childToken: string;
  let own: any;
  beforeAll(async () => {
    today = '2026-10-01';
    r1 = await createReseller(api, 'Own-plan reseller', 'USD');
    sibling = await createReseller(api, 'Sibling reseller', 'USD');
    child = await createReseller(api, 'Own-plan sub-reseller', 'USD', r1);
    [r1Token, siblingToken, childToken] = [await resellerAdminToken(api, r1), await resellerAdminToken(api, sibling), await resellerAdminToken(api, child)];
  });

  it("the reseller's staff creates a plan in its currency, sells it to its client, and the billing run closes the charge with no reseller charge toward the operator", async () => {
    own = await createPlan(planBody('R1 own plan', 700), r1Token);
    expect(own).toMatchObject({ resellerId: r1, currency: 'USD', delegated: false, sourcePlanId: null, fixedPrice: false });
    // The owner adds a period and edits what it owns.
    const added = await api('POST', `/api/v1/plans/${own.id}/periods`, { duration: 1, unit: 'year', recurringFee: 650 }, { token: r1Token });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const edited = await api('PATCH', `/api/v1/plans/${own.id}`, { name: 'R1 own plan v2', fixedPrice: true }, { token: r1Token });
    expect([edited.status, edited.body.name, edited.body.fixedPrice]).toEqual([200, 'R1 own plan v2', true]);
    const priced = await api('PATCH', `/api/v1/plans/${own.id}/periods/${own.periods[0].id}`, { recurringFee: 800 }, { token: r1Token });
    expect([priced.status, priced.body.periods[0].recurringFee]).toEqual([200, 800]);
    // Its own list shows it.
    const listed = await api('GET', '/api/v1/plans?limit=100', undefined, { token: r1Token });
    expect(listed.body.items.map((x: any) => x.id)).toContain(own.id);

    const clientId = await resellerClient(api, r1Token, 'Own-plan client', 10_000_000, 'USD');
    const { subscriptionId } = await buy(r1Token, clientId, own.periods[0].id);
    today = '2026-11-01';
    await runBillingDay(p, '2026-11-01');
    const charges = await p.sql<Array<{ status: string; amount: number }>>`select status, amount::int as amount from charges where subscription_id = ${subscriptionId} and kind = 'recurring' order by id`;
    expect(charges[0]).toEqual({ status: 'closed', amount: 800 });
    expect(await resellerChargesOf(subscriptionId)).toEqual([]);
    // No cost snapshot either: no level above an own plan charges anything.
    expect((await p.sql`select 1 from reseller_cost_snapshots where subscription_id = ${subscriptionId}`).length).toBe(0);
  });

  it('a sibling reseller can neither see nor edit it: every route answers 404 as for an unknown plan, and nothing changes', async () => {
    const as = (method: string, path: string, body?: unknown) => api(method, path, body, { token: siblingToken });
    const answers = [
      await as('GET', `/api/v1/plans/${own.id}`),
      await as('PATCH', `/api/v1/plans/${own.id}`, { name: 'Stolen' }),
      await as('PATCH', `/api/v1/plans/${own.id}/periods/${own.periods[0].id}`, { recurringFee: 1 }),
      await as('POST', `/api/v1/plans/${own.id}/periods`, { duration: 2, unit: 'month', recurringFee: 1 }),
      await as('POST', `/api/v1/plans/${own.id}/delegations`, { resellerId: sibling }),
    ];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(5).fill([404, 'not_found']));
    expect((await as('GET', '/api/v1/plans?limit=100')).body.items.map((x: any) => x.id)).not.toContain(own.id);
    // Nor can the sibling's client buy it.
    const clientId = await resellerClient(api, siblingToken, 'Sibling client', 10_000_000, 'USD');
    const refused = await as('POST', '/api/v1/orders', { clientId, planPeriodId: own.periods[0].id });
    expect([refused.status, refused.body.code]).toEqual([422, 'invalid_reference']);
    const plan = (await api('GET', `/api/v1/plans/${own.id}`, undefined, { token: r1Token })).body;
    expect([plan.name, plan.periods.length, plan.periods[0].recurringFee]).toEqual(['R1 own plan v2', 2, 800]);
  });

  it('delegated down to its child, the child owes the owner; nobody owes the operator; the child edits only what §3.3 allows', async () => {
    const copy = await delegate(own.id, child, '1.5', r1Token);
    expect(copy).toMatchObject({ resellerId: child, sourcePlanId: own.id, delegated: true, currency: 'USD', fixedPrice: true });
    expect(copy.periods[0].recurringFee).toBe(1200);
    const refused = [
      await api('PATCH', `/api/v1/plans/${copy.id}`, { name: 'Mine now' }, { token: childToken }),
      await api('PATCH', `/api/v1/plans/${copy.id}`, { fixedPrice: false }, { token: childToken }),
      await api('POST', `/api/v1/plans/${copy.id}/periods`, { duration: 2, unit: 'month', recurringFee: 1 }, { token: childToken }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([[409, 'plan_field_synced'], [409, 'plan_field_synced'], [409, 'plan_field_synced']]);
    const described = await api('PATCH', `/api/v1/plans/${copy.id}`, { description: 'our wording' }, { token: childToken });
    expect([described.status, described.body.description]).toEqual([200, 'our wording']);

    today = '2026-11-01';
    const clientId = await resellerClient(api, childToken, 'Sub-reseller client', 10_000_000, 'USD');
    const { subscriptionId } = await buy(childToken, clientId, copy.periods[0].id);
    today = '2026-12-01';
    await runBillingDay(p, '2026-12-01');
    // The November charge (1 month, 1 unit): the child owes R1 its sale price 8.00; R1 owes the operator nothing.
    expect((await resellerChargesOf(subscriptionId)).filter((c) => c.kind === 'recurring')).toEqual([
      { level: 1, creditor: r1, debtor: child, unit: 800, amount: 800, orderType: 'purchase', kind: 'recurring', resource: null, reverses: null },
    ]);
  });

  it('a provisioning rule the reseller does not use, or bad input, is refused with a code and writes nothing', async () => {
    const rule = await api('POST', '/api/v1/provisioning-rules', { key: 'sibling_only', name: 'Sibling only' }, { token: siblingToken });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const [before] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from plans`;
    const refused = [
      await api('POST', '/api/v1/plans', planBody('Foreign rule', 100, { provisioningRuleId: rule.body.id }), { token: r1Token }),
      await api('POST', '/api/v1/plans', planBody('Bad currency', 100, { currency: 'usd' }), { token: r1Token }),
      await api('POST', '/api/v1/plans', planBody('Bad flag', 100, { fixedPrice: 'yes' }), { token: r1Token }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([[422, 'invalid_reference'], [400, 'validation_failed'], [400, 'validation_failed']]);
    const [after] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from plans`;
    expect(after!.n).toBe(before!.n);
  });
});

describe('fixed price: the cost snapshot a subscription uses (spec 05 §4.6)', () => {
  let r1: number;
  let r2: number;
  let r1Token: string;
  let r2Token: string;
  const subs: Record<'fixed' | 'floating', { subscriptionId: number; operatorPlan: any }> = {} as never;

  beforeAll(async () => {
    today = '2026-12-01';
    r1 = await createReseller(api, 'Fixed R1', 'EUR');
    r2 = await createReseller(api, 'Fixed R2', 'EUR', r1);
    [r1Token, r2Token] = [await resellerAdminToken(api, r1), await resellerAdminToken(api, r2)];
    const clientId = await resellerClient(api, r2Token, 'Fixed-price client', 10_000_000, 'EUR');
    for (const [label, fixedPrice] of [['fixed', true], ['floating', false]] as const) {
      // Operator 10.00 → R1 ×2 = 20.00 → R2 ×3 = 60.00; bought on the financial day: December is one whole month.
      const operatorPlan = await createPlan(planBody(`${label} plan`, 1000, { fixedPrice }));
      const atR1 = await delegate(operatorPlan.id, r1, '2');
      const atR2 = await delegate(atR1.id, r2, '3', r1Token);
      expect([atR1.fixedPrice, atR2.fixedPrice]).toEqual([fixedPrice, fixedPrice]);
      subs[label] = { subscriptionId: (await buy(r2Token, clientId, atR2.periods[0].id)).subscriptionId, operatorPlan };
    }
  });

  it('an upstream price change after purchase leaves a fixed-price plan\'s reseller charges at the old cost until renewal; without fixed price they follow', async () => {
    // The operator raises its price 10.00 → 15.00 after both purchases: R1's becomes 30.00, R2's 90.00; and a seat's
    // 1.00 → 1.50 (no route edits resource prices yet: the operation that syncs the copies runs on the changed row).
    for (const { operatorPlan } of Object.values(subs)) {
      const raised = await api('PATCH', `/api/v1/plans/${operatorPlan.id}/periods/${operatorPlan.periods[0].id}`, { recurringFee: 1500 });
      expect(raised.status, JSON.stringify(raised.body)).toBe(200);
      await p.sql.begin(async (tx) => {
        await tx`update plan_resources set recurring_price = 150 where plan_id = ${operatorPlan.id}`;
        await syncChildren(tx, operatorPlan.id);
      });
    }
    // A resource increase keeps the cost of the subscription's creation (fixed) or takes today's (floating).
    today = '2026-12-10';
    for (const { subscriptionId } of Object.values(subs)) {
      const change = await api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { seats: 3 } }, { token: r2Token });
      expect(change.status, JSON.stringify(change.body)).toBe(201);
      await orderStatus(r2Token, change.body.id, 'completed');
    }
    // The purchase froze each level's price of the time.
    const frozen = await p.sql<Array<{ level: number; fee: number; seats: number }>>`
      select level, recurring_fee::int as fee, (resource_prices -> 'seats' ->> 'recurring')::int as seats
      from reseller_cost_snapshots where subscription_id = ${subs.fixed.subscriptionId} order by level`;
    expect(frozen).toEqual([{ level: 1, fee: 2000, seats: 200 }, { level: 2, fee: 1000, seats: 100 }]);

    // R2 renews the fixed-price subscription now: the renewal takes the current cost for its term.
    today = '2026-12-15';
    const renewal = await api('POST', `/api/v1/subscriptions/${subs.fixed.subscriptionId}/renew`, {}, { token: r2Token });
    expect(renewal.status, JSON.stringify(renewal.body)).toBe(201);
    await orderStatus(r2Token, renewal.body.id, 'completed');

    today = '2027-01-01';
    await runBillingDay(p, '2027-01-01');
    const unitOf = (rows: LevelCharge[], orderType: string, resource: string | null = null) =>
      [...new Set(rows.filter((r) => r.kind === 'recurring' && r.orderType === orderType && r.resource === resource).map((r) => `${r.level}:${r.unit}`))].sort();
    const fixed = await resellerChargesOf(subs.fixed.subscriptionId);
    const floating = await resellerChargesOf(subs.floating.subscriptionId);
    // December: the fixed plan's levels charge the prices of the purchase (20.00 and 10.00), the floating plan's today's.
    expect(unitOf(fixed, 'purchase')).toEqual(['1:2000', '2:1000']);
    expect(unitOf(floating, 'purchase')).toEqual(['1:3000', '2:1500']);
    expect(fixed.find((r) => r.orderType === 'purchase' && r.level === 1)).toMatchObject({ creditor: r1, debtor: r2, amount: 2000 });
    // The two seats added on 10 December: a seat at the creation's 2.00 and 1.00 (fixed), at today's 3.00 and 1.50.
    expect(unitOf(fixed, 'resource_change', 'seats')).toEqual(['1:200', '2:100']);
    expect(unitOf(floating, 'resource_change', 'seats')).toEqual(['1:300', '2:150']);

    // The renewal's term, closing month by month, is charged at the cost of the renewal.
    today = '2027-02-01';
    await runBillingDay(p, '2027-02-01');
    expect(unitOf(await resellerChargesOf(subs.fixed.subscriptionId), 'renewal')).toEqual(['1:3000', '2:1500']);
    // A re-run writes nothing twice.
    expect((await createResellerCharges(p.sql)).created).toBe(0);
  });
});

describe('reversals: a closed client charge taken back (spec 05 Q3, decided)', () => {
  it('cancelling a paid order refunds its closed setup fee: each level gets one reversing reseller charge, the receivable ledger nets to zero, and a re-run reverses nothing twice', async () => {
    today = '2027-02-03';
    const r1 = await createReseller(api, 'Reversal R1', 'EUR');
    const r2 = await createReseller(api, 'Reversal R2', 'EUR', r1);
    const [r1Token, r2Token] = [await resellerAdminToken(api, r1), await resellerAdminToken(api, r2)];
    // Setup 5.00 at the operator → ×2 at R1 → ×2 at R2: the setup fee closes when the order is paid.
    const operatorPlan = await createPlan({ ...planBody('Setup plan', 1000), periods: [{ duration: 1, unit: 'month', setupFee: 500, recurringFee: 1000 }] });
    const atR1 = await delegate(operatorPlan.id, r1, '2');
    const atR2 = await delegate(atR1.id, r2, '2', r1Token);
    const clientId = await resellerClient(api, r2Token, 'Refunded client', 10_000_000, 'EUR');

    // The vendor refuses the installation: the paid order stops at its failed step.
    p.vendor.rejectNext(1, 422, 'not sold in this region');
    const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: atR2.periods[0].id }, { token: r2Token });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const errored = await orderStatus(r2Token, order.body.id, 'activation_error');
    const subscriptionId = errored.subscriptionId as number;
    const [setup] = await p.sql<Array<{ id: number; status: string }>>`select id, status from charges where order_id = ${order.body.id} and kind = 'setup'`;
    expect(setup!.status).toBe('closed');
    await runBillingDay(p, '2027-02-03');
    expect((await resellerChargesOf(subscriptionId)).map((c) => [c.level, c.kind, c.amount, c.reverses])).toEqual([
      [1, 'setup', 1000, null],
      [2, 'setup', 500, null],
    ]);

    // Support cancels the scenario: the payment comes back, the setup fee (it paid for nothing) is deleted.
    const scenario = await scenarioStatus(r2Token, `order-${order.body.id}`, 'waiting');
    const failed = flattenTree(scenario.tree).find((s: any) => s.name === 'Provision at vendor');
    const cancel = await api('POST', `/api/v1/scenarios/order-${order.body.id}/decisions`, { step: failed.path, decision: 'cancel', reason: 'the client gave up' }, { token: r2Token });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);
    await scenarioStatus(r2Token, `order-${order.body.id}`, 'cancelled');
    await eventually(async () => (await p.sql<Array<{ status: string }>>`select status from charges where id = ${setup!.id}`)[0]!.status === 'deleted', { what: 'the setup fee deleted' });

    today = '2027-02-04';
    await runBillingDay(p, '2027-02-04');
    const rows = await resellerChargesOf(subscriptionId);
    const originals = rows.filter((r) => r.reverses === null);
    expect(rows.filter((r) => r.reverses !== null).map((c) => [c.level, c.creditor, c.debtor, c.kind, c.amount])).toEqual([
      [1, r1, r2, 'setup', -1000],
      [2, 1, r1, 'setup', -500],
    ]);
    const [first, second] = await p.sql<Array<{ id: number }>>`select id from reseller_charges where subscription_id = ${subscriptionId} and reverses_id is null order by id`;
    expect((await p.sql<Array<{ reverses: number }>>`select reverses_id as reverses from reseller_charges where subscription_id = ${subscriptionId} and reverses_id is not null order by id`).map((r) => r.reverses)).toEqual([first!.id, second!.id]);
    expect(originals).toHaveLength(2);

    // Re-running creates no second reversal and no new original for the deleted charge.
    expect(await reverseResellerCharges(p.sql)).toEqual({ reversed: 0 });
    expect((await createResellerCharges(p.sql)).created).toBe(0);
    today = '2027-02-05';
    await runBillingDay(p, '2027-02-05');
    expect(await resellerChargesOf(subscriptionId)).toHaveLength(4);

    // Each level's receivable ledger nets to what was earned: nothing.
    const balances = await api('GET', '/api/v1/reseller-charges/balances', undefined, { token: r1Token });
    expect(balances.body.items.filter((b: any) => b.debtorResellerId === r2 || b.debtorResellerId === r1).map((b: any) => [b.creditorResellerId, b.debtorResellerId, b.amount]))
      .toEqual([[1, r1, 0], [r1, r2, 0]]);
    // R2 sees the reversal of what it owed R1, marked as such.
    const seen = await api('GET', '/api/v1/reseller-charges?role=debtor', undefined, { token: r2Token });
    expect(seen.body.items.map((c: any) => [c.amount, c.reversesId])).toEqual([[1000, null], [-1000, first!.id]]);
  });
});
