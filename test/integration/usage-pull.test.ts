import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { eventually, platformWithCatalog, runBillingDay, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

// Issue 20: the `usage` plugin operation, pulled for pay-as-you-go (external) subscriptions as a scenario whose
// cursor lives in PostgreSQL; the fake vendor speaks the http-vendor protocol's `GET /resources/{id}/usage`.

let p: TestPlatform;
let catalog: Catalog;
const today = '2026-11-25';
const clock = () => new Date(`${today}T12:00:00Z`);
let api: TestPlatform['api'];

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('usage-pull', {}, { now: clock }));
  api = p.withClock(clock);
});
afterAll(async () => {
  if (p) expect((await checkLedger(p.sql)).discrepancies).toEqual([]);
  await p?.close();
});

async function externalSubscription(paymentModel: 'prepay' | 'postpay' = 'prepay') {
  const plan = (await api('POST', '/api/v1/plans', {
    productId: catalog.productId, serviceTemplateId: catalog.serviceTemplateId, provisioningRuleId: catalog.provisioningRuleId,
    name: 'Cloud by the hour', billingType: 'usage_external', periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }],
    resources: [{ key: 'cpu', name: 'vCPU' }],
  })).body;
  const serviceRuleId = paymentModel === 'prepay' ? catalog.serviceRuleId : (await api('POST', '/api/v1/service-rules', { key: `postpay_${Date.now()}`, name: 'Postpay', subscriptionCreditLimit: 1000 })).body.id;
  const client = (await api('POST', '/api/v1/clients', { name: 'Pull client', serviceRuleId })).body;
  if (paymentModel === 'prepay') await api('POST', `/api/v1/clients/${client.id}/top-ups`, { amount: 1_000_000 });
  const order = (await api('POST', '/api/v1/orders', { clientId: client.id, planPeriodId: plan.periods[0].id, paymentModel })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  const sub = (await api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body;
  return { subscriptionId: sub.id as number, ref: sub.vendorReference as string, clientId: client.id as number };
}

const metered = (ref: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ recordId: `${ref}-${from + i}`, resource: 'cpu', quantity: 1, usedAt: today, periodDays: 1, unitPrice: 30 }));

async function pull(subscriptionId: number) {
  const started = await api('POST', `/api/v1/subscriptions/${subscriptionId}/usage-pull`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await waitForScenarioStatus(p, started.body.scenarioId, 'completed');
  return started.body.scenarioId as string;
}

const stored = async (subscriptionId: number) => (await p.sql<Array<{ n: number; distinct: number }>>`
  select count(*)::int as n, count(distinct record_id)::int as distinct from usage_records where subscription_id = ${subscriptionId}`)[0]!;

describe('the usage plugin operation (pay-as-you-go, external)', () => {
  it('pulls page by page from the stored cursor; the next pull goes on where the last ended; a failed page is retried without a duplicate', async () => {
    const { subscriptionId, ref } = await externalSubscription();
    p.vendor.addUsage(ref, metered(ref, 0, 2500));
    const first = await pull(subscriptionId);
    const tree = (await api('GET', `/api/v1/scenarios/${first}`)).body;
    expect(JSON.stringify(tree)).toContain('Pull usage page 3');
    expect(await stored(subscriptionId)).toEqual({ n: 2500, distinct: 2500 });
    // 2500 records × 30 × 1 × 1 / 30 = 2500 minor units.
    const usage = (await api('GET', `/api/v1/subscriptions/${subscriptionId}/usage`)).body;
    expect(usage.ratedAmount).toBe(2500);

    p.vendor.addUsage(ref, metered(ref, 2500, 10));
    p.vendor.failNext(1);
    await pull(subscriptionId);
    expect(await stored(subscriptionId)).toEqual({ n: 2510, distinct: 2510 });
    const [cursor] = await p.sql<Array<{ cursor: string; pages: number; records: number }>>`select cursor, pages, records::int from usage_pulls where subscription_id = ${subscriptionId}`;
    expect(cursor).toEqual({ cursor: '2510', pages: 4, records: 2510 });
    expect((await api('GET', `/api/v1/subscriptions/${subscriptionId}/usage`)).body.ratedAmount).toBe(2510);
  });

  it('the daily billing run pulls every pay-as-you-go (external) subscription once, as a scenario of its own', async () => {
    const { subscriptionId, ref } = await externalSubscription();
    p.vendor.addUsage(ref, metered(ref, 0, 30));
    const run = await runBillingDay(p, today);
    expect(run.duties.usagePulls.done).toBeGreaterThanOrEqual(1);
    const scenarioId = `usage-pull-${subscriptionId}-on-${today}`;
    await waitForScenarioStatus(p, scenarioId, 'completed');
    expect(await stored(subscriptionId)).toEqual({ n: 30, distinct: 30 });
    // The run of the same date again starts no second pull of the day.
    p.vendor.addUsage(ref, metered(ref, 30, 5));
    const again = await runBillingDay(p, today);
    expect(again.duties.usagePulls.done).toBe(0);
    expect(await stored(subscriptionId)).toEqual({ n: 30, distinct: 30 });
  });

  it('postpay: pulled usage over the credit limit blocks the subscription', async () => {
    const { subscriptionId, ref } = await externalSubscription('postpay');
    p.vendor.addUsage(ref, metered(ref, 0, 1500));
    await pull(subscriptionId);
    await eventually(async () => ((await api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body.status === 'blocked' ? true : null), { what: 'blocked by the credit limit' });
  });

  it('is refused for a subscription of another billing type', async () => {
    const order = (await api('POST', '/api/v1/orders', { clientId: (await api('POST', '/api/v1/clients', { name: 'Other', serviceRuleId: catalog.serviceRuleId })).body.id, planPeriodId: catalog.monthlyPeriodId, paymentModel: 'postpay' })).body;
    const answer = await api('POST', `/api/v1/subscriptions/${order.subscriptionId ?? 999_999}/usage-pull`, {});
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });
});
