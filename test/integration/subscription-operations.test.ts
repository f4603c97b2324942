import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
let manualStopRuleId: number;
let manualDeleteRuleId: number;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('stop'));
  const rule = await p.api('POST', '/api/v1/service-rules', { key: 'manual_stop', name: 'Manual stop', stopMode: 'manual' });
  manualStopRuleId = rule.body.id;
  manualDeleteRuleId = (await p.api('POST', '/api/v1/service-rules', { key: 'manual_delete', name: 'Manual delete', deleteMode: 'manual' })).body.id;
});
afterAll(async () => p?.close());

/** A client under the rule with one active subscription, bought from the balance. */
async function activeSubscription(name: string, serviceRuleId: number) {
  const client = await p.api('POST', '/api/v1/clients', { name, serviceRuleId });
  await p.api('POST', `/api/v1/clients/${client.body.id}/top-ups`, { amount: 1500 });
  const order = (await p.api('POST', '/api/v1/orders', { clientId: client.body.id, planPeriodId: catalog.monthlyPeriodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  return { clientId: client.body.id as number, subscriptionId: done.subscriptionId as number };
}
const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitForSubscription = (id: number, status: string) =>
  eventually(async () => ((await subscription(id)).status === status ? subscription(id) : null), { what: `subscription ${id} to be ${status}` });
const vendorCalls = (operation: string, vendorReference: string) => p.vendor.calls.filter((c) => c.operation === operation && c.path.includes(vendorReference));
const vendorStops = (vendorReference: string) => vendorCalls('stop', vendorReference);
const pendingOperation = (clientId: number) =>
  eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
    what: `a pending manual operation of client ${clientId}`,
  });

describe('stopping a subscription', () => {
  it('manual stop mode: the stop waits in awaiting_manual_confirmation for a stop operation; approve stops it at the vendor', async () => {
    const { subscriptionId, clientId } = await activeSubscription('Manual Stop Co', manualStopRuleId);
    const { vendorReference } = await subscription(subscriptionId);
    const started = await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request', comment: 'by phone' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await waitForSubscription(subscriptionId, 'awaiting_manual_confirmation');
    const operation = await eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
      what: 'the stop operation',
    });
    expect(operation).toMatchObject({ type: 'stop_subscription', subscriptionId });
    expect(vendorStops(vendorReference)).toEqual([]);
    expect((await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'again' })).status).toBe(409);

    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {})).status).toBe(200);
    const stopped = await waitForSubscription(subscriptionId, 'stopped');
    expect(stopped.savedStatus).toBe('active');
    expect(vendorStops(vendorReference)).toHaveLength(1);
    expect(p.vendor.resource(vendorReference)!.state).toBe('suspended');
    await waitForScenarioStatus(p, started.body.scenarioId, 'completed');
    expect(stopped.events.map((e: any) => e.action)).toEqual(
      expect.arrayContaining(['status_awaiting_manual_confirmation', 'status_stopping', 'status_stopped']),
    );
  });

  it('manual stop mode: reject returns the subscription to its previous status and the vendor is not called', async () => {
    const { subscriptionId, clientId } = await activeSubscription('Manual Keep Co', manualStopRuleId);
    const { vendorReference } = await subscription(subscriptionId);
    const started = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request' })).body;
    const operation = await eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
      what: 'the stop operation',
    });
    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/reject`, { comment: 'client paid after all' })).status).toBe(200);
    await waitForScenarioStatus(p, started.scenarioId, 'completed');
    const kept = await subscription(subscriptionId);
    expect(kept.status).toBe('active');
    expect(kept.statusReason).toBe('client paid after all');
    expect(vendorStops(vendorReference)).toEqual([]);
  });

  it('automatic stop mode: stopped at once through the plugin', async () => {
    const { subscriptionId } = await activeSubscription('Auto Stop Co', catalog.serviceRuleId);
    const started = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request' })).body;
    await waitForSubscription(subscriptionId, 'stopped');
    await waitForScenarioStatus(p, started.scenarioId, 'completed');
    expect((await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'twice' })).body.code).toBe('not_stoppable');
  });

  it('a vendor that refuses the stop leaves stop_error and a failed task; running the task stops it', async () => {
    const { subscriptionId } = await activeSubscription('Stop Error Co', catalog.serviceRuleId);
    p.vendor.rejectNext(1, 409, 'resource is locked');
    await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request' });
    await waitForSubscription(subscriptionId, 'stop_error');
    const task = await eventually(
      async () => (await p.api('GET', `/api/v1/tasks?subscriptionId=${subscriptionId}&status=failed`)).body.items[0],
      { what: 'the failed stop task' },
    );
    expect(task).toMatchObject({ operation: 'stop', description: `http-vendor: stop subscription #${subscriptionId}` });
    expect((await p.api('POST', `/api/v1/tasks/${task.id}/run`, { reason: 'unlocked at the vendor' })).status).toBe(202);
    await waitForSubscription(subscriptionId, 'stopped');
  });
});

