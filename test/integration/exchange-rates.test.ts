import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import { convertAmount } from '../../domain/exchange';
import { seedCatalog, createTestPlatform, runBillingDay, storageResource, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 19 point 4: exchange rates (spec 02 §4.13, seed manual 8.3.7 and 8.7.2) through the real API, Temporal and
 * PostgreSQL. A client paying in RUB buys plans priced in USD and JPY: the order is the client's currency, each
 * charge says what it was converted from, and Σ charges = order amount. Payment rounding (§13.3) rides along.
 */
let p: TestPlatform;
let catalog: Catalog;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  p = await createTestPlatform('exchange_rates');
  // A financial day that is not today's: a monthly purchase touches two financial periods (prorated charges).
  const day = Number(today().slice(8));
  catalog = await seedCatalog(p, { provisioningRule: { financialDay: day >= 28 ? 1 : day + 1 } });
});
afterAll(async () => p?.close());

const count = async (table: 'exchange_rates' | 'orders' | 'payments' | 'charges' | 'order_items') =>
  Number((await p.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

async function clientIn(currency: string, name: string): Promise<number> {
  const answer = await p.api('POST', '/api/v1/clients', { name, serviceRuleId: catalog.serviceRuleId, currency });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

async function planIn(currency: string, recurringFee: number, setupFee = 0, extra: Record<string, unknown> = {}): Promise<number> {
  const plan = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: catalog.serviceTemplateId,
    provisioningRuleId: catalog.provisioningRuleId,
    name: `Backup in ${currency} ${recurringFee}`,
    currency,
    periods: [{ duration: 1, unit: 'month', setupFee, recurringFee }],
    ...extra,
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  return plan.body.periods[0].id;
}

const addRate = (body: Record<string, unknown>) => p.api('POST', '/api/v1/exchange-rates', body);
const chargesOf = async (orderId: number) => (await p.api('GET', `/api/v1/charges?orderId=${orderId}&limit=100`)).body.items;
const sum = (items: Array<{ amount: number }>) => items.reduce((s, c) => s + c.amount, 0);

describe('exchange rates: input (bounded, coded 4xx, nothing written)', () => {
  it('refuses unknown currencies, a rate ≤ 0 or not a decimal, a nominal of 0, oversized values, and writes nothing', async () => {
    const before = await count('exchange_rates');
    const good = { baseCurrency: 'RUB', quotedCurrency: 'USD', rate: '92.5', nominal: 1, validFrom: '2027-01-01' };
    const bad: Array<[Record<string, unknown>, number, string]> = [
      [{ ...good, quotedCurrency: 'XYZ' }, 400, 'validation_failed'],
      [{ ...good, baseCurrency: 'rub' }, 400, 'validation_failed'],
      [{ ...good, rate: '0' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '0.0000' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '-92.5' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: 'ninety' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '1e3' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '92,5' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '92.12345' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '1234567890123' }, 422, 'invalid_exchange_rate'],
      [{ ...good, rate: '9'.repeat(100) }, 400, 'validation_failed'],
      [{ ...good, rate: 92.5 }, 400, 'validation_failed'],
      [{ ...good, nominal: 0 }, 400, 'validation_failed'],
      [{ ...good, nominal: 1.5 }, 400, 'validation_failed'],
      [{ ...good, nominal: 10_000_000 }, 400, 'validation_failed'],
      [{ ...good, validFrom: '2027-02-30' }, 400, 'validation_failed'],
      [{ ...good, quotedCurrency: 'RUB' }, 422, 'invalid_exchange_rate'],
      [{ ...good, extra: true }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of bad) {
      const answer = await addRate(body);
      expect(answer.status, `${JSON.stringify(body).slice(0, 120)} → ${JSON.stringify(answer.body)}`).toBe(status);
      expect(answer.body.code).toBe(code);
    }
    expect(await count('exchange_rates')).toBe(before);
  });

  it('rates are never edited: the database refuses an update or a delete', async () => {
    const added = await addRate({ baseCurrency: 'EUR', quotedCurrency: 'GBP', rate: '1.17', validFrom: '2020-01-01' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ baseCurrency: 'EUR', quotedCurrency: 'GBP', rate: '1.1700', nominal: 1, validFrom: '2020-01-01' });
    await expect(p.sql`update exchange_rates set rate = 2 where id = ${added.body.id}`).rejects.toThrow(/immutable/);
    await expect(p.sql`delete from exchange_rates where id = ${added.body.id}`).rejects.toThrow(/immutable/);
  });
});

describe('a rate history (a new rate supersedes from its date)', () => {
  it('answers the rate in force on each date, the history newest first, and the rates in force on a day', async () => {
    const tomorrow = addDays(today(), 1);
    for (const [rate, validFrom] of [['90', '2020-01-01'], ['92.5', today()], ['100', tomorrow]] as const) {
      const answer = await addRate({ baseCurrency: 'RUB', quotedCurrency: 'USD', rate, validFrom });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }
    const inForce = async (date: string) => p.api('GET', `/api/v1/exchange-rates/in-force?baseCurrency=RUB&quotedCurrency=USD&date=${date}`);
    expect((await inForce('2019-12-31')).status).toBe(404);
    expect((await inForce('2020-01-01')).body.rate).toBe('90.0000');
    expect((await inForce(addDays(today(), -1))).body.rate).toBe('90.0000');
    expect((await inForce(today())).body.rate).toBe('92.5000');
    expect((await inForce(tomorrow)).body.rate).toBe('100.0000');
    expect((await p.api('GET', '/api/v1/exchange-rates/in-force?baseCurrency=RUB&quotedCurrency=USD')).body.rate).toBe('92.5000');

    const history = (await p.api('GET', '/api/v1/exchange-rates?baseCurrency=RUB&quotedCurrency=USD')).body;
    expect(history.items.map((r: any) => r.rate)).toEqual(['100.0000', '92.5000', '90.0000']);
    const paged = (await p.api('GET', '/api/v1/exchange-rates?baseCurrency=RUB&quotedCurrency=USD&limit=2')).body;
    expect(paged.items).toHaveLength(2);
    const rest = (await p.api('GET', `/api/v1/exchange-rates?baseCurrency=RUB&quotedCurrency=USD&limit=2&after=${paged.nextCursor}`)).body;
    expect(rest.items.map((r: any) => r.rate)).toEqual(['90.0000']);
    const onDay = (await p.api('GET', `/api/v1/exchange-rates?onDate=${today()}&baseCurrency=RUB`)).body;
    expect(onDay.items.map((r: any) => [r.quotedCurrency, r.rate])).toEqual([['USD', '92.5000']]);
    expect((await p.api('GET', '/api/v1/exchange-rates?quotedCurrency=XYZ')).status).toBe(400);
  });
});

describe('orders in another currency (spec 02 §4.13)', () => {
  it('a RUB client buys a USD plan at 30.00 + 5.00 setup: priced at 92.5 RUB per USD, each charge with its original amount, Σ charges = order amount', async () => {
    const clientId = await clientIn('RUB', 'Rouble Buyer LLC');
    const periodId = await planIn('USD', 3000, 500);
    const order = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    // 35.00 USD × 92.5 = 3237.50 RUB (the rate of today, not the older 90 nor tomorrow's 100).
    expect(order.body).toMatchObject({ currency: 'RUB', amount: 323750 });
    expect(order.body.payments).toEqual([expect.objectContaining({ amount: 323750, currency: 'RUB' })]);
    expect(sum(order.body.items)).toBe(323750);
    await waitForScenarioStatus(p, `order-${order.body.id}`, 'waiting');

    const charges = await chargesOf(order.body.id);
    expect(charges.length).toBeGreaterThanOrEqual(2);
    expect(sum(charges)).toBe(323750);
    expect(charges.reduce((s: number, c: any) => s + c.originalAmount, 0)).toBe(3500);
    for (const c of charges) {
      expect(c).toMatchObject({ currency: 'RUB', originalCurrency: 'USD', exchangeRate: '92.5000', exchangeNominal: 1 });
      // Each charge is its original × rate, give or take the rounding correction of the order's total.
      expect(Math.abs(c.amount - convertAmount(c.originalAmount, { rate: '92.5', nominal: 1 }))).toBeLessThanOrEqual(charges.length);
    }
    expect(charges.find((c: any) => c.kind === 'setup')).toMatchObject({ originalAmount: 500, amount: 46250 });

    // Paid in roubles: the charges block the roubles, nothing is re-converted.
    expect((await p.api('POST', `/api/v1/payments/${order.body.payments[0].id}/confirm`, { method: 'bank_transfer' })).status).toBe(200);
    await waitForOrderStatus(p, order.body.id, 'completed');
    const funds = (await p.api('GET', `/api/v1/clients/${clientId}/funds`)).body;
    expect(funds.balance).toBe(323750 - 46250);
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  });

  it('a nominal: 61.2 RUB per 100 JPY prices a 1500.00 JPY plan at 918.00 RUB', async () => {
    expect((await addRate({ baseCurrency: 'RUB', quotedCurrency: 'JPY', rate: '61.2', nominal: 100, validFrom: '2020-01-01' })).status).toBe(201);
    const clientId = await clientIn('RUB', 'Yen Buyer LLC');
    const order = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: await planIn('JPY', 150000) });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body).toMatchObject({ currency: 'RUB', amount: 91800 });
    await waitForScenarioStatus(p, `order-${order.body.id}`, 'waiting');
    const charges = await chargesOf(order.body.id);
    expect(sum(charges)).toBe(91800);
    expect(charges.every((c: any) => c.exchangeNominal === 100 && c.exchangeRate === '61.2000' && c.originalCurrency === 'JPY')).toBe(true);
  });

  it('without a rate in force the order is refused (422 exchange_rate_missing) and nothing is written', async () => {
    const clientId = await clientIn('RUB', 'No Rate LLC');
    const periodId = await planIn('CHF', 2000);
    // A rate that starts tomorrow is not in force today.
    expect((await addRate({ baseCurrency: 'RUB', quotedCurrency: 'CHF', rate: '110', validFrom: addDays(today(), 1) })).status).toBe(201);
    const before = { orders: await count('orders'), payments: await count('payments'), charges: await count('charges'), items: await count('order_items') };
    const order = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId });
    expect(order.status, JSON.stringify(order.body)).toBe(422);
    expect(order.body).toMatchObject({ code: 'exchange_rate_missing', details: { baseCurrency: 'RUB', quotedCurrency: 'CHF', date: today() } });
    expect({ orders: await count('orders'), payments: await count('payments'), charges: await count('charges'), items: await count('order_items') }).toEqual(before);
  });

  it('same currency: each charge records rate 1, nominal 1, original = amount', async () => {
    const clientId = await clientIn('EUR', 'Euro Same LLC');
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const charges = await chargesOf(order.id);
    expect(sum(charges)).toBe(order.amount);
    for (const c of charges) expect(c).toMatchObject({ currency: 'EUR', originalCurrency: 'EUR', originalAmount: c.amount, exchangeRate: '1.0000', exchangeNominal: 1 });
  });

  it("a resource change of a USD subscription is priced in roubles at the rate in force on the change's date", async () => {
    const clientId = await clientIn('RUB', 'Growing Rouble LLC');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1_000_000 });
    const periodId = await planIn('USD', 1000, 0, { resources: [storageResource] });
    const bought = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const done = await waitForOrderStatus(p, bought.body.id, 'completed');
    const changed = await p.api('POST', `/api/v1/subscriptions/${done.subscriptionId}/change-resources`, { resources: { storage: 20 } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(201);
    const order = (await p.api('GET', `/api/v1/orders/${changed.body.id}`)).body;
    expect(order.currency).toBe('RUB');
    expect(order.amount).toBeGreaterThan(0);
    await waitForOrderStatus(p, order.id, 'completed');
    const charges = await chargesOf(order.id);
    expect(sum(charges)).toBe(order.amount);
    expect(sum(order.items)).toBe(order.amount);
    const original = charges.reduce((s: number, c: any) => s + c.originalAmount, 0);
    expect(order.amount).toBe(convertAmount(original, { rate: '92.5', nominal: 1 }));
    expect(charges.every((c: any) => c.originalCurrency === 'USD' && c.exchangeRate === '92.5000')).toBe(true);
  });
});

