import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { eventually, platformWithCatalog, runBillingDay, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

// Issue 20: pay-as-you-go through the real API, Temporal scenarios and the fake vendor, on a business date the test
// moves. The seed's example (8.3.4.7.4): financial day 1, ordered 20 Nov, resources used from 21 Nov, one record a day
// for the day before. Price: 30.00 a month per unit; 2 units a day → Δ = 3000 × 1 × 2 / 30 = 200 a day.

let p: TestPlatform;
let catalog: Catalog;
let today = '2026-11-20';
const clock = () => new Date(`${today}T12:00:00Z`);
let api: TestPlatform['api'];

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('usage', { serviceRule: { subscriptionCreditLimit: 1000 } }, { now: clock }));
  api = p.withClock(clock);
});
afterAll(async () => {
  if (p) expect((await checkLedger(p.sql)).discrepancies).toEqual([]);
  await p?.close();
});

const unlimited = [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }];
const cpu = { key: 'cpu', name: 'vCPU', recurringPrice: 3000 };

async function usagePlan(billingType: 'usage_internal' | 'usage_external', currency = 'EUR') {
  const created = await api('POST', '/api/v1/plans', {
    productId: catalog.productId, serviceTemplateId: catalog.serviceTemplateId, provisioningRuleId: catalog.provisioningRuleId,
    name: `${billingType} plan`, billingType, periods: unlimited, currency, resources: [billingType === 'usage_internal' ? cpu : { ...cpu, recurringPrice: 0 }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: number; periods: Array<{ id: number }> };
}

/** A client with 1000.00 on its balance and an active pay-as-you-go subscription ordered today (free, no payment). */
async function subscribed(billingType: 'usage_internal' | 'usage_external' = 'usage_internal', paymentModel: 'prepay' | 'postpay' = 'prepay', planCurrency = 'EUR') {
  const plan = await usagePlan(billingType, planCurrency);
  const client = (await api('POST', '/api/v1/clients', { name: `${billingType} client`, serviceRuleId: catalog.serviceRuleId })).body;
  if (paymentModel === 'prepay') await api('POST', `/api/v1/clients/${client.id}/top-ups`, { amount: 100_000 });
  const order = await api('POST', '/api/v1/orders', { clientId: client.id, planPeriodId: plan.periods[0]!.id, paymentModel });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  expect(order.body.amount).toBe(0);
  const done = await waitForOrderStatus(p, order.body.id, 'completed');
  return { clientId: client.id as number, subscriptionId: done.subscriptionId as number, planId: plan.id };
}

let nextRecord = 1;
const record = (subscriptionId: number, usedAt: string, quantity: unknown = 2, extra: Record<string, unknown> = {}) => ({ recordId: `r-${nextRecord++}`, subscriptionId, resource: 'cpu', quantity, usedAt, ...extra });
const send = async (records: unknown[], source = 'cloud') => {
  const answer = await api('POST', '/api/v1/usage-records', { source, records });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { accepted: number; duplicates: number; rejected: number; results: Array<{ status: string; code?: string; httpStatus?: number }> };
};
const usageCharges = async (subscriptionId: number) =>
  ((await api('GET', `/api/v1/charges?subscriptionId=${subscriptionId}&limit=100`)).body.items as any[])
    .filter((c) => c.kind === 'usage' && !c.superseded)
    .map((c) => `${c.periodFrom}..${c.periodTo} ${c.status} ${c.amount} close ${c.closeDate}`)
    .sort();
const funds = async (clientId: number) => (await api('GET', `/api/v1/clients/${clientId}/funds`)).body as { available: number; blocked: number };
const days = (from: number, to: number, month = '2026-11') => Array.from({ length: to - from + 1 }, (_, i) => `${month}-${String(from + i).padStart(2, '0')}`);

describe('pay-as-you-go plans', () => {
  it('take one unlimited period without fees; a plan with a fee is refused', async () => {
    const refused = await api('POST', '/api/v1/plans', {
      productId: catalog.productId, serviceTemplateId: catalog.serviceTemplateId, provisioningRuleId: catalog.provisioningRuleId,
      name: 'fee', billingType: 'usage_internal', periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 3000 }],
    });
    expect([refused.status, refused.body.code]).toEqual([422, 'plan_billing_type']);
  });
});

