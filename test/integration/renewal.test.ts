import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import {
  createClient,
  createTestPlatform,
  eventually,
  seedCatalog,
  waitForOrderStatus,
  waitForScenarioStatus,
  type Catalog,
  type TestPlatform,
} from '../support/platform';

let p: TestPlatform;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  p = await createTestPlatform('renewal');
});
afterAll(async () => p?.close());

/** Runs the billing day for `date` and waits for it and every scenario it started to settle. */
async function runDay(date: string) {
  const started = await p.api('POST', '/api/v1/billing/runs', { date });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await p.temporal.workflow.getHandle(started.body.scenarioId).result();
  await settle();
  return (await p.api('GET', `/api/v1/billing/runs/${date}`)).body;
}

/** Waits until no scenario is running (waiting ones — for payment, a person, a date — are settled). */
async function settle() {
  await eventually(async () => {
    const [{ n }] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from scenarios where status = 'running'`;
    return n === 0;
  }, { what: 'scenarios to settle', timeoutMs: 60_000 });
}

async function subscriptionOf(orderId: number) {
  const order = await waitForOrderStatus(p, orderId, 'completed');
  return (await p.api('GET', `/api/v1/subscriptions/${order.subscriptionId}`)).body;
}

/** A client with `balance`, holding a paid subscription on the catalogue's monthly period. */
async function subscribe(catalog: Catalog, name: string, balance: number, periodId = catalog.monthlyPeriodId) {
  const clientId = await createClient(p, catalog, name);
  const purchase = (await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 + balance })).status;
  expect(purchase).toBe(201);
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId })).body;
  const sub = await subscriptionOf(order.id);
  return { clientId, sub };
}

const ordersOf = async (subscriptionId: number, type = 'renewal') =>
  (await p.api('GET', `/api/v1/orders?subscriptionId=${subscriptionId}&type=${type}`)).body.items;
const balanceOf = async (clientId: number) => (await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance;
const statusOf = async (subscriptionId: number) => (await p.api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
const vendorOps = (reference: string, operation: string) =>
  p.vendor.resources.find((r) => r.id === reference)!.operations.filter((op) => op.operation === operation);

describe('automatic renewal (acceptance 1)', () => {
  it('creates one renewal order at the auto point, pays it at expiry, moves the term by the N-month rule', async () => {
    const catalog = await seedCatalog(p, { provisioningRule: { autoRenewPointDays: 5, manualRenewPointDays: 10 } });
    const { clientId, sub } = await subscribe(catalog, 'Renewing Co', 1000);
    expect(sub.autoRenewPointDays).toBe(5);
    const exp: string = sub.expirationDate;

    // The day before the point nothing happens.
    await runDay(addDays(exp, -6));
    expect(await ordersOf(sub.id)).toHaveLength(0);

    const first = await runDay(addDays(exp, -5));
    expect(first.duties.createOrders).toEqual({ found: 1, done: 1 });
    const [renewal] = await ordersOf(sub.id);
    expect(renewal).toMatchObject({ type: 'renewal', status: 'awaiting_payment', amount: 1000 });
    const card = (await p.api('GET', `/api/v1/orders/${renewal.id}`)).body;
    expect(card.payments).toHaveLength(1);
    expect(card.payments[0].status).toBe('waiting_for_payment');
    expect(card.createdBy).toBeNull();

    // Running the same date again creates nothing; the balance is untouched until the expiration date.
    const again = await runDay(addDays(exp, -5));
    expect(again.runs).toBe(2);
    expect(again.duties.createOrders.done).toBe(0);
    expect(await ordersOf(sub.id)).toHaveLength(1);
    expect(await balanceOf(clientId)).toBe(1000);
    await runDay(addDays(exp, -1));
    expect((await p.api('GET', `/api/v1/orders/${renewal.id}`)).body.status).toBe('awaiting_payment');

    const onExpiry = await runDay(exp);
    expect(onExpiry.duties.autoPayments).toEqual({ found: 1, done: 1 });
    const paid = await waitForOrderStatus(p, renewal.id, 'completed');
    expect(paid.payments[0].status).toBe('paid_from_balance');
    expect(await balanceOf(clientId)).toBe(0);
    const renewed = await statusOf(sub.id);
    expect(renewed.status).toBe('active');
    // Decision 12: the previous expiration + 1 month, clamped.
    const { addMonthsClamped } = await import('../../domain/dates');
    expect(renewed.expirationDate).toBe(addMonthsClamped(exp, 1));
    expect(vendorOps(sub.vendorReference, 'renew')).toHaveLength(1);

    // A second run of the expiry date pays nothing twice and renews nothing twice.
    await runDay(exp);
    expect(await ordersOf(sub.id)).toHaveLength(1);
    expect(await balanceOf(clientId)).toBe(0);
    expect(vendorOps(sub.vendorReference, 'renew')).toHaveLength(1);
  }, 120_000);
});