describe('a plan switch of a USD subscription (spec 01 §10)', () => {
  it("converts the switch's price and its credit at the rate in force; a switch to another plan currency is refused", async () => {
    const clientId = await clientIn('RUB', 'Switching Rouble LLC');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1_000_000 });
    const big = await planIn('USD', 5000);
    const small = await planIn('USD', 3000);
    const bought = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: big });
    expect(bought.body.amount).toBe(462500);
    const done = await waitForOrderStatus(p, bought.body.id, 'completed');

    const toYen = await p.api('POST', `/api/v1/subscriptions/${done.subscriptionId}/switch-plan`, { planPeriodId: await planIn('JPY', 100000) });
    expect(toYen.status, JSON.stringify(toYen.body)).toBe(422);
    expect(toYen.body.code).toBe('currency_mismatch');

    // Down to 30.00 USD: the new plan's purchase, 2775.00 RUB at today's rate; the old plan's charges are split when
    // the switch applies (spec 02 §4.9), and what was not used comes back in roubles as it was taken, never
    // re-converted (spec 02 §4.12).
    const switched = await p.api('POST', `/api/v1/subscriptions/${done.subscriptionId}/switch-plan`, { planPeriodId: small });
    expect(switched.status, JSON.stringify(switched.body)).toBe(201);
    const order = await waitForOrderStatus(p, switched.body.id, 'completed');
    expect(order).toMatchObject({ currency: 'RUB', amount: 277500 });
    const [back] = await p.sql<Array<{ amount: string; currency: string }>>`
      select sum(amount)::text as amount, min(currency) as currency from ledger_transactions where kind = 'charge_split' and order_id = ${bought.body.id}`;
    const [used] = await p.sql<Array<{ amount: string }>>`
      select coalesce(sum(amount), 0)::text as amount from charges where order_id = ${bought.body.id} and status = 'closed' and not superseded`;
    expect({ amount: Number(back!.amount), currency: back!.currency }).toEqual({ amount: 462500 - Number(used!.amount), currency: 'RUB' });
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  });
});