describe('deleting a subscription', () => {
  it('manual delete mode: a delete operation is approved, then the vendor deletes the resource', async () => {
    const { subscriptionId, clientId } = await activeSubscription('Manual Delete Co', manualDeleteRuleId);
    const { vendorReference } = await subscription(subscriptionId);
    const started = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/delete`, { reason: 'contract ended' })).body;
    await waitForSubscription(subscriptionId, 'awaiting_manual_confirmation');
    const operation = await pendingOperation(clientId);
    expect(operation).toMatchObject({ type: 'delete_subscription', subscriptionId });
    expect(vendorCalls('delete', vendorReference)).toEqual([]);
    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {})).status).toBe(200);
    await waitForSubscription(subscriptionId, 'deleted');
    await waitForScenarioStatus(p, started.scenarioId, 'completed');
    expect(vendorCalls('delete', vendorReference)).toHaveLength(1);
    expect(p.vendor.resource(vendorReference)!.state).toBe('deleted');
    expect((await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/delete`, { reason: 'again' })).body.code).toBe('not_deletable');
  });

  it('manual delete mode: reject keeps the subscription as it was', async () => {
    const { subscriptionId, clientId } = await activeSubscription('Manual Keep Delete Co', manualDeleteRuleId);
    const started = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/delete`, { reason: 'contract ended' })).body;
    const operation = await pendingOperation(clientId);
    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/reject`, { comment: 'renewed instead' })).status).toBe(200);
    await waitForScenarioStatus(p, started.scenarioId, 'completed');
    expect((await subscription(subscriptionId)).status).toBe('active');
  });

  it('automatic delete mode deletes a stopped subscription at once', async () => {
    const { subscriptionId } = await activeSubscription('Auto Delete Co', catalog.serviceRuleId);
    await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request' });
    await waitForSubscription(subscriptionId, 'stopped');
    const started = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/delete`, { reason: 'client left' })).body;
    await waitForSubscription(subscriptionId, 'deleted');
    await waitForScenarioStatus(p, started.scenarioId, 'completed');
  });
});

describe('activating a stopped subscription', () => {
  it('activates through the plugin; an active subscription cannot be activated', async () => {
    const { subscriptionId } = await activeSubscription('Activate Co', catalog.serviceRuleId);
    const { vendorReference } = await subscription(subscriptionId);
    expect((await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/activate`, { reason: 'paid' })).body.code).toBe('not_activatable');
    await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request' });
    await waitForSubscription(subscriptionId, 'stopped');
    const started = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/activate`, { reason: 'paid', comment: 'bank transfer' })).body;
    await waitForSubscription(subscriptionId, 'active');
    await waitForScenarioStatus(p, started.scenarioId, 'completed');
    expect(vendorCalls('activate', vendorReference)).toHaveLength(1);
    expect(p.vendor.resource(vendorReference)!.state).toBe('active');
  });

  it('a vendor failure leaves activation_error and a failed task; running the task activates it', async () => {
    const { subscriptionId } = await activeSubscription('Activate Error Co', catalog.serviceRuleId);
    await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/stop`, { reason: 'client request' });
    await waitForSubscription(subscriptionId, 'stopped');
    p.vendor.rejectNext(1, 422, 'licence pool exhausted');
    await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/activate`, { reason: 'paid' });
    await waitForSubscription(subscriptionId, 'activation_error');
    const task = await eventually(async () => (await p.api('GET', `/api/v1/tasks?subscriptionId=${subscriptionId}&status=failed`)).body.items[0], {
      what: 'the failed activation task',
    });
    expect(task.operation).toBe('activate');
    expect((await p.api('POST', `/api/v1/tasks/${task.id}/run`, {})).status).toBe(202);
    await waitForSubscription(subscriptionId, 'active');
  });
});
