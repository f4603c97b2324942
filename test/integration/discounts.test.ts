import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createTestPlatform, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

// Discounts and promo codes through the API (spec 02 §4.14, the seed manual's 13.1): orders are placed on a fixed
// business day, 17 March 2027, mid-month with financial day 1, so the 3-month term has N + 1 = 4 charges.
const orderDay = new Date('2027-03-17T10:00:00Z');

let p: TestPlatform;
let catalog: Catalog;
let threeMonthsId: number;
let at17March: TestPlatform['api'];

beforeAll(async () => {
  p = await createTestPlatform('discounts');
  catalog = await seedCatalog(p, {
    provisioningRule: { financialDay: 1 },
    plan: {
      periods: [
        { duration: 3, unit: 'month', setupFee: 0, recurringFee: 1000 },
        { duration: 1, unit: 'year', setupFee: 0, recurringFee: 900 },
      ],
    },
  });
  threeMonthsId = catalog.monthlyPeriodId;
  at17March = p.withClock(() => orderDay);
});
afterAll(async () => p?.close());

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const chargesOf = async (orderId: number) => (await p.api('GET', `/api/v1/charges?orderId=${orderId}&limit=100`)).body.items as Array<{ amount: number; discount: number; periodFrom: string; periodTo: string }>;

async function createDiscount(body: Record<string, unknown>) {
  const answer = await p.api('POST', '/api/v1/discounts', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

/** What a refused order must not have written. */
async function written() {
  const [row] = await p.sql<Array<Record<string, number>>>`
    select (select count(*)::int from orders) as orders, (select count(*)::int from charges) as charges,
           (select count(*)::int from payments) as payments, (select count(*)::int from discount_redemptions) as redemptions,
           (select coalesce(sum(uses), 0)::int from discounts) as uses, (select count(*)::int from event_log where entity_kind = 'order') as events`;
  return row;
}

describe('a promo code on a purchase order (spec 02 §4.14)', () => {
  it('10 % on a 3-month purchase ordered mid-month: the charges add up exactly to the order amount and discount', async () => {
    const d = await createDiscount({ name: 'Spring 10', percent: '10', codes: [{ code: 'SPRING10', reusable: true }] });
    expect(d).toMatchObject({ kind: 'percent', percent: '10.00', status: 'active', uses: 0, allPlans: true, codes: [{ code: 'SPRING10', reusable: true, activations: 0 }] });
    const clientId = await createClient(p, catalog, 'Ten Percent Co');
    const answer = await at17March('POST', '/api/v1/orders', { clientId, planPeriodId: threeMonthsId, promoCode: 'SPRING10' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const order = answer.body;
    // R = 3 × 10.00 = 30.00; 10 % = 3.00; the reference order amount 27.00, the reference discount 3.00.
    expect([order.amount, order.discount, order.promoCode]).toEqual([2700, 300, 'SPRING10']);
    expect(order.payments[0].amount).toBe(2700);
    expect(order.items.map((i: { amount: number; discount: number }) => [i.amount, i.discount])).toEqual([[2700, 300]]);
    const charges = await chargesOf(order.id);
    // 17-31 Mar (15/31 = 0.484), April, May, 1-16 Jun (16/30 = 0.533): bases 4.84, 10.00, 10.00, 5.33; references
    // 4.36, 9.00, 9.00, 4.80 (27.16) and 0.48, 1.00, 1.00, 0.53 (3.01); the corrections −0.16 and −0.01 go to the
    // last charge (0.533 > 0.484).
    expect(charges.map((c) => [c.periodFrom, c.periodTo, c.amount, c.discount])).toEqual([
      ['2027-03-17', '2027-03-31', 436, 48],
      ['2027-04-01', '2027-04-30', 900, 100],
      ['2027-05-01', '2027-05-31', 900, 100],
      ['2027-06-01', '2027-06-16', 464, 52],
    ]);
    expect(sum(charges.map((c) => c.amount))).toBe(order.amount);
    expect(sum(charges.map((c) => c.discount))).toBe(order.discount);
    const card = (await p.api('GET', `/api/v1/discounts/${d.id}`)).body;
    expect([card.uses, card.codes[0].activations]).toEqual([1, 1]);
  });

  it('the seed manual 8.3.5 figures through the API: 3 months of 56.00 ordered 17 June at 34.3 %: 110.38 and 57.62', async () => {
    await createDiscount({ name: 'Seed 34.3', percent: '34.3', codes: [{ code: 'SEED343' }] });
    const clientId = await createClient(p, catalog, 'Seed Example Co');
    const plan = await p.api('POST', '/api/v1/plans', {
      productId: catalog.productId, serviceTemplateId: catalog.serviceTemplateId, provisioningRuleId: catalog.provisioningRuleId,
      name: '7 units at 8.00', periods: [{ duration: 3, unit: 'month', recurringFee: 7 * 800 }],
    });
    expect(plan.status).toBe(201);
    const order = (await p.withClock(() => new Date('2027-06-17T10:00:00Z'))('POST', '/api/v1/orders', { clientId, planPeriodId: plan.body.periods[0].id, promoCode: 'SEED343' })).body;
    expect([order.amount, order.discount]).toEqual([11038, 5762]);
    // 17-30 June is 14/30 = 0.467 month, 1-16 September 16/30 = 0.533: the manual's four charges.
    expect((await chargesOf(order.id)).map((c) => [c.amount, c.discount])).toEqual([[1718, 897], [3679, 1921], [3679, 1921], [1962, 1023]]);
  });

  it('a usage limit holds under 10 concurrent orders: exactly the limit succeed, the rest are refused 409', async () => {
    const d = await createDiscount({ name: 'Three only', percent: '15', maxSubscriptions: 3, codes: [{ code: 'THREE', reusable: true }] });
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => createClient(p, catalog, `Rush ${i} Co`)));
    const answers = await Promise.all(clients.map((clientId) => at17March('POST', '/api/v1/orders', { clientId, planPeriodId: threeMonthsId, promoCode: 'THREE' })));
    const ok = answers.filter((a) => a.status === 201);
    expect(ok).toHaveLength(3);
    for (const refused of answers.filter((a) => a.status !== 201)) expect([refused.status, refused.body.code]).toEqual([409, 'promo_code_exhausted']);
    const [row] = await p.sql<Array<{ uses: number; redemptions: number; orders: number }>>`
      select d.uses, (select count(*)::int from discount_redemptions r where r.discount_id = d.id) as redemptions,
             (select count(*)::int from orders o where o.client_id in ${p.sql(clients)}) as orders
      from discounts d where d.id = ${d.id}`;
    expect(row).toEqual({ uses: 3, redemptions: 3, orders: 3 });
    for (const a of ok) expect([a.body.amount, a.body.discount]).toEqual([2550, 450]);
  });

  it('a single-use code gives one discount; an expired, inactive, unknown or other-plan code is refused and nothing is written', async () => {
    await createDiscount({ name: 'Once', percent: '5', codes: [{ code: 'ONCE' }] });
    await createDiscount({ name: 'Winter', percent: '20', validFrom: '2027-01-01', validTo: '2027-03-16', codes: [{ code: 'WINTER' }] });
    await createDiscount({ name: 'Summer', percent: '20', validFrom: '2027-06-01', codes: [{ code: 'SUMMER' }] });
    await createDiscount({ name: 'Yearly only', percent: '20', plans: [{ planId: catalog.planId, planPeriodIds: [catalog.yearlyPeriodId] }], codes: [{ code: 'YEARLY' }] });
    const off = await createDiscount({ name: 'Off', percent: '20', codes: [{ code: 'OFF' }] });
    expect((await p.api('POST', `/api/v1/discounts/${off.id}/deactivate`, { reason: 'campaign over' })).body.status).toBe('inactive');
    await createDiscount({ name: 'Dollars', amount: 500, currency: 'USD', codes: [{ code: 'DOLLARS' }] });
    const clientId = await createClient(p, catalog, 'Refused Co');
    expect((await at17March('POST', '/api/v1/orders', { clientId, planPeriodId: threeMonthsId, promoCode: 'ONCE' })).status).toBe(201);

    const before = await written();
    for (const [code, status, error] of [
      ['ONCE', 409, 'promo_code_exhausted'],
      ['WINTER', 422, 'promo_code_expired'],
      ['SUMMER', 422, 'promo_code_not_applicable'],
      ['YEARLY', 422, 'promo_code_not_applicable'],
      ['OFF', 422, 'promo_code_inactive'],
      ['DOLLARS', 422, 'promo_code_not_applicable'],
      ['NO-SUCH-CODE', 422, 'promo_code_unknown'],
      ['', 400, 'validation_failed'],
    ] as const) {
      const answer = await at17March('POST', '/api/v1/orders', { clientId, planPeriodId: threeMonthsId, promoCode: code });
      expect([answer.status, answer.body.code], code).toEqual([status, error]);
    }
    expect(await written()).toEqual(before);
    // The yearly code does apply to the yearly period.
    const yearly = await at17March('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.yearlyPeriodId, promoCode: 'YEARLY' });
    expect([yearly.status, yearly.body.amount, yearly.body.discount]).toEqual([201, 8640, 2160]);
  });

  it('a 100 % discount: the order is free and needs no payment, its charges cost 0 and carry the discount (the seed manual 8.3.5.3)', async () => {
    await createDiscount({ name: 'Free', percent: '100', codes: [{ code: 'FREE' }] });
    const clientId = await createClient(p, catalog, 'Free Co');
    // Today's date: the order goes on to provisioning at once.
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: threeMonthsId, promoCode: 'FREE' })).body;
    expect([order.amount, order.discount, order.payments]).toEqual([0, 3000, []]);
    expect((await p.api('GET', `/api/v1/orders/${order.id}`)).body.promoCode).toBe('FREE');
    await waitForOrderStatus(p, order.id, 'completed');
    const charges = (await p.api('GET', `/api/v1/charges?orderId=${order.id}&limit=100`)).body.items as Array<{ amount: number; discount: number; status: string }>;
    expect(charges.every((c) => c.amount === 0 && c.status === 'blocked')).toBe(true);
    expect(sum(charges.map((c) => c.discount))).toBe(3000);
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  });

  it('a fixed amount is spread over the charges and the order', async () => {
    await createDiscount({ name: 'Five euros', amount: 500, currency: 'EUR', appliesTo: ['recurring'], codes: [{ code: 'FIVE' }] });
    const clientId = await createClient(p, catalog, 'Fixed Amount Co');
    const order = (await at17March('POST', '/api/v1/orders', { clientId, planPeriodId: threeMonthsId, promoCode: 'FIVE' })).body;
    expect([order.amount, order.discount]).toEqual([2500, 500]);
    const charges = await chargesOf(order.id);
    expect([sum(charges.map((c) => c.amount)), sum(charges.map((c) => c.discount))]).toEqual([2500, 500]);
  });
});

