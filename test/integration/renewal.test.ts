import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import { createClient, createTestPlatform, runBillingDay, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  p = await createTestPlatform('renewal');
});
afterAll(async () => p?.close());

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
    await runBillingDay(p, addDays(exp, -6));
    expect(await ordersOf(sub.id)).toHaveLength(0);

    const first = await runBillingDay(p, addDays(exp, -5));
    expect(first.duties.createOrders).toEqual({ found: 1, done: 1 });
    const [renewal] = await ordersOf(sub.id);
    expect(renewal).toMatchObject({ type: 'renewal', status: 'awaiting_payment', amount: 1000 });
    const card = (await p.api('GET', `/api/v1/orders/${renewal.id}`)).body;
    expect(card.payments).toHaveLength(1);
    expect(card.payments[0].status).toBe('waiting_for_payment');
    expect(card.createdBy).toBeNull();
    // Its charges cover the next term (spec 02 §4.6 point 4) from the expiration date, the first day the purchase's
    // charges left (they end the day before it), new until paid.
    const renewalCharges = (await p.api('GET', `/api/v1/charges?orderId=${renewal.id}`)).body.items;
    expect(renewalCharges[0].periodFrom).toBe(exp);
    expect(renewalCharges.reduce((sum: number, c: any) => sum + c.amount, 0)).toBe(1000);
    expect(renewalCharges.every((c: any) => c.status === 'new')).toBe(true);

    // Running the same date again creates nothing; the balance is untouched until the expiration date.
    const again = await runBillingDay(p, addDays(exp, -5));
    expect(again.runs).toBe(2);
    expect(again.duties.createOrders.done).toBe(0);
    expect(await ordersOf(sub.id)).toHaveLength(1);
    expect(await balanceOf(clientId)).toBe(1000);
    await runBillingDay(p, addDays(exp, -1));
    expect((await p.api('GET', `/api/v1/orders/${renewal.id}`)).body.status).toBe('awaiting_payment');

    const onExpiry = await runBillingDay(p, exp);
    expect(onExpiry.duties.autoPayments).toEqual({ found: 1, done: 1 });
    const paid = await waitForOrderStatus(p, renewal.id, 'completed');
    expect(paid.payments[0].status).toBe('paid_from_balance');
    expect((await p.api('GET', `/api/v1/charges?orderId=${renewal.id}`)).body.items.every((c: any) => c.status === 'blocked')).toBe(true);
    expect(await balanceOf(clientId)).toBe(0);
    const renewed = await statusOf(sub.id);
    expect(renewed.status).toBe('active');
    // Decision 12: the previous expiration + 1 month, clamped.
    const { addMonthsClamped } = await import('../../domain/dates');
    expect(renewed.expirationDate).toBe(addMonthsClamped(exp, 1));
    expect(vendorOps(sub.vendorReference, 'renew')).toHaveLength(1);

    // A second run of the expiry date pays nothing twice and renews nothing twice.
    await runBillingDay(p, exp);
    expect(await ordersOf(sub.id)).toHaveLength(1);
    expect(await balanceOf(clientId)).toBe(0);
    expect(vendorOps(sub.vendorReference, 'renew')).toHaveLength(1);
  }, 120_000);
});

