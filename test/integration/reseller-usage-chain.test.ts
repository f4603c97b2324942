import { beforeAll, describe, expect, it } from 'vitest';
import { billingTypesPlatform } from '../support/billing-types-platform';
import { eventually, runBillingDay, type TestPlatform } from '../support/platform';
import { createReseller, delegatePlanTo, resellerAdminToken, resellerClient } from '../support/reseller-tree';

// Issue 21 points 3-4, usage_external (spec 05 §4.6, §4.7, §5; 01 §8.3): a pay-as-you-go plan delegated
// operator → R1 (×2) → R2 (×3) → R2's client, usage records priced through every level's coefficient, the
// coefficients changed by each level's own staff, and the reseller charges of each closed usage charge. Through the
// real API, Temporal billing run and PostgreSQL. Financial day 1; every record costs the provider 10.00: unit price
// 10.00 a month × 30 days × 1 / 30.

let today = '2026-11-20';
const env = billingTypesPlatform('reseller-usage-chain', () => today);
let p: TestPlatform;
let api: TestPlatform['api'];
let r1: number;
let r2: number;
let r1Token: string;
let r2Token: string;

/** An operator usage_external plan delegated to R1 × `m1`, then by R1's staff to R2 × `m2`: [root, R1's, R2's] ids. */
async function chain(label: string, m1: string, m2: string, fixedPrice = false) {
  const root = await api('POST', '/api/v1/plans', {
    productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
    name: `${label} cloud`, billingType: 'usage_external', currency: 'EUR', fixedPrice,
    periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }], resources: [{ key: 'cpu', name: 'vCPU', recurringPrice: 0 }],
  });
  expect(root.status, JSON.stringify(root.body)).toBe(201);
  const atR1 = await delegatePlanTo(api, root.body.id, { resellerId: r1, markup: m1 });
  const atR2 = await delegatePlanTo(api, atR1.id, { resellerId: r2, markup: m2 }, r1Token);
  return { rootId: root.body.id as number, r1PlanId: atR1.id, r2PlanId: atR2.id, periodId: atR2.periods[0]!.id };
}

/** R2's staff sells R2's copy to a new client of R2's; answers the subscription once the purchase has completed. */
async function sold(planPeriodId: number, name: string): Promise<number> {
  const clientId = await resellerClient(api, r2Token, name, 100_000);
  const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId }, { token: r2Token });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  // The order is R2's client's: R2's staff sees it (the operator's own scope is its own clients).
  const done = await eventually(async () => {
    const o = (await api('GET', `/api/v1/orders/${order.body.id}`, undefined, { token: r2Token })).body;
    return o.status === 'completed' ? o : null;
  }, { what: `${name}'s order completed` });
  return done.subscriptionId as number;
}

