import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Records the histories that replay.test.ts replays. Run after changing a workflow on purpose (with
 * `patched()` where executions may be running): `npm run record:histories`. Skipped in the normal suite.
 */
const recording = process.env.RECORD_HISTORIES === '1';
const dir = fileURLToPath(new URL('./histories/', import.meta.url));

let p: TestPlatform;
beforeAll(async () => {
  if (recording) p = await createTestPlatform('record');
});
afterAll(async () => p?.close());

/** A plan of the catalogue on a `manual` service template (a person performs its operations): 1000 a month. */
async function manualPlan(catalog: Catalog) {
  const template = (await p.api('POST', '/api/v1/service-templates', { name: 'By hand', plugin: 'manual' })).body;
  const plan = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: template.id,
    provisioningRuleId: catalog.provisioningRuleId,
    name: 'Managed server',
    periods: [{ duration: 1, unit: 'month', recurringFee: 1000 }],
  });
  return plan.body;
}

/**
 * Existing histories are kept: they came from older code and prove that today's code still replays them.
 * Bump the generation when a workflow change (behind `patched()`) should be covered by fresh histories too.
 */
const generation: number = 9;
async function save(baseName: string, workflowId: string) {
  const name = generation === 1 ? baseName : `${baseName}.g${generation}`;
  if (existsSync(`${dir}${name}.json`) && process.env.RECORD_OVERWRITE !== '1') return;
  // The CLI writes the canonical JSON form that historyFromJSON reads back.
  const { stdout } = await promisify(execFile)('.tools/bin/temporal', [
    'workflow', 'show', '--workflow-id', workflowId, '--address', p.temporalAddress, '--namespace', p.temporalNamespace, '--output', 'json',
  ], { maxBuffer: 64 * 1024 * 1024 });
  await writeFile(`${dir}${name}.json`, stdout);
}