/** Positions a subscription's term through the service operation (spec 01 §13.3). */
async function setExpiration(subscriptionId: number, expirationDate: string) {
  const answer = await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/expiration-date`, { expirationDate, comment: 'test positions the term' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

describe('expiry without payment (acceptance 2)', () => {
  it('payment overdue during the grace days, stopped after, deleted after the blocking period; manual delete mode asks a person', async () => {
    const rule = { autoRenewPointDays: 0, unpaidStopAfterDays: 3, blockingPeriodDays: 10 };
    const automatic = await seedCatalog(p, { provisioningRule: rule });
    const manual = await seedCatalog(p, { provisioningRule: rule, serviceRule: { deleteMode: 'manual' } });
    const a = await subscribe(automatic, 'Broke Co', 0);
    const m = await subscribe(manual, 'Broke Manual Co', 0);
    const exp: string = a.sub.expirationDate;
    expect(m.sub.expirationDate).toBe(exp);

    const onExpiry = await runBillingDay(p, exp);
    expect(onExpiry.duties.autoPayments.done).toBe(0);
    const [renewal] = await ordersOf(a.sub.id);
    expect(renewal.status).toBe('awaiting_payment');
    expect((await statusOf(a.sub.id)).status).toBe('active');
    const unpaid = (await p.api('GET', `/api/v1/billing/runs/${exp}/actions?subscriptionId=${a.sub.id}`)).body.items;
    expect(unpaid.map((i: any) => [i.action, i.outcome.paid ?? null])).toEqual([['create_renewal_order', null], ['auto_payment', false]]);

    for (const day of [1, 3]) {
      await runBillingDay(p, addDays(exp, day));
      expect((await statusOf(a.sub.id)).status, `exp+${day}`).toBe('payment_overdue');
    }
    await runBillingDay(p, addDays(exp, 4));
    expect((await statusOf(a.sub.id)).status).toBe('stopped');
    expect((await statusOf(m.sub.id)).status).toBe('stopped');
    expect(p.vendor.resources.find((r) => r.id === a.sub.vendorReference)!.state).toBe('suspended');

    await runBillingDay(p, addDays(exp, 13));
    expect((await statusOf(a.sub.id)).status).toBe('stopped');
    await runBillingDay(p, addDays(exp, 14));
    expect((await statusOf(a.sub.id)).status).toBe('deleted');
    expect(vendorOps(a.sub.vendorReference, 'stop')).toHaveLength(1);
    expect(vendorOps(a.sub.vendorReference, 'delete')).toHaveLength(1);
    expect(p.vendor.resources.find((r) => r.id === a.sub.vendorReference)!.state).toBe('deleted');

    // Manual delete mode: a delete manual operation waits for a person; the vendor is not touched.
    expect((await statusOf(m.sub.id)).status).toBe('awaiting_manual_confirmation');
    const ops = (await p.api('GET', `/api/v1/manual-operations?subscriptionId=${m.sub.id}`)).body.items;
    expect(ops.map((o: any) => [o.type, o.status])).toEqual([['delete_subscription', 'pending']]);
    expect(p.vendor.resources.find((r) => r.id === m.sub.vendorReference)!.state).toBe('suspended');

    // Later runs neither stop, delete nor ask again.
    await runBillingDay(p, addDays(exp, 15));
    expect(vendorOps(a.sub.vendorReference, 'stop')).toHaveLength(1);
    expect(vendorOps(a.sub.vendorReference, 'delete')).toHaveLength(1);
    expect((await p.api('GET', `/api/v1/manual-operations?subscriptionId=${m.sub.id}`)).body.items).toHaveLength(1);
  }, 180_000);
});

describe('manual renewal window (acceptance 3)', () => {
  it('−1 is open all term, 0 never, N from N days before expiry', async () => {
    const always = await seedCatalog(p, { provisioningRule: { manualRenewPointDays: -1 } });
    const never = await seedCatalog(p, { provisioningRule: { manualRenewPointDays: 0 } });
    const tenDays = await seedCatalog(p, { provisioningRule: { manualRenewPointDays: 10, autoRenewPointDays: 5 } });
    const renew = (id: number) => p.api('POST', `/api/v1/subscriptions/${id}/renew`, {});

    const a = await subscribe(always, 'Always Co', 0);
    await setExpiration(a.sub.id, addDays(today(), 300));
    const early = await renew(a.sub.id);
    expect(early.status, JSON.stringify(early.body)).toBe(201);
    expect(early.body).toMatchObject({ type: 'renewal', status: 'awaiting_payment', amount: 1000 });

    const n = await subscribe(never, 'Never Co', 0);
    for (const exp of [addDays(today(), 300), addDays(today(), 1), today()]) {
      await setExpiration(n.sub.id, exp);
      const refused = await renew(n.sub.id);
      expect(refused.status, exp).toBe(409);
      expect(refused.body.code).toBe('renewal_window_closed');
    }

    const t = await subscribe(tenDays, 'Ten Days Co', 0);
    await setExpiration(t.sub.id, addDays(today(), 11));
    const tooEarly = await renew(t.sub.id);
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.message).toContain(`opens on ${addDays(today(), 1)}`);
    expect(await ordersOf(t.sub.id)).toHaveLength(0);
    await setExpiration(t.sub.id, addDays(today(), 10));
    expect((await renew(t.sub.id)).status).toBe(201);
  }, 60_000);
});

describe('sequential orders (acceptance 7)', () => {
  it('refuses a second open order with 409; the auto-renewal on the expiration date supersedes a change awaiting payment', async () => {
    const catalog = await seedCatalog(p, {
      cancelDays: 60,
      provisioningRule: { autoRenewPointDays: 0 },
      plan: { resources: [{ key: 'storage', name: 'Storage, GB', included: 10, maximum: 100, recurringPrice: 50 }] },
    });
    const { sub } = await subscribe(catalog, 'Busy Co', 0);
    const change = await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 20 } });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    expect(change.body.status).toBe('awaiting_payment');
    expect(change.body.amount).toBeGreaterThan(0);

    const second = await p.api('POST', `/api/v1/subscriptions/${sub.id}/renew`, {});
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('open_order_exists');
    expect(second.body.message).toContain(change.body.number);

    const exp: string = sub.expirationDate;
    await runBillingDay(p, addDays(exp, -1));
    expect((await p.api('GET', `/api/v1/orders/${change.body.id}`)).body.status).toBe('awaiting_payment');
    await runBillingDay(p, exp);
    const superseded = await waitForOrderStatus(p, change.body.id, 'cancelled');
    expect(superseded.statusReason).toContain('superseded by the automatic renewal');
    expect(superseded.payments[0].status).toBe('cancelled');
    const [renewal] = await ordersOf(sub.id);
    expect(renewal).toMatchObject({ type: 'renewal', status: 'awaiting_payment' });
  }, 60_000);
});

describe('deferred renewal (acceptance 4)', () => {
  it('waits in awaiting_provisioning until the expiration date, then completes', async () => {
    const catalog = await seedCatalog(p, { plan: { billingType: 'monthly_flexible' } });
    const { clientId, sub } = await subscribe(catalog, 'Deferred Co', 2000);
    const exp: string = sub.expirationDate;
    const order = await p.api('POST', `/api/v1/subscriptions/${sub.id}/renew`, {});
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body).toMatchObject({ deferred: true, provisioningDate: exp });
    const waiting = await waitForOrderStatus(p, order.body.id, 'awaiting_provisioning');
    expect(waiting.payments[0].status).toBe('paid_from_balance');
    // The purchase paid the setup fee and its first financial period, prorated (issue 19): what is left of the 1500.
    const [purchase] = (await p.api('GET', `/api/v1/orders?subscriptionId=${sub.id}&type=purchase`)).body.items;
    expect(await balanceOf(clientId)).toBe(1500 + 2000 - purchase.amount - 1000);

    await runBillingDay(p, addDays(exp, -1));
    expect((await p.api('GET', `/api/v1/orders/${order.body.id}`)).body.status).toBe('awaiting_provisioning');
    expect(vendorOps(sub.vendorReference, 'renew')).toHaveLength(0);

    const onDate = await runBillingDay(p, exp);
    expect(onDate.duties.provisionDeferred).toEqual({ found: 1, done: 1 });
    await waitForOrderStatus(p, order.body.id, 'completed');
    const { addMonthsClamped } = await import('../../domain/dates');
    expect((await statusOf(sub.id)).expirationDate).toBe(addMonthsClamped(exp, 1));
    expect(vendorOps(sub.vendorReference, 'renew')).toHaveLength(1);
  }, 60_000);
});

describe('forecast (acceptance 10)', () => {
  it('matches what the following billing runs do', async () => {
    const catalog = await seedCatalog(p, { provisioningRule: { autoRenewPointDays: 5, manualRenewPointDays: 5, unpaidStopAfterDays: 2, blockingPeriodDays: 3 } });
    const { sub } = await subscribe(catalog, 'Forecast Co', 300);
    const exp = addDays(today(), 6);
    await setExpiration(sub.id, exp);
    const days = 14;
    const predicted = (await p.api('GET', `/api/v1/subscriptions/${sub.id}/forecast?days=${days}`)).body;
    expect(predicted.from).toBe(today());
    const expected = predicted.entries.map((e: any) => `${e.date} ${e.action}${e.expectedPaid === undefined ? '' : ` paid=${e.expectedPaid}`}`);
    // The rules say: order at exp−5, auto-payments the balance cannot cover, overdue, stop, deletion.
    expect(expected).toEqual([
      `${addDays(exp, -5)} create_renewal_order`,
      `${exp} auto_payment paid=false`,
      `${addDays(exp, 1)} auto_payment paid=false`,
      `${addDays(exp, 1)} mark_payment_overdue`,
      `${addDays(exp, 2)} auto_payment paid=false`,
      // The last chance: the run pays before it stops.
      `${addDays(exp, 3)} auto_payment paid=false`,
      `${addDays(exp, 3)} stop`,
      `${addDays(exp, 6)} delete`,
    ]);

    const actual: string[] = [];
    for (let i = 0; i < days; i++) {
      const date = addDays(today(), i);
      await runBillingDay(p, date);
      const items = (await p.api('GET', `/api/v1/billing/runs/${date}/actions?subscriptionId=${sub.id}`)).body.items;
      for (const item of items) actual.push(`${date} ${item.action}${item.action === 'auto_payment' ? ` paid=${item.outcome.paid}` : ''}`);
    }
    expect(actual).toEqual(expected);
    expect((await statusOf(sub.id)).status).toBe('deleted');
  }, 180_000);
});
