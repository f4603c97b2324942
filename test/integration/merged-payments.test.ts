import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonthsClamped } from '../../domain/dates';
import { createClient, platformWithCatalog, runBillingDay, seedCatalog, storageResource, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('merged_payments', { plan: { resources: [storageResource] } }));
});
afterAll(async () => p?.close());

const payment = async (id: number) => (await p.api('GET', `/api/v1/payments/${id}`)).body;
const balanceOf = async (clientId: number) => (await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance;
const paymentOf = async (orderId: number) => (await p.api('GET', `/api/v1/orders/${orderId}`)).body.payments[0];

/** A client holding `count` paid subscriptions of `on`, with nothing left on the balance. */
async function clientWithSubscriptions(name: string, count: number, on: Catalog = catalog) {
  const clientId = await createClient(p, on, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 * count });
  const subscriptions = [];
  for (let i = 0; i < count; i += 1) {
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: on.monthlyPeriodId })).body;
    const done = await waitForOrderStatus(p, order.id, 'completed');
    subscriptions.push((await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body);
  }
  expect(await balanceOf(clientId)).toBe(0);
  return { clientId, subscriptions };
}

/** A resource-change order the empty balance cannot pay: it waits for its payment. */
async function unpaidChange(subscriptionId: number, storage: number) {
  const order = await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage } });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  await waitForScenarioStatus(p, `order-${order.body.id}`, 'waiting');
  return { order: order.body, payment: await paymentOf(order.body.id) };
}

