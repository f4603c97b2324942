import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { eventually, platformWithCatalog, storageResource, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

// Promo codes on the orders of a subscription (issue 19 point 3; spec 02 §4.14; the seed manual's 6.4, 6.5 and 13.1):
// renewals, resource changes and plan switches, through the real API, scenarios and fake vendor, on a business date
// the test moves. Financial day 1; a 3-month period at 10.00 a month; storage above 10 GB at 0.30 a GB a month;
// manual renewal open all term.

let p: TestPlatform;
let catalog: Catalog;
let today = '2027-03-17';
const clock = () => new Date(`${today}T12:00:00Z`);
let api: TestPlatform['api'];

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog(
    'subscription_order_discounts',
    {
      provisioningRule: { financialDay: 1, manualRenewPointDays: -1 },
      plan: {
        resources: [storageResource],
        periods: [
          { duration: 3, unit: 'month', setupFee: 0, recurringFee: 1000 },
          { duration: 1, unit: 'year', setupFee: 0, recurringFee: 900 },
        ],
      },
    },
    { now: clock },
  ));
  api = p.withClock(clock);
});
afterAll(async () => {
  if (p) expect((await checkLedger(p.sql)).discrepancies).toEqual([]);
  await p?.close();
});

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
type Charge = { periodFrom: string; periodTo: string; amount: number; discount: number; status: string };
const chargesOf = async (orderId: number) =>
  ((await api('GET', `/api/v1/charges?orderId=${orderId}&limit=100`)).body.items as Charge[]).sort((a, b) => a.periodFrom.localeCompare(b.periodFrom));
const figures = (charges: Charge[]) => charges.map((c) => [c.periodFrom, c.periodTo, c.amount, c.discount]);

async function createDiscount(body: Record<string, unknown>) {
  const answer = await api('POST', '/api/v1/discounts', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number };
}

const discountCard = async (id: number) => (await api('GET', `/api/v1/discounts/${id}`)).body as { uses: number; codes: Array<{ activations: number }> };

async function newClient(name: string): Promise<number> {
  const client = await api('POST', '/api/v1/clients', { name, serviceRuleId: catalog.serviceRuleId });
  expect(client.status, JSON.stringify(client.body)).toBe(201);
  return client.body.id;
}

/** A client with `money` on its balance and an active 3-month subscription bought today (with a promo code if given). */
async function subscribed(name: string, { money = 100_000, promoCode }: { money?: number; promoCode?: string } = {}) {
  const clientId = await newClient(name);
  await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: money });
  const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId, ...(promoCode ? { promoCode } : {}) });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  const done = await waitForOrderStatus(p, order.body.id, 'completed');
  return { clientId, subscriptionId: done.subscriptionId as number, purchase: order.body };
}