let nextRecord = 1;
/** One usage record the provider prices at 10.00 (1000 minor units a month, 30 days, 1 unit). */
async function costOf10(subscriptionId: number, usedAt: string) {
  const answer = await api('POST', '/api/v1/usage-records', {
    source: 'cloud', records: [{ recordId: `chain-${nextRecord++}`, subscriptionId, resource: 'cpu', quantity: 1, periodDays: 30, usedAt, unitPrice: 1000 }],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.accepted, JSON.stringify(answer.body)).toBe(1);
}

const usageCharges = (subscriptionId: number) =>
  p.sql<Array<{ id: number; status: string; amount: number; from: string; close: string; markups: string[] }>>`
    select id, status, amount::int as amount, period_from::text as from, close_date::text as close, usage_markups as markups
    from charges where subscription_id = ${subscriptionId} and kind = 'usage' order by id`;

const resellerCharges = (subscriptionId: number) =>
  p.sql<Array<Record<string, unknown>>>`
    select rc.client_charge_id as charge, rc.level, rc.creditor_reseller_id as creditor, rc.debtor_reseller_id as debtor, rc.unit_price::int as unit,
           rc.quantity, rc.period_months::text as months, rc.discount_bp as bp, rc.amount::int as amount, rc.currency
    from reseller_charges rc where rc.subscription_id = ${subscriptionId} order by rc.client_charge_id, rc.level`;

const plain: { subscriptionId: number } = { subscriptionId: 0 };
const individual: { subscriptionId: number } = { subscriptionId: 0 };
const changed: { subscriptionId: number; r1PlanId: number } = { subscriptionId: 0, r1PlanId: 0 };
const frozen: { subscriptionId: number; r1PlanId: number; r2PlanId: number } = { subscriptionId: 0, r1PlanId: 0, r2PlanId: 0 };
const operatorChange: { subscriptionId: number; rootId: number } = { subscriptionId: 0, rootId: 0 };
const roubles: { subscriptionId: number; rub1: number; rub2: number } = { subscriptionId: 0, rub1: 0, rub2: 0 };

beforeAll(async () => {
  ({ p, api } = env);
  today = '2026-11-20';
  r1 = await createReseller(api, 'Usage reseller R1', 'EUR');
  r2 = await createReseller(api, 'Usage sub-reseller R2', 'EUR', r1);
  [r1Token, r2Token] = [await resellerAdminToken(api, r1), await resellerAdminToken(api, r2)];
  const first = await chain('Shared', '2', '3');
  plain.subscriptionId = await sold(first.periodId, 'Plain client');
  individual.subscriptionId = await sold(first.periodId, 'Individual client');
  const second = await chain('Changed', '2', '3');
  changed.r1PlanId = second.r1PlanId;
  changed.subscriptionId = await sold(second.periodId, 'Changed client');
  // R1 gives R2 10 % on this plan alone (05 §4.5): it lowers only what R2 owes R1.
  const discount = await api('POST', '/api/v1/reseller-discounts', { name: 'Cloud 10', percent: '10.00', childResellerId: r2, planId: second.r1PlanId }, { token: r1Token });
  expect(discount.status, JSON.stringify(discount.body)).toBe(201);
  // fixed_price is set where the plan is created and synced to every copy (05 §4.6).
  const third = await chain('Frozen', '2', '3', true);
  Object.assign(frozen, { r1PlanId: third.r1PlanId, r2PlanId: third.r2PlanId, subscriptionId: await sold(third.periodId, 'Frozen client') });
  const fourth = await chain('Operator', '2', '3');
  Object.assign(operatorChange, { rootId: fourth.rootId, subscriptionId: await sold(fourth.periodId, 'Operator-change client') });
  await roubleTree();
});

/** operator (EUR) → RUB1 (RUB, own rate 90) → RUB2 (RUB, the root's 100) → RUB2's client, the EUR plan × 2 × 3. */
async function roubleTree() {
  const rub1 = await createReseller(api, 'Rouble usage reseller', 'RUB');
  const rub2 = await createReseller(api, 'Rouble usage sub-reseller', 'RUB', rub1);
  const [rub1Token, rub2Token] = [await resellerAdminToken(api, rub1), await resellerAdminToken(api, rub2)];
  expect((await api('POST', '/api/v1/exchange-rates', { baseCurrency: 'RUB', quotedCurrency: 'EUR', rate: '100', validFrom: '2026-01-01' })).status).toBe(201);
  expect((await api('POST', '/api/v1/exchange-rates/own', { baseCurrency: 'RUB', quotedCurrency: 'EUR', rate: '90', validFrom: '2026-01-01' }, { token: rub1Token })).status).toBe(201);
  const root = await api('POST', '/api/v1/plans', {
    productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
    name: 'Rouble cloud', billingType: 'usage_external', currency: 'EUR',
    periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }], resources: [{ key: 'cpu', name: 'vCPU', recurringPrice: 0 }],
  });
  const atRub1 = await delegatePlanTo(api, root.body.id, { resellerId: rub1, markup: '2' });
  const atRub2 = await delegatePlanTo(api, atRub1.id, { resellerId: rub2, markup: '3' }, rub1Token);
  const clientId = await resellerClient(api, rub2Token, 'Rouble client', 10_000_000);
  const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: atRub2.periods[0]!.id }, { token: rub2Token });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  const done = await eventually(async () => {
    const o = (await api('GET', `/api/v1/orders/${order.body.id}`, undefined, { token: rub2Token })).body;
    return o.status === 'completed' ? o : null;
  }, { what: 'the rouble order completed' });
  Object.assign(roubles, { subscriptionId: done.subscriptionId, rub1, rub2 });
}

