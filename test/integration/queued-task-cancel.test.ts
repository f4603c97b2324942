import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type TestPlatform } from '../support/platform';

let p: TestPlatform;

beforeAll(async () => {
  // Long back-off between attempts, so the task sits queued long enough to be cancelled.
  p = await createTestPlatform('queued_cancel', {
    policy: { initialIntervalMs: 3_000, maximumIntervalMs: 3_000, maximumAttempts: 20, heartbeatTimeoutMs: 3_000, startToCloseTimeoutMs: 60_000 },
  });
});
afterAll(async () => p?.close());

describe('cancelling a queued task (decision 10)', () => {
  it('a task backing off between attempts is cancelled: the order ends cancelled, the money returns, the vendor is not called again', async () => {
    const catalog = await seedCatalog(p);
    const clientId = await createClient(p, catalog, 'Queued Cancel Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    p.vendor.failNext(100, 503);
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;

    // After the first 503 the task waits for its next attempt: queued.
    const task = await eventually(
      async () => {
        const t = (await p.api('GET', `/api/v1/tasks?orderId=${order.id}`)).body.items[0];
        // A task retrying by itself says why (once its failed attempt is recorded), and can be found by that.
        return t?.status === 'queued' && t.rounds === 1 && t.errorClass === 'transient' && (await p.api('GET', `/api/v1/tasks/${t.id}`)).body.log.length >= 1 ? t : null;
      },
      { intervalMs: 50, what: 'the task to be queued after a failed attempt, classed transient' },
    );
    const retrying = (await p.api('GET', `/api/v1/tasks?status=queued&errorClass=transient&orderId=${order.id}`)).body.items;
    expect(retrying.map((t: any) => t.id)).toEqual([task.id]);
    const cancelled = await p.api('POST', `/api/v1/tasks/${task.id}/cancel`, { reason: 'vendor outage, client withdrew' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');
    const callsAtCancel = p.vendor.calls.length;

    await waitForOrderStatus(p, order.id, 'cancelled');
    await waitForScenarioStatus(p, `order-${order.id}`, 'cancelled');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(1500);
    const detail = (await p.api('GET', `/api/v1/tasks/${task.id}`)).body;
    expect(detail.decisions).toEqual([expect.objectContaining({ decision: 'cancel', reason: 'vendor outage, client withdrew', decidedBy: expect.any(Number) })]);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(p.vendor.calls.length).toBe(callsAtCancel);
    p.vendor.reset();

    const again = await p.api('POST', `/api/v1/tasks/${task.id}/cancel`, { reason: 'twice' });
    expect(again.status).toBe(409);
  });
});