/** Places an order on the subscription and expects it accepted. */
async function order(subscriptionId: number, operation: string, body: Record<string, unknown>) {
  const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/${operation}`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

/** A plan of the same service to switch to: 25.00 a month, one month. */
async function switchTarget() {
  const plan = await api('POST', '/api/v1/plans', {
    productId: catalog.productId, serviceTemplateId: catalog.serviceTemplateId, provisioningRuleId: catalog.provisioningRuleId,
    name: 'Backup 500 GB', currency: 'EUR', periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 2500 }],
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  return { planId: plan.body.id as number, periodId: plan.body.periods[0].id as number };
}

const waitForSubscription = (id: number, status: string) =>
  eventually(async () => ((await api('GET', `/api/v1/subscriptions/${id}`)).body.status === status ? true : null), { what: `subscription ${id} ${status}` });

/** What a refused order must not have written. */
async function written() {
  const [row] = await p.sql<Array<Record<string, number>>>`
    select (select count(*)::int from orders) as orders, (select count(*)::int from charges) as charges,
           (select count(*)::int from payments) as payments, (select count(*)::int from discount_redemptions) as redemptions,
           (select coalesce(sum(uses), 0)::int from discounts) as uses, (select coalesce(sum(activations), 0)::int from promo_codes) as activations,
           (select count(*)::int from event_log where entity_kind = 'order') as events, (select count(*)::int from scenarios) as scenarios`;
  return row;
}

describe('a promo code on the orders of a subscription (spec 02 §4.14)', () => {
  it('a renewal at 10 %: 30.00 costs 27.00 with 3.00 off, and its four charges of the renewed term add up to both', async () => {
    today = '2027-03-17';
    await createDiscount({ name: 'Renew 10', percent: '10', codes: [{ code: 'RENEW10', reusable: true }] });
    const { clientId, subscriptionId } = await subscribed('Renewal Co');
    const renewal = await order(subscriptionId, 'renew', { promoCode: 'RENEW10' });
    // R = 3 × 10.00 = 30.00; 10 % = 3.00: the reference order amount 27.00, the reference discount 3.00.
    expect([renewal.type, renewal.amount, renewal.discount, renewal.promoCode]).toEqual(['renewal', 2700, 300, 'RENEW10']);
    expect(renewal.payments[0].amount).toBe(2700);
    expect(renewal.items.map((i: { amount: number; discount: number }) => [i.amount, i.discount])).toEqual([[2700, 300]]);
    await waitForOrderStatus(p, renewal.id, 'completed');
    // The renewed term 17 Jun (the expiration date) – 16 Sep: 14/30 = 0.467, July, August, 16/30 = 0.533 month; bases
    // 4.67, 10.00, 10.00, 5.33; at 10 %: 4.20 (4.203), 9.00, 9.00, 4.80 (4.797) = 27.00 and 0.47, 1.00, 1.00, 0.53 = 3.00:
    // no correction.
    const charges = await chargesOf(renewal.id);
    expect(figures(charges)).toEqual([
      ['2027-06-17', '2027-06-30', 420, 47],
      ['2027-07-01', '2027-07-31', 900, 100],
      ['2027-08-01', '2027-08-31', 900, 100],
      ['2027-09-01', '2027-09-16', 480, 53],
    ]);
    expect(charges.every((c) => c.status === 'blocked')).toBe(true);
    expect((await api('GET', `/api/v1/clients/${clientId}/funds`)).body).toMatchObject({ available: 100_000 - 3000 - 2700 });
  });

  it('a resource increase with a 5.00 discount: the charges need a correction, placed on the current-period charge, and add up to the order', async () => {
    today = '2027-03-17';
    const five = await createDiscount({ name: 'Five off storage', amount: 500, currency: 'EUR', codes: [{ code: 'STORAGE5' }] });
    const { subscriptionId } = await subscribed('Storage Co');
    today = '2027-04-10';
    const change = await order(subscriptionId, 'change-resources', { resources: { storage: 30 }, promoCode: 'STORAGE5' });
    // 20 GB more × 0.30 = 6.00 a month for 10 Apr – 17 Jun, 69 of the term's 92 days of 18.00: 13.50; less 5.00: 8.50.
    expect([change.type, change.amount, change.discount, change.promoCode]).toEqual(['resource_change', 850, 500, 'STORAGE5']);
    expect(change.items.map((i: { amount: number; discount: number }) => [i.amount, i.discount])).toEqual([[850, 500]]);
    await waitForOrderStatus(p, change.id, 'completed');
    // 10-30 Apr 0.7, May 1, 1-16 Jun 0.533 month × 6.00: bases 4.20, 6.00, 3.20 (3.198); × 8.50/13.50: 2.64, 3.78,
    // 2.01 = 8.43 and 1.56, 2.22, 1.19 = 4.97. Corrections +0.07 and +0.03 go to the current period's charge (April,
    // 0.7 against the last's 0.533): 2.71 and 1.59.
    const charges = await chargesOf(change.id);
    expect(figures(charges)).toEqual([
      ['2027-04-10', '2027-04-30', 271, 159],
      ['2027-05-01', '2027-05-31', 378, 222],
      ['2027-06-01', '2027-06-16', 201, 119],
    ]);
    expect([sum(charges.map((c) => c.amount)), sum(charges.map((c) => c.discount))]).toEqual([change.amount, change.discount]);
    expect((await discountCard(five.id)).uses).toBe(1);
  });

  it('a plan switch at 20 % on the new plan only: 25.00 costs 20.00, the April charge takes the corrections', async () => {
    today = '2027-03-17';
    const target = await switchTarget();
    await createDiscount({ name: 'Upgrade 20', percent: '20', plans: [{ planId: target.planId, planPeriodIds: [target.periodId] }], codes: [{ code: 'UPGRADE20', reusable: true }] });
    const { subscriptionId } = await subscribed('Switch Co');
    // The code is for the new plan: a renewal of the old one is refused.
    expect((await api('POST', `/api/v1/subscriptions/${subscriptionId}/renew`, { promoCode: 'UPGRADE20' })).body.code).toBe('promo_code_not_applicable');
    today = '2027-04-10';
    const switched = await order(subscriptionId, 'switch-plan', { planPeriodId: target.periodId, promoCode: 'UPGRADE20' });
    expect([switched.type, switched.amount, switched.discount, switched.promoCode]).toEqual(['plan_switch', 2000, 500, 'UPGRADE20']);
    await waitForOrderStatus(p, switched.id, 'completed');
    // The new plan's first term 10 Apr – 9 May: 21/30 = 0.7 and 9/31 = 0.290 month × 25.00: bases 17.50, 7.25 (24.75
    // for 25.00); at 20 %: 14.00, 5.80 = 19.80 and 3.50, 1.45 = 4.95. Corrections +0.20 and +0.05 go to the current
    // period's charge (April, 0.7 > 0.290).
    const charges = await chargesOf(switched.id);
    expect(figures(charges)).toEqual([
      ['2027-04-10', '2027-04-30', 1420, 355],
      ['2027-05-01', '2027-05-09', 580, 145],
    ]);
    expect([sum(charges.map((c) => c.amount)), sum(charges.map((c) => c.discount))]).toEqual([2000, 500]);
  });

  it('a 100 % code makes a renewal free: no payment, its charges cost 0, carry the discount and are paid at once', async () => {
    today = '2027-03-17';
    await createDiscount({ name: 'Free renewal', percent: '100', codes: [{ code: 'FREERENEW' }] });
    const { clientId, subscriptionId } = await subscribed('Free Renewal Co');
    const renewal = await order(subscriptionId, 'renew', { promoCode: 'FREERENEW' });
    expect([renewal.amount, renewal.discount, renewal.payments]).toEqual([0, 3000, []]);
    await waitForOrderStatus(p, renewal.id, 'completed');
    const charges = await chargesOf(renewal.id);
    expect(charges.map((c) => [c.amount, c.status])).toEqual([[0, 'blocked'], [0, 'blocked'], [0, 'blocked'], [0, 'blocked']]);
    expect(sum(charges.map((c) => c.discount))).toBe(3000);
    expect((await checkLedger(p.sql, { clientId })).discrepancies).toEqual([]);
  });
});

describe('a promo code on a prolongation', () => {
  it('a stopped monthly-flexible subscription prolonged by hand at 10 %: the order and its charge are discounted', async () => {
    today = '2027-03-17';
    const plan = await api('POST', '/api/v1/plans', {
      productId: catalog.productId, serviceTemplateId: catalog.serviceTemplateId, provisioningRuleId: catalog.provisioningRuleId,
      name: 'Flexible', currency: 'EUR', billingType: 'monthly_flexible', periods: [{ duration: 1, unit: 'year', setupFee: 0, recurringFee: 3000 }],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    await createDiscount({ name: 'Prolong 10', percent: '10', codes: [{ code: 'PROLONG10', reusable: true }] });
    const clientId = await newClient('Prolong Co');
    await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 100_000 });
    const bought = await api('POST', '/api/v1/orders', { clientId, planPeriodId: plan.body.periods[0].id });
    const subscriptionId = (await waitForOrderStatus(p, bought.body.id, 'completed')).subscriptionId as number;
    expect((await api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'test' })).status).toBe(202);
    await waitForSubscription(subscriptionId, 'stopped');
    today = '2027-04-05';
    const plain = await api('POST', `/api/v1/subscriptions/${subscriptionId}/prolong`, { promoCode: 'NO-SUCH-CODE' });
    expect([plain.status, plain.body.code]).toEqual([422, 'promo_code_unknown']);
    const prolongation = await order(subscriptionId, 'prolong', { promoCode: 'PROLONG10' });
    // A month's 30.00 at 10 %: 27.00 with 3.00 off, on one charge for 5-30 April.
    expect([prolongation.type, prolongation.amount, prolongation.discount, prolongation.promoCode]).toEqual(['prolongation', 2700, 300, 'PROLONG10']);
    const charges = await chargesOf(prolongation.id);
    expect(figures(charges)).toEqual([['2027-04-05', '2027-04-30', 2700, 300]]);
  });
});

describe('usage limits count every kind of order', () => {
  it('a limit of 2 subscriptions is used by a purchase and a renewal; the third order, of any kind, is refused 409 and writes nothing', async () => {
    today = '2027-03-17';
    const twice = await createDiscount({ name: 'Twice', percent: '10', maxSubscriptions: 2, codes: [{ code: 'TWICE', reusable: true }] });
    const { subscriptionId, purchase } = await subscribed('Twice Co', { promoCode: 'TWICE' });
    expect([purchase.amount, purchase.discount]).toEqual([2700, 300]);
    const renewal = await order(subscriptionId, 'renew', { promoCode: 'TWICE' });
    expect([renewal.amount, renewal.discount]).toEqual([2700, 300]);
    await waitForOrderStatus(p, renewal.id, 'completed');
    expect(await discountCard(twice.id)).toMatchObject({ uses: 2, codes: [{ activations: 2 }] });

    const lateClientId = await newClient('Late Co');
    const before = await written();
    const refusals = [
      await api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 20 }, promoCode: 'TWICE' }),
      await api('POST', `/api/v1/subscriptions/${subscriptionId}/renew`, { promoCode: 'TWICE' }),
      await api('POST', '/api/v1/orders', { clientId: lateClientId, planPeriodId: catalog.monthlyPeriodId, promoCode: 'TWICE' }),
    ];
    expect(refusals.map((r) => [r.status, r.body.code])).toEqual([[409, 'promo_code_exhausted'], [409, 'promo_code_exhausted'], [409, 'promo_code_exhausted']]);
    expect(await written()).toEqual(before);
    expect(await discountCard(twice.id)).toMatchObject({ uses: 2 });
  });

  it('a limit of 3 holds under 6 concurrent renewals and resource changes: exactly 3 are placed, the rest refused 409', async () => {
    today = '2027-03-17';
    const rush = await createDiscount({ name: 'Rush', percent: '10', maxSubscriptions: 3, codes: [{ code: 'RUSH', reusable: true }] });
    const subscriptions = await Promise.all(Array.from({ length: 6 }, (_, i) => subscribed(`Rush ${i} Co`)));
    const answers = await Promise.all(
      subscriptions.map(({ subscriptionId }, i) =>
        api('POST', `/api/v1/subscriptions/${subscriptionId}/${i % 2 ? 'renew' : 'change-resources'}`, i % 2 ? { promoCode: 'RUSH' } : { resources: { storage: 20 }, promoCode: 'RUSH' }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    for (const refused of answers.filter((a) => a.status !== 201)) expect([refused.status, refused.body.code]).toEqual([409, 'promo_code_exhausted']);
    const [row] = await p.sql<Array<{ uses: number; redemptions: number; discounted: number }>>`
      select d.uses, (select count(*)::int from discount_redemptions r where r.discount_id = d.id) as redemptions,
             (select count(*)::int from orders o join discount_redemptions r on r.order_id = o.id where r.discount_id = d.id and o.discount > 0) as discounted
      from discounts d where d.id = ${rush.id}`;
    expect(row).toEqual({ uses: 3, redemptions: 3, discounted: 3 });
  });

  it('a single-use code redeemed by a purchase is exhausted for the renewal of the same subscription', async () => {
    today = '2027-03-17';
    await createDiscount({ name: 'Once', percent: '5', codes: [{ code: 'ONCE-ONLY' }] });
    const { subscriptionId } = await subscribed('Once Co', { promoCode: 'ONCE-ONLY' });
    const before = await written();
    const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/renew`, { promoCode: 'ONCE-ONLY' });
    expect([answer.status, answer.body.code]).toEqual([409, 'promo_code_exhausted']);
    expect(await written()).toEqual(before);
  });

  it('a cancelled order keeps its redemption, as a cancelled purchase does; a refused one leaves none', async () => {
    today = '2027-03-17';
    const kept = await createDiscount({ name: 'Kept', percent: '10', codes: [{ code: 'KEPT', reusable: true }] });
    // Money for the purchase only: the renewal and the second purchase wait for their payments.
    const { subscriptionId, clientId } = await subscribed('Cancel Co', { money: 3000 });
    const renewal = await order(subscriptionId, 'renew', { promoCode: 'KEPT' });
    expect([renewal.status, renewal.amount]).toEqual(['awaiting_payment', 2700]);
    const purchase = await api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId, promoCode: 'KEPT' });
    expect(purchase.status).toBe(201);
    // A refused order gives nothing: the open renewal refuses a change, whose redemption is rolled back with it.
    const refused = await api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 20 }, promoCode: 'KEPT' });
    expect([refused.status, refused.body.code]).toEqual([409, 'open_order_exists']);
    expect(await discountCard(kept.id)).toMatchObject({ uses: 2, codes: [{ activations: 2 }] });
    for (const id of [renewal.id, purchase.body.id]) {
      expect((await api('POST', `/api/v1/orders/${id}/cancel`, { reason: 'changed my mind' })).status).toBeLessThan(300);
      await waitForOrderStatus(p, id, 'cancelled');
    }
    expect(await discountCard(kept.id)).toMatchObject({ uses: 2, codes: [{ activations: 2 }] });
  });
});