describe('usage_external prices through the chain (spec 05 §4.7, §5)', () => {
  it('provider cost 10.00 × operator 1 × R1 2 × R2 3: the client pays 60.00; once the billing run closes the charge, R2 owes R1 20.00 (10 × 1 × 2) and R1 owes the operator 10.00 (10 × 1)', async () => {
    today = '2026-11-22';
    await costOf10(plain.subscriptionId, '2026-11-21');
    await costOf10(roubles.subscriptionId, '2026-11-21');
    const [open] = await usageCharges(plain.subscriptionId);
    expect(open).toMatchObject({ status: 'blocked', amount: 6000, close: '2026-12-01', markups: ['1.0000', '2.0000', '3.0000'] });
    const [rec] = await p.sql<Array<{ markup: string; amount: string }>>`select markup::text, amount::text from usage_records where subscription_id = ${plain.subscriptionId}`;
    expect(rec).toEqual({ markup: '6', amount: '6000.00000000' });
    expect(await resellerCharges(plain.subscriptionId)).toEqual([]);
  });

  it("the subscription's individual markup (×4) replaces only R2's level: the client pays 80.00, the levels above still sell at 20.00 and 10.00", async () => {
    today = '2026-11-20';
    const set = await api('POST', `/api/v1/subscriptions/${individual.subscriptionId}/usage-markup`, { markup: '4' }, { token: r2Token });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    today = '2026-11-22';
    await costOf10(individual.subscriptionId, '2026-11-21');
    expect(await usageCharges(individual.subscriptionId)).toEqual([expect.objectContaining({ status: 'blocked', amount: 8000, markups: ['1.0000', '2.0000', '4.0000'] })]);
  });

  it("R1 changes its coefficient mid-period (2 → 2.5, its own staff through PATCH /plans/{id}): the running 60.00 charge stays blocked until the financial day; the next record opens a new charge at 10 × 2.5 × 3 = 75.00", async () => {
    today = '2026-11-22';
    await costOf10(changed.subscriptionId, '2026-11-21');
    today = '2026-11-25';
    // R2's staff cannot touch R1's copy: another tenant's plan is unknown to it.
    expect((await api('PATCH', `/api/v1/plans/${changed.r1PlanId}`, { markup: '9' }, { token: r2Token })).status).toBe(404);
    const edit = await api('PATCH', `/api/v1/plans/${changed.r1PlanId}`, { markup: '2.50' }, { token: r1Token });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.markup).toBe('2.50');
    expect((await usageCharges(changed.subscriptionId)).map((c) => [c.status, c.amount, c.close])).toEqual([['blocked', 6000, '2026-12-01']]);
    await costOf10(changed.subscriptionId, '2026-11-24');
    expect((await usageCharges(changed.subscriptionId)).map((c) => [c.status, c.amount, c.from, c.close, c.markups])).toEqual([
      ['blocked', 6000, '2026-11-21', '2026-12-01', ['1.0000', '2.0000', '3.0000']],
      ['blocked', 7500, '2026-11-24', '2026-12-01', ['1.0000', '2.5000', '3.0000']],
    ]);
  });

  it("the operator's own coefficient is the chain's first level (05 Q11): 1 → 1.5 mid-period opens a new charge at 10 × 1.5 × 2 × 3 = 90.00, the running one stays blocked", async () => {
    today = '2026-11-22';
    await costOf10(operatorChange.subscriptionId, '2026-11-21');
    const change = await api('POST', `/api/v1/plans/${operatorChange.rootId}/usage-prices`, { markup: '1.5' });
    expect(change.status, JSON.stringify(change.body)).toBe(200);
    await costOf10(operatorChange.subscriptionId, '2026-11-22');
    expect((await usageCharges(operatorChange.subscriptionId)).map((c) => [c.status, c.amount, c.markups])).toEqual([
      ['blocked', 6000, ['1.0000', '2.0000', '3.0000']],
      ['blocked', 9000, ['1.5000', '2.0000', '3.0000']],
    ]);
  });

  it("fixed_price: the levels above the seller stay as they were when the subscription was created: after R1's 2 → 5 the next record is still priced 10 × 1 × 2 × 3 = 60.00 (on a new charge, as after any level's change); the seller's own 3 → 4 prices it 80.00", async () => {
    today = '2026-11-22';
    await costOf10(frozen.subscriptionId, '2026-11-21');
    expect((await api('PATCH', `/api/v1/plans/${frozen.r1PlanId}`, { markup: '5' }, { token: r1Token })).status).toBe(200);
    await costOf10(frozen.subscriptionId, '2026-11-21');
    expect((await api('PATCH', `/api/v1/plans/${frozen.r2PlanId}`, { markup: '4' }, { token: r2Token })).status).toBe(200);
    await costOf10(frozen.subscriptionId, '2026-11-22');
    expect((await usageCharges(frozen.subscriptionId)).map((c) => [c.status, c.amount, c.markups])).toEqual([
      ['blocked', 6000, ['1.0000', '2.0000', '3.0000']],
      ['blocked', 6000, ['1.0000', '2.0000', '3.0000']],
      ['blocked', 8000, ['1.0000', '2.0000', '4.0000']],
    ]);
  });

  it('on the financial day every usage charge closes and each level above the seller charges the level below at its own price, the same period (1) and quantity (1), less the discount it gave', async () => {
    today = '2026-12-01';
    await runBillingDay(p, '2026-12-01');
    const level = (charge: number, lvl: number, creditor: number, debtor: number, unit: number, bp: number, amount: number) =>
      ({ charge, level: lvl, creditor, debtor, unit, quantity: 1, months: '1.000', bp, amount, currency: 'EUR' });
    const [plainCharge] = await usageCharges(plain.subscriptionId);
    expect(plainCharge!.status).toBe('closed');
    expect(await resellerCharges(plain.subscriptionId)).toEqual([level(plainCharge!.id, 1, r1, r2, 2000, 0, 2000), level(plainCharge!.id, 2, 1, r1, 1000, 0, 1000)]);
    const [individualCharge] = await usageCharges(individual.subscriptionId);
    expect(await resellerCharges(individual.subscriptionId)).toEqual([level(individualCharge!.id, 1, r1, r2, 2000, 0, 2000), level(individualCharge!.id, 2, 1, r1, 1000, 0, 1000)]);
    // The old charge at the old chain, the new one at the new; R1's 10 % lowers what R2 owes it, never what R1 owes.
    const [before, after] = await usageCharges(changed.subscriptionId);
    expect([before!.status, after!.status]).toEqual(['closed', 'closed']);
    expect(await resellerCharges(changed.subscriptionId)).toEqual([
      level(before!.id, 1, r1, r2, 2000, 1000, 1800), level(before!.id, 2, 1, r1, 1000, 0, 1000),
      level(after!.id, 1, r1, r2, 2500, 1000, 2250), level(after!.id, 2, 1, r1, 1000, 0, 1000),
    ]);
    // The operator's 1.5 raises every level's price: R1 sells at 10 × 1.5 × 2 = 30.00, the operator at 15.00.
    const [opOld, opNew] = await usageCharges(operatorChange.subscriptionId);
    expect(await resellerCharges(operatorChange.subscriptionId)).toEqual([
      level(opOld!.id, 1, r1, r2, 2000, 0, 2000), level(opOld!.id, 2, 1, r1, 1000, 0, 1000),
      level(opNew!.id, 1, r1, r2, 3000, 0, 3000), level(opNew!.id, 2, 1, r1, 1500, 0, 1500),
    ]);
    // §5.3: each level converts its EUR price at its own rate: RUB1 is owed 20.00 EUR at its own 90 = 1800.00 RUB, the
    // operator 10.00 EUR in euros; the client (a euro client) pays its 60.00 EUR.
    const [roubleCharge] = await p.sql<Array<{ id: number; amount: number; currency: string }>>`
      select id, amount::int as amount, currency from charges where subscription_id = ${roubles.subscriptionId} and kind = 'usage'`;
    expect(roubleCharge).toEqual({ id: expect.any(Number), amount: 6000, currency: 'EUR' });
    const roubleLevels = await p.sql<Array<Record<string, unknown>>>`
      select level, creditor_reseller_id as creditor, original_amount::int as original, original_currency, exchange_rate::text as rate, amount::int as amount, currency
      from reseller_charges where subscription_id = ${roubles.subscriptionId} order by level`;
    expect(roubleLevels).toEqual([
      { level: 1, creditor: roubles.rub1, original: 2000, original_currency: 'EUR', rate: '90.0000', amount: 180000, currency: 'RUB' },
      { level: 2, creditor: 1, original: 1000, original_currency: 'EUR', rate: '1.0000', amount: 1000, currency: 'EUR' },
    ]);
    // fixed_price: R1 still sells at 2 (its 5 came after the subscription), whatever R2's own coefficient.
    expect(await resellerCharges(frozen.subscriptionId)).toEqual((await usageCharges(frozen.subscriptionId)).flatMap((c) => [
      level(c.id, 1, r1, r2, 2000, 0, 2000), level(c.id, 2, 1, r1, 1000, 0, 1000),
    ]));
  });

  it('a billing re-run of the same day creates no second reseller charge', async () => {
    const before = await p.sql<Array<{ n: number }>>`select count(*)::int as n from reseller_charges`;
    await runBillingDay(p, '2026-12-01');
    const after = await p.sql<Array<{ n: number }>>`select count(*)::int as n from reseller_charges`;
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(await resellerCharges(plain.subscriptionId)).toHaveLength(2);
    // Each level reads them through its own lists: R1 is owed 20.00 by R2 and owes the operator 10.00.
    const owedToR1 = await api('GET', `/api/v1/reseller-charges?role=creditor&subscriptionId=${plain.subscriptionId}`, undefined, { token: r1Token });
    expect(owedToR1.body.items.map((c: any) => [c.kind, c.debtorResellerId, c.amount])).toEqual([['usage', r2, 2000]]);
    const r1Owes = await api('GET', `/api/v1/reseller-charges?role=debtor&subscriptionId=${plain.subscriptionId}`, undefined, { token: r1Token });
    expect(r1Owes.body.items.map((c: any) => [c.kind, c.creditorResellerId, c.amount])).toEqual([['usage', 1, 1000]]);
  });

  it('bad input changes nothing: a usage_external copy keeps a coefficient, a copy\'s coefficient is set by its owner only', async () => {
    const off = await api('PATCH', `/api/v1/plans/${changed.r1PlanId}`, { markup: null }, { token: r1Token });
    expect([off.status, off.body.code]).toEqual([422, 'invalid_markup']);
    const viaPrices = await api('POST', `/api/v1/plans/${changed.r1PlanId}/usage-prices`, { markup: '7' });
    expect([viaPrices.status, viaPrices.body.code]).toEqual([422, 'invalid_markup']);
    const [plan] = await p.sql<Array<{ markup: string; usage_markup: string }>>`select markup::text, usage_markup::text from plans where id = ${changed.r1PlanId}`;
    expect(plan).toEqual({ markup: '2.50', usage_markup: '2.5000' });
    // Delegated without a markup, a usage_external copy has the default 1.00 (05 §4.2 rule 2, §4.3), never "not set".
    const root = await api('POST', '/api/v1/plans', {
      productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
      name: 'Default cloud', billingType: 'usage_external', currency: 'EUR',
      periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }], resources: [{ key: 'cpu', name: 'vCPU', recurringPrice: 0 }],
    });
    expect((await delegatePlanTo(api, root.body.id, { resellerId: r1 })).markup).toBe('1.00');
  });
});