describe('discount administration', () => {
  it('bad input is refused with a code, and a taken promo code too', async () => {
    for (const [body, status, code] of [
      [{ name: 'Zero', percent: '0' }, 422, 'invalid_value'],
      [{ name: 'Too much', percent: '100.01' }, 422, 'invalid_value'],
      [{ name: 'Three decimals', percent: '1.234' }, 400, 'validation_failed'],
      [{ name: 'Both', percent: '5', amount: 100, currency: 'EUR' }, 400, 'validation_failed'],
      [{ name: 'Neither' }, 400, 'validation_failed'],
      [{ name: 'No currency', amount: 100 }, 400, 'validation_failed'],
      [{ name: 'Backwards', percent: '5', validFrom: '2027-05-01', validTo: '2027-04-01' }, 422, 'invalid_period'],
      [{ name: 'No plan', percent: '5', plans: [{ planId: 999999 }] }, 422, 'invalid_reference'],
      [{ name: 'Taken', percent: '5', codes: [{ code: 'SPRING10' }] }, 409, 'promo_code_taken'],
      [{ name: 'Twice', percent: '5', codes: [{ code: 'DUP1' }, { code: 'DUP1' }] }, 409, 'promo_code_taken'],
    ] as const) {
      const answer = await p.api('POST', '/api/v1/discounts', body);
      expect([answer.status, answer.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await p.api('POST', '/api/v1/discounts/999999/deactivate', {})).status).toBe(404);
    const list = (await p.api('GET', '/api/v1/discounts?limit=200')).body;
    expect(list.items.some((d: { name: string }) => d.name === 'Spring 10')).toBe(true);
    expect(list.items.some((d: { name: string }) => ['Zero', 'No plan', 'Taken'].includes(d.name))).toBe(false);
  });
});
