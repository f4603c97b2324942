import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createTestPlatform, eventually, flattenTree, seedCatalog, storageResource, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 16 point 4: the manual-mode switches (spec 01 §18, spec 02 §11, decision 15). The client's service rule
 * may hold the first prepaid subscription for an "install application" operation; the service template may
 * ask a person to approve install, start, stop, update, renew and delete of the application, and each
 * approval gates the matching plugin call. A refused approval fails an order's step (activation error) and
 * returns a stop, start or delete to the status the subscription had (decision 14).
 */
let p: TestPlatform;
let firstPrepaid: Catalog;
let approving: Catalog;

beforeAll(async () => {
  p = await createTestPlatform('manual_modes');
  firstPrepaid = await seedCatalog(p, { serviceRule: { manualFirstPrepaidProvisioning: true } });
  approving = await seedCatalog(p, {
    plan: { resources: [storageResource] },
    capabilities: { approvals: ['start', 'stop', 'update', 'renew', 'delete'] },
  });
});
afterAll(async () => p?.close());

const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitForSubscription = (id: number, status: string) =>
  eventually(async () => ((await subscription(id)).status === status ? subscription(id) : null), { what: `subscription ${id} to be ${status}` });
const operationsOf = async (clientId: number) => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}`)).body.items;
const vendorCalls = (operation: string, key: string) => p.vendor.calls.filter((c) => c.operation === operation && c.idempotencyKey?.startsWith(key));
const vendorCallsOn = (operation: string, reference: string) => p.vendor.calls.filter((c) => c.operation === operation && c.path.includes(reference) && !c.replayed);

async function pendingOperation(clientId: number, type: string) {
  const operation = await eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
    what: `a pending ${type} operation of client ${clientId}`,
  });
  expect(operation.type).toBe(type);
  return operation;
}
async function decide(operationId: number, decision: 'approve' | 'reject', comment = 'decided') {
  const answer = await p.api('POST', `/api/v1/manual-operations/${operationId}/${decision}`, { comment });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}
/** The operation's scenario waits for it: nothing happens at the vendor in the meantime. */
const settledOn = async (scenarioId: string) => waitForScenarioStatus(p, scenarioId, 'waiting');

describe("the service rule's manual first prepaid provisioning (decision 15)", () => {
  it("holds the client's first prepaid subscription for an install operation before the vendor is called; later ones are not held", async () => {
    const clientId = await createClient(p, firstPrepaid, 'First Timer Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 3000 });
    const first = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: firstPrepaid.monthlyPeriodId })).body;
    const operation = await pendingOperation(clientId, 'install_application');
    expect(operation).toMatchObject({ orderId: first.id, description: expect.stringContaining('the first prepaid subscription of the client') });
    await settledOn(`order-${first.id}`);
    expect(vendorCalls('create', `order-${first.id}/`)).toEqual([]);
    await decide(operation.id, 'approve');
    await waitForOrderStatus(p, first.id, 'completed');
    expect(vendorCalls('create', `order-${first.id}/`)).toHaveLength(1);

    const second = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: firstPrepaid.monthlyPeriodId })).body;
    await waitForOrderStatus(p, second.id, 'completed');
    expect((await operationsOf(clientId)).map((o: any) => o.type)).toEqual(['install_application']);
  });

  it('a refused install leaves the order in activation error, as any refused operation with an order (spec 01 §18.4)', async () => {
    const clientId = await createClient(p, firstPrepaid, 'Refused First Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: firstPrepaid.monthlyPeriodId })).body;
    await decide((await pendingOperation(clientId, 'install_application')).id, 'reject', 'identity not checked');
    const failed = await waitForOrderStatus(p, order.id, 'activation_error');
    expect(failed.statusReason).toContain('identity not checked');
    expect(vendorCalls('create', `order-${order.id}/`)).toEqual([]);
  });
});

describe("approvals named by the service template gate each plugin call (spec 01 §18)", () => {
  async function active(name: string, extra: number) {
    const clientId = await createClient(p, approving, name);
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 + extra });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: approving.monthlyPeriodId })).body;
    const done = await waitForOrderStatus(p, order.id, 'completed');
    return { clientId, sub: await subscription(done.subscriptionId) };
  }

  it('a template naming an approval that is not an application operation is refused, and nothing is stored', async () => {
    const count = async () => (await p.sql<Array<{ n: number }>>`select count(*)::int as n from service_templates`)[0]!.n;
    const before = await count();
    const answer = await p.api('POST', '/api/v1/service-templates', { name: 'Typo', plugin: 'http-vendor', capabilities: { approvals: ['renewal'] } });
    expect([answer.status, answer.body.code]).toEqual([400, 'validation_failed']);
    expect(JSON.stringify(answer.body)).toContain('approvals');
    expect(await count()).toBe(before);
  });

  it('renew and update: the vendor is called only once a person approves', async () => {
    const { clientId, sub } = await active('Approved Changes Co', 1000 + 300);
    const renewal = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/renew`, {})).body;
    const renewApproval = await pendingOperation(clientId, 'renew_application');
    expect(renewApproval).toMatchObject({ orderId: renewal.id, description: expect.stringMatching(/^Approve: Renew/) });
    await settledOn(`order-${renewal.id}`);
    expect(vendorCallsOn('renew', sub.vendorReference)).toEqual([]);
    await decide(renewApproval.id, 'approve');
    await waitForOrderStatus(p, renewal.id, 'completed');
    expect(vendorCallsOn('renew', sub.vendorReference)).toHaveLength(1);

    const change = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 11 } })).body;
    const updateApproval = await pendingOperation(clientId, 'update_application');
    await settledOn(`order-${change.id}`);
    expect(vendorCallsOn('change_resources', sub.vendorReference)).toEqual([]);
    await decide(updateApproval.id, 'approve');
    await waitForOrderStatus(p, change.id, 'completed');
    expect(vendorCallsOn('change_resources', sub.vendorReference)).toHaveLength(1);
    // The template asks no install approval: the purchase opened no operation.
    expect((await operationsOf(clientId)).map((o: any) => o.type).sort()).toEqual(['renew_application', 'update_application']);
  });

  it('a refused update fails the order (activation error); a retry asks again and its approval completes it', async () => {
    const { clientId, sub } = await active('Refused Update Co', 300);
    const change = (await p.api('POST', `/api/v1/subscriptions/${sub.id}/change-resources`, { resources: { storage: 11 } })).body;
    await decide((await pendingOperation(clientId, 'update_application')).id, 'reject', 'quota review first');
    await waitForOrderStatus(p, change.id, 'activation_error');
    expect((await subscription(sub.id)).status).toBe('update_error');
    const scenario = await waitForScenarioStatus(p, `order-${change.id}`, 'waiting');
    const step = flattenTree(scenario.tree).find((s) => s.name === 'Approve update');
    expect(step).toMatchObject({ status: 'failed', errorClass: 'rejected' });
    expect(vendorCallsOn('change_resources', sub.vendorReference)).toEqual([]);
    expect((await p.api('POST', `/api/v1/scenarios/order-${change.id}/decisions`, { step: step.path, decision: 'retry', reason: 'quota reviewed' })).status).toBe(202);
    await decide((await pendingOperation(clientId, 'update_application')).id, 'approve');
    await waitForOrderStatus(p, change.id, 'completed');
    expect(vendorCallsOn('change_resources', sub.vendorReference)).toHaveLength(1);
  });

  it('stop and start approved; a refused start and a refused delete leave the subscription where it was (decision 14)', async () => {
    const { clientId, sub } = await active('Approved Stops Co', 0);
    const run = async (operation: string, type: string, decision: 'approve' | 'reject') => {
      const started = await p.api('POST', `/api/v1/subscriptions/${sub.id}/${operation}`, { reason: 'client request' });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const approval = await pendingOperation(clientId, type);
      expect(approval.description).toMatch(/^Approve: /);
      await settledOn(started.body.scenarioId);
      await decide(approval.id, decision, `${decision} ${operation}`);
      return waitForScenarioStatus(p, started.body.scenarioId, 'completed');
    };

    await run('stop', 'stop_application', 'approve');
    expect((await waitForSubscription(sub.id, 'stopped')).status).toBe('stopped');
    expect(vendorCallsOn('stop', sub.vendorReference)).toHaveLength(1);

    const refusedStart = await run('activate', 'start_application', 'reject');
    expect(flattenTree(refusedStart.tree).map((s) => s.name)).toContain('Restore previous status');
    expect(await subscription(sub.id)).toMatchObject({ status: 'stopped', statusReason: 'reject activate' });
    expect(vendorCallsOn('activate', sub.vendorReference)).toEqual([]);

    await run('delete', 'delete_application', 'reject');
    expect((await subscription(sub.id)).status).toBe('stopped');
    expect(vendorCallsOn('delete', sub.vendorReference)).toEqual([]);

    await run('activate', 'start_application', 'approve');
    await waitForSubscription(sub.id, 'active');
    expect(vendorCallsOn('activate', sub.vendorReference)).toHaveLength(1);
    await run('delete', 'delete_application', 'approve');
    await waitForSubscription(sub.id, 'deleted');
    expect(vendorCallsOn('delete', sub.vendorReference)).toHaveLength(1);
  });
});
