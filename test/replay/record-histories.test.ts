import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  createTestPlatform,
  seedCatalog,
  waitForOrderStatus,
  waitForScenarioStatus,
  type TestPlatform,
} from '../support/platform';

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

async function save(name: string, workflowId: string) {
  // The CLI writes the canonical JSON form that historyFromJSON reads back.
  const { stdout } = await promisify(execFile)('.tools/bin/temporal', [
    'workflow', 'show', '--workflow-id', workflowId, '--address', p.temporalAddress, '--output', 'json',
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
  });
});