describe.skipIf(!recording)('record workflow histories', () => {
  it('records a confirmed, a retried and a cancelled purchase order', async () => {
    const catalog = await seedCatalog(p);
    const clientId = await createClient(p, catalog);

    const confirmed = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${confirmed.id}`, 'waiting');
    await p.api('POST', `/api/v1/payments/${confirmed.payments[0].id}/confirm`, { method: 'cash' });
    await waitForScenarioStatus(p, `order-${confirmed.id}`, 'completed');
    await save('purchase-order-confirmed', `order-${confirmed.id}`);

    for (const decision of ['retry', 'cancel'] as const) {
      await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
      p.vendor.rejectNext(1, 422, 'rejected for the recording');
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
      await waitForOrderStatus(p, order.id, 'activation_error');
      const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
      const answer = await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, {
        step: scenario.currentStep,
        decision,
        reason: `recorded ${decision}`,
        ...(decision === 'retry' ? { input: { region: 'eu' } } : {}),
      });
      expect(answer.status).toBe(202);
      await waitForScenarioStatus(p, `order-${order.id}`, decision === 'retry' ? 'completed' : 'cancelled');
      await save(`purchase-order-${decision}`, `order-${order.id}`);
    }

    // The manual plugin: one order approved, one rejected then retried and approved.
    const plan = await manualPlan(catalog);
    const pendingOperation = () =>
      eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
        what: 'a pending manual operation',
      });
    for (const outcome of ['approved', 'rejected-then-approved'] as const) {
      await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1000 });
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plan.periods[0].id })).body;
      let op = await pendingOperation();
      if (outcome === 'rejected-then-approved') {
        await p.api('POST', `/api/v1/manual-operations/${op.id}/reject`, { comment: 'not yet' });
        // The order's error status is written after the step is recorded failed, so wait for it first.
        await waitForOrderStatus(p, order.id, 'activation_error');
        const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
        await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: scenario.currentStep, decision: 'retry' });
        op = await pendingOperation();
      }
      await p.api('POST', `/api/v1/manual-operations/${op.id}/approve`, { output: { vendorReference: 'RACK-1' } });
      await waitForScenarioStatus(p, `order-${order.id}`, 'completed');
      await save(`purchase-order-manual-${outcome}`, `order-${order.id}`);
    }

    // A postpay order held for the operator's "allow postpay" approval.
    await p.api('POST', '/api/v1/settings/postpay-mode', { mode: 'manual' });
    const rule = (await p.api('POST', '/api/v1/service-rules', { key: 'postpay_rec', name: 'Postpay', defaultPaymentModel: 'postpay', subscriptionCreditLimit: 100000 })).body;
    const postpayClient = (await p.api('POST', '/api/v1/clients', { name: 'Postpay Co', serviceRuleId: rule.id })).body.id;
    const held = (await p.api('POST', '/api/v1/orders', { clientId: postpayClient, planPeriodId: catalog.monthlyPeriodId })).body;
    const allow = await eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${postpayClient}&status=pending`)).body.items[0], {
      what: 'the allow-postpay operation',
    });
    await p.api('POST', `/api/v1/manual-operations/${allow.id}/approve`, { comment: 'approved for the recording' });
    await waitForScenarioStatus(p, `order-${held.id}`, 'completed');
    await save('purchase-order-postpay-approved', `order-${held.id}`);

    // Stops under a manual stop mode: one approved (stopped at the vendor), one rejected (kept active).
    const manualStop = (await p.api('POST', '/api/v1/service-rules', { key: 'manual_stop_rec', name: 'Manual stop', stopMode: 'manual' })).body;
    for (const answer of ['approve', 'reject'] as const) {
      const stopClient = (await p.api('POST', '/api/v1/clients', { name: `Stop ${answer}`, serviceRuleId: manualStop.id })).body.id;
      await p.api('POST', `/api/v1/clients/${stopClient}/top-ups`, { amount: 1500 });
      const bought = (await p.api('POST', '/api/v1/orders', { clientId: stopClient, planPeriodId: catalog.monthlyPeriodId })).body;
      const done = await waitForOrderStatus(p, bought.id, 'completed');
      const stop = (await p.api('POST', `/api/v1/subscriptions/${done.subscriptionId}/stop`, { reason: 'recording' })).body;
      const op = await eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${stopClient}&status=pending`)).body.items[0], {
        what: 'the stop operation',
      });
      await p.api('POST', `/api/v1/manual-operations/${op.id}/${answer}`, {});
      await waitForScenarioStatus(p, stop.scenarioId, 'completed');
      await save(`stop-subscription-manual-${answer}`, stop.scenarioId);
    }
  });

  it('records lifecycle orders and a billing run with its duties', async () => {
    const runDay = async (date: string) => {
      const started = (await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date })).body;
      await p.temporal.workflow.getHandle(started.scenarioId).result();
    };
    const catalog = await seedCatalog(p, {
      provisioningRule: { autoRenewPointDays: 1 },
      plan: { resources: [{ key: 'storage', name: 'Storage', included: 10, maximum: 100, recurringPrice: 30 }] },
    });
    const clientId = await createClient(p, catalog, 'Lifecycle Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 10_000 });
    const bought = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const subscriptionId = (await waitForOrderStatus(p, bought.id, 'completed')).subscriptionId;

    // A resource change refused by the vendor, run again from the task list.
    p.vendor.rejectNext(1, 422, 'rejected for the recording');
    const change = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 20 } })).body;
    const task = await eventually(async () => (await p.api('GET', `/api/v1/tasks?subscriptionId=${subscriptionId}&status=failed`)).body.items[0], { what: 'the failed task' });
    await p.api('POST', `/api/v1/tasks/${task.id}/run`, { reason: 'recording' });
    await waitForOrderStatus(p, change.id, 'completed');
    await save('resource-change-retry', `order-${change.id}`);

    // The automatic renewal: created by one run, paid from the balance by the next.
    const exp: string = (await p.api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body.expirationDate;
    const { addDays } = await import('../../domain/dates');
    await runDay(addDays(exp, -1));
    await runDay(exp);
    const renewal = (await p.api('GET', `/api/v1/orders?subscriptionId=${subscriptionId}&type=renewal`)).body.items[0];
    await waitForOrderStatus(p, renewal.id, 'completed');
    await save('renewal-order-auto-paid', `order-${renewal.id}`);
    await save('billing-day-lifecycle', `billing-day-${exp}`);

    // A deferred renewal of per-period billing, provisioned by the run of its date.
    const flexible = await seedCatalog(p, { plan: { billingType: 'monthly_flexible' } });
    const flexClient = await createClient(p, flexible, 'Deferred Co');
    await p.api('POST', `/api/v1/clients/${flexClient}/top-ups`, { amount: 10_000 });
    const flexOrder = (await p.api('POST', '/api/v1/orders', { clientId: flexClient, planPeriodId: flexible.monthlyPeriodId })).body;
    const flexSub = (await waitForOrderStatus(p, flexOrder.id, 'completed')).subscriptionId;
    const deferred = (await p.api('POST', `/api/v1/subscriptions/${flexSub}/renew`, {})).body;
    await waitForOrderStatus(p, deferred.id, 'awaiting_provisioning');
    await runDay(deferred.provisioningDate);
    await waitForOrderStatus(p, deferred.id, 'completed');
    await save('renewal-order-deferred', `order-${deferred.id}`);
  });

  it('records a refunded cancel, operations performed by people, a refused approval and a first prepaid purchase', async () => {
    const pending = (clientId: number) =>
      eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0], {
        what: 'a pending manual operation',
      });
    const catalog = await seedCatalog(p, { plan: { resources: [{ key: 'storage', name: 'Storage', included: 10, maximum: 100, recurringPrice: 30 }] } });
    const clientId = await createClient(p, catalog, 'Refund Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 10_000 });
    const bought = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const subscriptionId = (await waitForOrderStatus(p, bought.id, 'completed')).subscriptionId;

    // A paid resource change refused by the vendor and cancelled by support: the payment returns to the balance.
    p.vendor.rejectNext(1, 422, 'rejected for the recording');
    const change = (await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 20 } })).body;
    await waitForOrderStatus(p, change.id, 'activation_error');
    const failed = await waitForScenarioStatus(p, `order-${change.id}`, 'waiting');
    await p.api('POST', `/api/v1/scenarios/order-${change.id}/decisions`, { step: failed.currentStep, decision: 'cancel', reason: 'recording' });
    await waitForScenarioStatus(p, `order-${change.id}`, 'cancelled');
    await save('resource-change-cancel-refund', `order-${change.id}`);

    // A renewal on the manual plugin, performed by a person.
    const plan = await manualPlan(catalog);
    const byHand = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plan.periods[0].id })).body;
    await p.api('POST', `/api/v1/manual-operations/${(await pending(clientId)).id}/approve`, { output: { vendorReference: 'RACK-2' } });
    const handSubscription = (await waitForOrderStatus(p, byHand.id, 'completed')).subscriptionId;
    const renewal = (await p.api('POST', `/api/v1/subscriptions/${handSubscription}/renew`, {})).body;
    await p.api('POST', `/api/v1/manual-operations/${(await pending(clientId)).id}/approve`, {});
    await waitForScenarioStatus(p, `order-${renewal.id}`, 'completed');
    await save('renewal-order-by-hand', `order-${renewal.id}`);

    // A stop whose approval, asked by the service template, is refused: the subscription stays active.
    const approving = await seedCatalog(p, { capabilities: { approvals: ['stop'] } });
    const stopClient = await createClient(p, approving, 'Approval Co');
    await p.api('POST', `/api/v1/clients/${stopClient}/top-ups`, { amount: 1500 });
    const stopOrder = (await p.api('POST', '/api/v1/orders', { clientId: stopClient, planPeriodId: approving.monthlyPeriodId })).body;
    const stopSubscription = (await waitForOrderStatus(p, stopOrder.id, 'completed')).subscriptionId;
    const stop = (await p.api('POST', `/api/v1/subscriptions/${stopSubscription}/stop`, { reason: 'recording' })).body;
    await p.api('POST', `/api/v1/manual-operations/${(await pending(stopClient)).id}/reject`, { comment: 'keep it' });
    await waitForScenarioStatus(p, stop.scenarioId, 'completed');
    await save('stop-subscription-approval-refused', stop.scenarioId);

    // Decision 15: the first prepaid purchase of a client waits for an install operation.
    const firstPrepaid = await seedCatalog(p, { serviceRule: { manualFirstPrepaidProvisioning: true } });
    const newcomer = await createClient(p, firstPrepaid, 'Newcomer Co');
    await p.api('POST', `/api/v1/clients/${newcomer}/top-ups`, { amount: 1500 });
    const first = (await p.api('POST', '/api/v1/orders', { clientId: newcomer, planPeriodId: firstPrepaid.monthlyPeriodId })).body;
    await p.api('POST', `/api/v1/manual-operations/${(await pending(newcomer)).id}/approve`, {});
    await waitForScenarioStatus(p, `order-${first.id}`, 'completed');
    await save('purchase-order-first-prepaid', `order-${first.id}`);
  });

  it('records a financial block and unblock, and an administrative block and unblock', async () => {
    const catalog = await seedCatalog(p, { serviceRule: { creditThreshold: 0 } });
    const clientId = await createClient(p, catalog, 'Blocked Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const bought = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const subscriptionId = (await waitForOrderStatus(p, bought.id, 'completed')).subscriptionId;
    const status = async () => (await p.api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body.status;

    const debit = (await p.api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount: 10, comment: 'recording' })).body;
    await p.api('POST', `/api/v1/adjustments/${debit.id}/approve`, {});
    await waitForScenarioStatus(p, `financial-block-${clientId}-1`, 'completed');
    await eventually(async () => (await status()) === 'stopped', { what: 'the block to stop the subscription' });
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 10 });
    await waitForScenarioStatus(p, `financial-unblock-${clientId}-1`, 'completed');
    await eventually(async () => (await status()) === 'active', { what: 'the unblock to restore the subscription' });
    await save('financial-block', `financial-block-${clientId}-1`);
    await save('financial-unblock', `financial-unblock-${clientId}-1`);

    await p.api('POST', `/api/v1/clients/${clientId}/administrative-block`, { reason: 'recording' });
    await waitForScenarioStatus(p, `administrative-block-${clientId}-1`, 'completed');
    await eventually(async () => (await status()) === 'stopped', { what: 'the administrative block to stop the subscription' });
    await p.api('POST', `/api/v1/clients/${clientId}/activate`, { reason: 'recording' });
    await waitForScenarioStatus(p, `administrative-unblock-${clientId}-1`, 'completed');
    await save('administrative-block', `administrative-block-${clientId}-1`);
    await save('administrative-unblock', `administrative-unblock-${clientId}-1`);
  });

  it('records blocks that meet a renewal in flight: one waits and stops it, one stops it after the renewal failed', async () => {
    const catalog = await seedCatalog(p, { serviceRule: { creditThreshold: 0 }, provisioningRule: { manualRenewPointDays: -1 } });
    for (const outcome of ['renewed', 'failed'] as const) {
      const clientId = await createClient(p, catalog, `Renewing ${outcome} Co`);
      await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 2500 });
      const bought = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
      const subscriptionId = (await waitForOrderStatus(p, bought.id, 'completed')).subscriptionId;
      const { vendorReference } = (await p.api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
      const renew = p.vendor.hold((c) => c.operation === 'renew' && c.resourceId === vendorReference);
      await p.api('POST', `/api/v1/subscriptions/${subscriptionId}/renew`, {});
      await renew.arrived;
      const debit = (await p.api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount: 10, comment: 'recording' })).body;
      await p.api('POST', `/api/v1/adjustments/${debit.id}/approve`, {});
      await waitForScenarioStatus(p, `financial-block-${clientId}-1`, 'running');
      renew.release(outcome === 'failed' ? { status: 422, error: 'refused for the recording' } : undefined);
      await waitForScenarioStatus(p, `financial-block-${clientId}-1`, 'completed');
      await save(`financial-block-renewal-${outcome}`, `financial-block-${clientId}-1`);
    }
  });
  it('records a license workflow: operations, a refusal, an expiry on time, a re-armed timer, the license deleted', async () => {
    expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Recorded Software', prefix: 'RECO' })).status).toBe(201);
    expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: 'RECO', code: 'recorded', name: 'Recorded' })).status).toBe(201);
    const registered = await p.api('POST', '/licensing/v1/keys', { vendorPrefix: 'RECO', productCode: 'recorded', customer: { companyName: 'Recorded Co' } }, { token: null });
    const granted = (await p.api('POST', `/api/v1/licensing/keys/${registered.body.key}/entitlements`, { productCode: 'recorded', periodDays: 30 })).body;
    const id = granted.id as number;
    const license = `/api/v1/licensing/entitlements/${id}`;
    expect((await p.api('POST', license, { name: 'Recorded license', validUntil: new Date(Date.now() + 2000).toISOString() })).status).toBe(200);
    expect((await p.api('POST', `${license}/support-extensions`, { months: 12 })).status).toBe(422);
    await eventually(async () => (await p.sql`select 1 from entitlements where id = ${id} and status = 'expired'`).length > 0, { timeoutMs: 20_000, what: 'the license to expire' });
    expect((await p.api('POST', license, { validUntil: new Date(Date.now() + 86_400_000).toISOString() })).status).toBe(200);
    expect((await p.api('POST', `${license}/suspend`, { reason: 'recording' })).status).toBe(200);
    expect((await p.api('POST', `${license}/resume`, { reason: 'recording' })).status).toBe(200);
    expect((await p.api('POST', `${license}/delete`, { reason: 'recording' })).status).toBe(200);
    await eventually(async () => (await p.temporal.workflow.getHandle(`licensing-ent-${id}`).describe()).status.name === 'COMPLETED', { what: 'the license workflow to end' });
    await save('entitlement-lifecycle', `licensing-ent-${id}`);
  });
});