describe('usage_internal through the chain (spec 05 §5.1, 02 §4.10)', () => {
  it("each level charges the level below at its own resource prices for the charge's records: cpu 30.00 a month × 2 × 3 → the client pays 180.00 × 2 units × 1 day / 30 = 12.00; R2 owes R1 60.00 × 2 / 30 = 4.00, R1 the operator 2.00", async () => {
    const root = await api('POST', '/api/v1/plans', {
      productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
      name: 'Internal cloud', billingType: 'usage_internal', currency: 'EUR',
      periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }],
      resources: [{ key: 'cpu', name: 'vCPU', recurringPrice: 3000 }, { key: 'ram', name: 'RAM', recurringPrice: 300 }],
    });
    expect(root.status, JSON.stringify(root.body)).toBe(201);
    const atR1 = await delegatePlanTo(api, root.body.id, { resellerId: r1, markup: '2' });
    const atR2 = await delegatePlanTo(api, atR1.id, { resellerId: r2, markup: '3' }, r1Token);
    today = '2026-12-01';
    const subscriptionId = await sold(atR2.periods[0]!.id, 'Internal client');
    today = '2026-12-03';
    // 2 vCPU on 2 Dec, and 3 GB of RAM on 2 Dec (RAM at R2: 3.00 × 2 × 3 = 18.00 a month: 3 × 1 / 30 → 1.80).
    const sent = await api('POST', '/api/v1/usage-records', {
      source: 'cloud', records: [
        { recordId: `internal-${nextRecord++}`, subscriptionId, resource: 'cpu', quantity: 2, usedAt: '2026-12-02' },
        { recordId: `internal-${nextRecord++}`, subscriptionId, resource: 'ram', quantity: 3, usedAt: '2026-12-02' },
      ],
    });
    expect(sent.body.accepted, JSON.stringify(sent.body)).toBe(2);
    const [open] = await usageCharges(subscriptionId);
    expect(open).toMatchObject({ status: 'blocked', amount: 1200 + 180 });
    today = '2027-01-01';
    await runBillingDay(p, '2027-01-01');
    const [closed] = await usageCharges(subscriptionId);
    expect(closed!.status).toBe('closed');
    // R1's prices: cpu 60.00, RAM 6.00 → 4.00 + 0.60; the operator's: 30.00 and 3.00 → 2.00 + 0.30.
    expect(await resellerCharges(subscriptionId)).toEqual([
      { charge: closed!.id, level: 1, creditor: r1, debtor: r2, unit: 460, quantity: 1, months: '1.000', bp: 0, amount: 460, currency: 'EUR' },
      { charge: closed!.id, level: 2, creditor: 1, debtor: r1, unit: 230, quantity: 1, months: '1.000', bp: 0, amount: 230, currency: 'EUR' },
    ]);
    // A re-run writes nothing twice.
    await runBillingDay(p, '2027-01-01');
    expect(await resellerCharges(subscriptionId)).toHaveLength(2);
  });
});
