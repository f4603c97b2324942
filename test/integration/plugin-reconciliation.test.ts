import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createSwitchTargetPlan, createTestPlatform, eventually, seedCatalog, storageResource, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  p = await createTestPlatform('reconciliation');
  // Manual renewal allowed at any time, a resource to change, and a second plan to switch to.
  catalog = await seedCatalog(p, { provisioningRule: { manualRenewPointDays: -1 }, plan: { resources: [storageResource] } });
});
afterAll(async () => p?.close());

const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitForSubscription = (id: number, status: string) =>
  eventually(async () => ((await subscription(id)).status === status ? subscription(id) : null), { what: `subscription ${id} to be ${status}` });

/**
 * The vendor acts on the next request and the connection drops before its answer: the plugin call's outcome is
 * unknown. The step's retry must ask `status` under the same key and take its answer instead of sending again.
 */
async function withLostAnswer(subscriptionId: number, operation: string, act: () => Promise<void>) {
  p.vendor.dropAfterProcessingNext(1);
  await act();
  const task = await eventually(
    async () => (await p.api('GET', `/api/v1/tasks?subscriptionId=${subscriptionId}`)).body.items.find((t: any) => t.operation === operation && t.status === 'completed'),
    { what: `the completed ${operation} task` },
  );
  const detail = (await p.api('GET', `/api/v1/tasks/${task.id}`)).body;
  expect(detail.log.map((l: any) => [l.status, l.errorClass]), operation).toEqual([
    ['failed', 'unknown_outcome'],
    ['succeeded', null],
  ]);
  expect(detail.output, operation).toMatchObject({ data: { reconciled: true } });
  const forKey = p.vendor.calls.filter((c) => c.idempotencyKey === task.idempotencyKey);
  expect(forKey.map((c) => c.operation), `vendor requests under ${task.idempotencyKey}`).toEqual([operation, 'status']);
}

describe('an operation whose answer was lost is reconciled through status, never sent twice (issue 16 point 5)', () => {
  it('renew, change resources, switch plan, stop, activate and delete each reach the vendor once', async () => {
    const target = await createSwitchTargetPlan(p, catalog);
    const clientId = await createClient(p, catalog, 'Lost Answers Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 20_000 });
    const bought = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const id = (await waitForOrderStatus(p, bought.id, 'completed')).subscriptionId as number;

    const order = async (path: string, body: unknown) => {
      const answer = await p.api('POST', `/api/v1/subscriptions/${id}/${path}`, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      await waitForOrderStatus(p, answer.body.id, 'completed');
    };
    const operate = async (path: string, status: string) => {
      const answer = await p.api('POST', `/api/v1/subscriptions/${id}/${path}`, { reason: 'reconciliation test' });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      await waitForSubscription(id, status);
    };
    await withLostAnswer(id, 'renew', () => order('renew', {}));
    await withLostAnswer(id, 'change_resources', () => order('change-resources', { resources: { storage: 20 } }));
    await withLostAnswer(id, 'switch_plan', () => order('switch-plan', { planPeriodId: target }));
    await withLostAnswer(id, 'stop', () => operate('stop', 'stopped'));
    await withLostAnswer(id, 'activate', () => operate('activate', 'active'));
    await withLostAnswer(id, 'delete', () => operate('delete', 'deleted'));

    const resource = p.vendor.resource((await subscription(id)).vendorReference)!;
    expect(resource.operations.map((op) => op.operation)).toEqual(['renew', 'change_resources', 'switch_plan', 'stop', 'activate', 'delete']);
    expect(resource.state).toBe('deleted');
    expect(p.vendor.doubleEffects()).toEqual([]);
  }, 120_000);
});
