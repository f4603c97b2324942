import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, flattenTree, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('decisions'));
});
afterAll(async () => p?.close());

const stepNamed = (scenario: any, name: string) => flattenTree(scenario.tree).find((s) => s.name === name);

/** A paid order whose vendor create is rejected permanently: it stops at "Provision at vendor". */
async function orderStuckAtProvisioning(name: string) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
  p.vendor.rejectNext(1, 422, 'plan BK-100 is not sold in this region');
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
  const errored = await waitForOrderStatus(p, order.id, 'activation_error');
  const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
  const step = stepNamed(scenario, 'Provision at vendor');
  return { clientId, order: errored, scenario, step };
}

describe('decisions on a failed step', () => {
  it('a permanent vendor error fails the step at once and leaves the order in activation_error', async () => {
    const { order, scenario, step } = await orderStuckAtProvisioning('Permanent Co');
    expect(order.statusReason).toContain('not sold in this region');
    expect(order.events.map((e: any) => e.action)).toEqual(['created', 'paid_from_balance', 'activation_error']);
    // The workflow's own view agrees with the read model.
    const live = await p.api('GET', `/api/v1/scenarios/order-${order.id}/live`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'waiting', currentStep: step.path });
    expect(flattenTree(live.body.tree).map((s) => [s.name, s.status])).toEqual(flattenTree(scenario.tree).map((s) => [s.name, s.status]));
    expect(scenario.currentStep).toBe(step.path);
    expect(step).toMatchObject({ status: 'failed', errorClass: 'permanent' });
    expect(step.attempts).toHaveLength(1); // permanent: no automatic retry
    const sub = (await p.api('GET', `/api/v1/subscriptions/${order.subscriptionId}`)).body;
    expect(sub.status).toBe('install_error');
  });

  it('retry with corrected input completes the order, and the decision is recorded with who and why', async () => {
    const { order, step } = await orderStuckAtProvisioning('Retry Co');
    const decided = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, {
      step: step.path,
      decision: 'retry',
      reason: 'region corrected with the vendor',
      input: { region: 'eu-west' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(202);
    await waitForOrderStatus(p, order.id, 'completed');
    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'completed');
    const provision = stepNamed(scenario, 'Provision at vendor');
    expect(provision).toMatchObject({ status: 'succeeded', rounds: 2, input: { region: 'eu-west' } });
    expect(provision.attempts.map((a: any) => [a.round, a.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    const vendorCreate = p.vendor.calls.filter((c) => c.operation === 'create' && c.idempotencyKey === provision.idempotencyKey);
    expect(vendorCreate.at(-1)!.json).toMatchObject({ region: 'eu-west' });
    expect(p.vendor.resources.filter((r) => r.idempotencyKey === provision.idempotencyKey)).toHaveLength(1);
    expect(scenario.decisions).toEqual([
      expect.objectContaining({ step: step.path, decision: 'retry', reason: 'region corrected with the vendor', decidedBy: expect.any(Number) }),
    ]);
    const [event] = await p.sql`select actor_kind, action, reason from event_log where entity_kind = 'scenario' and entity_id = ${`order-${order.id}`}`;
    expect(event).toMatchObject({ actor_kind: 'staff', action: 'step_retry', reason: 'region corrected with the vendor' });
  });

  it('skip needs a reason, then the scenario goes on without the step', async () => {
    const { order, step } = await orderStuckAtProvisioning('Skip Co');
    const noReason = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: step.path, decision: 'skip' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.message).toContain('reason');
    const skipped = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, {
      step: step.path,
      decision: 'skip',
      reason: 'provisioned by hand in the vendor portal',
    });
    expect(skipped.status).toBe(202);
    const done = await waitForOrderStatus(p, order.id, 'completed');
    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'completed');
    expect(stepNamed(scenario, 'Provision at vendor').status).toBe('skipped');
    expect((await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body.status).toBe('active');
  });

  it('cancel runs the compensations in reverse: subscription discarded, payment returned to the balance, order cancelled', async () => {
    const { clientId, order, step } = await orderStuckAtProvisioning('Cancel Co');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(0);
    const cancelled = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, {
      step: step.path,
      decision: 'cancel',
      reason: 'client withdrew the order',
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    const final = await waitForOrderStatus(p, order.id, 'cancelled');
    expect(final.statusReason).toBe('client withdrew the order');
    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'cancelled');
    const compensation = flattenTree(scenario.tree).find((s) => s.name === 'Compensation');
    expect(compensation.children.map((c: any) => [c.name, c.status])).toEqual([
      ['Discard subscription', 'succeeded'],
      ['Return payment to balance', 'succeeded'],
    ]);
    expect((await p.api('GET', `/api/v1/subscriptions/${order.subscriptionId}`)).body.status).toBe('deleted');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(1500);
    const ledger = await p.sql`select kind from ledger_transactions where client_id = ${clientId} order by id`;
    expect(ledger.map((r) => r.kind)).toEqual(['payment_received', 'order_paid', 'order_refund']);
  });

  it('rejects a decision on a step that is not failed (update validator → 422) and changes nothing', async () => {
    const { order, step } = await orderStuckAtProvisioning('Invalid Co');
    const onSucceeded = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: '1', decision: 'retry' });
    expect(onSucceeded.status).toBe(422);
    expect(onSucceeded.body.code).toBe('rejected_by_scenario');
    const unknownStep = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: '42', decision: 'retry' });
    expect(unknownStep.status).toBe(422);
    const skipUnskippable = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: '2', decision: 'skip', reason: 'x' });
    expect(skipUnskippable.status).toBe(422);
    const scenario = (await p.api('GET', `/api/v1/scenarios/order-${order.id}`)).body;
    expect(scenario.status).toBe('waiting');
    expect(scenario.decisions).toEqual([]);
    expect(stepNamed(scenario, 'Provision at vendor').status).toBe('failed');
    // The real decision still works afterwards.
    expect((await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: step.path, decision: 'retry' })).status).toBe(202);
    await waitForScenarioStatus(p, `order-${order.id}`, 'completed');
    const again = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: step.path, decision: 'retry' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('scenario_finished');
  });
});

describe('unpaid order cancelled by an operator', () => {
  it('cancels the order and its payment; the vendor is never called', async () => {
    const clientId = await createClient(p, catalog, 'Unpaid Co');
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const callsBefore = p.vendor.calls.length;
    const cancelled = await p.api('POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'client changed their mind' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.payments[0].status).toBe('cancelled');
    expect(cancelled.body.subscriptionId).toBeNull();
    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'cancelled');
    expect(flattenTree(scenario.tree).map((s) => s.name)).not.toContain('Provision at vendor');
    expect(p.vendor.calls.length).toBe(callsBefore);
    const again = await p.api('POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'twice' });
    expect(again.status).toBe(409);
    const confirmLate = await p.api('POST', `/api/v1/payments/${order.payments[0].id}/confirm`, { method: 'cash' });
    expect(confirmLate.status).toBe(409);
  });
});