describe('payment rounding (spec 02 §13.3, decision 26)', () => {
  it("rounds an order's payment up to the setting's multiple; the order's amount stays and the over-payment stays on the balance", async () => {
    for (const value of [-1, 1.5, 'a', 10_000_000]) {
      const refused = await p.api('POST', '/api/v1/settings/payment-rounding', { value });
      expect(refused.status, String(value)).toBe(400);
    }
    const set = await p.api('POST', '/api/v1/settings/payment-rounding', { value: 10000 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.paymentRounding).toBe(10000);
    try {
      const clientId = await clientIn('RUB', 'Round Sum LLC');
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: await planIn('USD', 3000, 500) })).body;
      expect(order.amount).toBe(323750);
      expect(order.payments[0].amount).toBe(330000);
      await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
      expect(sum(await chargesOf(order.id))).toBe(323750);
      expect((await p.api('POST', `/api/v1/payments/${order.payments[0].id}/confirm`, { method: 'bank_transfer' })).status).toBe(200);
      await waitForOrderStatus(p, order.id, 'completed');
      const funds = (await p.api('GET', `/api/v1/clients/${clientId}/funds`)).body;
      expect(funds.available).toBe(330000 - 323750);
      expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
    } finally {
      expect((await p.api('POST', '/api/v1/settings/payment-rounding', { value: 0 })).body.paymentRounding).toBe(0);
    }
  });
});

