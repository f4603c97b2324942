import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestPlatform,
  eventually,
  seedCatalog,
  waitForOrderStatus,
  waitForScenarioStatus,
  type Catalog,
  type TestPlatform,
} from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
let manualStopRuleId: number;

beforeAll(async () => {
  p = await createTestPlatform('stop');
  catalog = await seedCatalog(p);
  const rule = await p.api('POST', '/api/v1/service-rules', { key: 'manual_stop', name: 'Manual stop', stopMode: 'manual' });
  manualStopRuleId = rule.body.id;
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
const vendorStops = (vendorReference: string) => p.vendor.calls.filter((c) => c.operation === 'stop' && c.path.includes(vendorReference));

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