describe('merging prepaid payments by hand (spec 02 §2.11)', () => {
  it('merges two order payments and a top-up; confirming it pays both orders and leaves the top-up on the balance', async () => {
    const { clientId, subscriptions: [a, b] } = await clientWithSubscriptions('Merge Co', 2);
    const first = await unpaidChange(a.id, 30);
    const second = await unpaidChange(b.id, 20);
    const topUp = (await p.api('POST', `/api/v1/clients/${clientId}/payments`, { amount: 500 })).body;

    const merged = await p.api('POST', `/api/v1/clients/${clientId}/payments/merge`, { paymentIds: [first.payment.id, second.payment.id, topUp.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(201);
    expect(merged.body).toMatchObject({
      type: 'order',
      status: 'waiting_for_payment',
      merged: true,
      amount: first.order.amount + second.order.amount + 500,
      mergedOrderIds: [first.order.id, second.order.id].sort((x, y) => x - y),
    });
    for (const part of [first.payment.id, second.payment.id, topUp.id]) {
      expect(await payment(part)).toMatchObject({ status: 'cancelled', mergedIntoId: merged.body.id });
    }
    // The orders keep waiting: the merge moved their payment, it did not cancel them.
    for (const o of [first.order, second.order]) expect((await p.api('GET', `/api/v1/orders/${o.id}`)).body.status).toBe('awaiting_payment');
    // A part cannot be confirmed on its own any more.
    expect((await p.api('POST', `/api/v1/payments/${first.payment.id}/confirm`, { method: 'cash' })).status).toBe(409);

    const confirmed = await p.api('POST', `/api/v1/payments/${merged.body.id}/confirm`, { method: 'bank_transfer' });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'completed', method: 'bank_transfer' });
    await waitForOrderStatus(p, first.order.id, 'completed');
    await waitForOrderStatus(p, second.order.id, 'completed');
    const [rows] = await p.sql<Array<{ a: number; b: number }>>`
      select (select quantity from subscription_resources where subscription_id = ${a.id} and key = 'storage') as a,
             (select quantity from subscription_resources where subscription_id = ${b.id} and key = 'storage') as b`;
    expect(rows).toEqual({ a: 30, b: 20 });
    expect(await balanceOf(clientId)).toBe(500);
    // Each order was debited once, by the merged payment.
    const debits = await p.sql<Array<{ order_id: number; amount: string; payment_id: number }>>`
      select order_id, amount::text, payment_id from ledger_transactions where client_id = ${clientId} and kind = 'order_paid' and order_id = any(${[first.order.id, second.order.id]}::int[])`;
    expect(debits.map((d) => [d.order_id, Number(d.amount), d.payment_id]).sort()).toEqual(
      [[first.order.id, -first.order.amount, merged.body.id], [second.order.id, -second.order.amount, merged.body.id]].sort(),
    );
    // Confirming twice changes nothing.
    expect((await p.api('POST', `/api/v1/payments/${merged.body.id}/confirm`, { method: 'cash' })).status).toBe(409);
    expect(await balanceOf(clientId)).toBe(500);
  }, 90_000);

  it('refuses what cannot be merged, changing nothing', async () => {
    const { clientId, subscriptions: [a] } = await clientWithSubscriptions('Strict Merge Co', 1);
    const change = await unpaidChange(a.id, 15);
    const other = await clientWithSubscriptions('Other Co', 1);
    const foreign = await unpaidChange(other.subscriptions[0].id, 15);
    const unpaidPurchase = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${unpaidPurchase.id}`, 'waiting');
    const purchasePayment = await paymentOf(unpaidPurchase.id);
    const topUp = (await p.api('POST', `/api/v1/clients/${clientId}/payments`, { amount: 100 })).body;
    const secondTopUp = (await p.api('POST', `/api/v1/clients/${clientId}/payments`, { amount: 200 })).body;

    const cases: Array<[unknown, number, string]> = [
      [{ paymentIds: [change.payment.id] }, 400, 'validation_failed'],
      [{ paymentIds: [change.payment.id, change.payment.id] }, 422, 'merge_needs_two_payments'],
      [{ paymentIds: [change.payment.id, foreign.payment.id] }, 422, 'payment_of_another_client'],
      [{ paymentIds: [change.payment.id, purchasePayment.id] }, 422, 'payment_not_mergeable'],
      [{ paymentIds: [topUp.id, secondTopUp.id] }, 422, 'merge_needs_an_order'],
      [{ paymentIds: [change.payment.id, 99_999_999] }, 422, 'payment_not_found'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await p.api('POST', `/api/v1/clients/${clientId}/payments/merge`, body);
      expect([answer.status, answer.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    for (const id of [change.payment.id, foreign.payment.id, purchasePayment.id, topUp.id, secondTopUp.id]) {
      expect(await payment(id)).toMatchObject({ status: 'waiting_for_payment', mergedIntoId: null });
    }
  }, 90_000);

  it('an order cancelled out of a merged payment shrinks it; cancelling the merged payment cancels the orders left', async () => {
    const { clientId, subscriptions: [a, b] } = await clientWithSubscriptions('Shrink Co', 2);
    const first = await unpaidChange(a.id, 30);
    const second = await unpaidChange(b.id, 20);
    const merged = (await p.api('POST', `/api/v1/clients/${clientId}/payments/merge`, { paymentIds: [first.payment.id, second.payment.id] })).body;

    expect((await p.api('POST', `/api/v1/orders/${first.order.id}/cancel`, { reason: 'client changed their mind' })).status).toBe(200);
    expect(await payment(merged.id)).toMatchObject({ status: 'waiting_for_payment', amount: second.order.amount });

    expect((await p.api('POST', `/api/v1/payments/${merged.id}/cancel`, { reason: 'not needed' })).status).toBe(200);
    expect((await p.api('GET', `/api/v1/orders/${second.order.id}`)).body.status).toBe('cancelled');
    expect(await payment(merged.id)).toMatchObject({ status: 'cancelled' });
    expect(await balanceOf(clientId)).toBe(0);
    const charges = (await p.api('GET', `/api/v1/charges?orderId=${second.order.id}`)).body.items;
    expect(charges.every((c: any) => c.status === 'deleted')).toBe(true);
  }, 90_000);
});

describe('the nightly automatic merge (spec 02 §2.11)', () => {
  it('merges the renewal payments of one client when the setting is on, and the auto-payment at expiry pays them all', async () => {
    const renewing = await seedCatalog(p, { provisioningRule: { autoRenewPointDays: 5, manualRenewPointDays: 10 } });
    expect((await p.api('POST', '/api/v1/settings/merge-payments', { enabled: true })).body.mergePayments).toBe(true);
    const two = await clientWithSubscriptions('Two Renewals Co', 2, renewing);
    const one = await clientWithSubscriptions('One Renewal Co', 1, renewing);
    const exp: string = two.subscriptions[0].expirationDate;
    expect(two.subscriptions[1].expirationDate).toBe(exp);

    const atPoint = await runBillingDay(p, addDays(exp, -5));
    expect(atPoint.duties.mergedPayments.done).toBeGreaterThanOrEqual(1);
    const renewalOf = async (subscriptionId: number) => (await p.api('GET', `/api/v1/orders?subscriptionId=${subscriptionId}&type=renewal`)).body.items[0];
    const [r1, r2] = [await renewalOf(two.subscriptions[0].id), await renewalOf(two.subscriptions[1].id)];
    const part = await paymentOf(r1.id);
    expect(part.status).toBe('cancelled');
    const merged = await payment((await payment(part.id)).mergedIntoId);
    expect(merged).toMatchObject({ status: 'waiting_for_payment', merged: true, amount: r1.amount + r2.amount, mergedOrderIds: [r1.id, r2.id].sort((x, y) => x - y) });
    // A client with a single renewal keeps its own payment.
    const single = await renewalOf(one.subscriptions[0].id);
    expect(await paymentOf(single.id)).toMatchObject({ status: 'waiting_for_payment' });
    // A second run of the date merges nothing more.
    await runBillingDay(p, addDays(exp, -5));
    expect(await payment(merged.id)).toMatchObject({ status: 'waiting_for_payment' });
    const [count] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from payments where client_id = ${two.clientId} and merged`;
    expect(count?.n).toBe(1);

    await p.api('POST', `/api/v1/clients/${two.clientId}/top-ups`, { amount: merged.amount });
    await runBillingDay(p, exp);
    await waitForOrderStatus(p, r1.id, 'completed');
    await waitForOrderStatus(p, r2.id, 'completed');
    expect(await payment(merged.id)).toMatchObject({ status: 'paid_from_balance' });
    expect(await balanceOf(two.clientId)).toBe(0);
    for (const s of two.subscriptions) {
      expect((await p.api('GET', `/api/v1/subscriptions/${s.id}`)).body.expirationDate).toBe(addMonthsClamped(exp, 1));
    }
    await p.api('POST', '/api/v1/settings/merge-payments', { enabled: false });
  }, 180_000);
});
