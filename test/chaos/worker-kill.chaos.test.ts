import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosSeed, expectConsistent, orderCount, placeOrders, repeatFault, say, seededRandom, startChaosPlatform, waitForOrdersCompleted, type ChaosPlatform, type RepeatedFault } from './harness';

let p: ChaosPlatform;
beforeAll(async () => {
  p = await startChaosPlatform('worker-kill');
});
afterAll(async () => {
  await p?.close();
});

describe('chaos: the worker is killed with SIGKILL every few seconds', () => {
  it('every order completes once: one resource per order at the vendor, no duplicate rows, the ledger agrees with itself', async () => {
    const random = seededRandom(chaosSeed(p.name));
    const started = Date.now();
    let kills: RepeatedFault | undefined;
    try {
      const placed = await placeOrders(p, {
        orders: orderCount(200),
        // The first kill lands while orders are still arriving; each one comes 2-6 s after the new worker polls.
        beforeOrders: () => {
          kills = repeatFault(
            async () => {
              await p.worker.kill('SIGKILL');
              await p.worker.start();
            },
            { minMs: 2_000, maxMs: 6_000, random },
          );
        },
      });
      say(p.name, `${placed.orderIds.length} orders placed in ${Math.round(placed.placedMs / 1000)} s`);
      await waitForOrdersCompleted(p, placed.orderIds, { progress: () => `worker kills ${p.worker.kills}` });
      await kills?.stop();
      const startup = p.worker.startupMs;
      say(p.name, `all completed in ${Math.round((Date.now() - started) / 1000)} s with ${p.worker.kills} worker kills (a worker start takes ${Math.round(Math.min(...startup) / 1000)}-${Math.round(Math.max(...startup) / 1000)} s)`);

      expect(p.worker.kills).toBeGreaterThan(0);
      await expectConsistent(p, placed);
    } finally {
      await kills?.stop().catch(() => {});
    }
  });
});