describe('the Δ formula with the seed’s numbers (8.3.4.7.4)', () => {
  it('records grow one blocked charge per financial period by price × days × quantity / 30; the financial day closes it', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed();
    expect(await usageCharges(subscriptionId)).toEqual([]);
    today = '2026-11-22';
    expect((await send([record(subscriptionId, '2026-11-21')])).accepted).toBe(1);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 200 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 99_800, blocked: 200 });
    today = '2026-11-30';
    expect((await send(days(22, 29).map((d) => record(subscriptionId, d)))).accepted).toBe(8);
    today = '2026-12-01';
    await send([record(subscriptionId, '2026-11-30')]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 2000 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 98_000, blocked: 2000 });
    await runBillingDay(p, '2026-12-01');
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 closed 2000 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 98_000, blocked: 0 });
    today = '2026-12-02';
    await send([record(subscriptionId, '2026-12-01')]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 closed 2000 close 2026-12-01', '2026-12-01..2026-12-31 blocked 200 close 2027-01-01']);
    const usage = (await api('GET', `/api/v1/subscriptions/${subscriptionId}/usage?date=2026-11-15`)).body;
    expect(usage.ratedAmount).toBe(2000);
    expect(usage.resources).toEqual([expect.objectContaining({ resource: 'cpu', quantity: '20', amount: '2000.00' })]);
    expect(usage.resources[0].days).toHaveLength(10);
    const charge = ((await api('GET', `/api/v1/charges?subscriptionId=${subscriptionId}&limit=100`)).body.items as any[]).find((c) => c.status === 'closed');
    const behind = (await api('GET', `/api/v1/charges/${charge.id}/usage-records?limit=1000`)).body.items;
    expect(behind.map((r: any) => r.usedOn)).toEqual(days(21, 30));
    expect((await checkLedger(p.sql, { clientId })).discrepancies).toEqual([]);
  });
});

