import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendorHold } from '../fakes/fake-vendor';
import { orderCount, placeOrders, say, startChaosPlatform, waitForOrdersCompleted, type ChaosPlatform } from './harness';
import { assignRoles, createTargetPlan, debit, expectLifecycleConsistent, orderOn, RENEWAL_AMOUNT, SWITCH_AMOUNT, topUp, waitUntil, type LifecycleOrders } from './lifecycle';

let p: ChaosPlatform;
beforeAll(async () => {
  // A vendor that deduplicates only creates: a renew or stop sent twice would act twice, so only reconciling a
  // lost answer through status (issue 16 point 5) keeps every effect single.
  p = await startChaosPlatform('lifecycle-worker-kill', { vendorDeduplicates: 'create' });
});
afterAll(async () => {
  await p?.close();
});

describe('chaos: the worker is killed with SIGKILL during renewals, plan switches and financial blocks', () => {
  it('every renewal and switch completes once, blocked clients end with both subscriptions stopped, no effect twice at the vendor', async () => {
    const started = Date.now();
    // Each kill costs a worker start (bundling the workflow code, 10-20 s on a loaded machine): two, where they hurt.
    const killWorker = async () => {
      await p.worker.kill('SIGKILL');
      await p.worker.start();
    };
    const holds: FakeVendorHold[] = [];
    try {
      // Two subscriptions per client, bought while nothing fails (the purchase chaos tests cover that).
      const placed = await placeOrders(p, {
        orders: 2 * Math.max(3, Math.round(orderCount(24) / 2)),
        perClient: 2,
        catalog: { serviceRule: { creditThreshold: 0, negativeBalanceDays: 0 }, provisioningRule: { manualRenewPointDays: -1 } },
      });
      await waitForOrdersCompleted(p, placed.orderIds);
      const clients = await assignRoles(p, placed);
      const orders: LifecycleOrders = { renewals: new Map(), switches: new Map(), targetPeriodId: await createTargetPlan(p, placed) };
      say(p.name, `${placed.orderIds.length} subscriptions bought in ${Math.round((Date.now() - started) / 1000)} s`);

      // Renewals and plan switches: the worker is killed as soon as both kinds reach the vendor.
      const placing = Promise.all(
        clients.filter((c) => c.role !== 'block').map(async ({ clientId, role, subscriptions: [first, second] }) => {
          await topUp(p, clientId, role === 'switch' ? SWITCH_AMOUNT + RENEWAL_AMOUNT : 2 * RENEWAL_AMOUNT, `chaos-lifecycle-top-up-${clientId}`);
          if (role === 'switch') orders.switches.set(first!.id, await orderOn(p, first!.id, 'switch-plan', { planPeriodId: orders.targetPeriodId }));
          else orders.renewals.set(first!.id, await orderOn(p, first!.id, 'renew', {}));
          orders.renewals.set(second!.id, await orderOn(p, second!.id, 'renew', {}));
        }),
      );
      const arrived = (operation: string) => p.vendor.calls.some((c) => c.operation === operation);
      await waitUntil(p, 'a renew and a switch at the vendor', async () => arrived('renew') && arrived('switch_plan'), { intervalMs: 20 });
      await killWorker();
      await placing;
      await waitForOrdersCompleted(p, [...orders.renewals.values(), ...orders.switches.values()], { progress: () => `worker kills ${p.worker.kills}` });
      say(p.name, `${orders.renewals.size} renewals and ${orders.switches.size} switches done with ${p.worker.kills} worker kills`);

      // Issue 16 point 1: the vendor holds each blocked client's first renewal; a debit blocks the client meanwhile.
      const blocked = clients.filter((c) => c.role === 'block');
      for (const { clientId, subscriptions: [first] } of blocked) {
        holds.push(p.vendor.hold((call) => call.operation === 'renew' && call.resourceId === first!.ref));
        await topUp(p, clientId, RENEWAL_AMOUNT, `chaos-lifecycle-top-up-${clientId}`);
        orders.renewals.set(first!.id, await orderOn(p, first!.id, 'renew', {}));
      }
      await Promise.all(holds.map((h) => h.arrived));
      for (const { clientId } of blocked) await debit(p, clientId, 1);
      const blockIds = blocked.map((c) => `financial-block-${c.clientId}-1`);
      const blockStatuses = async () => (await p.sql<Array<{ status: string }>>`select status from scenarios where id = any(${blockIds})`).map((r) => r.status);
      // The blocks have started and sent the stops of the working subscriptions, while the renewals are in flight.
      const stopSent = (ref: string) => p.vendor.calls.some((c) => c.operation === 'stop' && c.resourceId === ref);
      await waitUntil(p, 'the blocks to start', async () => (await blockStatuses()).length === blockIds.length && blocked.every((c) => stopSent(c.subscriptions[1]!.ref)), { intervalMs: 20 });
      // The worker dies now; the vendor then acts on the renewals and nobody hears its answers.
      await p.worker.kill('SIGKILL');
      for (const hold of holds) hold.release();
      await p.worker.start();
      let seen = '';
      const allStopped = async () => {
        const rows = await p.sql<Array<{ status: string; n: number }>>`
          select status, count(*)::int as n from subscriptions where client_id = any(${blocked.map((c) => c.clientId)}::int[]) group by status order by status`;
        const blocks = await blockStatuses();
        seen = `subscriptions ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}; blocks ${blocks.join(', ')}`;
        return blocks.every((s) => s === 'completed') && rows.length === 1 && rows[0]!.status === 'stopped';
      };
      await waitUntil(p, 'the blocks to stop both subscriptions of each client', allStopped, { progress: () => seen });
      await waitForOrdersCompleted(p, [...orders.renewals.values()]);
      const startup = p.worker.startupMs.slice(1).map((ms) => Math.round(ms / 1000));
      say(p.name, `all done in ${Math.round((Date.now() - started) / 1000)} s with ${p.worker.kills} worker kills (worker starts took ${startup.join(', ')} s)`);

      expect(p.worker.kills).toBe(2);
      await expectLifecycleConsistent(p, placed, clients, orders);
    } finally {
      for (const hold of holds) hold.release();
    }
  });
});