describe('an unusable promo code refuses a subscription order with the purchase path\'s codes, and nothing is written', () => {
  it('unknown, expired, not yet valid, inactive, other plan, other currency, exhausted, nothing to discount, empty', async () => {
    today = '2027-03-17';
    await createDiscount({ name: 'Winter', percent: '20', validFrom: '2027-01-01', validTo: '2027-03-16', codes: [{ code: 'S-WINTER' }] });
    await createDiscount({ name: 'Summer', percent: '20', validFrom: '2027-06-01', codes: [{ code: 'S-SUMMER' }] });
    await createDiscount({ name: 'Yearly only', percent: '20', plans: [{ planId: catalog.planId, planPeriodIds: [catalog.yearlyPeriodId] }], codes: [{ code: 'S-YEARLY' }] });
    const off = await createDiscount({ name: 'Off', percent: '20', codes: [{ code: 'S-OFF' }] });
    expect((await api('POST', `/api/v1/discounts/${off.id}/deactivate`, { reason: 'campaign over' })).status).toBe(200);
    await createDiscount({ name: 'Dollars', amount: 500, currency: 'USD', codes: [{ code: 'S-DOLLARS' }] });
    await createDiscount({ name: 'Used', percent: '5', codes: [{ code: 'S-USED' }] });
    await createDiscount({ name: 'Any', percent: '10', codes: [{ code: 'S-ANY', reusable: true }] });
    await subscribed('Used Up Co', { promoCode: 'S-USED' });
    const { subscriptionId } = await subscribed('Refused Co');
    const target = await switchTarget();

    const before = await written();
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['renew', { promoCode: 'NO-SUCH-CODE' }, 422, 'promo_code_unknown'],
      ['renew', { promoCode: 'S-WINTER' }, 422, 'promo_code_expired'],
      ['renew', { promoCode: 'S-SUMMER' }, 422, 'promo_code_not_applicable'],
      ['renew', { promoCode: 'S-YEARLY' }, 422, 'promo_code_not_applicable'],
      ['renew', { promoCode: 'S-OFF' }, 422, 'promo_code_inactive'],
      ['renew', { promoCode: 'S-DOLLARS' }, 422, 'promo_code_not_applicable'],
      ['renew', { promoCode: 'S-USED' }, 409, 'promo_code_exhausted'],
      ['renew', { promoCode: '' }, 400, 'validation_failed'],
      ['change-resources', { resources: { storage: 25 }, promoCode: 'NO-SUCH-CODE' }, 422, 'promo_code_unknown'],
      ['change-resources', { resources: { storage: 25 }, promoCode: 'S-WINTER' }, 422, 'promo_code_expired'],
      // A decrease costs nothing: there is nothing to discount.
      ['change-resources', { resources: { storage: 5 }, promoCode: 'S-ANY' }, 422, 'promo_code_not_applicable'],
      ['switch-plan', { planPeriodId: target.periodId, promoCode: 'S-YEARLY' }, 422, 'promo_code_not_applicable'],
      ['switch-plan', { planPeriodId: target.periodId, promoCode: 'S-USED' }, 409, 'promo_code_exhausted'],
      // The order's own refusals come first: a term subscription is renewed, not prolonged.
      ['prolong', { promoCode: 'NO-SUCH-CODE' }, 422, 'not_prolongable'],
    ];
    for (const [operation, body, status, code] of cases) {
      const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/${operation}`, body);
      expect([answer.status, answer.body.code], `${operation} ${JSON.stringify(body)}`).toEqual([status, code]);
    }
    expect(await written()).toEqual(before);
    // The yearly code does apply to a renewal onto the yearly period: 12 × 9.00 = 108.00 at 20 %.
    const yearly = await order(subscriptionId, 'renew', { planPeriodId: catalog.yearlyPeriodId, promoCode: 'S-YEARLY' });
    expect([yearly.amount, yearly.discount]).toEqual([8640, 2160]);
  });
});
