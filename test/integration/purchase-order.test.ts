import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstExpirationDate, todayIn } from '../../domain/dates';
import { createClient, flattenTree, platformWithCatalog, scenarioOf, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('purchase'));
});
afterAll(async () => p?.close());

async function placeOrder(clientId: number, periodId = catalog.monthlyPeriodId) {
  const answer = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId, subscriptionName: 'Backup for Acme' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}


describe('purchase order (prepaid)', () => {
  it('completes after the operator confirms payment: subscription active, one vendor create with the order key, tree all green', async () => {
    const clientId = await createClient(p, catalog);
    const order = await placeOrder(clientId);
    expect(order.status).toBe('awaiting_payment');
    expect(order.number).toMatch(/^SO\d{6}$/);
    expect(order.amount).toBe(1500); // setup 5.00 + one month at 10.00
    expect(order.items.map((i: any) => i.amount).reduce((a: number, b: number) => a + b, 0)).toBe(1500);
    const payment = order.payments[0];
    expect(payment).toMatchObject({ status: 'waiting_for_payment', amount: 1500 });

    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const confirmed = await p.api('POST', `/api/v1/payments/${payment.id}/confirm`, { method: 'bank_transfer' });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.status).toBe('completed');

    const done = await waitForOrderStatus(p, order.id, 'completed');
    expect(done.closedAt).not.toBeNull();
    const sub = (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body;
    const today = todayIn('UTC', new Date());
    expect(sub).toMatchObject({
      status: 'active',
      startDate: today,
      expirationDate: firstExpirationDate(today, { duration: 1, unit: 'month' }),
    });

    const creates = p.vendor.calls.filter((c) => c.operation === 'create');
    const mine = creates.filter((c) => c.idempotencyKey?.startsWith(`order-${order.id}/`));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.signatureValid).toBe(true);
    expect(sub.vendorReference).toBe(p.vendor.resourceByKey(mine[0]!.idempotencyKey!)?.id);

    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'completed');
    const steps = flattenTree(scenario.tree);
    expect(steps.map((s) => s.name)).toEqual([
      'Load order',
      'Pay from balance',
      'Wait for payment',
      'Confirm payment',
      'Create subscription',
      'Provision at vendor',
      'Activate subscription',
      'Complete order',
    ]);
    for (const step of steps) {
      expect(step.status, step.name).toBe('succeeded');
      expect(step.durationMs, step.name).toBeGreaterThanOrEqual(0);
    }
    const provision = steps.find((s) => s.name === 'Provision at vendor');
    expect(provision.idempotencyKey).toBe(mine[0]!.idempotencyKey);
    expect(provision.attempts).toHaveLength(1);
    expect(scenario.durationMs).toBeGreaterThan(0);

    // The money: received and spent on the order, so the balance is back where it was.
    const client = (await p.api('GET', `/api/v1/clients/${clientId}`)).body;
    expect(client.balance).toBe(0);
    const ledger = await p.sql`select kind, amount::int8 as amount from ledger_transactions where client_id = ${clientId} order by id`;
    expect(ledger.map((r) => [r.kind, Number(r.amount)])).toEqual([
      ['payment_received', 1500],
      ['order_paid', -1500],
    ]);
  });

  it('pays from the balance when it covers the amount, without waiting', async () => {
    const clientId = await createClient(p, catalog, 'Balance Co');
    const topUp = await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 2000, method: 'bank_transfer' });
    expect(topUp.status).toBe(201);
    const order = await placeOrder(clientId);
    const done = await waitForOrderStatus(p, order.id, 'completed');
    expect(done.payments[0].status).toBe('paid_from_balance');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(500);
    const scenario = await scenarioOf(p, order.id);
    expect(flattenTree(scenario.tree).map((s) => s.name)).not.toContain('Wait for payment');
  });

  it('retries transient vendor failures by itself: two 503s, then success, three attempts on the step', async () => {
    const clientId = await createClient(p, catalog, 'Flaky Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    p.vendor.failNext(2, 503);
    const order = await placeOrder(clientId);
    await waitForOrderStatus(p, order.id, 'completed');
    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'completed');
    const provision = flattenTree(scenario.tree).find((s) => s.name === 'Provision at vendor');
    expect(provision.attempts.map((a: any) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(provision.attempts.slice(0, 2).every((a: any) => a.errorClass === 'transient')).toBe(true);
    expect(p.vendor.resources.filter((r) => r.idempotencyKey === provision.idempotencyKey)).toHaveLength(1);
  });
});
