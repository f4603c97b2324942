import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, firstExpirationDate, todayIn } from '../../domain/dates';
import { firstFinancialPeriod } from '../../domain/charges';
import { nextFinancialDay } from '../../domain/lifecycle';
import { createClient, createSwitchTargetPlan, eventually, platformWithCatalog, runBillingDay, seedCatalog, storageResource, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('subscription_changes', { plan: { resources: [storageResource] } }));
});
afterAll(async () => p?.close());

const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitForSubscription = (id: number, status: string) =>
  eventually(async () => ((await subscription(id)).status === status ? subscription(id) : null), { what: `subscription ${id} to be ${status}` });
const failedTask = (subscriptionId: number) =>
  eventually(async () => (await p.api('GET', `/api/v1/tasks?subscriptionId=${subscriptionId}&status=failed`)).body.items[0], { what: 'a failed task' });
const vendorCalls = (operation: string, reference: string) => p.vendor.calls.filter((c) => c.operation === operation && c.path.includes(reference) && !c.replayed);

async function activeSubscription(name: string, topUp: number, periodId = catalog.monthlyPeriodId) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: topUp });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  return { clientId, sub: await subscription(done.subscriptionId) };
}

describe('change resources (spec 01 §9)', () => {
  it('an increase is charged for the rest of the term, paid from the balance, sent to the vendor and applied', async () => {
    const { clientId, sub } = await activeSubscription('Grow Co', 1500 + 5000);
    const order = await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 30 } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    // 20 more GB × 30 a month, for the whole remaining month of the term (bought today).
    expect(order.body).toMatchObject({ type: 'resource_change', amount: 600 });
    await waitForOrderStatus(p, order.body.id, 'completed');
    const changed = await subscription(sub.id);
    expect(changed.status).toBe('active');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(5000 - 600);
    // Its charges (spec 02 §4.8): the increase per financial period until the end of the paid term, blocked once paid.
    const charges = (await p.api('GET', `/api/v1/charges?orderId=${order.body.id}`)).body.items.sort((a: any, b: any) => a.periodFrom.localeCompare(b.periodFrom));
    expect(charges.length).toBeGreaterThanOrEqual(1);
    expect(charges.reduce((sum: number, c: any) => sum + c.amount, 0)).toBe(600);
    expect(charges.every((c: any) => c.kind === 'recurring' && c.status === 'blocked')).toBe(true);
    expect(charges[0].periodFrom).toBe(today());
    expect(charges.at(-1).periodTo).toBe(addDays(sub.expirationDate, -1));
    const calls = vendorCalls('change_resources', sub.vendorReference);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.json).toMatchObject({ resources: { storage: 30 } });
    const [row] = await p.sql<Array<{ quantity: number }>>`select quantity from subscription_resources where subscription_id = ${sub.id} and key = 'storage'`;
    expect(row!.quantity).toBe(30);
    // The renewal now includes the additional resources: (30 − 10) × 30 a month.
    const forecast = (await p.api('GET', `/api/v1/subscriptions/${sub.id}/forecast?days=40`)).body;
    expect(forecast.entries[0].detail).toContain(`of ${1000 + 600}`);
  });

  it('refuses unknown resources, out-of-range quantities and no change, changing nothing', async () => {
    const { sub } = await activeSubscription('Careful Co', 1500);
    const cases: Array<[unknown, number, string]> = [
      [{ resources: { cpu: 2 } }, 422, 'unknown_resource'],
      [{ resources: { storage: 101 } }, 422, 'quantity_out_of_range'],
      [{ resources: { storage: 4 } }, 422, 'quantity_out_of_range'],
      [{ resources: { storage: 10 } }, 422, 'nothing_to_change'],
      [{ resources: {} }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, body);
      expect([answer.status, answer.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await p.api('GET', `/api/v1/orders?subscriptionId=${sub.id}&type=resource_change`)).body.items).toEqual([]);
  });

  it('a vendor failure leaves update_error and a failed task; running the task applies the change', async () => {
    const { sub } = await activeSubscription('Flaky Grow Co', 1500 + 1000);
    p.vendor.rejectNext(1, 422, 'quota service unavailable');
    const order = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 12 } })).body;
    await waitForSubscription(sub.id, 'update_error');
    expect((await p.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('activation_error');
    const task = await failedTask(sub.id);
    expect(task).toMatchObject({ operation: 'change_resources' });
    expect((await p.api('POST', `/api/v1/tasks/${task.id}/run`, { reason: 'quota service back' })).status).toBe(202);
    await waitForOrderStatus(p, order.id, 'completed');
    expect((await subscription(sub.id)).status).toBe('active');
    const [row] = await p.sql<Array<{ quantity: number }>>`select quantity from subscription_resources where subscription_id = ${sub.id} and key = 'storage'`;
    expect(row!.quantity).toBe(12);
  });
});

