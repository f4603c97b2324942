import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosSeed, expectConsistent, orderCount, placeOrders, say, seededRandom, sleep, startChaosPlatform, waitForOrdersCompleted, type ChaosPlatform } from './harness';

let p: ChaosPlatform;
beforeAll(async () => {
  p = await startChaosPlatform('temporal-restart');
});
afterAll(async () => {
  await p?.close();
});

/** How many of the orders are completed. */
async function completedOf(orderIds: number[]): Promise<number> {
  const [row] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from orders where id = any(${orderIds}::int[]) and status = 'completed'`;
  return row?.n ?? 0;
}

describe('chaos: the Temporal server is stopped and started again mid-run', () => {
  it('every order completes once after SIGTERM and SIGKILL restarts of the file-backed dev server', async () => {
    const random = seededRandom(chaosSeed(p.name));
    const started = Date.now();
    const restart = async (signal: 'SIGTERM' | 'SIGKILL', when: string) => {
      const down = Date.now();
      await p.temporal.stop(signal);
      await sleep(2_000 + random() * 3_000);
      await p.temporal.start();
      say(p.name, `Temporal stopped by ${signal} ${when}, serving again after ${Math.round((Date.now() - down) / 1000)} s`);
    };
    // Driven by progress rather than by a timer, so that both stops find orders in flight however fast they go:
    // SIGTERM while orders are still arriving, SIGKILL once a quarter of them has completed after that.
    let firstStop: Promise<void> | undefined;
    const placed = await placeOrders(p, {
      orders: orderCount(200),
      concurrency: 10,
      beforeOrders: () => {
        firstStop = sleep(500).then(() => restart('SIGTERM', 'while orders are arriving'));
      },
    });
    say(p.name, `${placed.orderIds.length} orders placed in ${Math.round(placed.placedMs / 1000)} s`);
    await firstStop;
    const total = placed.orderIds.length;
    const afterFirst = await completedOf(placed.orderIds);
    expect(afterFirst, 'orders still in flight after the first restart').toBeLessThan(total);
    let completed = afterFirst;
    while (completed < afterFirst + Math.ceil((total - afterFirst) / 4)) {
      await sleep(200);
      completed = await completedOf(placed.orderIds);
    }
    expect(completed, 'orders still in flight at the second stop').toBeLessThan(total);
    await restart('SIGKILL', `with ${total - completed} orders unfinished`);

    await waitForOrdersCompleted(p, placed.orderIds, { progress: () => `Temporal restarts ${p.temporal.stops.length}` });
    say(p.name, `all completed in ${Math.round((Date.now() - started) / 1000)} s with ${p.temporal.stops.length} Temporal restarts (${p.temporal.stops.join(', ')})`);
    expect(p.temporal.stops).toEqual(['SIGTERM', 'SIGKILL']);
    await expectConsistent(p, placed);
  });
});
