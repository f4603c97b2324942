import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../domain/dates';
import { createClient, createTestPlatform, eventually, flattenTree, seedCatalog, storageResource, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 16 point 2: support cancels a paid order on a subscription whose vendor step failed permanently.
 * Every order type gives the paid amount back to the balance once (ledger `order_refund`, key
 * `order-refund/<order>`), deletes the order's charges and returns the subscription to the status it had.
 */
let p: TestPlatform;
let catalog: Catalog;
let flexible: Catalog;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  p = await createTestPlatform('order_cancel_refund');
  // A financial day other than today's: a term bought today spans two financial periods or more, and a
  // prolongation is ordered on it.
  const dayOfMonth = Number(today().slice(8));
  const provisioningRule = { financialDay: dayOfMonth >= 28 ? 1 : dayOfMonth + 1 };
  catalog = await seedCatalog(p, { provisioningRule, plan: { resources: [storageResource] } });
  flexible = await seedCatalog(p, { provisioningRule, plan: { billingType: 'monthly_flexible' } });
});
afterAll(async () => p?.close());

const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const balanceOf = async (clientId: number): Promise<number> => (await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance;

async function activeSubscription(on: Catalog, name: string, periodId: number, price: number, extra: number) {
  const clientId = await createClient(p, on, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: price + extra });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  return { clientId, sub: await subscription(done.subscriptionId) };
}

/**
 * Places the order with the vendor refusing its next call, waits for the failed vendor step, has support
 * cancel the scenario there, and checks what a cancel must leave behind.
 */
async function failThenCancel(clientId: number, subscriptionId: number, place: () => Promise<{ status: number; body: any }>, step: string) {
  const before = await balanceOf(clientId);
  const statusBefore = (await subscription(subscriptionId)).status;
  p.vendor.rejectNext(1, 422, 'refused by the vendor for this test');
  const placed = await place();
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const order = placed.body;
  expect(order.amount).toBeGreaterThan(0);
  await waitForOrderStatus(p, order.id, 'activation_error');
  const paid = (await p.api('GET', `/api/v1/orders/${order.id}`)).body;
  expect(paid.payments[0].status).toBe('paid_from_balance');
  expect(await balanceOf(clientId)).toBe(before - order.amount);

  const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
  const failed = flattenTree(scenario.tree).find((s) => s.name === step);
  expect(failed, JSON.stringify(flattenTree(scenario.tree).map((s) => s.name))).toMatchObject({ status: 'failed', errorClass: 'permanent' });
  const cancel = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: failed.path, decision: 'cancel', reason: 'the client gave up' });
  expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);
  await waitForScenarioStatus(p, `order-${order.id}`, 'cancelled');

  const cancelled = await waitForOrderStatus(p, order.id, 'cancelled');
  expect(cancelled.statusReason).toBe('the client gave up');
  expect(await balanceOf(clientId)).toBe(before);
  const refunds = await p.sql<Array<{ amount: string; idempotency_key: string }>>`
    select amount::text, idempotency_key from ledger_transactions where order_id = ${order.id} and kind = 'order_refund'`;
  expect(refunds).toEqual([{ amount: String(order.amount), idempotency_key: `order-refund/${order.id}` }]);
  const charges = (await p.api('GET', `/api/v1/charges?orderId=${order.id}`)).body.items;
  expect(charges.filter((c: any) => c.status !== 'deleted')).toEqual([]);
  expect((await subscription(subscriptionId)).status).toBe(statusBefore);
  // A second cancel finds nothing to decide; the money moved once.
  const again = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: failed.path, decision: 'cancel', reason: 'again' });
  expect([again.status, again.body.code]).toEqual([409, 'scenario_finished']);
  expect(await balanceOf(clientId)).toBe(before);
  const { discrepancies } = (await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body;
  expect(discrepancies).toEqual([]);
  return { order, charges };
}

