import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../domain/dates';
import { createClient, createTestPlatform, eventually, flattenTree, seedCatalog, storageResource, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 16 point 3: the `manual` plugin is an adapter performed by people. Every operation of the plugin
 * contract (install, renew, prolong, change resources, switch plan, stop, activate, delete) on a manual
 * template opens the manual operation of that kind; its approval completes the operation, with what the
 * person reports taken as the plugin's result. Nothing is sent to a vendor and no task fails.
 */
let p: TestPlatform;
let catalog: Catalog;
let plan: { periodId: number; switchPeriodId: number; flexiblePeriodId: number };
const today = () => todayIn('UTC', new Date());

async function planOn(templateId: number, name: string, extra: Record<string, unknown> = {}) {
  const answer = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: templateId,
    provisioningRuleId: catalog.provisioningRuleId,
    name,
    periods: [{ duration: 1, unit: 'month', recurringFee: 1000 }],
    ...extra,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.periods[0].id as number;
}

beforeAll(async () => {
  p = await createTestPlatform('manual_plugin');
  const dayOfMonth = Number(today().slice(8));
  catalog = await seedCatalog(p, { provisioningRule: { financialDay: dayOfMonth >= 28 ? 1 : dayOfMonth + 1 } });
  const template = await p.api('POST', '/api/v1/service-templates', { name: 'Racks by hand', plugin: 'manual' });
  expect(template.status).toBe(201);
  plan = {
    periodId: await planOn(template.body.id, 'Managed rack', { resources: [storageResource] }),
    switchPeriodId: await planOn(template.body.id, 'Managed rack XL'),
    flexiblePeriodId: await planOn(template.body.id, 'Managed rack monthly', { billingType: 'monthly_flexible' }),
  };
});
afterAll(async () => p?.close());

const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitForSubscription = (id: number, status: string) =>
  eventually(async () => ((await subscription(id)).status === status ? subscription(id) : null), { what: `subscription ${id} to be ${status}` });

/** The pending manual operation of the client, which must be of `type`. */
async function pendingOperation(clientId: number, type: string) {
  const operation = await eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
    what: `a pending ${type} operation of client ${clientId}`,
  });
  expect(operation.type).toBe(type);
  return operation;
}
async function approve(clientId: number, type: string, output?: Record<string, unknown>) {
  const operation = await pendingOperation(clientId, type);
  const answer = await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, { comment: 'done by hand', ...(output ? { output } : {}) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return operation;
}

async function boughtByHand(name: string, periodId: number, balance: number) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: balance });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId })).body;
  await approve(clientId, 'install_application', { vendorReference: `RACK-${order.id}` });
  const done = await waitForOrderStatus(p, order.id, 'completed');
  const sub = await subscription(done.subscriptionId);
  expect(sub).toMatchObject({ status: 'active', vendorReference: `RACK-${order.id}` });
  return { clientId, sub };
}

/** An order on the subscription, done by a person through the operation of `type`. */
async function orderedByHand(clientId: number, path: string, body: unknown, type: string, says?: string) {
  const placed = await p.api('POST', path, body);
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const operation = await approve(clientId, type);
  expect(operation).toMatchObject({ orderId: placed.body.id, subscriptionId: placed.body.subscriptionId });
  // The person reads what to do in the operation: the order's lines.
  if (says) expect(operation.description).toContain(says);
  return waitForOrderStatus(p, placed.body.id, 'completed');
}

/** A subscription operation (stop, activate, delete), done by a person through the operation of `type`. */
async function operatedByHand(clientId: number, subscriptionId: number, operation: string, type: string, status: string) {
  const started = await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/${operation}`, { reason: 'client request' });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await approve(clientId, type);
  await waitForSubscription(subscriptionId, status);
  return waitForScenarioStatus(p, started.body.scenarioId, 'completed');
}

describe('the manual plugin: every operation performed by a person (issue 16 point 3)', () => {
  it('install, renew, change resources, switch plan, stop, activate and delete, each through its manual operation', async () => {
    const { clientId, sub } = await boughtByHand('Hands On Co', plan.periodId, 1000 + 5000);

    await orderedByHand(clientId, `/api/v1/subscriptions/${sub.id}/renew`, {}, 'renew_application');
    const renewed = await subscription(sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.expirationDate > sub.expirationDate).toBe(true);

    await orderedByHand(clientId, `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 15 } }, 'update_application', `${storageResource.name}: 10 → 15`);
    const [row] = await p.sql<Array<{ quantity: number }>>`select quantity from subscription_resources where subscription_id = ${sub.id} and key = 'storage'`;
    expect(row!.quantity).toBe(15);

    await orderedByHand(clientId, `/api/v1/subscriptions/${sub.id}/switch-plan`, { planPeriodId: plan.switchPeriodId }, 'update_application');
    expect(await subscription(sub.id)).toMatchObject({ status: 'active', planPeriodId: plan.switchPeriodId });

    const stop = await operatedByHand(clientId, sub.id, 'stop', 'stop_application', 'stopped');
    expect(flattenTree(stop.tree).map((s) => s.name)).toContain('Stop application');
    await operatedByHand(clientId, sub.id, 'activate', 'start_application', 'active');
    await operatedByHand(clientId, sub.id, 'delete', 'delete_application', 'deleted');

    const types = (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}`)).body.items.map((o: any) => [o.type, o.status]).reverse();
    expect(types).toEqual(
      ['install', 'renew', 'update', 'update', 'stop', 'start', 'delete'].map((operation) => [`${operation}_application`, 'approved']),
    );
    expect((await p.api('GET', `/api/v1/tasks?subscriptionId=${sub.id}`)).body.items).toEqual([]);
  });

  it('prolongation of a stopped per-period subscription, by hand', async () => {
    const { clientId, sub } = await boughtByHand('Hands On Monthly Co', plan.flexiblePeriodId, 1000 + 2000);
    await operatedByHand(clientId, sub.id, 'stop', 'stop_application', 'stopped');
    const done = await orderedByHand(clientId, `/api/v1/subscriptions/${sub.id}/prolong`, {}, 'renew_application');
    expect(done.type).toBe('prolongation');
    expect((await subscription(sub.id)).status).toBe('active');
  });

  it('a person who cannot do it rejects: the order waits in activation error, and a cancel refunds it', async () => {
    const { clientId, sub } = await boughtByHand('Hands Tied Co', plan.periodId, 1000 + 1000);
    const before = (await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance;
    const order = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/renew`, {})).body;
    const operation = await pendingOperation(clientId, 'renew_application');
    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/reject`, { comment: 'the rack is gone' })).status).toBe(200);
    const failed = await waitForOrderStatus(p, order.id, 'activation_error');
    expect(failed.statusReason).toContain('the rack is gone');
    expect((await subscription(sub.id)).status).toBe('renewal_error');

    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const step = flattenTree(scenario.tree).find((s) => s.name === 'Renew application');
    expect(step).toMatchObject({ status: 'failed', errorClass: 'rejected', kind: 'manual' });
    expect((await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: step.path, decision: 'cancel', reason: 'not renewable' })).status).toBe(202);
    await waitForOrderStatus(p, order.id, 'cancelled');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(before);
    expect(await subscription(sub.id)).toMatchObject({ status: 'active', expirationDate: sub.expirationDate });
  });
});