describe('switch plan (spec 01 §10)', () => {
  it('switches to another plan of the service: the unused term counts, the vendor switches, a new term starts', async () => {
    const target = await createSwitchTargetPlan(p, catalog);
    const { clientId, sub } = await activeSubscription('Switch Co', 1500 + 3000);
    const order = await p.api('POST', `/api/v1/subscriptions/${sub.id}/switch-plan`, { planPeriodId: target });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    // Spec 02 §4.9: the new plan's purchase (2500); the old plan's charges are split when the switch applies: the
    // day used closes, the rest of the 1000 bought today comes back through the ledger.
    expect(order.body).toMatchObject({ type: 'plan_switch', amount: 2500 });
    await waitForOrderStatus(p, order.body.id, 'completed');
    const switched = await subscription(sub.id);
    expect(switched).toMatchObject({ status: 'active', planPeriodId: target, startDate: today() });
    const items = (await p.api('GET', `/api/v1/charges?subscriptionId=${sub.id}&limit=100`)).body.items as Array<{ orderId: number; kind: string; status: string; amount: number; superseded: boolean; splitOf: number | null }>;
    const used = items.filter((c) => c.orderId !== order.body.id && c.kind === 'recurring' && c.status === 'closed' && !c.superseded).reduce((t, c) => t + c.amount, 0);
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(1000);
    expect(items.filter((c) => c.orderId === order.body.id).reduce((t, c) => t + c.amount, 0)).toBe(2500);
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(3000 - 2500 + (1000 - used));
    expect(vendorCalls('switch_plan', sub.vendorReference)[0]!.json).toMatchObject({ planSku: 'BK-500' });
    expect((await p.api('POST', `/api/v1/subscriptions/${sub.id}/switch-plan`, { planPeriodId: target })).body.code).toBe('same_plan');
  });

  it('a vendor failure leaves update_error; running the task completes the switch', async () => {
    const target = await createSwitchTargetPlan(p, catalog);
    // The switch is the new plan's purchase (2500); the old plan's unused part comes back when it applies.
    const { sub } = await activeSubscription('Flaky Switch Co', 1500 + 2500);
    p.vendor.rejectNext(1, 409, 'plan locked');
    const order = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/switch-plan`, { planPeriodId: target })).body;
    await waitForSubscription(sub.id, 'update_error');
    expect((await subscription(sub.id)).planPeriodId).toBe(catalog.monthlyPeriodId);
    const task = await failedTask(sub.id);
    expect((await p.api('POST', `/api/v1/tasks/${task.id}/run`, {})).status).toBe(202);
    await waitForOrderStatus(p, order.id, 'completed');
    expect(await subscription(sub.id)).toMatchObject({ status: 'active', planPeriodId: target });
  });
});

describe('delete failing at the vendor (acceptance 8)', () => {
  it('leaves delete_error and a failed task; running the task deletes it', async () => {
    const { sub } = await activeSubscription('Stubborn Co', 1500);
    p.vendor.rejectNext(1, 409, 'resource is locked');
    expect((await p.api('POST', `/api/v1/subscriptions/${sub.id}/delete`, { reason: 'client left' })).status).toBe(202);
    await waitForSubscription(sub.id, 'delete_error');
    const task = await failedTask(sub.id);
    expect(task).toMatchObject({ operation: 'delete' });
    expect((await p.api('POST', `/api/v1/tasks/${task.id}/run`, {})).status).toBe(202);
    await waitForSubscription(sub.id, 'deleted');
    expect(p.vendor.resource(sub.vendorReference)!.state).toBe('deleted');
  });
});

describe('prolongation (acceptance 6)', () => {
  it('creates the next-period order, pays it on "prolonged until", stops the unpaid one; paying later resumes it', async () => {
    // A financial day that is not today's, so the first paid period ends before the term does.
    const dayOfMonth = Number(today().slice(8));
    const financialDay = dayOfMonth >= 28 ? 1 : dayOfMonth + 1;
    const flexible = await seedCatalog(p, {
      cancelDays: 40,
      provisioningRule: { financialDay, autoRenewPointDays: 2, manualRenewPointDays: 2 },
      plan: { billingType: 'monthly_flexible' },
    });
    const buy = async (name: string, extra: number) => {
      const clientId = await createClient(p, flexible, name);
      // A yearly period billed per month: the purchase pays the current financial period only, from today to the
      // next financial day, prorated (issue 19, seed 8.3.4.1.3).
      const first = firstFinancialPeriod(today(), firstExpirationDate(today(), { duration: 1, unit: 'year' }), financialDay, 900).amount;
      await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: first + extra });
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: flexible.yearlyPeriodId })).body;
      expect(order.amount).toBe(first);
      expect(first).toBeLessThan(900);
      const done = await waitForOrderStatus(p, order.id, 'completed');
      return { clientId, sub: await subscription(done.subscriptionId) };
    };
    const paying = await buy('Monthly Payer Co', 900);
    const broke = await buy('Monthly Broke Co', 0);
    const until = nextFinancialDay(today(), financialDay);
    expect(paying.sub.prolongedUntil).toBe(until);

    await runBillingDay(p, addDays(until, -3));
    expect((await p.api('GET', `/api/v1/orders?subscriptionId=${paying.sub.id}&type=prolongation`)).body.items).toEqual([]);
    await runBillingDay(p, addDays(until, -2));
    const [prolong] = (await p.api('GET', `/api/v1/orders?subscriptionId=${paying.sub.id}&type=prolongation`)).body.items;
    expect(prolong).toMatchObject({ status: 'awaiting_payment', amount: 900 });
    const [unpaid] = (await p.api('GET', `/api/v1/orders?subscriptionId=${broke.sub.id}&type=prolongation`)).body.items;

    await runBillingDay(p, until);
    await waitForOrderStatus(p, prolong.id, 'completed');
    const prolonged = await subscription(paying.sub.id);
    expect(prolonged).toMatchObject({ status: 'active', prolongedUntil: nextFinancialDay(until, financialDay) });
    expect((await p.api('GET', `/api/v1/clients/${paying.clientId}`)).body.balance).toBe(0);
    expect(vendorCalls('prolong', paying.sub.vendorReference)).toHaveLength(1);

    // Grace 0: the unpaid one is stopped on the "prolonged until" date; its order waits for payment.
    const stopped = await waitForSubscription(broke.sub.id, 'stopped');
    expect(stopped.prolongedUntil).toBe(until);
    expect((await p.api('GET', `/api/v1/orders/${unpaid.id}`)).body.status).toBe('awaiting_payment');
    expect(p.vendor.resource(broke.sub.vendorReference)!.state).toBe('suspended');

    // The client pays by bank transfer: the order completes and the subscription resumes.
    const payment = (await p.api('GET', `/api/v1/orders/${unpaid.id}`)).body.payments[0];
    expect((await p.api('POST', `/api/v1/payments/${payment.id}/confirm`, { method: 'bank_transfer' })).status).toBe(200);
    await waitForOrderStatus(p, unpaid.id, 'completed');
    expect(await subscription(broke.sub.id)).toMatchObject({ status: 'active', prolongedUntil: nextFinancialDay(until, financialDay) });
    expect(p.vendor.resource(broke.sub.vendorReference)!.state).toBe('active');
  }, 90_000);
});