describe('renewals use the rate in force on their own date (spec 02 §4.13)', () => {
  it("a USD subscription bought at 92.5 renews on its expiry date at that day's rate (100), its charges saying so", async () => {
    const clientId = await clientIn('RUB', 'Renewing Rouble LLC');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1_000_000 });
    const bought = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: await planIn('USD', 3000) });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    expect(bought.body.amount).toBe(277500);
    const done = await waitForOrderStatus(p, bought.body.id, 'completed');
    const sub = (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body;
    const exp: string = sub.expirationDate;
    expect(exp > addDays(today(), 1)).toBe(true);

    await runBillingDay(p, exp);
    const [renewal] = (await p.sql<Array<{ id: number; amount: string; currency: string }>>`
      select id, amount::text, currency from orders where subscription_id = ${done.subscriptionId} and type = 'renewal'`);
    expect(renewal, 'a renewal order on the expiry date').toBeDefined();
    // 30.00 USD at 100 RUB per USD (in force from tomorrow on), not the purchase's 92.5.
    expect({ amount: Number(renewal!.amount), currency: renewal!.currency }).toEqual({ amount: 300000, currency: 'RUB' });
    const charges = await chargesOf(renewal!.id);
    expect(sum(charges)).toBe(300000);
    expect(charges.every((c: any) => c.exchangeRate === '100.0000' && c.originalCurrency === 'USD')).toBe(true);
    // The purchase's charges keep the rate they were created at.
    expect((await chargesOf(bought.body.id)).every((c: any) => c.exchangeRate === '92.5000')).toBe(true);
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  }, 120_000);
});