describe('cancelling a failed, paid order on a subscription returns the money (issue 16 point 2)', () => {
  it('renewal: the renewal is refunded, its charges deleted, the subscription active again', async () => {
    const { clientId, sub } = await activeSubscription(catalog, 'Refunded Renewal Co', catalog.monthlyPeriodId, 1500, 1000);
    const { charges } = await failThenCancel(clientId, sub.id, () => p.api('POST', `/api/v1/subscriptions/${sub.id}/renew`, {}), 'Renew at vendor');
    expect(charges.length).toBeGreaterThan(0);
    expect((await subscription(sub.id)).expirationDate).toBe(sub.expirationDate);
  });

  it('prolongation of a stopped subscription: refunded, its charges deleted, the subscription stopped again', async () => {
    const { clientId, sub } = await activeSubscription(flexible, 'Refunded Prolongation Co', flexible.yearlyPeriodId, 900, 900);
    expect((await p.api('POST', `/api/v1/subscriptions/${sub.id}/stop`, { reason: 'client request' })).status).toBe(202);
    await eventually(async () => (await subscription(sub.id)).status === 'stopped', { what: 'the subscription to stop' });
    const { charges } = await failThenCancel(clientId, sub.id, () => p.api('POST', `/api/v1/subscriptions/${sub.id}/prolong`, {}), 'Prolong at vendor');
    expect(charges.length).toBeGreaterThan(0);
    expect((await subscription(sub.id)).prolongedUntil).toBe(sub.prolongedUntil);
  });

  it('resource change: refunded, its charges deleted, the quantities unchanged', async () => {
    const { clientId, sub } = await activeSubscription(catalog, 'Refunded Resources Co', catalog.monthlyPeriodId, 1500, 1000);
    const { charges } = await failThenCancel(clientId, sub.id, () => p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 20 } }), 'Change resources at vendor');
    expect(charges.length).toBeGreaterThan(0);
    const [row] = await p.sql<Array<{ quantity: number }>>`select quantity from subscription_resources where subscription_id = ${sub.id} and key = 'storage'`;
    expect(row!.quantity).toBe(storageResource.included);
  });

  it('plan switch: refunded, the subscription on its old plan', async () => {
    const target = await p.api('POST', '/api/v1/plans', {
      productId: catalog.productId,
      serviceTemplateId: catalog.serviceTemplateId,
      provisioningRuleId: catalog.provisioningRuleId,
      name: 'Backup 1 TB',
      sku: 'BK-1000',
      periods: [{ duration: 1, unit: 'month', recurringFee: 4000 }],
    });
    expect(target.status).toBe(201);
    const { clientId, sub } = await activeSubscription(catalog, 'Refunded Switch Co', catalog.monthlyPeriodId, 1500, 4000);
    await failThenCancel(clientId, sub.id, () => p.api('POST', `/api/v1/subscriptions/${sub.id}/switch-plan`, { planPeriodId: target.body.periods[0].id }), 'Switch plan at vendor');
    expect((await subscription(sub.id)).planPeriodId).toBe(catalog.monthlyPeriodId);
  });

  it('a charge the billing run closed while the order waited stays closed, and its amount is kept back from the refund', async () => {
    const { clientId, sub } = await activeSubscription(catalog, 'Half Refunded Co', catalog.monthlyPeriodId, 1500, 1000);
    const before = await balanceOf(clientId);
    p.vendor.rejectNext(1, 422, 'refused by the vendor for this test');
    const order = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 20 } })).body;
    await waitForOrderStatus(p, order.id, 'activation_error');
    const charges = (await p.api('GET', `/api/v1/charges?orderId=${order.id}`)).body.items.sort((a: any, b: any) => a.closeDate.localeCompare(b.closeDate));
    expect(charges.length).toBeGreaterThan(1);
    const first = charges[0];
    // The financial day after its period: the billing run closes it (spec 02 §4.7), the order still failed.
    const started = await p.api('POST', '/api/v1/billing/runs', { date: first.closeDate, confirmDate: first.closeDate });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await p.temporal.workflow.getHandle(started.body.scenarioId).result();
    expect((await p.api('GET', `/api/v1/charges?orderId=${order.id}`)).body.items.find((c: any) => c.id === first.id).status).toBe('closed');

    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const failed = flattenTree(scenario.tree).find((s) => s.name === 'Change resources at vendor');
    expect((await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: failed.path, decision: 'cancel', reason: 'too late' })).status).toBe(202);
    await waitForOrderStatus(p, order.id, 'cancelled');
    const after = (await p.api('GET', `/api/v1/charges?orderId=${order.id}`)).body.items;
    expect(after.filter((c: any) => c.status !== 'deleted').map((c: any) => [c.id, c.status])).toEqual([[first.id, 'closed']]);
    expect(await balanceOf(clientId)).toBe(before - first.amount);
    const [refund] = await p.sql<Array<{ amount: string }>>`select amount::text from ledger_transactions where order_id = ${order.id} and kind = 'order_refund'`;
    expect(Number(refund!.amount)).toBe(order.amount - first.amount);
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  }, 90_000);
});
