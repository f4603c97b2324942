import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosSeed, expectConsistent, orderCount, placeOrders, repeatFault, say, seededRandom, sleep, startChaosPlatform, waitForOrdersCompleted, type ChaosPlatform, type RepeatedFault } from './harness';

let p: ChaosPlatform;
beforeAll(async () => {
  p = await startChaosPlatform('temporal-restart');
});
afterAll(async () => {
  await p?.close();
});

describe('chaos: the Temporal server is stopped and started again mid-run', () => {
  it('every order completes once after SIGTERM and SIGKILL restarts of the file-backed dev server', async () => {
    const random = seededRandom(chaosSeed(p.name));
    const started = Date.now();
    let restarts: RepeatedFault | undefined;
    try {
      const placed = await placeOrders(p, {
        orders: orderCount(100),
        concurrency: 10,
        // Stopped while orders are still arriving (placing them takes several seconds), then three more times,
        // by SIGTERM and SIGKILL in turn; down 2-5 s each time.
        beforeOrders: () => {
          restarts = repeatFault(
            async () => {
              if (p.temporal.stops.length >= 4) return;
              const signal = p.temporal.stops.length % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
              const down = Date.now();
              await p.temporal.stop(signal);
              await sleep(2_000 + random() * 3_000);
              await p.temporal.start();
              say(p.name, `Temporal stopped by ${signal}, serving again after ${Math.round((Date.now() - down) / 1000)} s`);
            },
            { firstMs: 1_500, minMs: 3_000, maxMs: 12_000, random },
          );
        },
      });
      say(p.name, `${placed.orderIds.length} orders placed in ${Math.round(placed.placedMs / 1000)} s`);
      await waitForOrdersCompleted(p, placed.orderIds, { progress: () => `Temporal restarts ${p.temporal.stops.length}` });
      await restarts?.stop();
      say(p.name, `all completed in ${Math.round((Date.now() - started) / 1000)} s with ${p.temporal.stops.length} Temporal restarts (${p.temporal.stops.join(', ')})`);

      expect(p.temporal.stops.length).toBeGreaterThan(0);
      await expectConsistent(p, placed);
    } finally {
      await restarts?.stop().catch(() => {});
    }
  });
});