describe('ingestion', () => {
  it('dedup: a re-sent batch is answered as duplicates and never billed twice', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed();
    today = '2026-11-25';
    const batch = days(21, 24).map((d) => record(subscriptionId, d));
    expect(await send(batch)).toMatchObject({ accepted: 4, duplicates: 0 });
    const again = await send([...batch, batch[0]]);
    expect(again).toMatchObject({ accepted: 0, duplicates: 5, rejected: 0 });
    // The same record id from another source is another record.
    expect((await send([batch[0]], 'another-provider')).accepted).toBe(1);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 1000 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 99_000, blocked: 1000 });
  });

  it('single-record requests sent at once are written together: each answer holds its own record, a record id sent twice is taken once', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed();
    today = '2026-11-25';
    const records = Array.from({ length: 40 }, (_, i) => record(subscriptionId, days(21, 24)[i % 4]!));
    // Ten of them are sent twice, at the same time, and one request carries a record of an unknown subscription.
    const requests = [...records, ...records.slice(0, 10), record(999_999, '2026-11-21')];
    const answers = await Promise.all(requests.map((r) => send([r])));
    answers.forEach((a, i) => {
      expect(a.results).toHaveLength(1);
      expect(a.results[0]).toMatchObject({ index: 0, recordId: (requests[i] as { recordId: string }).recordId });
    });
    expect(answers.at(-1)!.results[0]).toMatchObject({ status: 'rejected', code: 'unknown_subscription' });
    const statuses = answers.slice(0, -1).map((a) => a.results[0]!.status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(40);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(10);
    // 40 records × 2 units × 30.00 / 30 = 80.00, blocked once.
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 8000 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 92_000, blocked: 8000 });
    // Written together: fewer ledger movements (one per charge and batch) than requests.
    const [movements] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from ledger_transactions where client_id = ${clientId} and kind = 'usage_charge'`;
    expect(movements!.n).toBeLessThan(40);
    expect(movements!.n).toBeGreaterThan(0);
  });

  it('a request of more than 10,000 records is refused whole (400), and nothing is written', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ recordId: `big-${i}`, subscriptionId: 1, resource: 'cpu', quantity: 1, usedAt: '2026-11-20' }));
    const answer = await api('POST', '/api/v1/usage-records', { source: 'too-many', records: many });
    expect([answer.status, answer.body.code]).toEqual([400, 'validation_failed']);
    const stored = await p.sql<Array<{ n: number }>>`select count(*)::int as n from usage_records where source = 'too-many'`;
    expect(stored[0]!.n).toBe(0);
  });

  it('a late record in the open period is added to the running charge and moves its start back', async () => {
    today = '2026-11-20';
    const { subscriptionId } = await subscribed();
    today = '2026-11-28';
    await send([record(subscriptionId, '2026-11-26')]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-26..2026-11-30 blocked 200 close 2026-12-01']);
    expect((await send([record(subscriptionId, '2026-11-22', 1)])).accepted).toBe(1);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-22..2026-11-30 blocked 300 close 2026-12-01']);
  });

  it('a record for a closed period is refused with period_closed, or booked to the open period by the setting', async () => {
    today = '2026-11-20';
    const { subscriptionId } = await subscribed();
    today = '2026-12-05';
    const refused = await send([record(subscriptionId, '2026-11-25')]);
    expect(refused.results[0]).toMatchObject({ status: 'rejected', code: 'period_closed', httpStatus: 422 });
    expect(await usageCharges(subscriptionId)).toEqual([]);
    expect((await api('POST', '/api/v1/settings/usage-closed-period', { policy: 'next_period' })).status).toBe(200);
    try {
      expect((await send([record(subscriptionId, '2026-11-25')])).accepted).toBe(1);
      expect(await usageCharges(subscriptionId)).toEqual(['2026-12-01..2026-12-31 blocked 200 close 2027-01-01']);
    } finally {
      await api('POST', '/api/v1/settings/usage-closed-period', { policy: 'refuse' });
    }
  });

  it('bad input gets a coded refusal per record and writes nothing for it; the good records of the batch are taken', async () => {
    today = '2026-11-20';
    const { subscriptionId } = await subscribed();
    const preOrderClient = (await api('POST', '/api/v1/clients', { name: 'pre-order', serviceRuleId: catalog.serviceRuleId })).body.id;
    await api('POST', `/api/v1/clients/${preOrderClient}/top-ups`, { amount: 100_000 });
    const other = (await api('POST', '/api/v1/orders', { clientId: preOrderClient, planPeriodId: catalog.monthlyPeriodId, paymentModel: 'prepay' })).body;
    const otherSubscription = (await waitForOrderStatus(p, other.id, 'completed')).subscriptionId;
    today = '2026-11-25';
    const answer = await send([
      record(subscriptionId, '2026-11-21', -1),
      record(subscriptionId, '2026-11-21', 'many'),
      record(999_999, '2026-11-21'),
      { ...record(subscriptionId, '2026-11-21'), resource: 'gpu' },
      record(otherSubscription, '2026-11-21'),
      record(subscriptionId, '2026-11-26'),
      record(subscriptionId, '2026-11-26T12:00:00Z'),
      { recordId: 'no-subscription' },
      record(subscriptionId, '2026-11-21', '1.5'),
    ]);
    expect(answer.results.map((r) => r.code ?? r.status)).toEqual([
      'invalid_quantity', 'invalid_quantity', 'unknown_subscription', 'unknown_resource', 'not_usage_billing', 'future_timestamp', 'future_timestamp', 'validation_failed', 'accepted',
    ]);
    expect(answer.results.filter((r) => r.status === 'rejected').every((r) => r.httpStatus! >= 400 && r.httpStatus! < 500)).toBe(true);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 150 close 2026-12-01']);
    const stored = await p.sql<Array<{ n: number }>>`select count(*)::int as n from usage_records where subscription_id = ${subscriptionId}`;
    expect(stored[0]!.n).toBe(1);
  });
});

describe('usage priced in another currency (spec 02 §4.13)', () => {
  it('is charged in the client’s currency at the rate in force when the charge is created, which later rates leave alone', async () => {
    // 1.1500 EUR per GBP: a day of 2 units at 30.00 GBP a month is 2.00 GBP, 2.30 EUR. (The order itself needs the rate.)
    expect((await api('POST', '/api/v1/exchange-rates', { baseCurrency: 'EUR', quotedCurrency: 'GBP', rate: '1.15', nominal: 1, validFrom: '2026-11-01' })).status).toBe(201);
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed('usage_internal', 'prepay', 'GBP');
    today = '2026-11-22';
    await send(days(21, 22).map((d) => record(subscriptionId, d)));
    const [charge] = (await api('GET', `/api/v1/charges?subscriptionId=${subscriptionId}&limit=10`)).body.items as any[];
    expect(charge).toMatchObject({ kind: 'usage', status: 'blocked', amount: 460, currency: 'EUR', originalAmount: 400, originalCurrency: 'GBP' });
    // A later rate does not change the running charge: it was made at its own.
    expect((await api('POST', '/api/v1/exchange-rates', { baseCurrency: 'EUR', quotedCurrency: 'GBP', rate: '2', nominal: 1, validFrom: '2026-11-23' })).status).toBe(201);
    today = '2026-11-24';
    await send([record(subscriptionId, '2026-11-23')]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 690 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 100_000 - 690, blocked: 690 });
  });
});

describe('usage in the forecast (a projection from the period so far)', () => {
  it('the client and subscription forecasts grow the running charge by the average a day and close it on the financial day', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed('usage_internal');
    today = '2026-11-25';
    await send(days(21, 24).map((d) => record(subscriptionId, d)));
    // 800 over the 5 days since it started on 20 Nov (nothing used that day): 160 a day. The horizon of 8 days runs
    // from today through 2 Dec.
    const sub = (await api('GET', `/api/v1/subscriptions/${subscriptionId}/forecast?days=8`)).body;
    expect(sub.charges.map((e: any) => `${e.date} ${e.action} ${e.amount}`)).toEqual([
      '2026-11-25 grown 960', '2026-11-26 grown 1120', '2026-11-27 grown 1280', '2026-11-28 grown 1440', '2026-11-29 grown 1600', '2026-11-30 grown 1760',
      '2026-12-01 closed 1760', '2026-12-01 grown 160', '2026-12-02 grown 320',
    ]);
    expect(sub.availableChange).toBe(-1280);
    const client = (await api('GET', `/api/v1/clients/${clientId}/forecast?days=8`)).body;
    expect(client.subscriptions).toEqual([expect.objectContaining({ subscriptionId, billingType: 'usage_internal', availableChange: -1280, blockedChange: -480 })]);
    // 99,200 available and 800 blocked now; 8 days of 160 blocked on the way; the closing debits the 1760 blocked.
    expect(client.forecast.at(-1)).toMatchObject({ date: '2026-12-02', available: 97_920, blocked: 320 });
  });
});

describe('price changes mid-period (spec 02 §4.10, seed 8.3.4.7.5)', () => {
  it('internal: the running charge closes at the change; new usage grows a new charge from the change date at the new price', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId, planId } = await subscribed('usage_internal');
    today = '2026-11-24';
    await send(days(21, 23).map((d) => record(subscriptionId, d)));
    const changed = await api('POST', `/api/v1/plans/${planId}/usage-prices`, { resources: [{ key: 'cpu', recurringPrice: 6000 }] });
    expect(changed.body).toEqual({ version: 2, closedCharges: 1 });
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-23 closed 600 close 2026-11-24']);
    today = '2026-11-25';
    await send([record(subscriptionId, '2026-11-24')]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-23 closed 600 close 2026-11-24', '2026-11-24..2026-11-30 blocked 400 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 99_000, blocked: 400 });
    // The forecast's average counts the charge the change closed: 1000 over the 5 days since 20 Nov, 200 a day.
    const forecast = (await api('GET', `/api/v1/subscriptions/${subscriptionId}/forecast?days=2`)).body;
    expect(forecast.charges.map((e: any) => `${e.date} ${e.action} ${e.amount}`)).toEqual(['2026-11-25 grown 600', '2026-11-26 grown 800']);
  });

  it('internal, postpay: the running charge ends at the change but stays blocked (debt) until the financial day after its period (spec 02 §4.11)', async () => {
    today = '2026-11-20';
    const { subscriptionId, planId } = await subscribed('usage_internal', 'postpay');
    today = '2026-11-24';
    await send(days(21, 23).map((d) => record(subscriptionId, d)));
    const changed = await api('POST', `/api/v1/plans/${planId}/usage-prices`, { resources: [{ key: 'cpu', recurringPrice: 6000 }] });
    expect(changed.body).toEqual({ version: 2, closedCharges: 0 });
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-23 blocked 600 close 2026-12-01']);
    today = '2026-11-25';
    await send([record(subscriptionId, '2026-11-24')]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-23 blocked 600 close 2026-12-01', '2026-11-24..2026-11-30 blocked 400 close 2026-12-01']);
  });

  it('external: provider price × markup; a markup change leaves the running charge blocked and grows a new one', async () => {
    today = '2026-11-20';
    const { subscriptionId, planId } = await subscribed('usage_external');
    today = '2026-11-24';
    const noPrice = await send([record(subscriptionId, '2026-11-21')]);
    expect(noPrice.results[0]).toMatchObject({ code: 'price_required' });
    await send(days(21, 23).map((d) => record(subscriptionId, d, 2, { unitPrice: 1500 })));
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 300 close 2026-12-01']);
    expect((await api('POST', `/api/v1/plans/${planId}/usage-prices`, { markup: '1.5' })).body).toEqual({ version: 2, closedCharges: 0 });
    today = '2026-11-25';
    await send([record(subscriptionId, '2026-11-24', 2, { unitPrice: 1500 })]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 300 close 2026-12-01', '2026-11-24..2026-11-30 blocked 150 close 2026-12-01']);
  });
});

describe('individual markup (spec 01 §8.3, seed 8.3.4.7.5.2)', () => {
  it('wins over the plan’s from the day it is set: the running charge stays blocked, new usage grows a new charge at the new markup', async () => {
    today = '2026-11-20';
    const { subscriptionId } = await subscribed('usage_external');
    today = '2026-11-23';
    await send([record(subscriptionId, '2026-11-21', 2, { unitPrice: 1500 })]);
    expect((await api('POST', `/api/v1/subscriptions/${subscriptionId}/usage-markup`, { markup: '2' })).body).toEqual({ markup: '2' });
    await send([record(subscriptionId, '2026-11-22', 2, { unitPrice: 1500 })]);
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 100 close 2026-12-01', '2026-11-22..2026-11-30 blocked 200 close 2026-12-01']);
    const internal = await subscribed('usage_internal');
    expect((await api('POST', `/api/v1/subscriptions/${internal.subscriptionId}/usage-markup`, { markup: '2' })).body.code).toBe('not_usage_billing');
  });
});

describe('deletion mid-period (seed 8.3.4.7.6)', () => {
  it('the current usage charge ends on the deletion day and closes; later records are refused', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed();
    today = '2026-11-25';
    await send(days(21, 24).map((d) => record(subscriptionId, d)));
    const deleted = await api('POST', `/api/v1/subscriptions/${subscriptionId}/delete`, { reason: 'test' });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
    await eventually(async () => ((await api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body.status === 'deleted' ? true : null), { what: 'deleted' });
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-25 closed 800 close 2026-11-25']);
    expect(await funds(clientId)).toMatchObject({ available: 99_200, blocked: 0 });
    expect((await send([record(subscriptionId, '2026-11-25')])).results[0]).toMatchObject({ code: 'subscription_deleted' });
  });
});

describe('postpay usage and the credit limit (spec 01 §15.2)', () => {
  it('usage growing the debt over the credit limit blocks the subscription', async () => {
    today = '2026-11-20';
    const { clientId, subscriptionId } = await subscribed('usage_internal', 'postpay');
    today = '2026-11-25';
    await send(days(21, 24).map((d) => record(subscriptionId, d)));
    expect(await usageCharges(subscriptionId)).toEqual(['2026-11-21..2026-11-30 blocked 800 close 2026-12-01']);
    expect(await funds(clientId)).toMatchObject({ available: 0 });
    expect((await api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body.status).toBe('active');
    today = '2026-11-26';
    await send([record(subscriptionId, '2026-11-25', 3)]);
    await eventually(async () => ((await api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body.status === 'blocked' ? true : null), { what: 'blocked by the credit limit' });
  });
});
