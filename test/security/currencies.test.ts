import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createTestPlatform, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';
import { httpApi, serveOverHttp, type ServedApp } from '../support/serve';

/**
 * Issue 17, class 10: unknown currencies. Clients and plans take ISO 4217 codes only, and an order is refused
 * when the client's balance cannot pay its currency: a EUR client cannot buy a plan priced in another currency
 * without an exchange rate in force (issue 19 point 4: test/integration/exchange-rates.test.ts buys with one),
 * nor in a code that names no currency, nor switch to a plan in another currency. The real server, over HTTP.
 */
let p: TestPlatform;
let catalog: Catalog;
let served: ServedApp;
let api: ReturnType<typeof httpApi>;

beforeAll(async () => {
  p = await createTestPlatform('security_currencies');
  catalog = await seedCatalog(p);
  served = await serveOverHttp(p.app);
  api = httpApi(served.url, p.adminToken);
});
afterAll(async () => {
  await served?.close();
  await p?.close();
});

const count = async (table: 'clients' | 'plans' | 'orders') => Number((await p.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

async function planIn(currency: string): Promise<{ planId: number; periodId: number }> {
  const plan = await api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: catalog.serviceTemplateId,
    provisioningRuleId: catalog.provisioningRuleId,
    name: `Backup in ${currency}`,
    sku: `BK-${currency}`,
    currency,
    periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 1000 }],
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  return { planId: plan.body.id, periodId: plan.body.periods[0].id };
}

describe('currencies (issue 17, class 10)', () => {
  it('refuses clients and plans in a code that is not ISO 4217, and writes nothing', async () => {
    const before = { clients: await count('clients'), plans: await count('plans') };
    for (const currency of ['XYZ', 'ZZZ', 'AAA', 'eur', 'EURO', 'XXX', 'XTS']) {
      const client = await api('POST', '/api/v1/clients', { name: `Coin ${currency}`, serviceRuleId: catalog.serviceRuleId, currency });
      expect(client.status, `client in ${currency}: ${JSON.stringify(client.body)}`).toBe(400);
      expect(client.body).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'currency' })] });
      const plan = await api('POST', '/api/v1/plans', {
        productId: catalog.productId,
        serviceTemplateId: catalog.serviceTemplateId,
        provisioningRuleId: catalog.provisioningRuleId,
        name: `Plan in ${currency}`,
        currency,
        periods: [{ duration: 1, unit: 'month', recurringFee: 1000 }],
      });
      expect(plan.status, `plan in ${currency}: ${JSON.stringify(plan.body)}`).toBe(400);
      expect(plan.body.details).toEqual([expect.objectContaining({ path: 'currency' })]);
    }
    expect({ clients: await count('clients'), plans: await count('plans') }).toEqual(before);
    // Real codes are taken.
    expect((await api('POST', '/api/v1/clients', { name: 'Yen Co', serviceRuleId: catalog.serviceRuleId, currency: 'JPY' })).status).toBe(201);
  });

  it('refuses an order whose plan is priced in another currency without a rate (422 exchange_rate_missing), and one in a code that names none (422 currency_mismatch)', async () => {
    const clientId = await createClient(p, catalog, 'Euro Only Ltd');
    await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
    const usd = await planIn('USD');
    // A plan stored before currencies were checked: its code names no currency at all.
    const legacy = await planIn('GBP');
    await p.sql`update plans set currency = 'ZZZ' where id = ${legacy.planId}`;
    const orders = await count('orders');
    for (const [periodId, code] of [[usd.periodId, 'exchange_rate_missing'], [legacy.periodId, 'currency_mismatch']] as const) {
      const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId });
      expect(order.status, JSON.stringify(order.body)).toBe(422);
      expect(order.body.code).toBe(code);
      expect(order.body.message).toMatch(/EUR/);
    }
    expect(await count('orders')).toBe(orders);
    expect((await api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(5000);
  });

  it('refuses to switch a subscription to a plan in another currency', async () => {
    const clientId = await createClient(p, catalog, 'Switching Euro Ltd');
    await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
    const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const done = await waitForOrderStatus(p, order.body.id, 'completed');
    const usd = await planIn('USD');
    const orders = await count('orders');
    const switched = await api('POST', `/api/v1/subscriptions/${done.subscriptionId}/switch-plan`, { planPeriodId: usd.periodId });
    expect(switched.status, JSON.stringify(switched.body)).toBe(422);
    expect(switched.body.code).toBe('currency_mismatch');
    expect(await count('orders')).toBe(orders);
  });
});
