import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  createTestPlatform,
  eventually,
  seedCatalog,
  waitForOrderStatus,
  type TestPlatform,
  flattenTree,
} from '../support/platform';

let p: TestPlatform;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // No in-process worker: the first worker is a separate process that the test kills.
  p = await createTestPlatform('crash', { runWorker: false });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await p?.close();
});

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/run-worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: p.databaseUrl,
      TEMPORAL_ADDRESS: p.temporalAddress,
      TEMPORAL_NAMESPACE: p.temporalNamespace,
      TEMPORAL_TASK_QUEUE: p.taskQueue,
      LOG_LEVEL: 'warn',
      // As createTestPlatform's worker: the fake vendor listens on loopback.
      EGRESS_ALLOW_HOSTS: '127.0.0.1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

describe('crash safety', () => {
  it('a worker killed with SIGKILL while the vendor call is in flight: a new worker finishes the order, one resource at the vendor', async () => {
    const catalog = await seedCatalog(p);
    const clientId = await createClient(p, catalog, 'Crash Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });

    const first = startWorkerProcess();
    // The vendor holds the create for 6 s: long enough to kill the worker while the call is in flight.
    p.vendor.delayNext(1, 6_000);
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const key = await eventually(
      async () => p.vendor.calls.find((c) => c.operation === 'create' && c.idempotencyKey?.startsWith(`order-${order.id}/`))?.idempotencyKey,
      { timeoutMs: 60_000, what: 'the vendor create to arrive' },
    );
    expect((await p.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('provisioning');

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(first.signalCode).toBe('SIGKILL');

    await p.startWorker();
    const done = await waitForOrderStatus(p, order.id, 'completed', 60_000);
    await p.vendor.whenIdle();

    expect(p.vendor.resources.filter((r) => r.idempotencyKey === key)).toHaveLength(1);
    const sub = (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body;
    expect(sub.status).toBe('active');
    expect(sub.vendorReference).toBe(p.vendor.resourceByKey(key)!.id);

    // The task log shows the attempt the dead worker abandoned.
    const scenario = (await p.api('GET', `/api/v1/scenarios/order-${order.id}`)).body;
    const provision = flattenTree(scenario.tree).find((s) => s.name === 'Provision at vendor');
    expect(provision.attempts[0]).toMatchObject({ status: 'abandoned', errorClass: 'unknown_outcome' });
    expect(provision.attempts.at(-1).status).toBe('succeeded');
    // Money moved exactly once.
    const ledger = await p.sql`select kind from ledger_transactions where client_id = ${clientId} order by id`;
    expect(ledger.map((r) => r.kind)).toEqual(['payment_received', 'order_paid']);
  }, 120_000);
});
